#!/bin/bash
# native_idle.sh - `record --idle` on a native program (perf_event engine):
# a C program that sleeps about 3/4 of its wall time in nap() measures the
# split itself; the profile's share of the stack through nap (ending in an
# "[idle]" leaf) must be within 10 points of it, with and without kernel
# frames, attached too.  Without --idle the sleeping stack is absent; no
# thread is charged more wall time than the run lasted; --idle with a
# non-clock event, or unprivileged, is refused saying why.
. "$(dirname "$0")/lib.sh"
plan 8
PROGS=$TOP/tests/programs

if ! command -v cc >/dev/null; then
	missing_rest "no C compiler"
fi
probe=$("$SCORCH" record -q --idle -o "$WORK/probe.folded" -- /bin/true 2>&1)
if echo "$probe" | grep -q 'perf_event engine unavailable\|not allowed'; then
	skip_rest "perf_event_open not allowed here: $probe"
fi
cc -O2 -g -o "$WORK/sleeper" "$PROGS/native_sleeper.c"

# share FOLDED: "TOTAL NAP_PERCENT IDLE_LEAVES_IN_NAP_PERCENT"
share() {
	awk '{ n = $NF; t += n; line = $0; sub(/ [0-9.]+$/, "", line)
	       if (line ~ /(^|;)nap(;|$)/) { s += n; if (line ~ /;\[idle\]$/) i += n } }
	     END { if (!t) { print "0 0 0"; exit }
	           printf "%d %.1f %.1f\n", t, 100 * s / t, s ? 100 * i / s : 0 }' "$1"
}

if "$SCORCH" record -q --idle -F 200 -o "$WORK/idle.folded" -- \
	"$WORK/sleeper" "$WORK/idle.own" 2>"$WORK/idle.err"; then
	own=$(cat "$WORK/idle.own")
	set -- $(share "$WORK/idle.folded")
	if [ "$1" -lt 100 ]; then
		fail native_idle_share "only $1 samples: $(cat "$WORK/idle.err")"
	elif awk -v a="$2" -v b="$own" 'BEGIN { d = a - b; exit !(d < -10 || d > 10) }'; then
		fail native_idle_share "nap has $2% of $1 samples, the program slept $own% (want within 10 points)"
	elif awk -v i="$3" 'BEGIN { exit !(i < 95) }'; then
		fail native_idle_share "only $3% of nap's samples end in [idle]: $(grep nap "$WORK/idle.folded" | head -n 3)"
	else
		ok "native_idle_share (nap $2% of $1 samples, the program slept $own%)"
	fi
else
	fail native_idle_share "$(tail -n 3 "$WORK/idle.err")"
fi

# --no-kernel: the user stack it blocked in, still charged
if "$SCORCH" record -q --idle --no-kernel -F 200 -o "$WORK/nk.folded" -- \
	"$WORK/sleeper" "$WORK/nk.own" 2>"$WORK/nk.err"; then
	own=$(cat "$WORK/nk.own")
	set -- $(share "$WORK/nk.folded")
	if [ "$1" -ge 100 ] && awk -v a="$2" -v b="$own" 'BEGIN { d = a - b; exit (d < -10 || d > 10) }' &&
		! grep -q 'schedule' "$WORK/nk.folded"; then
		ok "native_idle_no_kernel (nap $2% of $1 samples, slept $own%)"
	else
		fail native_idle_no_kernel "nap $2% of $1 samples, slept $own%: $(head -n 5 "$WORK/nk.folded")"
	fi
else
	fail native_idle_no_kernel "$(tail -n 3 "$WORK/nk.err")"
fi

# without --idle: CPU time only; the sleeping stack is absent (a sample or
# two may land in nap's own instructions on the way into the kernel)
if "$SCORCH" record -q -F 200 -o "$WORK/cpu.folded" -- \
	"$WORK/sleeper" "$WORK/cpu.own" 2>"$WORK/cpu.err"; then
	set -- $(share "$WORK/cpu.folded")
	if [ "$1" -ge 20 ] && ! grep -q '\[idle\]' "$WORK/cpu.folded" &&
		awk -v a="$2" 'BEGIN { exit !(a < 5) }'; then
		ok "native_cpu_no_sleep (nap $2% of $1 samples, no [idle])"
	else
		fail native_cpu_no_sleep "nap $2% of $1 samples: $(head -n 5 "$WORK/cpu.folded")"
	fi
else
	fail native_cpu_no_sleep "$(tail -n 3 "$WORK/cpu.err")"
fi

# --idle needs a clock event: -e page-faults with it is refused, saying so
if "$SCORCH" record -q --idle -e page-faults -o "$WORK/ev.folded" -- \
	"$WORK/sleeper" "$WORK/ev.own" 1 2>"$WORK/ev.err"; then
	fail native_idle_event "exit 0 for --idle -e page-faults"
elif grep -q -- '--idle.*clock event.*cpu-clock' "$WORK/ev.err"; then
	ok native_idle_event
else
	fail native_idle_event "$(cat "$WORK/ev.err")"
fi

# threads that come and go, their switches spread over CPUs: no thread
# is charged more wall time than the recording lasted (time charged
# twice would show here), and the main thread's joins are [idle]
cc -O2 -g -pthread -o "$WORK/threads" "$PROGS/native_threads.c"
if "$SCORCH" record --idle --threads -F 200 -o "$WORK/thr.folded" -- \
	"$WORK/threads" 2>"$WORK/thr.err"; then
	secs=$(sed -n 's/.* samples\? in \([0-9.]*\)s.*/\1/p' "$WORK/thr.err")
	most=$(awk '{ n = $NF; split($0, f, ";"); s[f[1]] += n }
		END { for (k in s) if (s[k] > m) m = s[k]; print m + 0 }' "$WORK/thr.folded")
	limit=$(awk -v s="$secs" 'BEGIN { printf "%d", (s + 0.1) * 200 + 2 }')
	if [ -z "$secs" ] || [ "$most" -eq 0 ]; then
		fail native_idle_threads "no samples or no summary: $(cat "$WORK/thr.err")"
	elif [ "$most" -gt "$limit" ]; then
		fail native_idle_threads "a thread has $most samples in a ${secs}s recording at 200 Hz (at most $limit)"
	elif ! grep -q 'pthread_join.*\[idle\]\|__pthread_clockjoin_ex.*\[idle\]' "$WORK/thr.folded"; then
		fail native_idle_threads "no [idle] stack in pthread_join: $(grep -c . "$WORK/thr.folded") stacks"
	else
		ok "native_idle_threads (busiest thread $most samples of at most $limit in ${secs}s)"
	fi
else
	fail native_idle_threads "$(tail -n 3 "$WORK/thr.err")"
fi

# attached (-p): the threads already running get the scheduler events too
"$WORK/sleeper" "$WORK/att.own" 100 &
spid=$!
for i in $(seq 1 200); do
	[ -e "/proc/$spid/exe" ] && [ "$(readlink "/proc/$spid/exe")" = "$WORK/sleeper" ] && break
	sleep 0.01
done
"$SCORCH" record -q --idle -p "$spid" -d 1 -F 200 -o "$WORK/att.folded" 2>"$WORK/att.err"
wait "$spid"
set -- $(share "$WORK/att.folded")
if [ "$1" -ge 100 ] && awk -v a="$2" 'BEGIN { exit !(a > 40) }'; then
	ok "native_idle_attach (nap $2% of $1 samples)"
else
	fail native_idle_attach "nap $2% of $1 samples: $(cat "$WORK/att.err")"
fi

# unprivileged at perf_event_paranoid 2: the scheduler events are refused,
# and the error says what --idle needs
if [ "$(id -u)" = 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid)" = 2 ] &&
   su nobody -s /bin/sh -c "test -x '$SCORCH'" 2>/dev/null; then
	pub=$(mktemp -d /tmp/scorch-idle-pub.XXXXXX)	# TEST_TMP is private
	cp "$WORK/sleeper" "$pub/sleeper"
	chmod 777 "$pub"; chmod 755 "$pub/sleeper"
	out=$(su nobody -s /bin/sh -c "cd /tmp && '$SCORCH' record --idle -o '$pub/out.folded' -- '$pub/sleeper' '$pub/own' 50; echo rc=\$?" 2>&1)
	rm -rf "$pub"
	if echo "$out" | grep -q -- '--idle need.*kernel sampling.*perf_event_paranoid <= 1' &&
	   echo "$out" | grep -q 'rc=[1-9]'; then
		ok native_idle_unprivileged
	else
		fail native_idle_unprivileged "$(echo "$out" | head -n 5)"
	fi
else
	skip native_idle_unprivileged "needs root, user nobody and perf_event_paranoid=2"
fi

# --native --idle on Python: the same wall clock, with the Python frames
# merged into the stack each thread blocked in.  A Python function that
# sleeps shows as itself (nap (FILE:LINE)) above the C and kernel frames,
# ending in [idle] as the Python reader's --idle stacks do; samples whose
# halves could not be matched are marked [unmerged], never passed off.
py=$(python_versions | while read -r label path; do
	"$path" -c 'import sys; sys.exit(not (3, 8) <= sys.version_info < (3, 14))' 2>/dev/null &&
		{ echo "$path"; break; }
done)
if [ -z "$py" ]; then
	skip native_idle_python "no CPython 3.8-3.13 here"
else
	cat >"$WORK/pyloop.py" <<'PYEOF'
import time

def nap():
    time.sleep(0.03)

def burn():
    end = time.monotonic() + 0.01
    while time.monotonic() < end:
        pass

for i in range(60):
    nap()
    burn()
PYEOF
	if "$SCORCH" record -q --native --idle -F 200 -o "$WORK/py.folded" -- \
		"$py" "$WORK/pyloop.py" 2>"$WORK/py.err"; then
		res=$(awk '{ n = $NF; t += n; line = $0; sub(/ [0-9]+$/, "", line)
			     if (line ~ /(^|;)nap \(/) { s += n; if (line ~ /;\[idle\]$/) i += n }
			     if (line ~ /^\[unmerged\]/) u += n
			     else if (line ~ /_PyEval_EvalFrameDefault/) raw += n }
			   END { printf "%d %.1f %.1f %d\n", t, t ? 100 * i / t : 0,
			                s ? 100 * i / s : 0, raw }' "$WORK/py.folded")
		set -- $res
		if [ "$1" -ge 100 ] && awk -v a="$2" -v b="$3" 'BEGIN { exit !(a >= 30 && b >= 90) }' &&
			[ "$4" -eq 0 ]; then
			ok "native_idle_python (nap (...) ... [idle] $2% of $1 samples; $3% of nap's end in [idle])"
		else
			fail native_idle_python "$1 samples, nap..[idle] $2%, of nap's $3% [idle], $4 unmarked eval-loop samples: $(head -c 600 "$WORK/py.folded")"
		fi
	else
		fail native_idle_python "$(tail -n 3 "$WORK/py.err")"
	fi
fi
