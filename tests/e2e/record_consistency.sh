#!/bin/bash
# record_consistency.sh - stacks read from a program that pushes and pops
# frames as fast as it can (tests/programs/churn.py) must be possible call
# chains: each function only ever under its own caller.  A reader that
# mixes a frame being replaced with its old caller (a known failure of a
# peer on 3.12) produces "impossible" stacks: before scorch checked its
# reads, 1-13 % of these samples were.  The check (src/python/reader.c)
# cannot see a chain that changed and changed back within a microsecond,
# which this program does all the time, so the stated error is at most
# 1 % of samples (0-0.4 % measured).  At 2 kHz on every CPython scorch reads.  A chain cut short (left_mid with no main under
# it) counts as impossible too; start-up samples (no churn function) are
# ignored.
. "$(dirname "$0")/lib.sh"
PROG=$TOP/tests/programs/churn.py

# parent each function must have, as awk pairs
check_stacks() {
	awk '
	BEGIN {
		want["left"] = "main"; want["left_mid"] = "left"; want["left_leaf"] = "left_mid"
		want["right"] = "main"; want["right_mid"] = "right"; want["right_leaf"] = "right_mid"
	}
	{
		n = $NF; sub(/ [0-9]+$/, "")
		k = split($0, fr, ";")
		for (i = 1; i <= k; i++) { f = fr[i]; sub(/ \(.*$/, "", f); fr[i] = f }
		inside = 0
		for (i = 1; i <= k; i++) {
			if (fr[i] == "main") inside = 1
			if (!(fr[i] in want)) continue
			if (!inside || fr[i - 1] != want[fr[i]]) { bad += n; if (!example) example = $0; break }
		}
		if (inside) good += n
	}
	END { printf "%d %d %s\n", good + 0, bad + 0, example }' "$1"
}

n=$(readable_pythons | wc -l)
[ "$n" -gt 0 ] || skip_rest "no CPython 3.$PY_OLDEST_MINOR+ installed"
plan "$n"	# one case per interpreter scorch reads
while read -r label py; do
	f=$WORK/$label.folded
	if ! "$SCORCH" record -q -F 2000 -o "$f" -- "$py" "$PROG" 1.5 >/dev/null 2>"$WORK/$label.err"; then
		fail "record-consistent-stacks-$label" "record failed: $(tail -n 2 "$WORK/$label.err")"
		continue
	fi
	set -- $(check_stacks "$f")
	good=$1 bad=$2
	shift 2
	if [ "$good" -lt 500 ]; then
		fail "record-consistent-stacks-$label" "only $good samples inside main"
	elif [ $((bad * 100)) -le "$good" ]; then
		ok "record-consistent-stacks-$label"
	else
		fail "record-consistent-stacks-$label" "$bad of $good samples impossible (more than 1 %), e.g. $*"
	fi
done < <(readable_pythons)
exit 0
