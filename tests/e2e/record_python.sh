#!/bin/bash
# record_python.sh - `scorch record` on every installed CPython: a program
# with a known 3:1 CPU split (tests/programs/split.py) must come out within
# 5 percentage points, with qualified names on 3.11+, the non-ASCII name
# decoded, the hot line right, thread names as roots under --threads, the
# idle background thread marked under --idle and all but gone under --gil;
# interpreters too old to read (lib.sh: old_pythons) refused in one line.
. "$(dirname "$0")/lib.sh"
PROG=$TOP/tests/programs/split.py

# minor version of an interpreter ("3.12" -> 12)
minor_of() { "$1" -c 'import sys; print(sys.version_info[1])'; }

# one case per interpreter too old to read, eight per readable one, and
# --no-lines once
n=$(readable_pythons | wc -l)
[ "$n" -gt 0 ] || skip_rest "no CPython 3.$PY_OLDEST_MINOR+ installed"
plan $(($(old_pythons | wc -l) + 8 * n + 1))

# interpreters too old to read: refused with one clear error
while read -r label py; do
	out=$("$SCORCH" record -q -o "$WORK/old.folded" -- "$py" -c 'import time; time.sleep(0.5)' 2>&1)
	if [ "$(echo "$out" | wc -l)" -eq 1 ] && echo "$out" | grep -q "^scorch: .*cannot read"; then
		ok "record-unsupported-$label"
	else
		fail "record-unsupported-$label" "expected one 'cannot read' error line, got: $out"
	fi
done < <(old_pythons)

# --idle: the sleeping background thread shows up, marked [idle]
check_idle() {
	local f=$WORK/idle-$1.folded
	if "$SCORCH" record -q --idle --threads -F 100 -o "$f" -- "$2" "$PROG" 0.5 >/dev/null 2>"$WORK/idle-$1.err" &&
	   grep -q "^idler-[0-9]*;.*idler (.*;\[idle\] [0-9]*$" "$f"; then
		ok "record-idle-$1"
	else
		fail "record-idle-$1" "no idler;...;[idle] stack: $(head -c 300 "$f"; tail -n 2 "$WORK/idle-$1.err")"
	fi
}

# --gil with --idle: only the GIL holder; the sleeping idler all but vanishes
check_gil() {
	local f=$WORK/gil-$1.folded share
	if "$SCORCH" record -q --idle --gil --threads -o "$f" -- "$2" "$PROG" 0.5 >/dev/null 2>&1; then
		share=$(awk '{n=$NF; t+=n; if ($0 ~ /^idler-/) i+=n} END {if (t < 20) print "few"; else printf "%d", 100*i/t}' "$f")
		if [ "$share" != few ] && [ "$share" -lt 10 ]; then
			ok "record-gil-$1"
		else
			fail "record-gil-$1" "idler share $share% with --gil"
		fi
	else
		fail "record-gil-$1" "record failed"
	fi
}

newest=""
while read -r label py; do
	minor=$(minor_of "$py")
	newest="$label $py"
	f=$WORK/$label.folded
	if ! "$SCORCH" record -q -F 400 --threads -o "$f" -- "$py" "$PROG" 1.5 >"$WORK/$label.out" 2>"$WORK/$label.err"; then
		fail "record-split-$label" "record failed: $(tail -n 3 "$WORK/$label.err")"
		continue
	fi
	line=$(awk '/^TALLY_LINE/ {print $2}' "$WORK/$label.out")
	# share of tally in tally+café over all samples
	pct=$(awk '{n=$NF; if ($0 ~ /tally \(/) a+=n; else if ($0 ~ /café_λ \(/) b+=n}
		END {if (a+b < 100) print "few"; else printf "%d", 100*a/(a+b)}' "$f")
	if [ "$pct" = few ]; then
		fail "record-split-$label" "too few samples: $(wc -l <"$f") lines"
	elif [ "$pct" -ge 70 ] && [ "$pct" -le 80 ]; then
		ok "record-split-$label"
	else
		fail "record-split-$label" "tally share $pct%, expected 75 +- 5"
	fi
	if [ "$minor" -ge 11 ]; then want="Ledger.tally ("; else want=";tally ("; fi
	if grep -qF "$want" "$f"; then ok "record-names-$label"; else fail "record-names-$label" "no '$want' frame"; fi
	if grep -qF ";café_λ (" "$f"; then ok "record-unicode-$label"; else fail "record-unicode-$label" "no café_λ frame"; fi
	hot=$(grep -oE "tally \([^)]*split.py:[0-9]+\) [0-9]+$" "$f" | sed -E 's/.*:([0-9]+)\) ([0-9]+)$/\2 \1/' |
		awk '{c[$2]+=$1} END {for (l in c) print c[l], l}' | sort -rn | head -n 1 | cut -d' ' -f2)
	if [ -n "$line" ] && [ "$hot" = "$line" ]; then
		ok "record-line-$label"
	else
		fail "record-line-$label" "hottest tally line $hot, program says $line"
	fi
	if grep -q "^MainThread-[0-9]*;" "$f"; then ok "record-threadname-$label"; else fail "record-threadname-$label" "no MainThread root: $(cut -d';' -f1 "$f" | sort -u | head -n 3 | tr '\n' ' ')"; fi
	if grep -q ";" "$f" && ! grep -q "^$" "$f"; then
		ok "record-folded-valid-$label"
	else
		fail "record-folded-valid-$label" "empty or malformed output"
	fi
	check_idle "$label" "$py"
	check_gil "$label" "$py"
done < <(readable_pythons)

# --no-lines: frames without line numbers
set -- $newest
f=$WORK/nolines.folded
if "$SCORCH" record -q --no-lines -o "$f" -- "$2" "$PROG" 0.5 >/dev/null 2>&1 &&
   grep -q "tally (.*split.py) " "$f" && ! grep -q "split.py:[0-9]" "$f"; then
	ok "record-no-lines-$1"
else
	fail "record-no-lines-$1" "$(head -n 2 "$f")"
fi
exit 0
