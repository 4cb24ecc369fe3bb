#!/bin/bash
# perfdata.sh - perf.data -> SVG flame graph, on three recordings: a C
# program with 30-40-frame stacks and a known 3:1 split, with DWARF call
# graphs and (built with frame pointers) with `perf record -g`, and the
# walkthrough's CPython 3.12 program (examples/lookup.py under pyenv's
# 3.12 build, libpython with debug info, ~40-deep stacks) with DWARF
# call graphs.  Each is recorded here with `perf record`, then
# timed once (CPU = perf stat's task-clock; wall and peak RSS from GNU time):
#   scorch flamegraph perf.data
#   perf script                                   (alone, into a file)
#   perf script | stackcollapse-perf.pl | flamegraph.pl   (CPU summed over
#                                                  the stages, peak = largest)
# and prints µs of CPU per sample and the ratios.
#
# usage: [FLAMEGRAPH_DIR=/path/to/FlameGraph] [PERFDATA=file] [MB=100]
#        [PYTHON=python3.12 with debug info] [SCORCH=...]
#        [SCORCH_OLD=another scorch binary] bench/perfdata.sh
# scorch keeps this boot's kernel symbols and inflated copies of
# compressed debug files in its cache directory (SCORCH_CACHE_DIR, here
# a temporary one): the scorch row is a second run (warm, as a user's
# second look at a recording), the "(cold cache)" row a first.
# SCORCH_OLD adds a row for another build (say, before a change) timed on
# the same file right after SCORCH, so the two compare under one load.
# PERFDATA replaces both recordings with one given file.  The Perl rows
# are skipped when FLAMEGRAPH_DIR is unset; the CPython row when PYTHON
# (default: pyenv's 3.12.1) is missing.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SCORCH=${SCORCH:-$top/build/scorch}
MB=${MB:-100}
PYTHON=${PYTHON:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")/versions/3.12.1/bin/python3.12}
tmp=$(mktemp -d /tmp/scorch-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
export SCORCH_CACHE_DIR=$tmp/cache

for tool in perf /usr/bin/time cc awk; do
	command -v "$tool" >/dev/null || { echo "bench/perfdata.sh: $tool is missing" >&2; exit 1; }
done
[ -x "$SCORCH" ] || { echo "bench/perfdata.sh: $SCORCH is missing (run make first)" >&2; exit 1; }
perl_ok=
if [ -n "${FLAMEGRAPH_DIR:-}" ] && [ -f "$FLAMEGRAPH_DIR/flamegraph.pl" ] &&
   [ -f "$FLAMEGRAPH_DIR/stackcollapse-perf.pl" ]; then
	perl_ok=1
fi

record_c() {	# record_c DATA [-g]: the C program, until the file has MB
		# megabytes; -g: frame-pointer call graphs
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
	local graph="--call-graph dwarf" cflags=
	if [ "${2:-}" = -g ]; then
		graph=-g cflags=-fno-omit-frame-pointer
	fi
	cc -O1 -g $cflags -o "$tmp/work" "$tmp/work.c" || return 1
	record_until_big "$1" "$graph" "$tmp/work"
}

record_until_big() {	# record_until_big DATA GRAPH PROGRAM: records for
		# growing durations until the file has MB megabytes
	local secs=4 size
	while :; do
		timeout $((secs + 60)) perf record -q -F 4000 $2 -o "$1" \
			-- timeout "$secs" "$3" 2>/dev/null
		size=$(( $(stat -c %s "$1" 2>/dev/null || echo 0) / 1048576 ))
		[ "$size" -ge "$MB" ] || [ "$secs" -ge 64 ] && break
		secs=$((secs * 2))
	done
}

record_cpp() {	# record_cpp DATA: a C++ program with deep inlining (a
		# template chain inlined 24 levels deep, std::sort with a
		# lambda, std::map of strings), g++ -O2, DWARF call graphs
	cat >"$tmp/inl.cc" <<'CC'
#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>
volatile unsigned long sink;
template <int D> struct Level {
	__attribute__((always_inline)) static inline unsigned long run(unsigned long x)
	{ return Level<D - 1>::run(x * 3 + D) ^ (x >> 3); }
};
template <> struct Level<0> {
	__attribute__((always_inline)) static inline unsigned long run(unsigned long x)
	{ return x * x; }
};
__attribute__((noinline)) unsigned long deep_inline(unsigned long n)
{
	unsigned long s = 0;
	for (unsigned long i = 0; i < n; i++)
		s += Level<24>::run(i);
	return s;
}
__attribute__((noinline)) void sort_work(std::vector<unsigned> &v)
{
	for (auto &x : v)
		x = x * 2654435761u + 1;
	std::sort(v.begin(), v.end(), [](unsigned a, unsigned b) { return (a ^ 0x5a5a) < (b ^ 0x5a5a); });
}
__attribute__((noinline)) long map_work(int n)
{
	std::map<std::string, int> m;
	for (int i = 0; i < n; i++)
		m[std::to_string(i * 7919 % n)] += i;
	long s = 0;
	for (auto &kv : m)
		s += kv.second;
	return s;
}
int main(int argc, char **argv)
{
	long reps = argc > 1 ? atol(argv[1]) : 1000000;
	std::vector<unsigned> v(20000);
	for (long r = 0; r < reps; r++) {
		sink += deep_inline(200000);
		sort_work(v);
		sink += map_work(5000);
	}
	return 0;
}
CC
	g++ -O2 -g -o "$tmp/inl" "$tmp/inl.cc" || return 1
	record_until_big "$1" "--call-graph dwarf" "$tmp/inl"
}

record_python() {	# record_python DATA: the walkthrough's workload
	timeout 600 perf record -q -F 999 --call-graph dwarf -o "$1" \
		-- "$PYTHON" "$top/examples/lookup.py" >/dev/null 2>&1
}

# timed NAME CMD...: runs a shell command line under perf stat (CPU: the
# task-clock of it and every process it starts; GNU time's user + sys
# come in 10 ms ticks, a twentieth of scorch's run here) and GNU time
# (wall, peak RSS); sets T_cpu (seconds), T_wall, T_kb
timed() {
	local name=$1; shift
	perf stat -x, -e task-clock -o "$tmp/$name.stat" \
		/usr/bin/time -f '%e %M' -o "$tmp/$name.time" bash -c "$*" >/dev/null 2>&1
	read -r T_wall T_kb < <(tail -1 "$tmp/$name.time")
	T_cpu=$(awk -F, '$3 == "task-clock" {printf "%.3f", $1 / 1000}' "$tmp/$name.stat")
}

row() {	# row LABEL CPU WALL KB SAMPLES SCORCH_CPU
	printf '  %-52s %7s %7s %8.1f %9s %9s\n' "$1" "$2" "$3" \
		"$(echo "$4" | awk '{print $1/1024}')" \
		"$(echo "$2 $5" | awk '{ if ($2 > 0) printf "%.1f", 1e6 * $1 / $2; else print "-" }')" \
		"$(echo "$2 $6" | awk '{ if ($2 > 0) printf "%.1fx", $1 / $2; else print "-" }')"
}

bench() {	# bench TITLE DATA
	local title=$1 data=$2 size samples s_cpu
	size=$(( $(stat -c %s "$data") / 1048576 ))
	samples=$(timeout 300 perf report -i "$data" --stats 2>/dev/null | awk '/SAMPLE events:/ {print $3; exit}')
	printf '%s: %s MB, %s samples\n' "$title" "$size" "${samples:-?}"
	printf '  %-52s %7s %7s %8s %9s %9s\n' "pipeline" "CPU s" "wall s" "RSS MB" "µs/sample" "CPU ratio"
	# once to fill the cache (untimed), then warm; then cold for comparison
	"$SCORCH" flamegraph "$data" -o "$tmp/scorch.svg" >/dev/null 2>&1
	timed scorch "'$SCORCH' flamegraph '$data' -o '$tmp/scorch.svg'"
	s_cpu=$T_cpu
	row "scorch flamegraph perf.data" "$T_cpu" "$T_wall" "$T_kb" "$samples" "$s_cpu"
	timed scorch_cold "SCORCH_CACHE_DIR='$tmp/cold' '$SCORCH' flamegraph '$data' -o '$tmp/scorch.svg'; rm -rf '$tmp/cold'"
	row "scorch flamegraph perf.data (cold cache)" "$T_cpu" "$T_wall" "$T_kb" "$samples" "$s_cpu"
	if [ -n "${SCORCH_OLD:-}" ]; then
		timed scorch_old "'$SCORCH_OLD' flamegraph '$data' -o '$tmp/scorch_old.svg'"
		row "SCORCH_OLD flamegraph perf.data" "$T_cpu" "$T_wall" "$T_kb" "$samples" "$s_cpu"
	fi
	timed script "timeout 3000 perf script -i '$data' >'$tmp/script.txt'"
	row "perf script (alone)" "$T_cpu" "$T_wall" "$T_kb" "$samples" "$s_cpu"
	if [ -n "$perl_ok" ]; then
		# the whole pipeline under perf stat (CPU of all stages); each
		# stage under its own GNU time, peak RSS the largest
		local kb
		timed perl "/usr/bin/time -f %M -o '$tmp/p1.time' timeout 3000 perf script -i '$data' 2>/dev/null |
			/usr/bin/time -f %M -o '$tmp/p2.time' perl '$FLAMEGRAPH_DIR/stackcollapse-perf.pl' |
			/usr/bin/time -f %M -o '$tmp/p3.time' perl '$FLAMEGRAPH_DIR/flamegraph.pl' >'$tmp/perl.svg'"
		kb=$(cat "$tmp/p1.time" "$tmp/p2.time" "$tmp/p3.time" | sort -n | tail -1)
		row "perf script | stackcollapse-perf.pl | flamegraph.pl" "$T_cpu" "$T_wall" "$kb" "$samples" "$s_cpu"
	fi
	echo
}

echo "load average: $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs; CPU ratio = that row's CPU / scorch's"
[ -n "$perl_ok" ] || echo "(set FLAMEGRAPH_DIR to compare with perf script | stackcollapse-perf.pl | flamegraph.pl)"
echo
if [ -n "${PERFDATA:-}" ]; then
	bench "$PERFDATA" "$PERFDATA"
	exit 0
fi
if record_c "$tmp/c.data" && [ -s "$tmp/c.data" ]; then
	bench "C program, perf record -F 4000 --call-graph dwarf" "$tmp/c.data"
	rm -f "$tmp/c.data" "$tmp/script.txt"
else
	echo "C program: perf record wrote nothing"
fi
# frame-pointer call graphs are small per sample: 16x the samples
if MB=$((MB / 16 + 1)) record_c "$tmp/fp.data" -g && [ -s "$tmp/fp.data" ]; then
	bench "C program, perf record -F 4000 -g (frame pointers)" "$tmp/fp.data"
	rm -f "$tmp/fp.data" "$tmp/script.txt"
else
	echo "C program -g: perf record wrote nothing"
fi
if command -v g++ >/dev/null && record_cpp "$tmp/cpp.data" && [ -s "$tmp/cpp.data" ]; then
	bench "C++ program with deep inlining, perf record -F 4000 --call-graph dwarf" "$tmp/cpp.data"
	rm -f "$tmp/cpp.data" "$tmp/script.txt"
else
	echo "C++ program: skipped (g++ is missing, or perf record wrote nothing)"
fi
if [ ! -x "$PYTHON" ]; then
	echo "CPython 3.12: skipped, $PYTHON is missing (set PYTHON)"
elif record_python "$tmp/py.data" && [ -s "$tmp/py.data" ]; then
	bench "CPython 3.12 examples/lookup.py, perf record -F 999 --call-graph dwarf" "$tmp/py.data"
else
	echo "CPython 3.12: perf record wrote nothing"
fi
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "reference, 2026-12-07 20:47 UTC, load 0.7, CPython 3.12 DWARF (5251 samples, 42 MB):"
echo "  scorch 25.3 µs/sample warm, 64.6 cold; the build before xalloc_heap_huge_pages 40.0;"
echo "  perf script alone 257.3 (10.2x scorch); perf script | stackcollapse | flamegraph.pl 336.9 (13.3x)"
