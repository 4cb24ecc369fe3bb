#!/bin/bash
# flamegraph.sh - render speed and memory of `scorch flamegraph` against
# FlameGraph's flamegraph.pl on the same generated folded file, in one run.
#
# usage: [FLAMEGRAPH_DIR=/path/to/FlameGraph] [LINES=1000000] [SCORCH=...]
#        bench/flamegraph.sh
# Inputs (LINES lines each, generated deterministically; INPUTS picks some):
# random-sorted (random paths, sorted as stackcollapse-*.pl writes them),
# random-shuffled (the same lines unsorted) and calltree (deep stacks down
# a fixed call tree).  The flamegraph.pl rows are skipped when
# FLAMEGRAPH_DIR is unset.  Prints a table: wall seconds, CPU seconds
# (user + system), input lines per CPU second, peak RSS, and
# flamegraph.pl's time divided by scorch's, by wall and by CPU (on a
# loaded machine the CPU ratio is the steadier one).  "scorch 1 thread"
# is scorch with SCORCH_THREADS=1 (no second thread for the stacks).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SCORCH=${SCORCH:-$top/build/scorch}
LINES=${LINES:-1000000}
tmp=$(mktemp -d /tmp/scorch-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$SCORCH" ]; then
	echo "bench/flamegraph.sh: $SCORCH is missing (run make first)" >&2
	exit 1
fi
if [ ! -x /usr/bin/time ]; then
	echo "bench/flamegraph.sh: /usr/bin/time is missing (apt-get install time)" >&2
	exit 1
fi

# random: each line a random path (depth 4-21) over 26 names, so nearly
# every line is a new stack with little sharing -- the hard case.
awk -v N="$LINES" 'BEGIN {
	srand(42)
	nn = split("main run_loop dispatch handle_request parse_json encode_utf8 " \
		"malloc free memcpy read_file write_file compress hash_lookup " \
		"sort_items render_page sys_read_[k] sys_write_[k] vfs_read_[k] " \
		"do_syscall_64_[k] java/util/HashMap.get_[j] org/app/Service.call_[j] " \
		"inline_helper_[i] process_item validate lookup_cache", names, " ")
	for (i = 0; i < N; i++) {
		d = 3 + int(rand() * 18)
		s = "app"
		for (j = 0; j < d; j++)
			s = s ";" names[1 + int(rand() * (j < 4 ? 4 : nn))]
		print s, 1 + int(rand() * 50)
	}
}' >"$tmp/random-shuffled.folded"
LC_ALL=C sort "$tmp/random-shuffled.folded" >"$tmp/random-sorted.folded"
# calltree: walks down a fixed call tree (depth 9-38, 5,000 function
# names, kernel frames with _[k]), favouring the first callees the way
# real programs favour hot paths; deep stacks with shared prefixes.
awk -v N="$LINES" 'BEGIN {
	srand(7)
	for (i = 0; i < N; i++) {
		id = 1; s = "main"; d = 8 + int(rand() * 30)
		for (j = 0; j < d; j++) {
			k = int(-log(1 - rand()) * 1.2)
			if (k > 9)
				k = 9
			id = (id * 10 + k + 1) % 1000003
			if (id % 17 == 0)
				s = s ";sys_" (id % 300) "_[k]"
			else
				s = s ";func_" (id % 5000)
		}
		print s, 1 + int(rand() * 20)
	}
}' >"$tmp/calltree.folded"

# run NAME INPUT CMD...: prints "wall_seconds cpu_seconds peak_kb",
# output to $tmp/NAME.svg
run() {
	local name=$1 input=$2; shift 2
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/$name.time" "$@" "$input" >"$tmp/$name.svg" 2>"$tmp/$name.err"
	local rc=$?
	if [ $rc -ne 0 ]; then
		echo "bench/flamegraph.sh: $name failed (exit $rc): $(tail -n 2 "$tmp/$name.err")" >&2
		echo "- - -"
		return
	fi
	tail -n 1 "$tmp/$name.time" | awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }'
}

printf '%s lines per input, %s, load average %s; ratio = flamegraph.pl / scorch\n\n' \
	"$LINES" "$(date -u +%Y-%m-%d)" "$(cut -d' ' -f1-3 /proc/loadavg)"
# row INPUT MB TOOL LINES WALL CPU KB [SCORCH_WALL SCORCH_CPU]: the
# ratios (this row's times over scorch's) when scorch's times are given
row() {
	awk -v i="$1" -v mb="$2" -v t="$3" -v l="$4" -v w="$5" -v c="$6" -v k="$7" \
		-v sw="${8:-}" -v sc="${9:-}" 'BEGIN {
		r1 = (sw != "" && sw > 0 && w > 0) ? sprintf("%.1fx", w / sw) : ""
		r2 = (sc != "" && sc > 0 && c > 0) ? sprintf("%.1fx", c / sc) : ""
		rate = (c > 0) ? sprintf("%.0f", l / c) : "-"
		mem = (k > 0) ? sprintf("%.0f", k / 1024) : "-"
		printf("%-16s %5s %-15s %8s %8s %11s %8s %8s %8s\n", i, mb, t, w, c,
		       rate, mem, r1, r2)
	}'
}
printf '%-16s %5s %-15s %8s %8s %11s %8s %8s %8s\n' input MB tool wall_s cpu_s lines/cpu_s peak_MB ratio_w ratio_c
for input in ${INPUTS:-random-sorted random-shuffled calltree}; do
	file=$tmp/$input.folded
	lines=$(wc -l <"$file")
	size=$(du -m "$file" | cut -f1)
	read -r s_sec s_cpu s_kb < <(run "scorch-$input" "$file" "$SCORCH" flamegraph)
	row "$input" "$size" scorch "$lines" "$s_sec" "$s_cpu" "$s_kb"
	# the same on one thread (scorch adds stacks on a second thread
	# while it parses when the machine has two CPUs)
	read -r t_sec t_cpu t_kb < <(run "scorch1-$input" "$file" env SCORCH_THREADS=1 "$SCORCH" flamegraph)
	row "$input" "$size" "scorch 1 thread" "$lines" "$t_sec" "$t_cpu" "$t_kb"
	if [ -n "${FLAMEGRAPH_DIR:-}" ] && [ -f "$FLAMEGRAPH_DIR/flamegraph.pl" ]; then
		read -r p_sec p_cpu p_kb < <(run "perl-$input" "$file" perl "$FLAMEGRAPH_DIR/flamegraph.pl")
		row "$input" "$size" flamegraph.pl "$lines" "$p_sec" "$p_cpu" "$p_kb" "$s_sec" "$s_cpu"
	else
		printf '%-16s %5s %-15s %s\n' "$input" "$size" flamegraph.pl "skipped (FLAMEGRAPH_DIR unset)"
	fi
done
