#!/bin/bash
# record_summary.sh - the summary `scorch record` prints tells the truth:
# the CPU share is measured (between 0 and 100% x CPUs, also for runs far
# shorter than a tick: /bin/true, a short shell loop), counts have the
# right number, and an error count says what the errors were.  Options
# that only the Python reader honours are not silently ignored on native
# programs: --gil warns, --gil --native is refused, --subprocesses follows
# native children.
. "$(dirname "$0")/lib.sh"
plan 9
PROGS=$TOP/tests/programs
ncpu=$(nproc)

# summary_check NAME ERRFILE: the summary line of a record run is sane
summary_check() {
	local name=$1 err=$2 line share
	line=$(grep 'scorch: .* samples\? in ' "$err" | tail -n 1)
	if [ -z "$line" ]; then
		fail "$name" "no summary: $(cat "$err")"
		return
	fi
	share=$(echo "$line" | sed -n 's/.*scorch used \([0-9.]*\)% of one CPU.*/\1/p')
	if [ -z "$share" ]; then
		fail "$name" "no CPU share in: $line"
	elif awk -v s="$share" -v n="$ncpu" 'BEGIN { exit !(s < 0 || s > 100 * n) }'; then
		fail "$name" "CPU share $share% is outside 0..$((100 * ncpu))%: $line"
	elif echo "$line" | grep -q ' 1 samples\| 1 errors\| 1 late ticks'; then
		fail "$name" "wrong number: $line"
	elif ! echo "$line" | grep -q 'no errors\|[0-9] errors\? ([0-9]'; then
		fail "$name" "error count without its kinds: $line"
	else
		ok "$name ($share% of one CPU, $ncpu CPUs)"
	fi
}

for i in 1 2 3; do
	"$SCORCH" record -o "$WORK/true$i.folded" -- /bin/true 2>"$WORK/true$i.err"
done
summary_check record_summary_true "$WORK/true1.err"
summary_check record_summary_true_again "$WORK/true2.err"
summary_check record_summary_true_third "$WORK/true3.err"

"$SCORCH" record -o "$WORK/loop.folded" -- sh -c \
	'i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done' 2>"$WORK/loop.err"
summary_check record_summary_short_loop "$WORK/loop.err"

# a Python run's summary too (the reader's engine)
PY=$(python_versions | awk 'NR == 1 { print $2 }')
if [ -z "$PY" ]; then
	skip record_summary_python "no CPython here"
elif "$SCORCH" record -o "$WORK/py.folded" -- "$PY" -c \
	'import time; time.sleep(0.3)' 2>"$WORK/py.err"; then
	summary_check record_summary_python "$WORK/py.err"
else
	fail record_summary_python "$(tail -n 3 "$WORK/py.err")"
fi

if ! command -v cc >/dev/null; then
	missing_rest "no C compiler"
fi
probe=$("$SCORCH" record -q -o "$WORK/probe.folded" -- /bin/true 2>&1)
if echo "$probe" | grep -q 'perf_event engine unavailable\|not allowed'; then
	skip_rest "perf_event_open not allowed here: $probe"
fi
cc -O2 -g -o "$WORK/sleeper" "$PROGS/native_sleeper.c"

# --gil on a native program: one warning line, the recording goes on
"$SCORCH" record --gil -o "$WORK/gil.folded" -- "$WORK/sleeper" "$WORK/gil.own" 5 2>"$WORK/gil.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(grep -c -- '--gil' "$WORK/gil.err")" -eq 1 ] &&
	grep -q 'warning: --gil: .*sleeper is not a Python program' "$WORK/gil.err" &&
	[ -s "$WORK/gil.own" ]; then
	ok record_gil_native_warns
else
	fail record_gil_native_warns "rc $rc: $(cat "$WORK/gil.err")"
fi

# the same in top, which shares record's session
"$SCORCH" top --gil -n 1 -- "$WORK/sleeper" "$WORK/topgil.own" 5 >"$WORK/topgil.out" 2>"$WORK/topgil.err"
if grep -q 'warning: --gil: .*not a Python program' "$WORK/topgil.err"; then
	ok top_gil_native_warns
else
	fail top_gil_native_warns "$(cat "$WORK/topgil.err")"
fi

# --gil --native: refused before anything runs
rm -f "$WORK/gn.own"
if "$SCORCH" record --gil --native -o "$WORK/gn.folded" -- "$WORK/sleeper" "$WORK/gn.own" 5 2>"$WORK/gn.err"; then
	fail record_gil_native_refused "exit 0: $(cat "$WORK/gn.err")"
elif grep -q -- '--gil does not combine with --native' "$WORK/gn.err" && [ ! -e "$WORK/gn.own" ]; then
	ok record_gil_native_refused
else
	fail record_gil_native_refused "$(cat "$WORK/gn.err")"
fi

# --subprocesses with the perf_event engine follows native children: the
# children's burn() is in the profile only with it
printf '#!/bin/sh\n"%s" "%s" 10\n"%s" "%s" 10\n' "$WORK/sleeper" "$WORK/c1.own" \
	"$WORK/sleeper" "$WORK/c2.own" >"$WORK/two.sh"
chmod +x "$WORK/two.sh"
"$SCORCH" record -F 500 --subprocesses -o "$WORK/sub.folded" -- "$WORK/two.sh" 2>"$WORK/sub.err"
"$SCORCH" record -F 500 -o "$WORK/nosub.folded" -- "$WORK/two.sh" 2>"$WORK/nosub.err"
with=$(grep -c ';burn' "$WORK/sub.folded")
without=$(grep -c ';burn' "$WORK/nosub.folded")
if [ "$with" -gt 0 ] && [ "$without" -eq 0 ]; then
	ok "record_subprocesses_native ($with burn stacks with, none without)"
else
	fail record_subprocesses_native "burn stacks: $with with, $without without: $(cat "$WORK/sub.err"); heaviest stacks with: $(sort -k2 -n -r "$WORK/sub.folded" | head -4 | tr '\n' '|')"
fi
