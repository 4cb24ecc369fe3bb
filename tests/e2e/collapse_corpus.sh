#!/bin/bash
# collapse_corpus.sh - end-to-end checks of `scorch collapse`: for every
# case of the corpus manifest (perf script input, flag, folded output of
# stackcollapse-perf.pl) the output must be byte-identical; plus stdin,
# gzip input, CRLF input, --event-filter on a two-event input, -o, bad
# lines, and a missing file.
. "$(dirname "$0")/lib.sh"
plan 8	# the cases that need no corpus; the corpus ones are counted below

collapse=$CORPUS/collapse
manifest=$collapse/manifest.tsv

# --- the reference corpus ------------------------------------------------
if [ ! -f "$manifest" ]; then
	plan 1
	missing collapse-corpus "corpus manifest $manifest is absent: $CORPUS_HINT"
else
	# one case per manifest row, and the gzip-file and CRLF cases
	plan $(($(while IFS=$'\t' read -r input _; do [ -n "$input" ] && echo; done <"$manifest" | wc -l) + 2))
	while IFS=$'\t' read -r input flags expected; do
		[ -n "$input" ] || continue
		name="collapse-$(basename "$input" .txt)-${flags#--}"
		args=()
		[ "$flags" = none ] || args=("$flags")
		out=$WORK/out.folded
		if ! "$SCORCH" collapse "${args[@]}" "$collapse/$input" >"$out" 2>"$WORK/err"; then
			fail "$name" "exit status $?: $(tail -n 3 "$WORK/err")"
		elif cmp -s "$out" "$collapse/$expected"; then
			ok "$name"
		else
			fail "$name" "output differs from $expected: $(diff "$out" "$collapse/$expected" | head -n 4)"
		fi
	done <"$manifest"
fi

# A small two-event input written here, so these cases never skip.
two=$WORK/two-events.txt
printf '%s\n' \
	'burn  8828 [001]  8582.005818:    250000 cpu-clock:pppH: ' \
	$'\t    11c1 leaf+0x11 (/home/dev/burn)' \
	$'\t    1065 main+0x15 (/home/dev/burn)' \
	'' \
	'burn  8828 [001]  8582.006818:        10 page-faults: ' \
	$'\t    11d3 fault_here+0x23 (/home/dev/burn)' \
	$'\t    1065 main+0x15 (/home/dev/burn)' \
	'' \
	'burn  8828 [001]  8582.007818:    250000 cpu-clock:pppH: ' \
	$'\t    11c1 leaf+0x11 (/home/dev/burn)' \
	$'\t    1065 main+0x15 (/home/dev/burn)' \
	'' >"$two"

# --- stdin ------------------------------------------------------------------
got=$("$SCORCH" collapse <"$two" 2>/dev/null)
if [ "$got" = "burn;main;leaf 500000" ]; then
	ok collapse-stdin
else
	fail collapse-stdin "got '$got'"
fi
got=$("$SCORCH" collapse - <"$two" 2>/dev/null)
[ "$got" = "burn;main;leaf 500000" ] && ok collapse-stdin-dash ||
	fail collapse-stdin-dash "got '$got'"

# --- gzip input, through a pipe and as a file --------------------------------
if ! command -v gzip >/dev/null 2>&1; then
	missing collapse-gzip-stdin "gzip is not installed"
	[ -f "$manifest" ] && missing collapse-gzip-file "gzip is not installed"
else
	got=$(gzip -c "$two" | "$SCORCH" collapse 2>/dev/null)
	[ "$got" = "burn;main;leaf 500000" ] && ok collapse-gzip-stdin ||
		fail collapse-gzip-stdin "got '$got'"
	if [ -f "$manifest" ]; then
		gzip -c "$collapse/inputs/perf-vertx-stacks-01.txt" >"$WORK/vertx.txt.gz"
		if "$SCORCH" collapse --tid "$WORK/vertx.txt.gz" 2>/dev/null |
			cmp -s - "$collapse/expected/perf-vertx-stacks-01.tid.folded"; then
			ok collapse-gzip-file
		else
			fail collapse-gzip-file "gzip'ed vertx input differs from the reference"
		fi
	fi
fi

# --- CRLF line ends read like LF ones (the reference prints nothing) ---------
if [ -f "$manifest" ]; then
	sed 's/$/\r/' "$collapse/inputs/local-c-fp.txt" >"$WORK/crlf.txt"
	if "$SCORCH" collapse "$WORK/crlf.txt" 2>/dev/null |
		cmp -s - "$collapse/expected/local-c-fp.none.folded"; then
		ok collapse-crlf
	else
		fail collapse-crlf "CRLF copy of local-c-fp.txt differs from the LF result"
	fi
fi

# --- the event filter ---------------------------------------------------------
got=$("$SCORCH" collapse --event-filter page-faults "$two" 2>/dev/null)
[ "$got" = "burn;main;fault_here 10" ] && ok collapse-event-filter ||
	fail collapse-event-filter "got '$got'"
"$SCORCH" collapse "$two" >/dev/null 2>"$WORK/err"
if grep -q "keeping only 'cpu-clock:pppH'" "$WORK/err"; then
	ok collapse-event-default-warns
else
	fail collapse-event-default-warns "no warning about the second event: $(cat "$WORK/err")"
fi

# --- -o writes the file -------------------------------------------------------
"$SCORCH" collapse --pid "$two" -o "$WORK/out.folded" 2>/dev/null
got=$(cat "$WORK/out.folded" 2>/dev/null)
[ "$got" = "burn-?;main;leaf 500000" ] && ok collapse-output-file ||
	fail collapse-output-file "got '$got'"

# --- bad lines are reported with file:line -----------------------------------
printf 'x1 5 1.0: 1 ev:\n\tGARBAGE\n\t1 f (/x)\n\n' >"$WORK/bad.txt"
got=$("$SCORCH" collapse "$WORK/bad.txt" 2>"$WORK/err")
if [ "$got" = "x1;f 1" ] && grep -q "bad.txt:2: " "$WORK/err"; then
	ok collapse-bad-line-warning
else
	fail collapse-bad-line-warning "got '$got', stderr: $(cat "$WORK/err")"
fi

# --- a missing file -----------------------------------------------------------
"$SCORCH" collapse "$WORK/does-not-exist.txt" >"$WORK/out" 2>"$WORK/err"
rc=$?
if [ $rc -ne 0 ] && [ "$(wc -l <"$WORK/err")" -eq 1 ] &&
	grep -q '^scorch: .*does-not-exist.txt' "$WORK/err" && [ ! -s "$WORK/out" ]; then
	ok collapse-missing-file
else
	fail collapse-missing-file "exit $rc, stderr: $(cat "$WORK/err")"
fi
