#!/bin/bash
# python_refusals.sh - a runtime scorch cannot interpret is refused, never
# misread: a process whose _Py_DebugOffsets says 3.16 (unknown layout), a
# free-threaded 3.15t, and a 3.15 block with a field out of range
# (tests/programs/fake_runtime.c) each give one "scorch: ..." line that
# names the version and what was not understood, a non-zero exit and no
# output file, from `record -p` and `dump -p`.
. "$(dirname "$0")/lib.sh"
plan 6	# three runtimes, record and dump each

if ! command -v cc >/dev/null; then
	missing_rest "no C compiler (cc) to build the fake runtime"
fi
if ! cc -O2 -o "$WORK/fake" "$TOP/tests/programs/fake_runtime.c" 2>"$WORK/cc.err"; then
	fail_rest python-refusals "fake_runtime.c does not build: $(head -n 3 "$WORK/cc.err")"
fi

# refused NAME MODE PATTERN: both commands refuse with one matching line
refused() {
	local name=$1 mode=$2 pattern=$3 pid i cmd out rc
	rm -f "$WORK/ready"
	"$WORK/fake" "$mode" "$WORK/ready" &
	pid=$!
	for i in $(seq 1 500); do
		[ -s "$WORK/ready" ] && break
		kill -0 $pid 2>/dev/null || break
		sleep 0.01
	done
	for cmd in record dump; do
		rm -f "$WORK/out.pb.gz"
		if [ $cmd = record ]; then
			out=$("$SCORCH" record -q -d 2 -o "$WORK/out.pb.gz" -p $pid 2>&1)
		else
			out=$("$SCORCH" dump -p $pid 2>&1)
		fi
		rc=$?
		if [ $rc -ne 0 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] &&
		   echo "$out" | grep -q "^scorch: .*$pattern" && [ ! -e "$WORK/out.pb.gz" ]; then
			ok "$cmd-refuses-$name"
		else
			fail "$cmd-refuses-$name" "exit $rc, want one line matching '$pattern' and no output: $out"
		fi
	done
	kill $pid
	wait $pid 2>/dev/null || true
}

refused future-minor future "Python 3\.16\.0, newer than this scorch can read"
refused free-threaded ft "free-threaded build of Python 3\.15\.2"
refused bad-field bad "Python 3\.15\.2 whose _Py_DebugOffsets field thread_state\.current_frame"
