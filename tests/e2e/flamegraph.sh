#!/bin/bash
# flamegraph.sh - end-to-end checks of `scorch flamegraph` and the svg
# writer: every corpus folded file renders to well-formed XML (xmllint),
# bad inputs warn without crashing, hostile names are escaped, empty
# input, merged inputs, differential colours, flamegraph.pl options, the
# consistent palette file, and option errors that leave no file behind.
. "$(dirname "$0")/lib.sh"

plan 21	# and one per corpus file, counted below
folded=$CORPUS/folded
# every SVG is checked by xmllint: without it nothing here is checked
command -v xmllint >/dev/null 2>&1 ||
	missing_rest "xmllint is not installed (scripts/deps.sh test)"

# wellformed FILE: xmllint says the file is well-formed XML
wellformed() {
	xmllint --noout "$1" 2>&1
}

# root_count SVG: the "all (N samples" total, without separators
root_count() {
	grep -o '<title>all ([0-9,.]*' "$1" | head -n 1 | sed 's/.*(//; s/,//g'
}

# --- every corpus file --------------------------------------------------
if [ ! -d "$folded" ]; then
	plan 1
	missing flamegraph-corpus "corpus folder $folded is absent: $CORPUS_HINT"
else
	# one case per file, and the seven after the loop
	files=("$folded"/*.txt)
	plan $((${#files[@]} + 7))
	for f in "$folded"/*.txt; do
		name=$(basename "$f" .txt)
		out=$WORK/$name.svg
		# these files are folded by definition (austin's start with '#'
		# comment lines, which content detection does not take)
		"$SCORCH" flamegraph --input-format folded "$f" -o "$out" 2>"$WORK/$name.err"
		rc=$?
		case $name in
		bad-lines--*|nameattr--*)
			# not (all) valid folded lines: warnings, an SVG, exit 0
			if [ $rc -ne 0 ]; then
				fail "flamegraph-bad-$name" "exit $rc: $(head -c 300 "$WORK/$name.err")"
			elif ! grep -q 'scorch: warning: .*:[0-9]*: skipped line' "$WORK/$name.err"; then
				fail "flamegraph-bad-$name" "no per-line warning: $(head -c 300 "$WORK/$name.err")"
			elif ! msg=$(wellformed "$out"); then
				fail "flamegraph-bad-$name" "$msg"
			else
				ok "flamegraph-bad-$name"
			fi
			;;
		*)
			if [ $rc -ne 0 ]; then
				fail "flamegraph-corpus-$name" "exit $rc: $(head -c 300 "$WORK/$name.err")"
			elif ! msg=$(wellformed "$out"); then
				fail "flamegraph-corpus-$name" "$msg"
			elif ! grep -q '<g id="frames"\|id="nosamples"' "$out"; then
				fail "flamegraph-corpus-$name" "no frames group"
			else
				ok "flamegraph-corpus-$name"
			fi
			;;
		esac
	done

	# the root total equals the input's sum of counts
	f=$folded/base--flames.txt
	want=$(awk '{ s += $NF } END { print s }' "$f")
	got=$(root_count "$WORK/base--flames.svg")
	[ "$got" = "$want" ] && ok flamegraph-total || fail flamegraph-total "root shows $got, input sums to $want"

	# frame-kind annotations are not shown, but the java palette colours
	# kernel frames orange (red 190-255, green 90-155, blue 0)
	f=$folded/grey-frames--grey-frames.txt
	"$SCORCH" flamegraph --colors java "$f" -o "$WORK/java.svg" 2>/dev/null
	if grep -q '_\[k\]' "$WORK/java.svg"; then
		fail flamegraph-annotation "an _[k] annotation is displayed"
	elif ! grep -o '<title>vfs_read (.*</title><rect[^>]*fill="rgb([0-9]*,[0-9]*,0)"' "$WORK/java.svg" >/dev/null; then
		fail flamegraph-annotation "kernel frame vfs_read is not orange"
	else
		ok flamegraph-annotation
	fi
	# grey separator frames
	if grep -q '<title>-- (.*fill="rgb(160,160,160)"' "$WORK/java.svg" &&
	   grep -q '<title>- (.*fill="rgb(200,200,200)"' "$WORK/java.svg"; then
		ok flamegraph-grey-frames
	else
		fail flamegraph-grey-frames "'-' and '--' frames are not grey"
	fi

	# several inputs are merged into one graph
	a=$folded/multiple-inputs--perf-vertx-stacks-01-collapsed-all-unsorted-1.txt
	b=$folded/multiple-inputs--perf-vertx-stacks-01-collapsed-all-unsorted-2.txt
	"$SCORCH" flamegraph "$a" "$b" -o "$WORK/merged.svg" 2>"$WORK/merged.err"
	cat "$a" "$b" >"$WORK/both.folded"
	"$SCORCH" flamegraph "$WORK/both.folded" -o "$WORK/both.svg" 2>/dev/null
	want=$(awk '{ s += $NF } END { print s }' "$a" "$b")
	got=$(root_count "$WORK/merged.svg")
	if [ "$got" != "$want" ]; then
		fail flamegraph-merge "root shows $got, inputs sum to $want"
	elif ! cmp -s <(grep '^<g data' "$WORK/merged.svg" | sort) <(grep '^<g data' "$WORK/both.svg" | sort); then
		fail flamegraph-merge "two inputs differ from their concatenation"
	else
		ok flamegraph-merge
	fi

	# differential: sized by the second count, red grew, blue shrank,
	# the change in the tooltip
	f=$folded/differential--perf-cycles-instructions-01-collapsed-all-diff.txt
	"$SCORCH" flamegraph "$f" -o "$WORK/diff.svg" 2>/dev/null
	want=$(awk '{ s += $NF } END { print s }' "$f")
	got=$(root_count "$WORK/diff.svg")
	# noploop;main 274 415 grew: red; cksum;cksum 6 2 shrank... but
	# cksum has children, so check by a leaf: main under noploop
	if [ "$got" != "$want" ]; then
		fail flamegraph-differential "root shows $got, second column sums to $want"
	elif ! grep -q '<title>main (415 samples, [0-9.]*%; +[0-9.]*%)</title><rect[^>]*fill="rgb(255,[0-9]*,[0-9]*)"' "$WORK/diff.svg"; then
		fail flamegraph-differential "grown frame is not red with a + change"
	elif ! grep -q 'fill="rgb([0-9]*,[0-9]*,255)"' "$WORK/diff.svg"; then
		fail flamegraph-differential "no shrunk (blue) frame"
	else
		ok flamegraph-differential
	fi
	"$SCORCH" flamegraph --negate "$f" -o "$WORK/negate.svg" 2>/dev/null
	grep -q '<title>main (415 samples, [0-9.]*%; -[0-9.]*%)</title><rect[^>]*fill="rgb([0-9]*,[0-9]*,255)"' "$WORK/negate.svg" &&
		ok flamegraph-negate || fail flamegraph-negate "--negate did not turn growth blue"

	# flame chart keeps input order: the same stacks, never fewer frames
	f=$folded/flamechart--flames.txt
	"$SCORCH" flamegraph --flamechart "$f" -o "$WORK/chart.svg" 2>/dev/null
	if grep -q '<text id="title"[^>]*>Flame Chart<' "$WORK/chart.svg" &&
	   [ "$(root_count "$WORK/chart.svg")" = "$(awk '{ s += $NF } END { print s }' "$f")" ] &&
	   [ "$(grep -c '^<g data' "$WORK/chart.svg")" -ge "$(grep -c '^<g data' "$WORK/base--flames.svg")" ]; then
		ok flamegraph-flamechart
	else
		fail flamegraph-flamechart "title, total or frame count wrong"
	fi
fi

# --- escaping of hostile names --------------------------------------------
printf '%s\n' 'main;<script>alert(1)</script> 5' 'main;a&b"c'"'"'d 3' \
	$'main;bad\xff\xfeutf8;ctl\x01char 2' 'main;caf\xc3\xa9 1' >"$WORK/evil.folded"
"$SCORCH" flamegraph --title '<b>"T&T"</b>' "$WORK/evil.folded" -o "$WORK/evil.svg" 2>"$WORK/evil.err"
if ! msg=$(wellformed "$WORK/evil.svg"); then
	fail flamegraph-escape "$msg"
elif grep -q '<script>alert' "$WORK/evil.svg" || [ "$(grep -c '<script' "$WORK/evil.svg")" != 1 ]; then
	fail flamegraph-escape "a frame name became markup"
elif ! grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$WORK/evil.svg" ||
     ! grep -q 'a&amp;b&quot;c&#39;d' "$WORK/evil.svg" ||
     ! grep -q '&lt;b&gt;&quot;T&amp;T&quot;&lt;/b&gt;' "$WORK/evil.svg"; then
	fail flamegraph-escape "escaped names or title not found"
else
	ok flamegraph-escape
fi

# --- empty input -----------------------------------------------------------
: >"$WORK/empty.folded"
"$SCORCH" flamegraph "$WORK/empty.folded" -o "$WORK/empty.svg" 2>"$WORK/empty.err"
rc=$?
if [ $rc -ne 0 ]; then
	fail flamegraph-empty "exit $rc"
elif ! grep -q 'scorch: warning: .*no samples' "$WORK/empty.err"; then
	fail flamegraph-empty "no warning: $(cat "$WORK/empty.err")"
elif ! msg=$(wellformed "$WORK/empty.svg") || ! grep -q 'No samples' "$WORK/empty.svg"; then
	fail flamegraph-empty "not a valid 'no samples' SVG: $msg"
else
	ok flamegraph-empty
fi
# stdin, and stdout by default
printf 'a;b 3\na;c 1\n' | "$SCORCH" flamegraph >"$WORK/stdin.svg" 2>/dev/null
[ "$(root_count "$WORK/stdin.svg")" = 4 ] && ok flamegraph-stdin || fail flamegraph-stdin "stdin input not drawn"

# --- options ---------------------------------------------------------------
printf 'main;work;leaf_a 75\nmain;work;leaf_b 25\nmain;idle 1\n' >"$WORK/small.folded"
"$SCORCH" flamegraph --inverted "$WORK/small.folded" -o "$WORK/icicle.svg" 2>/dev/null
grep -q '<text id="title"[^>]*>Icicle Graph<' "$WORK/icicle.svg" && ok flamegraph-inverted ||
	fail flamegraph-inverted "no Icicle Graph title"
"$SCORCH" flamegraph --title T --subtitle S --countname ms --nametype Func: --width 800 \
	--height 20 --fonttype Courier --fontsize 10 --fontwidth 0.6 --minwidth 2% \
	--colors blue --bgcolors '#ffffff' --hash --factor 2 --notes 'a -- b' \
	"$WORK/small.folded" -o "$WORK/opts.svg" 2>"$WORK/opts.err"
if ! msg=$(wellformed "$WORK/opts.svg"); then
	fail flamegraph-options "$msg"
elif ! grep -q 'width="800"' "$WORK/opts.svg" || ! grep -q '<title>all (202 ms, 100%)' "$WORK/opts.svg" ||
     grep -q '<title>idle' "$WORK/opts.svg" || ! grep -q 'stop-color="#ffffff"' "$WORK/opts.svg" ||
     ! grep -q 'font-family:Courier' "$WORK/opts.svg" || ! grep -q '>S</text>' "$WORK/opts.svg"; then
	fail flamegraph-options "an option had no effect"
else
	ok flamegraph-options
fi
# --reverse puts the leaves at the root
"$SCORCH" flamegraph --reverse "$WORK/small.folded" -o "$WORK/reverse.svg" 2>/dev/null
grep -q '<title>leaf_a (75 samples' "$WORK/reverse.svg" &&
	[ "$(grep -c '<title>main (' "$WORK/reverse.svg")" = 3 ] && ok flamegraph-reverse ||
	fail flamegraph-reverse "stacks were not reversed"
# --total makes everything narrower
"$SCORCH" flamegraph --total 202 "$WORK/small.folded" -o "$WORK/total.svg" 2>/dev/null
grep -q '<title>main (101 samples, 50.00%)' "$WORK/total.svg" && ok flamegraph-total-option ||
	fail flamegraph-total-option "--total 202 did not halve percentages"
# python frames keep file and line
printf 'main (app.py:3);work (app.py:10) 4\n' >"$WORK/py.folded"
"$SCORCH" flamegraph --colors python "$WORK/py.folded" -o "$WORK/py.svg" 2>/dev/null
grep -q '<title>work (app.py:10) (4 samples' "$WORK/py.svg" && ok flamegraph-python-frames ||
	fail flamegraph-python-frames "file:line not shown"

# frames coloured by kind by default: each frame's colour lies in the
# range its kind's legend entry gives (Python, native, kernel); the HTML
# page carries the same legend; --colors overrides (and drops the legend)
printf 'main (app.py:3);run (app.py:9);PyObject_RichCompare;do_syscall_64_[k] 5\nmain (app.py:3);helper (app.py:12) 2\n' >"$WORK/kinds.folded"
"$SCORCH" flamegraph "$WORK/kinds.folded" -o "$WORK/kinds.svg" 2>"$WORK/kinds.err"
xp() { xmllint --xpath "string($1)" "$WORK/kinds.svg" 2>/dev/null; }
# in_range RGB MIN MAX: every channel of RGB within MIN..MAX
in_range() {
	[[ $1 =~ ^rgb\(([0-9]+),([0-9]+),([0-9]+)\)$ ]] || return 1
	local c=("${BASH_REMATCH[@]:1}")
	[[ $2 =~ ^rgb\(([0-9]+),([0-9]+),([0-9]+)\)$ ]] || return 1
	local lo=("${BASH_REMATCH[@]:1}")
	[[ $3 =~ ^rgb\(([0-9]+),([0-9]+),([0-9]+)\)$ ]] || return 1
	local hi=("${BASH_REMATCH[@]:1}") i
	for i in 0 1 2; do
		[ "${c[$i]}" -ge "${lo[$i]}" ] && [ "${c[$i]}" -le "${hi[$i]}" ] || return 1
	done
}
kinds_ok=1 why=
for pair in 'run (app.py:9)=python' 'main (app.py:3)=python' 'PyObject_RichCompare=native' 'do_syscall_64=kernel'; do
	frame=${pair%=*} kind=${pair#*=}
	fill=$(xp "//*[local-name()='g'][*[local-name()='title'][starts-with(., '$frame (')]]/*[local-name()='rect']/@fill")
	item="//*[local-name()='g'][@class='legend-item'][@data-kind='$kind']"
	lo=$(xp "$item/@data-min") hi=$(xp "$item/@data-max") swatch=$(xp "$item/*[local-name()='rect']/@fill")
	if ! in_range "$fill" "$lo" "$hi" || ! in_range "$swatch" "$lo" "$hi"; then
		kinds_ok=0 why="$why $frame: fill '$fill', $kind legend '$swatch' in '$lo'..'$hi';"
	fi
done
# the three kinds' ranges are apart: a Python colour is not a native one
py_fill=$(xp "//*[local-name()='g'][*[local-name()='title'][starts-with(., 'run (app.py:9) (')]]/*[local-name()='rect']/@fill")
in_range "$py_fill" "$(xp "//*[@data-kind='native']/@data-min")" "$(xp "//*[@data-kind='native']/@data-max")" &&
	kinds_ok=0 why="$why python colour $py_fill is in the native range;"
[ $kinds_ok = 1 ] && xmllint --noout "$WORK/kinds.svg" && ok flamegraph-kind-colours ||
	fail flamegraph-kind-colours "$why $(cat "$WORK/kinds.err")"
"$SCORCH" flamegraph "$WORK/kinds.folded" -o "$WORK/kinds.html" 2>/dev/null
grep -q 'class="legend-item" data-kind="python"' "$WORK/kinds.html" && ok flamegraph-kind-legend-html ||
	fail flamegraph-kind-legend-html "no legend in the HTML page"
"$SCORCH" flamegraph --colors hot "$WORK/kinds.folded" -o "$WORK/hot.svg" 2>/dev/null
if ! grep -q 'id="legend"' "$WORK/hot.svg" &&
   grep -q '<title>run (app.py:9) (5 samples[^<]*</title><rect[^>]*fill="rgb(2[0-9][0-9],[0-9]*,[0-9]*)"' "$WORK/hot.svg"; then
	ok flamegraph-colors-override-kind
else
	fail flamegraph-colors-override-kind "--colors hot still draws by kind"
fi

# consistent palette: written, then obeyed
pal=$WORK/palette.map
"$SCORCH" flamegraph --palfile "$pal" "$WORK/small.folded" -o "$WORK/pal1.svg" 2>/dev/null
if ! grep -q '^leaf_a->rgb(' "$pal" 2>/dev/null; then
	fail flamegraph-palette "palette file not written"
else
	sed -i 's/^leaf_a->.*/leaf_a->rgb(1,2,3)/' "$pal"
	"$SCORCH" flamegraph --cp --palfile "$pal" "$WORK/small.folded" -o "$WORK/pal2.svg" 2>/dev/null
	grep -q '<title>leaf_a (.*fill="rgb(1,2,3)"' "$WORK/pal2.svg" && ok flamegraph-palette ||
		fail flamegraph-palette "palette colour not used"
fi

# --- errors: one line, non-zero exit, no output file -------------------------
error_case() {
	local name=$1 want_rc=$2; shift 2
	rm -f "$WORK/err.svg"
	"$SCORCH" flamegraph "$@" -o "$WORK/err.svg" 2>"$WORK/err.txt"
	local rc=$?
	if [ $rc -ne "$want_rc" ]; then
		fail "$name" "exit $rc, wanted $want_rc"
	elif ! grep -q '^scorch: .*(.*)$' "$WORK/err.txt"; then
		fail "$name" "message not in the 'scorch: what: why (fix)' form: $(cat "$WORK/err.txt")"
	elif ls "$WORK"/err.svg* >/dev/null 2>&1; then
		fail "$name" "an output file was left behind"
	else
		ok "$name"
	fi
}
error_case flamegraph-error-palette 2 --colors plaid "$WORK/small.folded"
error_case flamegraph-error-minwidth 2 --minwidth wide "$WORK/small.folded"
error_case flamegraph-error-width 2 --width -5 "$WORK/small.folded"
error_case flamegraph-error-bgcolor 2 --bgcolors '#12' "$WORK/small.folded"
error_case flamegraph-error-missing-input 1 "$WORK/small.folded" "$WORK/no-such-file"
error_case flamegraph-error-format 1 --input-format nonsense "$WORK/small.folded"

# --- stacks added on a second thread give the same graph -----------------------
# 20000 lines (several of the reader's batches), unsorted, with shared
# prefixes, repeated stacks and "(file:line)" frames: SCORCH_THREADS=2
# (stacks on a worker thread) and =1 must write the same bytes, and the
# root must hold the sum of the counts.
awk 'BEGIN {
	srand(3)
	for (i = 0; i < 20000; i++) {
		s = "main"; d = 1 + int(rand() * 12)
		for (j = 0; j < d; j++)
			s = s ";f" int(rand() * (j < 3 ? 3 : 40)) (j == 5 ? " (app.py:" (1 + j) ")" : "")
		print s, 1 + int(rand() * 9)
	}
}' >"$WORK/threads.folded"
want=$(awk '{ n += $NF } END { print n }' "$WORK/threads.folded")
SCORCH_THREADS=2 "$SCORCH" flamegraph "$WORK/threads.folded" -o "$WORK/threads2.svg" 2>"$WORK/threads.err"
SCORCH_THREADS=1 "$SCORCH" flamegraph "$WORK/threads.folded" -o "$WORK/threads1.svg" 2>>"$WORK/threads.err"
SCORCH_THREADS=2 "$SCORCH" convert "$WORK/threads.folded" -o "$WORK/threads2.out.folded" 2>>"$WORK/threads.err"
SCORCH_THREADS=1 "$SCORCH" convert "$WORK/threads.folded" -o "$WORK/threads1.out.folded" 2>>"$WORK/threads.err"
if ! msg=$(wellformed "$WORK/threads2.svg"); then
	fail flamegraph-threads "$msg $(head -c 300 "$WORK/threads.err")"
elif ! cmp -s "$WORK/threads1.svg" "$WORK/threads2.svg"; then
	fail flamegraph-threads "SVG differs between SCORCH_THREADS=1 and 2"
elif ! cmp -s "$WORK/threads1.out.folded" "$WORK/threads2.out.folded" ||
     [ ! -s "$WORK/threads1.out.folded" ]; then
	fail flamegraph-threads "folded output differs between SCORCH_THREADS=1 and 2"
elif [ "$(root_count "$WORK/threads2.svg")" != "$want" ]; then
	fail flamegraph-threads "root shows $(root_count "$WORK/threads2.svg"), counts sum to $want"
else
	ok flamegraph-threads
fi

# --- other commands write flame graphs through the registry ---------------------
if "$SCORCH" convert "$WORK/small.folded" -o "$WORK/convert.svg" 2>"$WORK/convert.err" &&
   [ "$(root_count "$WORK/convert.svg")" = 101 ]; then
	ok flamegraph-via-convert
else
	fail flamegraph-via-convert "$(head -c 300 "$WORK/convert.err")"
fi

# perf script text, recognised by its content
perf_input=$CORPUS/collapse/inputs/example-perf-stacks.txt
if [ ! -f "$perf_input" ]; then
	missing flamegraph-perfscript "corpus file $perf_input is absent: $CORPUS_HINT"
else
	"$SCORCH" flamegraph "$perf_input" -o "$WORK/perf.svg" 2>"$WORK/perf.err"
	if msg=$(wellformed "$WORK/perf.svg") && [ -n "$(root_count "$WORK/perf.svg")" ]; then
		ok flamegraph-perfscript
	else
		fail flamegraph-perfscript "$msg $(head -c 300 "$WORK/perf.err")"
	fi
fi
exit 0
