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

n=$(readable_pythons | wc -l)
[ "$n" -gt 0 ] || skip_rest "no CPython 3.$PY_OLDEST_MINOR+ installed"
plan "$n"	# one case per interpreter scorch reads
while read -r label py; do
	f=$WORK/$label.folded
	if ! "$SCORCH" record -q -F 2000 -o "$f" -- "$py" "$PROG" 1.5 >/dev/null 2>"$WORK/$label.err"; then
		fail "record-consistent-stacks-$label" "record failed: $(tail -n 2 "$WORK/$label.err")"
		continue
	fi
	set -- $(churn_stacks "$f")
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
