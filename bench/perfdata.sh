#!/bin/bash
# perfdata.sh - perf.data with DWARF call graphs -> SVG flame graph:
# `scorch flamegraph perf.data` against
# `perf script | stackcollapse-perf.pl | flamegraph.pl`, time and peak
# memory (GNU time; the pipeline's peak is the largest stage's), one run.
#
# usage: [FLAMEGRAPH_DIR=/path/to/FlameGraph] [PERFDATA=file] [MB=100]
#        [SCORCH=...] bench/perfdata.sh
# Without PERFDATA a C program with a known 3:1 split is recorded here
# with `perf record -F 4000 --call-graph dwarf` until the file has MB
# megabytes.  The Perl row is skipped when FLAMEGRAPH_DIR is unset.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SCORCH=${SCORCH:-$top/build/scorch}
MB=${MB:-100}
tmp=$(mktemp -d /tmp/scorch-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

for tool in perf /usr/bin/time cc; do
	command -v "$tool" >/dev/null || { echo "bench/perfdata.sh: $tool is missing" >&2; exit 1; }
done
[ -x "$SCORCH" ] || { echo "bench/perfdata.sh: $SCORCH is missing (run make first)" >&2; exit 1; }

data=${PERFDATA:-}
if [ -z "$data" ]; then
	cat >"$tmp/work.c" <<'C'
#include <stdlib.h>
volatile unsigned long sink;
/* stacks 30-40 frames deep, as in real applications */
__attribute__((noinline)) void leaf(unsigned long n) { for (unsigned long i = 0; i < n; i++) sink += i * i; }
__attribute__((noinline)) void descend_a(int d, unsigned long n);
__attribute__((noinline)) void descend_b(int d, unsigned long n) { if (d > 0) descend_a(d - 1, n); else leaf(n); sink++; }
__attribute__((noinline)) void descend_a(int d, unsigned long n) { if (d > 0) descend_b(d - 1, n); else leaf(n); sink++; }
__attribute__((noinline)) void heavy(void) { for (int k = 0; k < 300; k++) descend_a(30 + k % 10, 2000); }
__attribute__((noinline)) void light(void) { for (int k = 0; k < 100; k++) descend_b(30 + k % 10, 2000); }
int main(int argc, char **argv)
{
	long reps = argc > 1 ? atol(argv[1]) : 1000000;
	for (long r = 0; r < reps; r++) { heavy(); light(); }
	return 0;
}
C
	cc -O1 -g -o "$tmp/work" "$tmp/work.c" || exit 1
	data=$tmp/perf.data
	# record for growing durations until the file is big enough
	secs=4
	while :; do
		timeout $((secs + 60)) perf record -q -F 4000 --call-graph dwarf -o "$data" \
			-- timeout "$secs" "$tmp/work" 2>/dev/null
		size=$(( $(stat -c %s "$data" 2>/dev/null || echo 0) / 1048576 ))
		[ "$size" -ge "$MB" ] || [ "$secs" -ge 64 ] && break
		secs=$((secs * 2))
	done
fi
size=$(( $(stat -c %s "$data") / 1048576 ))
samples=$(timeout 300 perf report -i "$data" --stats 2>/dev/null | awk '/SAMPLE events:/ {print $3; exit}')

# run NAME CMD: prints "seconds peak_kb" of a shell command line
run() {
	local name=$1; shift
	/usr/bin/time -f '%e %M' -o "$tmp/$name.time" bash -c "$*" 2>/dev/null >/dev/null
	cat "$tmp/$name.time" | tail -1
}

printf 'perf.data: %s MB, %s samples, DWARF call graphs\n\n' "$size" "${samples:-?}"
printf '%-48s %10s %12s %10s\n' "pipeline" "seconds" "peak RSS MB" "speed-up"
read -r s_sec s_kb < <(run scorch "'$SCORCH' flamegraph '$data' -o '$tmp/scorch.svg'")
if [ -n "${FLAMEGRAPH_DIR:-}" ] && [ -x "$FLAMEGRAPH_DIR/flamegraph.pl" -o -f "$FLAMEGRAPH_DIR/flamegraph.pl" ]; then
	# peak memory of the pipeline: each stage timed separately, largest RSS
	t0=$(date +%s.%N)
	/usr/bin/time -f '%M' -o "$tmp/p1.time" timeout 3000 perf script -i "$data" 2>/dev/null |
		/usr/bin/time -f '%M' -o "$tmp/p2.time" perl "$FLAMEGRAPH_DIR/stackcollapse-perf.pl" |
		/usr/bin/time -f '%M' -o "$tmp/p3.time" perl "$FLAMEGRAPH_DIR/flamegraph.pl" >"$tmp/perl.svg"
	t1=$(date +%s.%N)
	p_sec=$(echo "$t0 $t1" | awk '{printf "%.2f", $2 - $1}')
	p_kb=$(cat "$tmp/p1.time" "$tmp/p2.time" "$tmp/p3.time" | sort -n | tail -1)
	printf '%-48s %10s %12.1f %10s\n' "perf script | stackcollapse-perf.pl | flamegraph.pl" \
		"$p_sec" "$(echo "$p_kb" | awk '{print $1/1024}')" "1.0x"
	printf '%-48s %10s %12.1f %10s\n' "scorch flamegraph perf.data" "$s_sec" \
		"$(echo "$s_kb" | awk '{print $1/1024}')" \
		"$(echo "$p_sec $s_sec" | awk '{ if ($2 > 0) printf "%.1fx", $1 / $2; else print "inf" }')"
else
	printf '%-48s %10s %12.1f %10s\n' "scorch flamegraph perf.data" "$s_sec" \
		"$(echo "$s_kb" | awk '{print $1/1024}')" "-"
	echo "(set FLAMEGRAPH_DIR to compare with perf script | stackcollapse-perf.pl | flamegraph.pl)"
fi
