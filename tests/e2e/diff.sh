#!/bin/bash
# diff.sh - `scorch diff`: the table of changed shares (a function that
# shrinks tenfold, the list -> set walkthrough), normalisation, the
# two-count folded output, the differential SVG, pprof inputs, and the
# warnings for malformed lines and for profiles with nothing in common.
. "$(dirname "$0")/lib.sh"
plan 11	# and the corpus cases, counted below

printf 'main;slow_search 900\nmain;rest 100\n' >"$WORK/before.folded"
printf 'main;slow_search 90\nmain;rest 100\n' >"$WORK/after.folded"
out=$("$SCORCH" diff "$WORK/before.folded" "$WORK/after.folded" 2>&1)
if echo "$out" | grep -qE '^ *90\.00% +47\.37% +-42\.63%  slow_search$'; then
	ok diff_tenfold_shrink_table
else
	fail diff_tenfold_shrink_table "$out"
fi
echo "$out" | grep -qE '^ *10\.00% +52\.63% +\+42\.63%  rest$' && ok diff_grown_function ||
	fail diff_grown_function "$out"

# folded two-count form: before scaled to after's total (190)
f=$("$SCORCH" diff -f folded "$WORK/before.folded" "$WORK/after.folded" 2>/dev/null)
want=$'main;rest 19 100\nmain;slow_search 171 90'
[ "$f" = "$want" ] && ok diff_folded_normalized || fail diff_folded_normalized "$f"
f=$("$SCORCH" diff --no-normalize -f folded "$WORK/before.folded" "$WORK/after.folded" 2>/dev/null)
want=$'main;rest 100 100\nmain;slow_search 900 90'
[ "$f" = "$want" ] && ok diff_folded_no_normalize || fail diff_folded_no_normalize "$f"
# with -f folded on stdout the table moves to stderr
t=$("$SCORCH" diff -f folded "$WORK/before.folded" "$WORK/after.folded" 2>&1 >/dev/null)
echo "$t" | grep -q 'slow_search' && ok diff_table_on_stderr_with_stdout_output ||
	fail diff_table_on_stderr_with_stdout_output "$t"

# the walkthrough: list_contains 90 % -> 0 %
printf 'main;run;list_contains 90\nmain;run;other 10\n' >"$WORK/list.folded"
printf 'main;run;set_contains 1\nmain;run;other 10\n' >"$WORK/set.folded"
w=$("$SCORCH" diff "$WORK/list.folded" "$WORK/set.folded" 2>&1)
echo "$w" | sed -n 3p | grep -qE '^ *90\.00% +0\.00% +-90\.00%  list_contains$' &&
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

# the corpus pair, and its malformed variant
C=$CORPUS/diff
if [ -f "$C/before.txt" ]; then
	plan 3
	c=$("$SCORCH" diff "$C/before.txt" "$C/after.txt" 2>&1)
	echo "$c" | sed -n 3p | grep -qE '^ *50\.77% +31\.25% +-19\.52%  fsnotify_\[k\]$' &&
		ok diff_corpus_pair || fail diff_corpus_pair "$c"
	f=$("$SCORCH" diff -f folded "$C/before.txt" "$C/after.txt" 2>/dev/null)
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
echo "$n" | grep -qE '^ *90\.00% +9\.09% +-80\.91%  run_dummy$' && ok diff_by_name ||
	fail diff_by_name "$n"
