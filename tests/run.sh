#!/bin/bash
# The test runner: runs every unit test binary and every end-to-end script,
# counts their "ok NAME", "FAIL NAME: why" and "skip NAME: why" lines, and
# ends with "N passed, N failed, N skipped", the time each took and the
# total (wall and CPU seconds: the machine's load inflates the first).
# Exit status 1 if any failed.
#
# It fails, besides FAIL lines: a test that exits non-zero, one that
# reports no case at all, and an end-to-end script whose cases do not add
# up to its plan (its "plan N" lines, see tests/e2e/lib.sh) unless it
# said "stop-early" after a skip_rest/missing_rest.
#
# End-to-end scripts run JOBS at a time (default: the number of CPUs, at
# most 2), slowest first by their CPU time in the last run (kept in
# $BUILD/e2e-times; alphabetical when there is none); each one's lines
# are printed together when it ends.  A script with a line "# serial:
# WHY" near its top runs alone, before the others (one that measures
# something a second test on the machine would disturb).
#
# Environment: BUILD (build dir, default build), SCORCH (the binary),
# TESTS (a glob of e2e script names to run, default all; extglob
# patterns such as "@(top|diff)" work), JOBS (scripts run at once), CI
# (true: a missing tool, validator or corpus fails instead of skipping).
set -u
shopt -s extglob	# TESTS may be a pattern such as "@(top|diff)"
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
export SCORCH=${SCORCH:-$top/$BUILD/scorch}
export TOP=$top BUILD
export CORPUS=${CORPUS:-$top/../shared/corpus}
TEST_TMP=$(mktemp -d /tmp/scorch-test.XXXXXX)
export TEST_TMP
trap 'rm -rf "$TEST_TMP"' EXIT
log=$TEST_TMP/all.log
times=$TEST_TMP/times

now_ms() { local t=${EPOCHREALTIME/[.,]/}; echo $((t / 1000)); }
seconds() { printf '%d.%d' $(($1 / 1000)) $(($1 % 1000 / 100)); }

# run_one KIND NAME CMD...: runs one test (KIND unit or e2e), prints its
# result lines prefixed with [NAME], and what went wrong when it failed
run_one() {
	local kind=$1 name=$2; shift 2
	local out=$TEST_TMP/$name.log why=()
	local start rc ms cpu results planned last TIMEFORMAT='%U %S'
	start=$(now_ms)
	# wall time, and the CPU time of the test and the children it waited
	# for (the part of its cost a busy machine does not inflate)
	{ time "$@" >"$out" 2>&1; } 2>"$TEST_TMP/$name.cpu"
	rc=$?
	ms=$(($(now_ms) - start))
	cpu=$(awk '{printf "%.1f", $1 + $2}' "$TEST_TMP/$name.cpu")
	grep -E '^(ok|FAIL|skip) ' "$out" | sed "s|^|[$name] |"

	results=$(grep -cE '^(ok|FAIL|skip) ' "$out")
	if [ "$results" -eq 0 ]; then
		why+=("reported no case at all")
	elif [ "$kind" = e2e ] && ! grep -q '^stop-early$' "$out"; then
		planned=$(awk '$1 == "plan" && $2 ~ /^[0-9]+$/ {n += $2} END {print n + 0}' "$out")
		last=$(grep -E '^(ok|FAIL|skip) ' "$out" | tail -n 1 | cut -c1-80)
		if ! grep -q '^plan ' "$out"; then
			why+=("declares no plan (add \`plan N\` near its top; see tests/e2e/lib.sh)")
		elif [ "$results" -lt "$planned" ]; then
			why+=("$((planned - results)) of $planned planned cases never reported (it stopped early, or passed over cases without a line); the last reported: '$last'")
		elif [ "$results" -gt "$planned" ]; then
			why+=("reported $results cases but planned $planned (update its plan)")
		fi
	fi
	[ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out" && why+=("exited with status $rc")
	for w in "${why[@]}"; do echo "[$name] FAIL $name: $w"; done
	if [ ${#why[@]} -gt 0 ] && ! grep -q '^FAIL ' "$out"; then
		tail -n 20 "$out" | sed 's/^/    /'
	elif grep -q '^FAIL ' "$out"; then
		grep -v -E '^(ok|skip|plan) |^stop-early$' "$out" | tail -n 30 | sed 's/^/    /'
	fi
	echo "$ms $cpu $name" >>"$times"
	echo "[$name] took $(seconds "$ms")s (cpu ${cpu}s)"
}

# report NAME: prints a finished test's lines (and keeps its output)
report() {
	tee -a "$results" <"$TEST_TMP/$1.result"
	cat "$TEST_TMP/$1.log" >>"$log"
}

# e2e_order: the scripts to run, one name a line: the serial ones first,
# then the rest slowest first by the CPU seconds of their last run
# ($history), those never timed first of all
e2e_order() {
	local t name
	for t in tests/e2e/${TESTS:-*}.sh; do
		[ -f "$t" ] || continue
		name=$(basename "$t" .sh)
		[ "$name" = lib ] && continue	# sourced by the scripts
		if head -n 30 "$t" | grep -q '^# serial:'; then
			echo "0 0 $name"
		else
			echo "1 $(awk -v n="$name" '$2 == n {c = $1} END {print c == "" ? 1e9 : c}' "$history" 2>/dev/null || echo 1e9) $name"
		fi
	done | sort -k1,1n -k2,2gr -k3,3 | cut -d' ' -f3
}

cpus=$(nproc 2>/dev/null || echo 1)
JOBS=${JOBS:-$((cpus < 2 ? cpus : 2))}
# wait -n -p (bash 5.1) tells which job ended
if [ $((BASH_VERSINFO[0] * 100 + BASH_VERSINFO[1])) -lt 501 ] ||
   ! [ "$JOBS" -ge 1 ] 2>/dev/null; then
	JOBS=1
fi
history=$TOP/$BUILD/e2e-times

results=$TEST_TMP/results
: >"$results" >"$times"
total_start=$(now_ms)
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	run_one unit "$name" "$t" >"$TEST_TMP/$name.result"
	report "$name"
done
declare -A running=()	# pid -> script name
# reap: waits for one running script to end and prints its lines
reap() {
	local done_pid=
	wait -n -p done_pid "${!running[@]}"
	[ -n "$done_pid" ] || return 0
	report "${running[$done_pid]}"
	unset "running[$done_pid]"
}
for name in $(e2e_order); do
	serial=0
	head -n 30 "tests/e2e/$name.sh" | grep -q '^# serial:' && serial=1
	# a free slot (a serial script: every slot)
	while [ ${#running[@]} -gt 0 ] &&
	      { [ $serial = 1 ] || [ ${#running[@]} -ge "$JOBS" ]; }; do
		reap
	done
	if [ $serial = 1 ]; then
		run_one e2e "$name" bash "tests/e2e/$name.sh" >"$TEST_TMP/$name.result"
		report "$name"
	else
		run_one e2e "$name" bash "tests/e2e/$name.sh" >"$TEST_TMP/$name.result" &
		running[$!]=$name
	fi
done
while [ ${#running[@]} -gt 0 ]; do
	reap
done
total_ms=$(($(now_ms) - total_start))

# this run's CPU seconds per script, for the next run's order
if [ -d "$TOP/$BUILD" ]; then
	awk '$3 !~ /^test_/ {print $2, $3}' "$times" |
		cat - "$history" 2>/dev/null | awk '!seen[$2]++' >"$history.tmp" &&
		mv "$history.tmp" "$history"
fi

echo "time per test, slowest first (wall, cpu):"
sort -rn "$times" | head -n 12 | while read -r ms cpu name; do
	printf '  %6ss %6ss  %s\n' "$(seconds "$ms")" "$cpu" "$name"
done
total_cpu=$(awk '{s += $2} END {printf "%.0f", s}' "$times")
passed=$(grep -c '\] ok ' "$results")
failed=$(grep -c '\] FAIL ' "$results")
skipped=$(grep -c '\] skip ' "$results")
echo "total: $(seconds "$total_ms")s (cpu ${total_cpu}s, $JOBS jobs, load $(cut -d' ' -f1-3 /proc/loadavg))"
# the last line alone, as CI reads it
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
