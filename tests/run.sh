#!/bin/bash
# The test runner: runs every unit test binary and every end-to-end script,
# counts their "ok NAME", "FAIL NAME: why" and "skip NAME: why" lines, and
# ends with "N passed, N failed, N skipped".  Exit status 1 if any failed.
#
# Environment: BUILD (build dir, default build), SCORCH (the binary),
# TESTS (a glob of e2e script names to run, default all).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
BUILD=${BUILD:-build}
export SCORCH=${SCORCH:-$top/$BUILD/scorch}
export TOP=$top BUILD
export CORPUS=${CORPUS:-$top/../shared/corpus}
export TEST_TMP=$(mktemp -d /tmp/scorch-test.XXXXXX)
trap 'rm -rf "$TEST_TMP"' EXIT
log=$TEST_TMP/all.log

run_one() {
	local name=$1; shift
	local out=$TEST_TMP/one.log
	local start=$SECONDS
	"$@" >"$out" 2>&1
	local rc=$?
	cat "$out" >>"$log"
	# Any output line that is a result counts; a program that crashed
	# without a FAIL line still counts as one failure.
	grep -E '^(ok|FAIL|skip) ' "$out" | sed "s|^|[$name] |"
	if [ $rc -ne 0 ] && ! grep -q '^FAIL ' "$out"; then
		echo "[$name] FAIL $name: exited with status $rc"
		tail -n 20 "$out" | sed 's/^/    /'
	elif grep -q '^FAIL ' "$out"; then
		grep -v -E '^(ok|skip) ' "$out" | tail -n 30 | sed 's/^/    /'
	fi
	echo "[$name] took $((SECONDS - start))s" >&2
}

results=$TEST_TMP/results
: >"$results"
for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t" | tee -a "$results"
done
for t in tests/e2e/${TESTS:-*}.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t" .sh)" bash "$t" | tee -a "$results"
done

passed=$(grep -c '\] ok ' "$results")
failed=$(grep -c '\] FAIL ' "$results")
skipped=$(grep -c '\] skip ' "$results")
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
