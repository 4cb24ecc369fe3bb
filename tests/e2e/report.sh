#!/bin/bash
# report.sh - `scorch report` on profiles with a known answer: the top
# function and its percentages, sorting, limits, grouping by file and
# thread, --focus/--ignore, the call tree and callers tree, colour only on
# a terminal and never with NO_COLOR, no name truncation unless asked, and
# the same numbers from folded and pprof inputs; SVG and HTML drawings
# are refused in one line that says how to keep a profile.
. "$(dirname "$0")/lib.sh"
plan 25

p=$WORK/known.folded
long=$(printf 'x%.0s' $(seq 1 300))
cat >"$p" <<EOT
main (app.py:1);work (app.py:10);hot_loop (lib.py:5) 90
main (app.py:1);work (app.py:10);cold_path (lib.py:20) 7
main (app.py:1);setup (app.py:3) 2
main (app.py:1);$long 1
EOT
out=$("$SCORCH" report "$p" 2>&1)
row=$(echo "$out" | sed -n 3p)
if echo "$row" | grep -qE '^ *90 +90\.00% +90 +90\.00%  hot_loop \(lib\.py\)$'; then
	ok report_top_function
else
	fail report_top_function "third line: '$row'"$'\n'"$out"
fi
echo "$out" | grep -q "$long\$" && ok report_no_truncation || fail report_no_truncation "long name cut"
"$SCORCH" report --truncate 20 "$p" | grep -q ' xxxxxxxxxxxxxxxxx\.\.\.$' && ok report_truncate_when_asked ||
	fail report_truncate_when_asked "$("$SCORCH" report --truncate 20 "$p" | tail -2)"

first=$("$SCORCH" report --sort total --limit 2 "$p" | sed -n '3p;4p' | awk '{print $NF}' | tr '\n' ' ')
n=$("$SCORCH" report --sort total --limit 2 "$p" | wc -l)
[ "$first" = "(app.py) (app.py) " ] && [ "$n" -eq 4 ] &&
	"$SCORCH" report --sort total --limit 2 "$p" | sed -n 3p | grep -q '100\.00%  main (app.py)$' &&
	ok report_sort_total_limit || fail report_sort_total_limit "$("$SCORCH" report --sort total --limit 2 "$p")"

# columns line up: every data row has "%" at the same offsets
widths=$("$SCORCH" report "$p" | tail -n +3 | awk '{ print index($0, "%") }' | sort -u | wc -l)
[ "$widths" -eq 1 ] && ok report_aligned_columns || fail report_aligned_columns "$widths different offsets"

"$SCORCH" report --by file "$p" | grep -qE '^ *97 +97\.00% +97 +97\.00%  lib\.py$' &&
	ok report_by_file || fail report_by_file "$("$SCORCH" report --by file "$p")"
"$SCORCH" report --by line "$p" | grep -q 'hot_loop (lib.py:5)$' &&
	ok report_by_line || fail report_by_line "$("$SCORCH" report --by line "$p")"

# focus: only stacks through work; ignore: drop hot_loop
f=$("$SCORCH" report --focus '^work' "$p")
echo "$f" | head -1 | grep -q ' 97 of 100 samples' && echo "$f" | grep -qE '^ *90 +90\.00%' &&
	ok report_focus || fail report_focus "$f"
g=$("$SCORCH" report --ignore hot_loop "$p")
echo "$g" | head -1 | grep -q ' 10 of 100 samples' && ! echo "$g" | tail -n +3 | grep -q hot_loop &&
	ok report_ignore || fail report_ignore "$g"
if "$SCORCH" report --focus '(' "$p" >/dev/null 2>"$WORK/err"; then
	fail report_bad_regex "accepted '('"
else
	[ "$(wc -l <"$WORK/err")" -eq 1 ] && grep -q -- "--focus '('" "$WORK/err" &&
		ok report_bad_regex || fail report_bad_regex "$(cat "$WORK/err")"
fi

t=$("$SCORCH" report --tree "$p")
echo "$t" | grep -qE '^ 90\.00% +90      hot_loop \(lib\.py\)$' &&
	echo "$t" | grep -qE '^ 97\.00% +97    work \(app\.py\)$' &&
	ok report_tree || fail report_tree "$t"
c=$("$SCORCH" report --callers hot_loop "$p")
echo "$c" | grep -qE '^100\.00% +90  hot_loop \(lib\.py\)$' &&
	echo "$c" | grep -qE '^100\.00% +90    work \(app\.py\)$' &&
	echo "$c" | grep -qE '^100\.00% +90      main \(app\.py\)$' &&
	ok report_callers || fail report_callers "$c"
if "$SCORCH" report --callers no_such_function "$p" >/dev/null 2>&1; then
	fail report_callers_unknown "accepted"
else
	ok report_callers_unknown
fi

# colour: never in a pipe, never with NO_COLOR, yes on a terminal
esc=$(printf '\033')
"$SCORCH" report "$p" | grep -q "$esc" && fail report_no_colour_in_pipe "escape codes" ||
	ok report_no_colour_in_pipe
if command -v script >/dev/null; then
	script -qec "$SCORCH report $p" /dev/null >"$WORK/tty.out" 2>&1
	grep -q "$esc\[" "$WORK/tty.out" && ok report_colour_on_terminal ||
		fail report_colour_on_terminal "no escape codes on a tty"
	NO_COLOR=1 script -qec "$SCORCH report $p" /dev/null >"$WORK/tty2.out" 2>&1
	grep -q "$esc\[" "$WORK/tty2.out" && fail report_no_colour_with_NO_COLOR "escape codes" ||
		ok report_no_colour_with_NO_COLOR
else
	missing report_colour_on_terminal "no script(1) to make a terminal (apt-get install bsdutils)"
	missing report_no_colour_with_NO_COLOR "no script(1) to make a terminal (apt-get install bsdutils)"
fi

# the same numbers from a pprof file (record's saved format)
"$SCORCH" convert "$p" -o "$WORK/known.pb.gz"
a=$("$SCORCH" report "$p" | tail -n +2)
b=$("$SCORCH" report "$WORK/known.pb.gz" | tail -n +2)
[ "$a" = "$b" ] && ok report_pprof_equals_folded || fail report_pprof_equals_folded "$b"

# threads from a pprof with thread labels
if [ -x "$TOP/$BUILD/tests/test_pprof" ] && "$TOP/$BUILD/tests/test_pprof" --write "$WORK/rich.pb.gz"; then
	th=$("$SCORCH" report --by thread "$WORK/rich.pb.gz")
	echo "$th" | grep -qE '^ *3 +60\.00% .* main-100$' && echo "$th" | grep -qE '^ *2 +40\.00% .* worker "1"-101$' &&
		ok report_by_thread || fail report_by_thread "$th"
	tt=$("$SCORCH" report --threads "$WORK/rich.pb.gz")
	[ "$(echo "$tt" | grep -c '^## thread')" -eq 2 ] && ok report_threads_tables ||
		fail report_threads_tables "$tt"
	"$SCORCH" report --value cpu "$WORK/rich.pb.gz" | head -1 | grep -q '5000 cpu (nanoseconds)' &&
		ok report_value_type || fail report_value_type "$("$SCORCH" report --value cpu "$WORK/rich.pb.gz" | head -1)"
else
	for name in report_by_thread report_threads_tables report_value_type; do
		fail "$name" "cannot write rich.pb.gz with $BUILD/tests/test_pprof (make check builds it)"
	done
fi

if "$SCORCH" report "$WORK/missing.pb.gz" 2>"$WORK/err"; then
	fail report_missing_file "succeeded"
else
	grep -q 'missing.pb.gz' "$WORK/err" && ok report_missing_file || fail report_missing_file "$(cat "$WORK/err")"
fi

# an SVG or HTML drawing is not a profile: one line that says so and how
# to keep one, for every command that reads profiles
"$SCORCH" flamegraph "$p" -o "$WORK/drawn.svg" 2>/dev/null
"$SCORCH" flamegraph "$p" -o "$WORK/drawn.html" 2>/dev/null
for f in drawn.svg drawn.html; do
	for cmd in report convert; do
		if [ "$cmd" = convert ]; then
			"$SCORCH" convert "$WORK/$f" -o "$WORK/back.folded" 2>"$WORK/err"
		else
			"$SCORCH" report "$WORK/$f" >/dev/null 2>"$WORK/err"
		fi
		rc=$?
		if [ $rc -eq 1 ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] &&
		   grep -q "is an \(SVG flame graph\|HTML page\), a drawing.*\.pb\.gz" "$WORK/err" &&
		   [ ! -e "$WORK/back.folded" ]; then
			ok "report_drawing_$cmd-${f#drawn.}"
		else
			fail "report_drawing_$cmd-${f#drawn.}" "rc=$rc: $(cat "$WORK/err")"
		fi
	done
done
