#!/bin/bash
# top.sh - `scorch top`: the live table, printed table after table when
# stdout is not a terminal.  The 3:1 split program shows Ledger.tally and
# café_λ in about that ratio; attaching with -p and -d works; the
# program's exit status comes back; bad options fail with one line.
. "$(dirname "$0")/lib.sh"

py=""
while read -r label p; do
	[ "$("$p" -c 'import sys; print(sys.version_info >= (3, 8))' 2>/dev/null)" = True ] && { py=$p; plabel=$label; }
done < <(python_versions)
if [ -z "$py" ]; then
	skip top "no CPython 3.8+ installed"
	exit 0
fi

out=$WORK/top.txt
"$SCORCH" top -F 200 -i 0.4 -- "$py" "$TOP/tests/programs/split.py" 2 >"$out" 2>"$WORK/top.err"
rc=$?
tables=$(grep -c '^scorch top: ' "$out")
if [ $rc -eq 0 ] && [ "$tables" -ge 3 ] && [ "$(grep -c ' whole run, ' "$out")" -eq 1 ]; then
	ok "top-tables-$plabel"
else
	fail "top-tables-$plabel" "rc=$rc, $tables tables: $(head -c 400 "$out") $(cat "$WORK/top.err")"
fi
# the last table covers the whole run: tally's share of tally + café
last=$(awk '/ whole run, /{f=1} f' "$out")
tally=$(echo "$last" | awk '/ (Ledger\.)?tally \(/ {gsub("%", "", $1); print $1; exit}')
cafe=$(echo "$last" | awk '/ café_λ \(/ {gsub("%", "", $1); print $1; exit}')
if [ -n "$tally" ] && [ -n "$cafe" ] &&
   awk -v t="$tally" -v c="$cafe" 'BEGIN { r = 100 * t / (t + c); exit !(r > 68 && r < 82) }'; then
	ok "top-split-$plabel"
else
	fail "top-split-$plabel" "tally $tally%, café $cafe% (want about 3:1): $last"
fi

"$SCORCH" top -i 0.2 -- "$py" -c 'import sys; sys.exit(5)' >/dev/null 2>&1
rc=$?
if [ $rc -eq 5 ]; then ok top-exit-status; else fail top-exit-status "rc=$rc, want 5"; fi

"$py" "$TOP/tests/programs/busy.py" forever >/dev/null &
target=$!
sleep 0.5
"$SCORCH" top -p $target -d 1 -i 0.3 --sort total -n 5 >"$WORK/attach.txt" 2>"$WORK/attach.err"
rc=$?
kill $target 2>/dev/null
wait $target 2>/dev/null
# by total, busy.py's five nested functions fill the five rows
rows=$(awk '/ whole run, /{f=1; next} f && /^ +[0-9.]+%/' "$WORK/attach.txt")
if [ $rc -eq 0 ] && [ "$(echo "$rows" | wc -l)" -eq 5 ] &&
   echo "$rows" | grep -q ' leaf (' && echo "$rows" | grep -q ' middle ('; then
	ok top-attach
else
	fail top-attach "rc=$rc $(head -c 400 "$WORK/attach.txt") $(cat "$WORK/attach.err")"
fi

"$SCORCH" top --sort sideways -- true >/dev/null 2>"$WORK/bad.err"
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <"$WORK/bad.err")" -eq 1 ] && grep -q 'not self or total' "$WORK/bad.err"; then
	ok top-bad-option
else
	fail top-bad-option "rc=$rc: $(cat "$WORK/bad.err")"
fi
