#!/bin/bash
# bpf.sh - what the BPF engine costs, next to the Python reader, in one
# run: attach to tests/programs/split.py under pyenv's CPython 3.12 (or
# PYTHON: a sid launcher needs SCORCH_CHROOT_BINDS set to this tree) and
# record -F 1000 for SECS seconds with --engine bpf and with the reader
# (the default engine); then record the whole machine (-a) at 99 Hz while
# that program still runs.
# µs/sample = (scorch's CPU, its task-clock from perf stat, start-up and symbol
# loading included, + the BPF program's own run time from the kernel's
# BPF statistics, switched on for the run) / samples written.  The
# machine share is that CPU over SECS × CPUs.  The kernel's cost of the
# timer interrupt itself is in neither column.  A -F 100000 row shows the
# rate the kernel's timer gives one busy thread and its cost there.  A
# second table splits
# each -p row into its start-up (a 0.2 s run) and its steady state (the
# long run's further CPU per further sample), and the peak rate one core
# could sustain at that cost per sample.  Needs root.
#
# PIN=1 runs the Python program on CPU 1 and scorch on CPU 0: on a VM
# whose vCPUs the host moves about, unpinned runs here swung 2-4x in
# the program's cost per sample from one minute to the next.
#
# usage: [SCORCH=...] [PYTHON=...] [SECONDS_=4] [PIN=1] bench/bpf.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SCORCH=${SCORCH:-$top/build/scorch}
PYTHON=${PYTHON:-$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")/versions/3.12.1/bin/python3.12}
SECS=${SECONDS_:-4}
pyver=$("$PYTHON" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)
on_target= on_scorch=
if [ "${PIN:-}" = 1 ]; then
	on_target="taskset -c 1" on_scorch="taskset -c 0"
fi
tmp=$(mktemp -d /tmp/scorch-bench-bpf.XXXXXX)
pid=
stats_was=$(sysctl -n kernel.bpf_stats_enabled 2>/dev/null || echo 0)
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; sysctl -q kernel.bpf_stats_enabled="$stats_was"; rm -rf "$tmp"' EXIT

for tool in perf awk sysctl; do
	command -v "$tool" >/dev/null || { echo "bench/bpf.sh: $tool is missing" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "bench/bpf.sh: the BPF engine needs root (run as root)" >&2; exit 1; }
[ -x "$SCORCH" ] || { echo "bench/bpf.sh: $SCORCH is missing (run make first)" >&2; exit 1; }
[ -x "$PYTHON" ] || { echo "bench/bpf.sh: $PYTHON is missing (set PYTHON)" >&2; exit 1; }
sysctl -q kernel.bpf_stats_enabled=1

# run LABEL ARGS...: scorch record ARGS; prints "cpu_s bpf_s samples"
# (a failed or refused recording: said on stderr, and no samples)
run() {
	rm -f "$tmp/out.folded"
	# (-q hides the warning of a refused program: the BPF rows must
	# print the program's statistics)
	if ! SCORCH_BPF_STATS=1 perf stat -x, -e task-clock -o "$tmp/time" \
		$on_scorch "$SCORCH" record -q "$@" -o "$tmp/out.folded" 2>"$tmp/err" ||
	   { case " $* " in *" bpf "*|*" -a "*) true ;; *) false ;; esac &&
	     ! grep -q 'program ran' "$tmp/err"; }; then
		echo "bench/bpf.sh: scorch record $* failed: $(tail -n 1 "$tmp/err")" >&2
		echo "0 0 0"
		return
	fi
	awk -F, '$3 == "task-clock" {printf "%.4f ", $1 / 1000}' "$tmp/time"
	sed -n 's/.*for \([0-9]*\) ns.*/\1/p' "$tmp/err" | awk '{printf "%.4f ", $1 / 1e9} END {if (!NR) printf "0 "}'
	awk '{n += $NF} END {print n + 0}' "$tmp/out.folded"
}

echo "$(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) CPUs, $(uname -r)${on_target:+, pinned: program CPU 1, scorch CPU 0}"
printf '%-34s %8s %8s %8s %10s %9s\n' row "CPU s" "BPF s" samples "µs/sample" "machine%"
$on_target "$PYTHON" "$top/tests/programs/split.py" 1000 >/dev/null &
pid=$!
sleep 1	# its imports done: the steady state is measured
steady=
for engine in bpf python; do
	# a 0.2 s run first: its cost is nearly all start-up, and what
	# the long run costs beyond it is the cost of its extra samples
	short=$(run --engine "$engine" -p "$pid" -F 1000 -d 0.2)
	set -- $(run --engine "$engine" -p "$pid" -F 1000 -d "$SECS")
	printf '%-34s %8s %8s %8s %10s %9s\n' "$engine -p ($pyver split.py, 1 kHz)" "$1" "$2" "$3" \
		"$(awk -v c="$1" -v b="$2" -v n="$3" 'BEGIN {if (n) printf "%.1f", 1e6 * (c + b) / n; else print "-"}')" \
		"$(awk -v c="$1" -v b="$2" -v s="$SECS" -v k="$(nproc)" 'BEGIN {printf "%.2f", 100 * (c + b) / (s * k)}')"
	further=$(echo "$short $*" | awk '{d = $6 - $3; if (d > 0 && $4 + $5 > $1 + $2) printf "%.2f", 1e6 * ($4 + $5 - $1 - $2) / d; else print "-"}')
	steady="$steady$(printf '%-34s %12s %16s %12s' "$engine -p" \
		"$(echo "$short" | awk '{printf "%.3f", $1 + $2}')" "$further" \
		"$(echo "$further" | awk '$1 != "-" {printf "%.0f", 1000 / $1; next} {print "-"}')")
"
done
# the highest rate: the kernel's cpu-clock timer fires at most every
# 10 us per event, so -F 100000 asks for all one thread can give
set -- $(run --engine bpf -p "$pid" -F 100000 -d 3)
printf '%-34s %8s %8s %8s %10s %9s\n' "bpf -p ($pyver split.py, -F 100000)" "$1" "$2" "$3" \
	"$(awk -v c="$1" -v b="$2" -v n="$3" 'BEGIN {if (n) printf "%.1f", 1e6 * (c + b) / n; else print "-"}')" \
	"$(awk -v c="$1" -v b="$2" -v k="$(nproc)" 'BEGIN {printf "%.2f", 100 * (c + b) / (3 * k)}')"
high_khz=$(awk -v n="$3" 'BEGIN {printf "%.0f", n / 3000}')
# steady state, measured inside one run: a window of SECS seconds that
# starts 1 s after the program is attached (so start-up is behind it):
# scorch's task-clock in it (perf stat -p) + the program's run time in
# it, over the program's runs in it (each run one sample of the target)
prog_stats() {	# "run_time_ns run_cnt" of program id $1
	bpftool prog show id "$1" | awk '{for (i = 1; i < NF; i++) {
		if ($i == "run_time_ns") t = $(i + 1); if ($i == "run_cnt") c = $(i + 1) }}
		END {print t + 0, c + 0}'
}
window=-
if command -v bpftool >/dev/null; then
	before_ids=$(bpftool prog show | awk '/perf_event +name sample/ {print $1}')
	$on_scorch "$SCORCH" record -q --engine bpf -p "$pid" -F 1000 -d $((SECS + 30)) -o "$tmp/win.folded" 2>/dev/null &
	spid=$!
	prog=
	for _ in $(seq 200); do	# poll for the program, 20 s at most
		prog=$(bpftool prog show | awk '/perf_event +name sample/ {print $1}' |
			grep -vxF "$before_ids" | tail -n 1 | tr -d :)
		[ -n "$prog" ] && break
		sleep 0.1
	done
	if [ -n "$prog" ]; then
		sleep 1
		b=$(prog_stats "$prog")
		perf stat -x, -e task-clock -p "$spid" -o "$tmp/win" -- sleep "$SECS" 2>/dev/null
		a=$(prog_stats "$prog")
		window=$(echo "$b $a $(awk -F, '$3 == "task-clock" {print $1 / 1000}' "$tmp/win")" |
			awk '{runs = $4 - $2; bpf = ($3 - $1) / 1e9; if (runs > 0)
				printf "%d %.4f %.4f %.2f %.2f", runs, $5, bpf, 1e6 * $5 / runs, 1e6 * ($5 + bpf) / runs; else print "-"}')
	fi
	kill -INT "$spid" 2>/dev/null
	wait "$spid" 2>/dev/null
fi

# the whole machine, with the Python program still busy on one CPU
set -- $(run -a -F 99 -d "$SECS")
printf '%-34s %8s %8s %8s %10s %9s\n' "bpf -a (every process, 99 Hz)" "$1" "$2" "$3" \
	"$(awk -v c="$1" -v b="$2" -v n="$3" 'BEGIN {if (n) printf "%.1f", 1e6 * (c + b) / n; else print "-"}')" \
	"$(awk -v c="$1" -v b="$2" -v s="$SECS" -v k="$(nproc)" 'BEGIN {printf "%.2f", 100 * (c + b) / (s * k)}')"
kill "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
pid=
echo "(the python row's CPU includes its process_vm_readv system calls; the bpf rows' BPF s is the program's run time;"
echo " at -F 100000 the program took $high_khz kHz from the one busy thread, start-up included in µs/sample)"
echo
echo "start-up and steady state: a 0.2 s run's CPU (scorch + BPF program), and the"
echo "$SECS s run's CPU beyond it over its extra samples,"
echo "and the rate one core could sustain at that cost (1000 / µs)"
printf '%-34s %12s %16s %12s\n' row "0.2 s run s" "µs/extra sample" "peak kHz"
printf '%s' "$steady"
echo
echo "steady state inside one --engine bpf -p run: a $SECS s window from 1 s after the"
echo "program was attached; scorch's task-clock in it + the program's run time in it,"
echo "over the program's runs in it"
printf '%-34s %8s %10s %8s %16s %16s\n' row samples "scorch s" "BPF s" "scorch µs/sample" "total µs/sample"
set -- $window
printf '%-34s %8s %10s %8s %16s %16s\n' "bpf -p ($pyver, 1 kHz)" "$1" "${2:--}" "${3:--}" "${4:--}" "${5:--}"
