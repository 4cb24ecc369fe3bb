#!/bin/bash
# record_deep.sh - stacks of any depth, on every installed CPython:
# tests/programs/deep.py recurses 300, 1000 and 10000 frames deep
# (sys.setrecursionlimit) and spins in leaf().  `record` must show leaf
# on >= 95% of the samples taken inside the recursion, with every rec
# frame there (depth + 1 of them) and no [moving] stack (but for the
# moments the recursion goes down and comes back); `dump -p` must
# print the whole stack, as many frames as the program counts itself;
# `top` and `record --native` must see leaf under the recursion too.
# A stack deeper than the reader's bound (16384) is cut, and says so.
. "$(dirname "$0")/lib.sh"
PROG=$TOP/tests/programs/deep.py
# every depth in the plain run; the sanitizer run (8-10x slower per
# sample on 3.6-3.10's heap frames) checks the recursion limit's depth
if [ -n "${SANITIZE:-}" ]; then DEPTHS=${DEPTHS:-1000}; else DEPTHS=${DEPTHS:-300 1000 10000}; fi

# shares FOLDED DEPTH: "<in-rec samples> <leaf samples> <full-depth leaf
# samples> <moving samples in deep.py>"; leaf: the innermost Python frame (C frames
# may follow it under --native)
shares() {
	awk -v want=$(($2 + 1)) '
		function is_py(f) { return f ~ /\(.*\.py(:[0-9]+)?\)$/ }
		{ n = $NF; line = $0; sub(/ [0-9]+$/, "", line)
		  # [moving] in the program itself: the interpreter starting up
		  # (imports) is caught moving too, and honestly so
		  if (line ~ /\[moving\]/ && line ~ /^<module> \([^;]*deep\.py:/) moving += n
		  if (line !~ /;rec \(/) next
		  inrec += n
		  k = split(line, f, ";"); last = 0
		  for (i = 1; i <= k; i++) if (is_py(f[i])) last = i
		  if (!last || f[last] !~ /^leaf \(/) next
		  leaf += n
		  if (gsub(/;rec \(/, "&", line) == want) full += n }
		END { printf "%d %d %d %d\n", inrec, leaf, full, moving }' "$1"
}

# wait_ready FILE PID: until the program printed READY (or died)
wait_ready() {
	while ! grep -q READY "$1" 2>/dev/null; do
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.05
	done
}

check_record() {
	local label=$1 py=$2 d=$3 name=record-deep-$3-$1 f=$WORK/$1-$3.folded
	if ! "$SCORCH" record -q -F 200 -o "$f" -- "$py" "$PROG" "$d" 1.0 >"$WORK/$label-$d.out" 2>"$WORK/$label-$d.err"; then
		fail "$name" "record failed: $(tail -n 3 "$WORK/$label-$d.err")"
		return
	fi
	set -- $(shares "$f" "$d")
	if [ "$1" -lt 80 ]; then
		fail "$name" "only $1 samples inside rec: $(cut -c 1-200 "$f" | head -n 5)"
	elif [ "$4" -gt 2 ] && [ $(($4 * 50)) -gt "$1" ]; then
		# the recursion going down and coming back up may be caught
		# moving (a few samples, up to 2%); the steady stack at the
		# leaf never (the leaf's share and depth are checked below)
		fail "$name" "$4 samples [moving]"
	elif [ $(($2 * 100)) -lt $(($1 * 95)) ]; then
		fail "$name" "leaf on $2 of $1 samples in rec (want >= 95%)"
	elif [ $(($3 * 100)) -lt $(($2 * 95)) ]; then
		fail "$name" "only $3 of $2 leaf samples have all $((d + 1)) rec frames"
	else
		ok "$name ($2 of $1 samples in leaf, $3 at full depth)"
	fi
}

check_dump() {
	local label=$1 py=$2 d=$3 name=dump-deep-$3-$1 out=$WORK/dump-$1-$3 pid frames recs seen
	"$py" "$PROG" "$d" 30 >"$out.prog" 2>&1 &
	pid=$!
	if ! wait_ready "$out.prog" "$pid"; then
		fail "$name" "program died: $(tail -n 3 "$out.prog")"
		return
	fi
	"$SCORCH" dump --no-source -p "$pid" >"$out.txt" 2>&1
	rc=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	frames=$(grep -c '^  File "' "$out.txt")
	recs=$(grep -c ', in rec$' "$out.txt")
	# leaf counts leaf + rec * (d + 1) + <module> = d + 3 frames
	seen=$((d + 3))
	if [ $rc -eq 0 ] && [ "$frames" -eq "$seen" ] && [ "$recs" -eq $((d + 1)) ] &&
	   tail -n 1 "$out.txt" | grep -q ', in leaf$' && ! grep -q 'changed' "$out.txt"; then
		ok "$name ($frames frames)"
	else
		fail "$name" "rc=$rc, $frames frames ($recs rec), want $seen: $(head -n 4 "$out.txt"; tail -n 2 "$out.txt")"
	fi
}

check_top() {
	local label=$1 py=$2 d=$3 name=top-deep-$3-$1 out=$WORK/top-$1-$3.txt last
	"$SCORCH" top -F 200 -i 0.5 -- "$py" "$PROG" "$d" 1.0 >"$out" 2>"$out.err"
	rc=$?
	# the whole run's table: leaf's total share
	last=$(awk '/^scorch top: .*whole run/ {w = 1} w && / leaf \(/ {print int($2)}' "$out" | tail -n 1)
	# and [moving] (the recursion caught going down or up) at most 2%
	moving=$(awk '/^scorch top: .*whole run/ {w = 1} w && /\[moving\]/ {print int($2)}' "$out" | tail -n 1)
	if [ $rc -eq 0 ] && [ -n "$last" ] && [ "$last" -ge 80 ] && [ "${moving:-0}" -le 2 ]; then
		ok "$name (leaf $last% of the whole run)"
	else
		fail "$name" "rc=$rc leaf '${last}'%: $(tail -n 5 "$out") $(tail -n 2 "$out.err")"
	fi
}

check_native() {
	local label=$1 py=$2 d=$3 name=native-deep-$3-$1 f=$WORK/native-$1-$3.folded
	if ! "$SCORCH" record -q --native --no-kernel -F 200 -o "$f" -- "$py" "$PROG" "$d" 1.0 >/dev/null 2>"$f.err"; then
		fail "$name" "record failed: $(tail -n 3 "$f.err")"
		return
	fi
	if grep -q 'perf_event engine unavailable' "$f.err"; then
		skip "$name" "$(head -n 1 "$f.err")"
		return
	fi
	set -- $(shares "$f" "$d")
	# the native stack copy is bounded, so the C stack under a deep
	# recursion is cut; the Python frames must all be there
	if [ "$1" -ge 50 ] && [ "$4" -le 2 ] && [ $(($2 * 100)) -ge $(($1 * 95)) ] &&
	   [ $(($3 * 100)) -ge $(($2 * 95)) ]; then
		ok "$name ($2 of $1 samples in leaf, $3 at full depth)"
	else
		fail "$name" "leaf $2 of $1 in rec, $3 at full depth, $4 moving; $(grep -c unmerged "$f") unmerged stacks"
	fi
}

n_read=$(readable_pythons | wc -l)
n_depths=$(echo $DEPTHS | wc -w)
# per readable interpreter: record and dump at each depth, top, native;
# a skip per older one; deep-cut
plan $((n_read * (2 * n_depths + 2) + $(python_versions | wc -l) - n_read + 1))
have_native=1
"$SCORCH" record --help 2>&1 | grep -q -- '--no-kernel' || have_native=0

while read -r label py; do
	if ! python_readable "$py"; then
		skip "record-deep-$label" "CPython $label is older than scorch reads"
		continue
	fi
	for d in $DEPTHS; do
		check_record "$label" "$py" "$d"
		check_dump "$label" "$py" "$d"
	done
	check_top "$label" "$py" 1000
	if [ $have_native = 1 ]; then
		check_native "$label" "$py" 1000
	else
		skip "native-deep-$label" "scorch record has no perf_event engine"
	fi
done < <(python_versions)

# deeper than the reader's bound (16384 frames): the innermost frames,
# said in dump and under a [truncated] root in record (one 3.11+
# interpreter: their recursion does not grow the C stack)
cut_py=$(python_versions | while read -r label py; do
	"$py" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo "$py"; break; }
done)
if [ -z "$cut_py" ]; then
	skip deep-cut "no CPython 3.11+ installed"
else
	"$cut_py" "$PROG" 17000 30 >"$WORK/cut.prog" 2>&1 &
	pid=$!
	if wait_ready "$WORK/cut.prog" "$pid"; then
		"$SCORCH" dump --no-source -p "$pid" >"$WORK/cut.txt" 2>&1
		"$SCORCH" record -q -F 100 -d 1 -p "$pid" -o "$WORK/cut.folded" 2>"$WORK/cut.err"
		frames=$(grep -c '^  File "' "$WORK/cut.txt")
		if [ "$frames" -eq 16384 ] && grep -q 'outermost frames left out' "$WORK/cut.txt" &&
		   tail -n 1 "$WORK/cut.txt" | grep -q ', in leaf$' &&
		   grep -q '^\[truncated\];rec (.*;leaf (' "$WORK/cut.folded" &&
		   ! grep -qv '^\[truncated\];' "$WORK/cut.folded"; then
			ok "deep-cut ($frames frames in dump, [truncated] root in record)"
		else
			fail deep-cut "$frames frames: $(sed -n 3,4p "$WORK/cut.txt"); $(cut -c 1-100 "$WORK/cut.folded" | head -n 3)"
		fi
	else
		fail deep-cut "program died: $(tail -n 3 "$WORK/cut.prog")"
	fi
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
fi
exit 0
