#!/bin/bash
# target_death.sh - a program scorch started never outlives scorch.
#
# SIGKILL of `scorch record`, `scorch top ... | head -3` (SIGPIPE), and a
# SIGPIPE sent to `scorch record -o FILE`, which still writes its FILE.
# The program writes its pid to a file; its end is polled for (a bounded
# loop), never slept for.
. "$(dirname "$0")/lib.sh"
plan 4

py=""
while read -r label p; do
	python_readable "$p" && py=$p
done < <(python_versions)
if [ -z "$py" ]; then
	skip_rest "no CPython 3.$PY_OLDEST_MINOR+ installed"
fi

# the target: writes its pid (atomically) to $1, then spins
spin='import os, sys
open(sys.argv[1] + ".t", "w").write(str(os.getpid()))
os.rename(sys.argv[1] + ".t", sys.argv[1])
while True:
    sum(range(1000))'

# wait_for_file FILE: polls until FILE exists (at most 30 s)
wait_for_file() {
	for _ in $(seq 600); do [ -s "$1" ] && return 0; sleep 0.05; done
	return 1
}

# gone PID: the process has ended (gone, or a zombie nobody reaped yet)
gone() {
	[ ! -e "/proc/$1" ] || awk '{ sub(/.*\) /, ""); exit !($1 == "Z" || $1 == "X") }' "/proc/$1/stat" 2>/dev/null
}

# ends NAME PID: ok when PID ends within 20 s; otherwise FAIL and end it
ends() {
	for _ in $(seq 400); do gone "$2" && break; sleep 0.05; done
	if gone "$2"; then
		ok "$1"
	else
		fail "$1" "pid $2 ($(tr '\0\n' '  ' <"/proc/$2/cmdline" | head -c 60)) outlived scorch"
		kill -KILL "$2" 2>/dev/null
	fi
}

# SIGKILL of scorch record
rm -f "$WORK/pid1"
"$SCORCH" record -q -o "$WORK/killed.pb.gz" -- "$py" -c "$spin" "$WORK/pid1" 2>"$WORK/kill.err" &
scorch=$!
if wait_for_file "$WORK/pid1"; then
	kill -KILL $scorch
	wait $scorch 2>/dev/null
	ends target-dies-with-scorch-sigkill "$(cat "$WORK/pid1")"
else
	fail target-dies-with-scorch-sigkill "the program never started: $(cat "$WORK/kill.err")"
	kill -KILL $scorch 2>/dev/null
fi

# scorch top ... | head -3: SIGPIPE ends scorch, and the program with it
rm -f "$WORK/pid2"
timeout 120 "$SCORCH" top -i 0.2 -- "$py" -c "$spin" "$WORK/pid2" 2>"$WORK/top.err" | head -n 3 >"$WORK/top.out"
rc=${PIPESTATUS[0]}
if [ -s "$WORK/pid2" ] && [ "$(wc -l <"$WORK/top.out")" -eq 3 ] && [ "$rc" -ne 124 ]; then
	ends target-dies-with-scorch-sigpipe "$(cat "$WORK/pid2")"
else
	fail target-dies-with-scorch-sigpipe "rc=$rc, $(head -c 300 "$WORK/top.out") $(cat "$WORK/top.err")"
	[ -s "$WORK/pid2" ] && kill -KILL "$(cat "$WORK/pid2")" 2>/dev/null
fi

# SIGPIPE to scorch record -o FILE: the FILE is written, the program ends
rm -f "$WORK/pid3"
timeout 120 "$SCORCH" record -q -o "$WORK/piped.pb.gz" -- "$py" -c "$spin" "$WORK/pid3" 2>"$WORK/pipe.err" &
scorch=$!
if wait_for_file "$WORK/pid3"; then
	pid=$(cat "$WORK/pid3")
	kill -PIPE "$(pgrep -P $scorch -x scorch || echo $scorch)"
	wait $scorch
	rc=$?
	if [ $rc -eq 141 ] && "$SCORCH" report "$WORK/piped.pb.gz" >"$WORK/piped.txt" 2>&1; then
		ok record-sigpipe-writes-output
	else
		fail record-sigpipe-writes-output "rc=$rc (want 141, 124 = timed out), $(ls "$WORK"/piped* 2>&1): $(cat "$WORK/pipe.err" "$WORK/piped.txt" 2>/dev/null | head -n 5)"
	fi
	ends target-dies-with-scorch-record-sigpipe "$pid"
else
	fail record-sigpipe-writes-output "the program never started: $(cat "$WORK/pipe.err")"
	fail target-dies-with-scorch-record-sigpipe "the program never started"
	kill -KILL $scorch 2>/dev/null
fi
