#!/bin/bash
# record_opcodes.sh - `record --opcodes` on every installed version with
# instruction names (3.11-3.15): a loop that multiplies two big ints
# spends nearly all its time in one instruction; the program names it
# itself (dis, adaptive: the specialized name) and scorch must find the
# same offset and name as the hottest, in the profile and in annotate;
# `top --opcodes` has it as its hottest row, and `dump --opcodes` of the
# running loop shows it as what its innermost frame executes.
. "$(dirname "$0")/lib.sh"

PROG=$WORK/opprog.py
cat >"$PROG" <<'PY'
import dis, sys, time
a = 7 ** 20000
b = 3 ** 20000

def hot(n):
    for _ in range(n):
        c = a * b
    return c

end = time.time() + float(sys.argv[1])
while time.time() < end:
    hot(200)
for ins in dis.get_instructions(hot, adaptive=True):
    if ins.opname.startswith("BINARY_OP") and ins.positions.lineno == 7:
        print("hot", ins.offset, ins.opname)
PY

opnames() { "$1" -c 'import sys; sys.exit(not (3, 11) <= sys.version_info < (3, 16))'; }

any=""
while read -r label py; do
	if ! python_readable "$py"; then
		plan 1
		skip "record-opcodes-$label" "CPython $label is older than scorch reads"
		continue
	fi
	if ! opnames "$py"; then
		# refused with the reason, nothing written
		plan 1
		f=$WORK/refused-$label.folded
		"$SCORCH" record -q --opcodes -o "$f" -- "$py" -c 'pass' 2>"$WORK/refused-$label.err"
		rc=$?
		if [ $rc -eq 1 ] && grep -q "scorch: record: --opcodes: scorch has no instruction names for Python" "$WORK/refused-$label.err" &&
			[ ! -e "$f" ]; then
			ok "record-opcodes-refused-$label"
		else
			fail "record-opcodes-refused-$label" "exit $rc: $(cat "$WORK/refused-$label.err")"
		fi
		continue
	fi
	any=1
	plan 4
	pb=$WORK/op-$label.pb.gz
	if ! "$SCORCH" record -q --opcodes -F 200 -o "$pb" -- "$py" "$PROG" 2 \
		>"$WORK/op-$label.out" 2>"$WORK/op-$label.err"; then
		fail "record-opcodes-$label" "record failed: $(tail -n 2 "$WORK/op-$label.err")"
		fail "annotate-opcodes-$label" "record failed"
		fail "top-opcodes-$label" "record failed"
		fail "dump-opcodes-$label" "record failed"
		continue
	fi
	read -r _ off name < <(grep '^hot ' "$WORK/op-$label.out")
	"$SCORCH" collapse "$pb" >"$WORK/op-$label.folded" 2>&1
	top=$(awk '/;hot \(/ && /;\[@[0-9]+ [A-Z_]+\] [0-9]+$/ {
			n = split($0, parts, ";"); leaf = parts[n]; sub(/ [0-9]+$/, "", leaf)
			c[leaf] += $NF }
		END {for (k in c) if (c[k] > best) {best = c[k]; hot = k}; print hot}' \
		"$WORK/op-$label.folded")
	if [ -z "$name" ]; then
		fail "record-opcodes-$label" "the program did not name its hot instruction"
	elif [ "$top" != "[@$off $name]" ]; then
		fail "record-opcodes-$label" "hottest instruction under hot: '$top', the program says '[@$off $name]'"
	else
		ok "record-opcodes-$label"
	fi
	"$SCORCH" annotate "$pb" hot >"$WORK/ann-$label.txt" 2>&1
	if grep -A3 ': *7  *c = a \* b' "$WORK/ann-$label.txt" | grep -Eq "^ +[0-9.]+ +[0-9]+ :  +@$off +$name\$"; then
		ok "annotate-opcodes-$label"
	else
		fail "annotate-opcodes-$label" "no @$off $name row under line 7: $(head -n 8 "$WORK/ann-$label.txt")"
	fi

	# top: the hottest row of the whole-run table (the last) is the
	# instruction
	out=$("$SCORCH" top --opcodes --sort self -n 3 -F 200 -- "$py" "$PROG" 2 2>&1)
	row=$(echo "$out" | awk '/%Self/ {getline; r = $5 " " $6} END {print r}')
	if [ -n "$name" ] && [ "$row" = "[@$off $name]" ]; then
		ok "top-opcodes-$label"
	else
		fail "top-opcodes-$label" "hottest row '$row', the program says '[@$off $name]': $(echo "$out" | tail -n 5)"
	fi

	# dump: the running loop, caught in its multiply (most of its time)
	"$py" "$PROG" 60 >/dev/null 2>&1 &
	pid=$!
	seen=""
	for _ in $(seq 50); do
		out=$("$SCORCH" dump --opcodes --no-source -p "$pid" 2>&1)
		if echo "$out" | grep -q 'line 7, in hot$' &&
		   echo "$out" | grep -qx "  Executing @$off $name"; then
			seen=1
			break
		fi
		sleep 0.1
	done
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ -n "$name" ] && [ -n "$seen" ]; then
		ok "dump-opcodes-$label"
	else
		fail "dump-opcodes-$label" "no 'Executing @$off $name' under hot in 50 dumps: $(echo "$out" | tail -n 4)"
	fi
done < <(python_versions)
[ -n "$any" ] || { plan 1; skip record-opcodes "no CPython 3.11-3.15 installed"; }
