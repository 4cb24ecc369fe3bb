#!/bin/bash
# record_attach.sh - `scorch record -p PID` on a running program (every
# installed CPython scorch reads), `-d` stops it, the target keeps running; and a
# non-Python pid or a missing pid gives one clear error line.
. "$(dirname "$0")/lib.sh"
PROG=$TOP/tests/programs/split.py
plan $(($(python_versions | wc -l) + 2))	# one case each, and two more

while read -r label py; do
	if ! python_readable "$py"; then
		skip "record-attach-$label" "CPython $label is older than scorch reads"
		continue
	fi
	"$py" "$PROG" 6 >"$WORK/$label.out" 2>&1 &
	pid=$!
	wait_for_line "$WORK/$label.out" '^TALLY_LINE' 60 "$pid"
	f=$WORK/$label.folded
	if "$SCORCH" record -q -p "$pid" -d 1 -o "$f" 2>"$WORK/$label.err" &&
	   grep -q "tally (" "$f" && kill -0 "$pid" 2>/dev/null; then
		ok "record-attach-$label"
	else
		fail "record-attach-$label" "$(tail -n 2 "$WORK/$label.err"; head -n 2 "$f" 2>/dev/null)"
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
done < <(python_versions)

# a pid that does not exist
out=$("$SCORCH" record -q -p 999999 -o "$WORK/none.folded" 2>&1)
rc=$?
if [ $rc -ne 0 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q "^scorch: .*999999"; then
	ok record-attach-missing-pid
else
	fail record-attach-missing-pid "rc=$rc: $out"
fi

# dump of a non-Python process names what it runs
sleep 60 &
pid=$!
wait_for_exec "$pid" sleep
out=$("$SCORCH" dump -p "$pid" 2>&1)
rc=$?
if [ $rc -ne 0 ] && echo "$out" | grep -q "^scorch: pid $pid runs .*sleep, not CPython"; then
	ok dump-not-python
else
	fail dump-not-python "rc=$rc: $out"
fi
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
exit 0
