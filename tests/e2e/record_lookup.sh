#!/bin/bash
# record_lookup.sh - the walkthrough on every installed CPython: recording
# examples/lookup.py must show run_dummy, at the `x in some_list` line, as
# the widest Python frame.  Also a regression test for code objects whose
# addresses are reused (startup code freed, run_dummy allocated at the same
# address): a stale cache once named that frame "<module> (<string>:1)".
. "$(dirname "$0")/lib.sh"
PROG=$TOP/examples/lookup.py
hot=$(grep -n 'O(len(catalogue))' "$PROG" | cut -d: -f1)
plan $(($(python_versions | wc -l) + 1))	# one case each, and -d once

while read -r label py; do
	if ! python_readable "$py"; then
		skip "record-lookup-$label" "CPython $label is older than scorch reads"
		continue
	fi
	f=$WORK/$label.folded
	if ! "$SCORCH" record -q -F 200 -o "$f" -- "$py" "$PROG" 6000 >/dev/null 2>"$WORK/$label.err"; then
		fail "record-lookup-$label" "record failed: $(tail -n 3 "$WORK/$label.err")"
		continue
	fi
	# widest leaf frame and its share of all samples
	top=$(awk '{n=$NF; sub(/ [0-9.]+$/, ""); k=split($0, fr, ";"); leaf[fr[k]]+=n; all+=n}
		END {for (l in leaf) if (leaf[l] > best) {best=leaf[l]; name=l}
		     printf "%d %s", 100*best/all, name}' "$f")
	share=${top%% *}; name=${top#* }
	case "$name" in
	"run_dummy ("*"lookup.py:$hot)")
		if [ "$share" -ge 50 ]; then ok "record-lookup-$label"
		else fail "record-lookup-$label" "run_dummy only $share% of samples"; fi ;;
	*) fail "record-lookup-$label" "widest frame is '$name' ($share%), expected run_dummy (lookup.py:$hot)" ;;
	esac
done < <(python_versions)

# -d on a program scorch started: the recording stops, the output is
# written, the program is ended, and scorch exits 0 (not hang forever).
read -r label py < <(python_versions | tail -n 1)
if timeout 60 "$SCORCH" record -q -d 1 -o "$WORK/d.folded" -- "$py" "$TOP/tests/programs/busy.py" forever >/dev/null 2>&1 &&
   grep -q 'leaf (' "$WORK/d.folded"; then
	ok "record-duration-ends-spawned-$label"
else
	fail "record-duration-ends-spawned-$label" "record -d 1 did not stop, or wrote no leaf frames"
fi
