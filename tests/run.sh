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
# Environment: BUILD (build dir, default build), SCORCH (the binary),
# TESTS (a glob of e2e script names to run, default all; extglob
# patterns such as "@(top|diff)" work), CI (true: a
# missing tool, validator or corpus fails instead of skipping).
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
	local out=$TEST_TMP/one.log why=()
	local start rc ms cpu results planned last TIMEFORMAT='%U %S'
	start=$(now_ms)
	# wall time, and the CPU time of the test and the children it waited
	# for (the part of its cost a busy machine does not inflate)
	{ time "$@" >"$out" 2>&1; } 2>"$TEST_TMP/cpu"
	rc=$?
	ms=$(($(now_ms) - start))
	cpu=$(awk '{printf "%.1f", $1 + $2}' "$TEST_TMP/cpu")
	cat "$out" >>"$log"
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

results=$TEST_TMP/results
: >"$results" >"$times"
total_start=$(now_ms)
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one unit "$(basename "$t")" "$t" | tee -a "$results"
done
for t in tests/e2e/${TESTS:-*}.sh; do
	[ -f "$t" ] || continue
	[ "$(basename "$t")" = lib.sh ] && continue	# sourced by the scripts
	run_one e2e "$(basename "$t" .sh)" bash "$t" | tee -a "$results"
done
total_ms=$(($(now_ms) - total_start))

echo "time per test, slowest first (wall, cpu):"
sort -rn "$times" | head -n 12 | while read -r ms cpu name; do
	printf '  %6ss %6ss  %s\n' "$(seconds "$ms")" "$cpu" "$name"
done
total_cpu=$(awk '{s += $2} END {printf "%.0f", s}' "$times")
passed=$(grep -c '\] ok ' "$results")
failed=$(grep -c '\] FAIL ' "$results")
skipped=$(grep -c '\] skip ' "$results")
echo "total: $(seconds "$total_ms")s (cpu ${total_cpu}s, load $(cut -d' ' -f1-3 /proc/loadavg))"
# the last line alone, as CI reads it
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
