#!/bin/bash
# diff.sh - `scorch diff`: the table (absolute before/after, both totals,
# biggest change first), --normalize, the two-count folded output, the
# differential SVG and HTML, pprof inputs, matching across renamed main
# scripts, the warnings for malformed lines and for profiles with nothing
# in common; and the walkthrough itself, recorded here (examples/lookup.py
# as before.py, examples/lookup_set.py as after.py): the win shows in the
# table's totals, run_dummy stays visible and blue in the SVG, and the
# HTML diff's table reads right in Chromium.
. "$(dirname "$0")/lib.sh"
plan 22	# 12 + 3 on folded input, 7 on the recorded walkthrough; the corpus and browser cases are counted where they run

printf 'main;slow_search 900\nmain;rest 100\n' >"$WORK/before.folded"
printf 'main;slow_search 90\nmain;rest 100\n' >"$WORK/after.folded"
out=$("$SCORCH" diff "$WORK/before.folded" "$WORK/after.folded" 2>&1)
if echo "$out" | grep -qE '^ +900 +90 +-810 +90\.00% +47\.37%  slow_search$'; then
	ok diff_tenfold_shrink_table
else
	fail diff_tenfold_shrink_table "$out"
fi
echo "$out" | grep -qE '^ +100 +100 +\+0 +10\.00% +52\.63%  rest$' && ok diff_grown_function ||
	fail diff_grown_function "$out"
echo "$out" | grep -qxF '# total: 1000 → 190 samples (-81.0%)' && ok diff_totals_line ||
	fail diff_totals_line "$out"

# a caller whose own few samples also went: its change is a little
# bigger than its callee's, but the callee, where the change happened,
# leads the table
printf 'main;run_dummy 660\nmain 8\n' >"$WORK/caller-before.folded"
printf 'main 5\n' >"$WORK/caller-after.folded"
caller=$("$SCORCH" diff "$WORK/caller-before.folded" "$WORK/caller-after.folded" 2>&1)
if [ "$(echo "$caller" | grep -v '^#' | sed -n 2p | awk '{ print $NF }')" = run_dummy ]; then
	ok diff_callee_leads_its_caller
else
	fail diff_callee_leads_its_caller "$caller"
fi

# folded two-count form: absolute by default, --normalize scales before
# to after's total (190)
f=$("$SCORCH" diff --normalize -f folded "$WORK/before.folded" "$WORK/after.folded" 2>/dev/null)
want=$'main;rest 19 100\nmain;slow_search 171 90'
[ "$f" = "$want" ] && ok diff_folded_normalized || fail diff_folded_normalized "$f"
f=$("$SCORCH" diff -f folded "$WORK/before.folded" "$WORK/after.folded" 2>/dev/null)
want=$'main;rest 100 100\nmain;slow_search 900 90'
[ "$f" = "$want" ] && ok diff_folded_absolute_default || fail diff_folded_absolute_default "$f"
f=$("$SCORCH" diff --no-normalize -f folded "$WORK/before.folded" "$WORK/after.folded" 2>/dev/null)
[ "$f" = "$want" ] && ok diff_folded_no_normalize || fail diff_folded_no_normalize "$f"
# with -f folded on stdout the table moves to stderr
t=$("$SCORCH" diff -f folded "$WORK/before.folded" "$WORK/after.folded" 2>&1 >/dev/null)
echo "$t" | grep -q 'slow_search' && ok diff_table_on_stderr_with_stdout_output ||
	fail diff_table_on_stderr_with_stdout_output "$t"

# the walkthrough in folded form: list_contains 90 -> 0 leads the table
printf 'main;run;list_contains 90\nmain;run;other 10\n' >"$WORK/list.folded"
printf 'main;run;set_contains 1\nmain;run;other 10\n' >"$WORK/set.folded"
w=$("$SCORCH" diff "$WORK/list.folded" "$WORK/set.folded" 2>&1)
echo "$w" | grep -v '^#' | sed -n 2p | grep -qE '^ +90 +0 +-90 +90\.00% +0\.00%  list_contains$' &&
	ok diff_walkthrough_list_to_set || fail diff_walkthrough_list_to_set "$w"

# pprof inputs give the same table
"$SCORCH" convert "$WORK/before.folded" -o "$WORK/before.pb.gz"
"$SCORCH" convert "$WORK/after.folded" -o "$WORK/after.pb.gz"
a=$("$SCORCH" diff "$WORK/before.pb.gz" "$WORK/after.pb.gz" 2>&1 | tail -n +2)
b=$(echo "$out" | tail -n +2)
[ "$a" = "$b" ] && ok diff_pprof_inputs || fail diff_pprof_inputs "$a"

# a differential SVG through the svg writer, valid XML by xmllint
if ! command -v xmllint >/dev/null; then
	missing diff_svg_written "xmllint is not installed (scripts/deps.sh test)"
elif "$SCORCH" diff -o "$WORK/diff.svg" "$WORK/before.folded" "$WORK/after.folded" >/dev/null 2>"$WORK/err"; then
	if grep -q '<svg' "$WORK/diff.svg" && xmllint --noout "$WORK/diff.svg" 2>"$WORK/xml.err"; then
		ok diff_svg_written
	else
		fail diff_svg_written "not a valid SVG: $(head -n 3 "$WORK/xml.err")"
	fi
else
	fail diff_svg_written "$(cat "$WORK/err")"
fi

# renamed main scripts (before.py, after.py) match: one row, labelled
# with both names, and the other files still by base name
cat >"$WORK/ren_a.folded" <<'F'
<module> (/x/before.py:30);main (/x/before.py:26);run_dummy (/x/before.py:16) 90
<module> (/x/before.py:30);main (/x/before.py:24);helper (/lib/util.py:3) 10
F
cat >"$WORK/ren_b.folded" <<'F'
<module> (/y/after.py:29);main (/y/after.py:25);run_dummy (/y/after.py:15) 2
<module> (/y/after.py:29);main (/y/after.py:23);helper (/other/lib/util.py:3) 10
F
r=$("$SCORCH" diff "$WORK/ren_a.folded" "$WORK/ren_b.folded" 2>&1)
if echo "$r" | grep -qxF '# main script before.py → after.py: its functions match by name' &&
   echo "$r" | grep -qE '^ +90 +2 +-88 .*  run_dummy \(before\.py → after\.py\)$' &&
   echo "$r" | grep -qE '^ +10 +10 +\+0 .*  helper \(util\.py\)$' && ! echo "$r" | grep -q warning; then
	ok diff_renamed_main_script_matches
else
	fail diff_renamed_main_script_matches "$r"
fi

# the corpus pair, and its malformed variant
C=$CORPUS/diff
if [ -f "$C/before.txt" ]; then
	plan 3
	c=$("$SCORCH" diff -n 0 "$C/before.txt" "$C/after.txt" 2>&1)
	echo "$c" | grep -qE ' 50\.77% +31\.25%  fsnotify_\[k\]$' &&
		ok diff_corpus_pair || fail diff_corpus_pair "$c"
	f=$("$SCORCH" diff --normalize -f folded "$C/before.txt" "$C/after.txt" 2>/dev/null)
	sums=$(echo "$f" | awk '{ b += $(NF-1); a += $NF } END { printf "%.6f %.6f", b, a }')
	after_total=$(awk '{ s += $NF } END { printf "%.6f", s }' "$C/after.txt")
	[ "$sums" = "$after_total $after_total" ] && ok diff_corpus_normalized_totals ||
		fail diff_corpus_normalized_totals "sums $sums, after total $after_total"
	"$SCORCH" diff "$C/bad_before.txt" "$C/after.txt" >"$WORK/bad.out" 2>"$WORK/bad.err"
	rc=$?
	[ $rc -eq 0 ] && grep -q 'bad_before.txt:3: skipped line' "$WORK/bad.err" &&
		grep -q 'fsnotify' "$WORK/bad.out" && ok diff_malformed_before_warns ||
		fail diff_malformed_before_warns "rc $rc: $(cat "$WORK/bad.err")"
else
	plan 1
	missing diff_corpus_pair "$C/before.txt is absent: $CORPUS_HINT"
fi

# nothing in common: a warning naming both files
printf 'a;b 5\n' >"$WORK/x.folded"
printf 'c;d 5\n' >"$WORK/y.folded"
"$SCORCH" diff "$WORK/x.folded" "$WORK/y.folded" >/dev/null 2>"$WORK/err"
grep -q "warning: .*x.folded and .*y.folded have no function in common" "$WORK/err" &&
	ok diff_nothing_in_common_warns || fail diff_nothing_in_common_warns "$(cat "$WORK/err")"

# a corrupt input: error, non-zero, no output file
printf '\x1f\x8b\x08\x00garbage' >"$WORK/bad.pb.gz"
if "$SCORCH" diff -o "$WORK/out.folded" "$WORK/bad.pb.gz" "$WORK/after.folded" 2>"$WORK/err"; then
	fail diff_corrupt_input "succeeded"
else
	[ ! -e "$WORK/out.folded" ] && grep -q 'bad.pb.gz' "$WORK/err" && ok diff_corrupt_input ||
		fail diff_corrupt_input "$(cat "$WORK/err")"
fi

# --by name matches functions across renamed files
printf 'main (a.py:1);run_dummy (a.py:5) 90\nmain (a.py:1);other (a.py:9) 10\n' >"$WORK/a.folded"
printf 'main (b.py:1);run_dummy (b.py:5) 1\nmain (b.py:1);other (b.py:9) 10\n' >"$WORK/b.folded"
n=$("$SCORCH" diff --by name "$WORK/a.folded" "$WORK/b.folded" 2>&1)
echo "$n" | grep -qE '^ +90 +1 +-89 +90\.00% +9\.09%  run_dummy$' && ok diff_by_name ||
	fail diff_by_name "$n"

# the walkthrough, recorded: lookup.py (a list) as before.py with a
# shorter query list, lookup_set.py (a set) as after.py
# the interpreter itself, not a wrapper script such as a pyenv shim
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
if [ -z "$py" ] || ! python_readable "$py"; then
	skip_rest "no python3 that scorch reads"
fi
cp "$TOP/examples/lookup.py" "$WORK/before.py"
cp "$TOP/examples/lookup_set.py" "$WORK/after.py"
if ! (cd "$WORK" && "$SCORCH" record -q -F 200 -o before.pb.gz -- "$py" before.py 4000 >/dev/null 2>rec.err &&
      "$SCORCH" record -q -F 200 -o after.pb.gz -- "$py" after.py >/dev/null 2>>rec.err); then
	fail_rest diff_recorded_walkthrough "record failed: $(tail -n 3 "$WORK/rec.err")"
fi
# the sample counts, from the profiles themselves
sum() { "$SCORCH" convert "$1" -f folded -o - | awk '{ s += $NF } END { print s }'; }
# samples of stacks holding run_dummy
in_run() { "$SCORCH" convert "$1" -f folded -o - | awk '/run_dummy \(/ { s += $NF } END { print s + 0 }'; }
nb=$(sum "$WORK/before.pb.gz"); na=$(sum "$WORK/after.pb.gz")
rb=$(in_run "$WORK/before.pb.gz"); ra=$(in_run "$WORK/after.pb.gz")
(cd "$WORK" && "$SCORCH" diff before.pb.gz after.pb.gz -o diff.svg >table.txt 2>table.err &&
	"$SCORCH" diff before.pb.gz after.pb.gz -o diff.html >/dev/null 2>>table.err &&
	"$SCORCH" diff --by name before.pb.gz after.pb.gz -o byname.svg >/dev/null 2>>table.err)
tbl=$(cat "$WORK/table.txt" "$WORK/table.err")
pct=$(awk -v b="$nb" -v a="$na" 'BEGIN { printf "%+.1f", 100 * (a - b) / b }')
secs=$(awk -v b="$nb" -v a="$na" 'BEGIN { printf "%.2f s → %.2f s cpu", b * 0.005, a * 0.005 }')
if [ "$nb" -gt "$na" ] && grep -qxF "# total: $nb → $na samples ($pct%), $secs" "$WORK/table.txt"; then
	ok diff_recorded_totals
else
	fail diff_recorded_totals "want $nb → $na ($pct%), $secs: $tbl"
fi
# run_dummy leads the table with its absolute numbers, matched across
# the renamed scripts, and there is no "nothing in common" warning
first=$(grep -v '^#' "$WORK/table.txt" | sed -n 2p)
if echo "$first" | grep -qE "^ +$rb +$ra +-$((rb - ra)) .*  run_dummy \(before\.py → after\.py\)$" &&
   grep -qxF '# main script before.py → after.py: its functions match by name' "$WORK/table.txt" &&
   [ "$rb" -gt $((10 * ra)) ] && ! grep -q 'no function in common' "$WORK/table.err"; then
	ok diff_recorded_run_dummy_leads
else
	fail diff_recorded_run_dummy_leads "run_dummy $rb → $ra: $tbl"
fi
# the SVG: run_dummy is drawn (width = before + after, so at least
# rb / (nb + na) of the 1180 px) and blue
title="run_dummy (before.py → after.py) ($rb → $ra samples"
g="//*[local-name()='g'][*[local-name()='title'][starts-with(., '$title')]]/*[local-name()='rect']"
fill=$(xmllint --xpath "string($g/@fill)" "$WORK/diff.svg" 2>&1)
width=$(xmllint --xpath "string($g/@width)" "$WORK/diff.svg" 2>&1)
minw=$(awk -v r="$rb" -v b="$nb" -v a="$na" 'BEGIN { printf "%d", 1180 * r / (b + a) - 1 }')
if [[ $fill =~ ^rgb\(([0-9]+),([0-9]+),255\)$ ]] && [ "${BASH_REMATCH[1]}" -lt 128 ] &&
   [ "${BASH_REMATCH[1]}" = "${BASH_REMATCH[2]}" ] && awk -v w="$width" -v m="$minw" 'BEGIN { exit !(w >= m) }'; then
	ok diff_recorded_svg_shrunk_blue
else
	fail diff_recorded_svg_shrunk_blue "fill '$fill', width '$width' (want blue, >= $minw)"
fi
# the legend says what blue means
xmllint --xpath "string(//*[local-name()='g'][@data-kind='shrank']/*[local-name()='text'])" "$WORK/diff.svg" 2>/dev/null |
	grep -q '^shrank' && ok diff_recorded_svg_legend || fail diff_recorded_svg_legend "no 'shrank' legend"
# --by name draws bare names too
bn=$(xmllint --xpath "count(//*[local-name()='title'][starts-with(., 'run_dummy ($rb → $ra samples')])" "$WORK/byname.svg" 2>&1)
[ "$bn" = 1 ] && ok diff_recorded_by_name_svg || fail diff_recorded_by_name_svg "run_dummy frames without file: $bn"

# recorded at another rate, the fix is compared in seconds (each side's
# samples times its own period)
if (cd "$WORK" && "$SCORCH" record -q -F 100 -o after100.pb.gz -- "$py" after.py >/dev/null 2>>rec.err); then
	n100=$(sum "$WORK/after100.pb.gz")
	want=$(awk -v b="$nb" -v a="$n100" 'BEGIN { printf "# total: %.3f s → %.3f s cpu (", b * 0.005, a * 0.01 }')
	s=$("$SCORCH" diff "$WORK/before.pb.gz" "$WORK/after100.pb.gz" 2>&1)
	if echo "$s" | grep -qF "$want" && echo "$s" | grep -qE '^ Before s +After s +Delta s '; then
		ok diff_recorded_seconds_when_rates_differ
	else
		fail diff_recorded_seconds_when_rates_differ "want '$want': $s"
	fi
else
	fail diff_recorded_seconds_when_rates_differ "record failed: $(tail -n 3 "$WORK/rec.err")"
fi

# the recorded profile's own flame graph is coloured by kind: run_dummy
# is a Python frame, its colour in the legend's Python range
"$SCORCH" flamegraph "$WORK/before.pb.gz" -o "$WORK/before.svg" 2>/dev/null
k=$(xmllint --xpath "concat(string(//*[local-name()='g'][*[local-name()='title'][starts-with(., 'run_dummy (')]]/*[local-name()='rect']/@fill), ' ', string(//*[@data-kind='python']/@data-min), ' ', string(//*[@data-kind='python']/@data-max))" "$WORK/before.svg" 2>&1)
if [[ $k =~ ^rgb\(([0-9]+),([0-9]+),([0-9]+)\)\ rgb\(([0-9]+),([0-9]+),([0-9]+)\)\ rgb\(([0-9]+),([0-9]+),([0-9]+)\)$ ]] &&
   m=("${BASH_REMATCH[@]}") && [ "${m[1]}" -ge "${m[4]}" ] && [ "${m[1]}" -le "${m[7]}" ] &&
   [ "${m[2]}" -ge "${m[5]}" ] && [ "${m[2]}" -le "${m[8]}" ] && [ "${m[3]}" -ge "${m[6]}" ] && [ "${m[3]}" -le "${m[9]}" ]; then
	ok diff_recorded_python_kind_colour
else
	fail diff_recorded_python_kind_colour "run_dummy fill, python range: $k"
fi

# the HTML diff in Chromium: Before/After/Delta columns, run_dummy first
# with the table's numbers
modules=$TOP/build/node/node_modules
if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null 2>&1; then
	plan 1
	missing diff_html_browser "chromium or node is not installed (scripts/deps.sh test)"
elif [ ! -d "$modules/playwright-core" ]; then
	plan 1
	missing diff_html_browser "playwright-core is missing (run scripts/test-tools.sh)"
else
	plan 7	# tests/e2e/browser/diff.js's cases
	NODE_MODULES=$modules node "$TOP/tests/e2e/browser/diff.js" "$WORK/diff.html" \
		"${SHOT_DIR:-$WORK}/diff.png" "$WORK/chromium-profile" \
		"{\"name\": \"run_dummy\", \"file\": \"before.py → after.py\", \"before\": $rb, \"after\": $ra, \"totalBefore\": $nb, \"totalAfter\": $na}"
fi
