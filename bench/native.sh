#!/bin/bash
# native.sh - cost of the perf_event engine: target slowdown at 100 Hz and
# 1 kHz for a native C program (DWARF unwinding, no frame pointers) and for
# `--native` Python (mixed stacks), against `perf record --call-graph dwarf`
# (and py-spy --native when PYSPY is set, austinp when AUSTINP is set);
# per-sample unwind cost (scorch's own counter); output size vs perf.data.
#
# Usage: bench/native.sh   (SCORCH, PYTHON, REPS, PYSPY, AUSTINP optional)
# Wall time is the whole command (profiler start-up and output included),
# best of REPS (default 3) runs; slowdown is against the bare program.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SCORCH=${SCORCH:-$top/build/scorch}
PYTHON=${PYTHON:-$(pyenv root 2>/dev/null)/versions/3.12.1/bin/python3}
REPS=${REPS:-3}
tmp=$(mktemp -d /tmp/scorch-bench-native.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

cc -O2 -fomit-frame-pointer -g -o "$tmp/split" "$top/tests/programs/native_split.c" || exit 1
NATIVE_CMD=("$tmp/split" 6)
PY_CMD=("$PYTHON" "$top/tests/programs/native_list_lookup.py" 40000)

# measure CMD...: runs CMD REPS times; sets wall (best wall seconds) and
# cpu (best target CPU seconds, which the workload prints itself)
measure() {
	local r s e t c
	wall= cpu=
	for ((r = 0; r < REPS; r++)); do
		s=$(date +%s.%N)
		SCORCH_BENCH_CPU=1 "$@" >/dev/null 2>"$tmp/last.err"
		e=$(date +%s.%N)
		t=$(echo "$e - $s" | bc -l)
		c=$(sed -n 's/^cpu_seconds=//p' "$tmp/last.err" | tail -n 1)
		if [ -z "$wall" ] || [ "$(echo "$t < $wall" | bc -l)" = 1 ]; then wall=$t; fi
		if [ -n "$c" ] && { [ -z "$cpu" ] || [ "$(echo "$c < $cpu" | bc -l)" = 1 ]; }; then cpu=$c; fi
		cp "$tmp/last.err" "$tmp/best.err"
	done
	wall=$(printf '%.3f' "$wall")
}

slowdown() { [ -n "$1" ] && [ -n "$2" ] && echo "scale=1; 100 * ($1 - $2) / $2" | bc -l || echo "?"; }

echo "# $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); best of $REPS runs"
echo "# slowdown = target's own CPU time (user+sys, printed by the workload) vs. the bare run;"
echo "# wall = whole command including profiler start-up and output"
echo "# unwind_us = scorch's mean/median microseconds per unwind (mean includes loading each object)"
printf '%-7s %-31s %5s %7s %7s %9s %8s %11s %10s\n' workload profiler rate wall_s cpu_s slowdown samples unwind_us out_bytes
row() {	# workload profiler rate samples us bytes   (uses wall, cpu, base_cpu)
	printf '%-7s %-31s %5s %7s %7s %8s%% %8s %11s %10s\n' "$1" "$2" "$3" "$wall" "${cpu:-?}" "$(slowdown "$cpu" "$base_cpu")" "$4" "$5" "$6"
}

for w in native python; do
	if [ $w = native ]; then cmd=("${NATIVE_CMD[@]}"); nat=; else
		[ -x "$PYTHON" ] || { echo "# python rows skipped: $PYTHON missing"; continue; }
		cmd=("${PY_CMD[@]}"); nat=--native; fi
	measure "${cmd[@]}"
	base_cpu=$cpu
	row $w none - - - -
	for rate in 100 1000; do
		measure env SCORCH_NATIVE_STATS=1 "$SCORCH" record -q $nat -F $rate -o "$tmp/out.pb.gz" -f pprof -- "${cmd[@]}"
		stats=$(grep 'scorch: native:' "$tmp/best.err")
		samples=$(echo "$stats" | sed -n 's/.*native: \([0-9]*\) samples.*/\1/p')
		us=$(echo "$stats" | sed -n 's/.* \([0-9.]*\) us\/unwind (median ~\([0-9.]*\)).*/\1\/\2/p')
		row $w "scorch record $nat" $rate "${samples:-?}" "${us:-?}" "$(stat -c %s "$tmp/out.pb.gz" 2>/dev/null || echo ?)"
		if command -v perf >/dev/null; then
			measure perf record -q -F $rate --call-graph dwarf -o "$tmp/perf.data" -- "${cmd[@]}"
			samples=$(perf script -i "$tmp/perf.data" -F period 2>/dev/null | wc -l)
			row $w "perf record --call-graph dwarf" $rate "$samples" - "$(stat -c %s "$tmp/perf.data")"
		fi
		if [ $w = python ] && [ -n "${PYSPY:-}" ]; then
			measure "$PYSPY" record --native -r $rate -f raw -o "$tmp/pyspy.txt" -- "${cmd[@]}"
			row $w "py-spy record --native" $rate - - "$(stat -c %s "$tmp/pyspy.txt" 2>/dev/null || echo ?)"
		fi
		if [ $w = python ] && [ -n "${AUSTINP:-}" ]; then
			measure "$AUSTINP" -i $((1000000 / rate)) -o "$tmp/austin.txt" "${cmd[@]}"
			row $w "austinp" $rate - - "$(stat -c %s "$tmp/austin.txt" 2>/dev/null || echo ?)"
		fi
	done
done
