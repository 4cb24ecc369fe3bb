#!/bin/bash
# dump_python.sh - `scorch dump -p PID` of a program blocked in time.sleep
# shows, on every installed CPython scorch reads, both threads by name with the
# sleeping line (tests/programs/sleeper.py reports that line itself).
. "$(dirname "$0")/lib.sh"
PROG=$TOP/tests/programs/sleeper.py
plan $(python_versions | wc -l)	# one case each

while read -r label py; do
	if ! python_readable "$py"; then
		skip "dump-sleep-$label" "CPython $label is older than scorch reads"
		continue
	fi
	"$py" "$PROG" 20 >"$WORK/$label.out" 2>&1 &
	pid=$!
	wait_for_line "$WORK/$label.out" '^SLEEP_LINE' 60 "$pid"
	line=$(awk '/^SLEEP_LINE/ {print $2}' "$WORK/$label.out")
	out=$("$SCORCH" dump -p "$pid" 2>&1)
	rc=$?
	if [ $rc -eq 0 ] && [ -n "$line" ] &&
	   echo "$out" | grep -q "^Thread $pid \"MainThread\"" &&
	   echo "$out" | grep -q "\"napper\"" &&
	   [ "$(echo "$out" | grep -c "sleeper.py\", line $line, in nap")" -eq 2 ] &&
	   echo "$out" | grep -q "time.sleep(seconds)"; then
		ok "dump-sleep-$label"
	else
		fail "dump-sleep-$label" "rc=$rc line=$line: $(echo "$out" | head -n 20)"
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done < <(python_versions)
exit 0
