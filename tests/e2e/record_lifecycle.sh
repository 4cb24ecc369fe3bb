#!/bin/bash
# record_lifecycle.sh - the target's life around `scorch record`: it exits
# during recording (status passed through, output complete; also during
# -d on a busy machine), it is killed (128+signal), scorch gets SIGTERM
# (output still written), a bad command, an output directory that does
# not exist (refused before the program runs), and 20 back-to-back spawns
# with no failure to find the runtime.
. "$(dirname "$0")/lib.sh"

# the last readable pyenv build, and every readable one older than 3.8
# (their runtimes are laid out differently), which the cases that depend
# on the interpreter also run on
py=""
while read -r label p; do
	case $label in debian*) continue ;; esac
	python_readable "$p" || continue
	py=$p
	plabel=$label
done < <(python_versions)
mapfile -t old < <(pre38_pythons)
[ -n "$py" ] || skip_rest "no CPython 3.$PY_OLDEST_MINOR+ installed"
# the interpreters of the 20-spawn case ($py is never Debian's python3)
spawners=()
for p in "$py" /usr/bin/python3 "${old[@]#*=}"; do [ -x "$p" ] && spawners+=("$p"); done
# four per interpreter, three more, and one per spawner
plan $((4 * (1 + ${#old[@]}) + 3 + ${#spawners[@]}))

valid_folded() { [ -s "$1" ] && awk 'NF < 2 || $NF !~ /^[0-9]+$/ {bad=1} END {exit bad}' "$1"; }

# lifecycle_cases LABEL PY: the cases that depend on the interpreter
lifecycle_cases() {
local plabel=$1 py=$2 f rc spid after

f=$WORK/exit.folded
"$SCORCH" record -d 30 -o "$f" -- "$py" -c '
import sys, time
end = time.time() + 0.7
while time.time() < end: pass
sys.exit(7)' 2>"$WORK/exit.err"
rc=$?
# the status is passed on and said, in scorch's last line
if [ $rc -eq 7 ] && valid_folded "$f" &&
   tail -n 1 "$WORK/exit.err" | grep -q "exited with status 7\$"; then ok "record-target-exits-$plabel"; else fail "record-target-exits-$plabel" "rc=$rc $(cat "$WORK/exit.err")"; fi

f=$WORK/killed.folded
"$SCORCH" record -o "$f" -- "$py" -c '
import os, time
end = time.time() + 0.5
while time.time() < end: pass
os.kill(os.getpid(), 9)' 2>"$WORK/killed.err"
rc=$?
if [ $rc -eq 137 ] && valid_folded "$f" &&
   tail -n 1 "$WORK/killed.err" | grep -q "was killed by signal 9 (Killed)\$"; then ok "record-target-killed-$plabel"; else fail "record-target-killed-$plabel" "rc=$rc $(cat "$WORK/killed.err")"; fi

# threads that end mid-recording: sampling goes on after they are gone
# (a peer stops for good once a thread exits), so the main thread's work
# afterwards must be in the profile
f=$WORK/threads.folded
"$SCORCH" record -q -F 500 -o "$f" -- "$py" -c '
import threading, time
def spin(n):
    s = 0
    for i in range(n): s += i
def after_threads(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        spin(10000)
for r in range(20):
    ts = [threading.Thread(target=spin, args=(20000,)) for _ in range(4)]
    for t in ts: t.start()
    for t in ts: t.join()
after_threads(0.5)' 2>"$WORK/threads.err"
rc=$?
after=$(awk '/after_threads \(/ {n += $NF} END {print n + 0}' "$f" 2>/dev/null)
# 0.5 s of CPU at 500 Hz is about 250 samples
if [ $rc -eq 0 ] && valid_folded "$f" && [ "$after" -ge 100 ]; then
	ok "record-threads-come-and-go-$plabel"
else
	fail "record-threads-come-and-go-$plabel" "rc=$rc, $after samples in after_threads (want >= 100) $(cat "$WORK/threads.err")"
fi

# SIGTERM to scorch: output written, signal passed on to the program
# (sent once the program says it has run 0.3 s of CPU under scorch)
f=$WORK/term.folded
"$SCORCH" record -q -o "$f" -- "$py" -c '
import time
end = time.process_time() + 0.3
while time.process_time() < end: pass
print("RUNNING", flush=True)
while True: pass' >"$WORK/term.out" 2>"$WORK/term.err" &
spid=$!
wait_for_line "$WORK/term.out" '^RUNNING' 60 "$spid"
kill -TERM $spid
wait $spid
rc=$?
if [ $rc -eq 143 ] && valid_folded "$f"; then ok "record-sigterm-$plabel"; else fail "record-sigterm-$plabel" "rc=$rc $(cat "$WORK/term.err")"; fi
}

lifecycle_cases "$plabel" "$py"
for o in "${old[@]}"; do
	lifecycle_cases "${o%%=*}" "${o#*=}"
done

# a program that exits while -d still runs, on a busy machine: its memory
# goes a moment before it can be waited for, and that moment is no reason
# to stop it as if -d had ended; its own status comes back every time
busy_pids=""
for i in 1 2; do sh -c 'while :; do :; done' & busy_pids="$busy_pids $!"; done
lost=""
for i in $(seq 10); do
	"$SCORCH" record -q -F 1000 -d 30 -o "$WORK/busy.folded" -- "$py" -c '
import sys, time
end = time.time() + 0.2
while time.time() < end: pass
sys.exit(7)' 2>/dev/null
	rc=$?
	[ $rc -eq 7 ] || lost="$lost $rc"
done
kill $busy_pids 2>/dev/null
wait $busy_pids 2>/dev/null
if [ -z "$lost" ]; then ok "record-target-exits-under-load-$plabel"; else
	fail "record-target-exits-under-load-$plabel" "exit statuses other than 7:$lost"; fi

# a command that does not exist
out=$("$SCORCH" record -q -o "$WORK/x.folded" -- /nonexistent/python 2>&1)
rc=$?
if [ $rc -eq 127 ] && echo "$out" | grep -q "^scorch: .*cannot run" && [ ! -e "$WORK/x.folded" ]; then
	ok record-bad-command
else
	fail record-bad-command "rc=$rc $out"
fi

# an output that cannot be written is found before the program runs, so
# no recording is lost to a mistyped directory
marker=$WORK/ran.marker
out=$("$SCORCH" record -q -o "$WORK/no/such/dir/x.svg" -- "$py" -c "open('$marker', 'w')" 2>&1)
rc=$?
if [ $rc -eq 1 ] && [ ! -e "$marker" ] && echo "$out" | grep -q "cannot create output.*does its directory exist"; then
	ok record-output-checked-first
else
	fail record-output-checked-first "rc=$rc, program ran: $([ -e "$marker" ] && echo yes || echo no): $out"
fi

# 20 back-to-back spawns: each finds the runtime and records samples
for p in "${spawners[@]}"; do
	failures=0
	why=""
	for i in $(seq 20); do
		f=$WORK/spawn$i.folded
		if ! "$SCORCH" record -q -F 250 -o "$f" -- "$p" -c '
import time
end = time.time() + 0.25
while time.time() < end: pass' 2>"$WORK/spawn.err" || ! valid_folded "$f"; then
			failures=$((failures + 1))
			why="run $i: $(cat "$WORK/spawn.err")"
		fi
	done
	if [ $failures -eq 0 ]; then ok "record-20-spawns-$p"; else fail "record-20-spawns-$p" "$failures of 20 failed; $why"; fi
done
exit 0
