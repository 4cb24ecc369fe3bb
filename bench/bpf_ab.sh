#!/bin/bash
# bpf_ab.sh - the BPF program's own cost per sample, two builds of scorch
# alternated so both meet the same moments of a noisy machine: the
# Python program (tests/programs/split.py, or PROG) on CPU 1, scorch on
# CPU 0, `record --engine bpf -p` at 1 kHz for 2 s, ROUNDS rounds of
# RUNS runs per build; each run's figure is the program's run time over
# its runs (the kernel's BPF statistics, switched on for the script).
# Prints each round's minimum and median per build, then the medians of
# those.  The program's cost only: scorch's own is in bench/bpf.sh.
# Needs root and taskset.
#
# usage: SCORCH_OLD=... [SCORCH=...] [PYTHON=...] [PROG="file args"]
#        [ROUNDS=3] [RUNS=5] bench/bpf_ab.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SCORCH=${SCORCH:-$top/build/scorch}
PYTHON=${PYTHON:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")/versions/3.12.1/bin/python3.12}
PROG=${PROG:-$top/tests/programs/split.py 1000}
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-5}
tmp=$(mktemp -d /tmp/scorch-bench-bpfab.XXXXXX)
pid=
stats_was=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; sysctl -q kernel.bpf_stats_enabled="$stats_was"; rm -rf "$tmp"' EXIT

[ "$(id -u)" = 0 ] || { echo "bench/bpf_ab.sh: the BPF engine needs root (run as root)" >&2; exit 1; }
for tool in taskset sysctl awk; do
	command -v "$tool" >/dev/null || { echo "bench/bpf_ab.sh: $tool is missing" >&2; exit 1; }
done
[ -n "${SCORCH_OLD:-}" ] && [ -x "$SCORCH_OLD" ] ||
	{ echo "bench/bpf_ab.sh: set SCORCH_OLD to the other build's scorch" >&2; exit 1; }
[ -x "$SCORCH" ] || { echo "bench/bpf_ab.sh: $SCORCH is missing (run make first)" >&2; exit 1; }
sysctl -q kernel.bpf_stats_enabled=1

# ns_per_run SCORCH: one 2 s recording; the program's ns per run, or -
ns_per_run() {
	SCORCH_BPF_STATS=1 taskset -c 0 "$1" record -q --engine bpf -p "$pid" \
		-F 1000 -d 2 -o "$tmp/out.folded" 2>"$tmp/err"
	sed -n 's/.*ran \([0-9]*\) times for \([0-9]*\) ns.*/\1 \2/p' "$tmp/err" |
		awk '$1 > 0 {printf "%.0f\n", $2 / $1; n++} END {if (!n) print "-"}'
}

# min_median: "min median" of the numbers on stdin
min_median() {
	sort -n | awk '$1 != "-" {v[n++] = $1} END {if (n) printf "%s %s", v[0], v[int(n / 2)]; else printf "- -"}'
}

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $(uname -r)"
echo "program: $PYTHON $PROG (CPU 1); scorch on CPU 0; ns of BPF program per sample"
taskset -c 1 $PYTHON $PROG >/dev/null &
pid=$!
sleep 1	# its imports done
printf '%-6s %22s %22s\n' round "old min / median" "new min / median"
olds= news=
for r in $(seq "$ROUNDS"); do
	: >"$tmp/old"; : >"$tmp/new"
	for _ in $(seq "$RUNS"); do
		ns_per_run "$SCORCH_OLD" >>"$tmp/old"
		ns_per_run "$SCORCH" >>"$tmp/new"
	done
	set -- $(min_median <"$tmp/old") $(min_median <"$tmp/new")
	printf '%-6s %22s %22s\n' "$r" "$1 / $2" "$3 / $4"
	olds="$olds$2
" news="$news$4
"
done
set -- $(printf '%s' "$olds" | min_median) $(printf '%s' "$news" | min_median)
printf '%-6s %22s %22s\n' all "median of medians $2" "median of medians $4"
