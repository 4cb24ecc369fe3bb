#!/bin/bash
# bench/record.sh - cost of `scorch record` on every installed CPython.
#
# For each interpreter scorch reads (3.6+) it prints one row:
#   slow@100Hz, slow@1kHz  target slowdown: median over PAIRS paired runs of
#                          (time with profiler / time without) - 1, where the
#                          program times its own work in CPU time
#                          (tests/programs/busy.py), so a loaded machine's
#                          waits for a CPU do not count
#   us/sample              profiler CPU time (user+sys, getrusage) per sample
#                          when sampling flat out (asked for 1 MHz, so the
#                          timer never sleeps), start-up excluded: the
#                          difference between a 4 s and a 1 s attach,
#                          divided by the difference in samples
#   peak Hz                that difference in samples per second: the
#                          highest sustained rate on one core
#   us/tick@1kHz           the same CPU difference at 1 kHz: the sampling
#                          plus what it costs to sleep and wake 1000 times a
#                          second, which on a virtual machine can dwarf the
#                          sampling; the "timer floor" line under the table
#                          gives that wake-up cost alone (a C loop that only
#                          sleeps on the same absolute 1 kHz deadlines)
#   Hz@1k, Hz@10k          samples per second delivered when asked for 1 kHz
#                          and 10 kHz (the same 4 s - 1 s difference)
# The "read floor" line gives what one process_vm_readv of one page costs
# on this machine, and each further page: a sample reads a few pages, so
# this bounds us/sample from below whatever the profiler does.
# Rows for austin and py-spy are added when AUSTIN / PYSPY point at their
# binaries (same method; their sample counts come from their output).
# A Tachyon row (CPython 3.15's own sampling profiler,
# `python3.15 -m profiling.sampling attach|run`, collapsed output) is added
# next to the sid-3.15 row, run inside the same chroot as its target
# (scripts/pythons.sh), unless TACHYON=0, with a scorch-wall row
# (`scorch record --idle`) that samples in its mode (wall time: every tick,
# whether the thread ran or not), where the scorch rows sample CPU time.
#
# Usage: bench/record.sh  (SCORCH=path, PAIRS=n, ROUNDS=n, ONLY=glob of
#                         version labels, e.g. ONLY='3.1[23]*')
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SCORCH=${SCORCH:-$top/build/scorch}
PAIRS=${PAIRS:-3}
ROUNDS=${ROUNDS:-120}
PROG=$top/tests/programs/busy.py
HARNESS=${HARNESS:-/usr/bin/python3}
tmp=$(mktemp -d /tmp/scorch-bench.XXXXXX)
trap 'rm -rf "$tmp" "${WORK:-}"' EXIT

. "$top/tests/e2e/lib.sh" >/dev/null 2>&1 || true
# the chroot launchers (scripts/pythons.sh) must see tests/programs
export SCORCH_CHROOT_BINDS=$top

cat >"$tmp/bench.py" <<'PY'
import os, resource, statistics, subprocess, sys, time, signal

tool, exe, py, prog, pairs, rounds, tmp = sys.argv[1:8]
pairs, rounds = int(pairs), int(rounds)

def record_cmd(rate, out, pid=None, duration=None):
    if tool in ("scorch", "scorch-wall"):
        cmd = [exe, "record", "-q", "-F", str(rate), "-o", out]
        if tool == "scorch-wall": cmd += ["--idle"]
        if pid: cmd += ["-p", str(pid)]
        if duration: cmd += ["-d", str(duration)]
        return cmd + (["--"] if not pid else [])
    if tool == "py-spy":
        cmd = [exe, "record", "-r", str(rate), "-f", "raw", "-o", out, "--nonblocking"]
        if pid: cmd += ["-p", str(pid)]
        if duration: cmd += ["-d", str(int(duration))]
        return cmd + (["--"] if not pid else [])
    if tool == "austin":
        cmd = [exe, "-i", str(int(1e6 / rate)) + "us", "-o", out]
        if pid: cmd += ["-p", str(pid)]
        if duration: cmd += ["-x", str(duration)]
        return cmd
    if tool == "tachyon":
        # exe: the python3.15 (launcher) that carries profiling.sampling
        cmd = [exe, "-m", "profiling.sampling", "attach" if pid else "run",
               "-r", str(rate), "--collapsed", "-o", out]
        if duration: cmd += ["-d", str(int(duration))]
        return cmd + ([str(pid)] if pid else [])
    raise SystemExit("unknown tool")

if tool == "tachyon":
    os.environ["LC_ALL"] = "C"   # the chroot has no locales
    # the target's files as /proc/PID/maps names them (host paths into
    # its root) must be there inside Tachyon's own chroot
    os.environ["SCORCH_CHROOT_BINDS"] = (os.environ.get("SCORCH_CHROOT_BINDS", "")
        + " " + os.path.join(os.path.dirname(exe), "root"))

def profiled(rate, out, args):
    # Tachyon's run starts the script with its own interpreter
    return record_cmd(rate, out) + (args[1:] if tool == "tachyon" else args)

def wait_python(pid):
    # a launcher (chroot, env...) execs into Python under the same pid
    for _ in range(500):
        try:
            if "python" in os.path.basename(os.readlink("/proc/%d/exe" % pid)):
                break
        except OSError:
            break
        time.sleep(0.01)
    time.sleep(0.5)

def elapsed(cmd):
    out = subprocess.run(cmd, capture_output=True, text=True).stdout
    for line in out.splitlines():
        if line.startswith("ELAPSED"):
            return float(line.split()[1])
    return None

def slowdown(rate):
    ratios = []
    for i in range(pairs):
        base = elapsed([py, prog, str(rounds)])
        out = os.path.join(tmp, "s.folded")
        prof = elapsed(profiled(rate, out, [py, prog, str(rounds)]))
        if base and prof:
            ratios.append(prof / base - 1)
    return statistics.median(ratios) * 100 if ratios else float("nan")

def samples_in(path):
    n = 0
    if tool == "austin":
        # one line per sample; its last field is a time, not a count
        try:
            with open(path, errors="replace") as f:
                return sum(1 for line in f
                           if line.startswith("P") and ";" in line)
        except OSError:
            return 0
    try:
        with open(path, errors="replace") as f:
            for line in f:
                parts = line.rsplit(" ", 1)
                if len(parts) == 2 and parts[1].strip().isdigit():
                    n += int(parts[1])
    except OSError:
        pass
    return n

def attach(rate, seconds):
    target = subprocess.Popen([py, prog, "forever"], stdout=subprocess.DEVNULL)
    wait_python(target.pid)
    out = os.path.join(tmp, "a.folded")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(record_cmd(rate, out, target.pid, seconds),
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    target.kill()
    target.wait()
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, samples_in(out)

def per_sample(rate, short, long):
    c1, n1 = attach(rate, short)
    c2, n2 = attach(rate, long)
    if n2 <= n1:
        return float("nan"), 0
    return (c2 - c1) / (n2 - n1) * 1e6, (n2 - n1) / (long - short)

s100 = slowdown(100)
s1k = slowdown(1000)
flat, peak = per_sample(1000000, 1, 4)
tick, hz1k = per_sample(1000, 1, 4)
_, hz10k = per_sample(10000, 1, 4)
print("%+.1f%%\t%+.1f%%\t%.2f\t%d\t%.2f\t%d\t%d" % (s100, s1k, flat, peak, tick, hz1k, hz10k))
PY

# what sleeping on 1 kHz absolute deadlines costs by itself on this machine
cat >"$tmp/floor.c" <<'C'
#define _GNU_SOURCE
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <time.h>
int main(void)
{
	struct timespec t;
	struct rusage ru;
	long long next;
	int i, n = 3000;

	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	clock_gettime(CLOCK_MONOTONIC, &t);
	next = t.tv_sec * 1000000000LL + t.tv_nsec;
	for (i = 0; i < n; i++) {
		next += 1000000;
		t.tv_sec = next / 1000000000;
		t.tv_nsec = next % 1000000000;
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL);
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("%.2f\n", (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 / n +
	       (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / (double)n);
	return 0;
}
C
floor=""
if command -v cc >/dev/null && cc -O2 -o "$tmp/floor" "$tmp/floor.c" 2>/dev/null; then
	floor=$("$tmp/floor")
fi

# what the kernel charges for reading another process's memory by itself:
# one process_vm_readv of one page, and each further page (the pages a
# sample must read are the floor under us/sample)
cat >"$tmp/readv.c" <<'C'
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>
static double cost(pid_t pid, char *area, int pages)
{
	static char buf[8 * 4096];
	struct iovec l[8], r[8];
	struct timespec a, b;
	int i, n = 100000;

	for (i = 0; i < pages; i++) {
		l[i].iov_base = buf + i * 4096;
		r[i].iov_base = area + i * 4096;
		l[i].iov_len = r[i].iov_len = 64;
	}
	clock_gettime(CLOCK_MONOTONIC, &a);
	for (i = 0; i < n; i++)
		if (process_vm_readv(pid, l, pages, r, pages, 0) < 0)
			return -1;
	clock_gettime(CLOCK_MONOTONIC, &b);
	return ((b.tv_sec - a.tv_sec) * 1e9 + (b.tv_nsec - a.tv_nsec)) / n / 1e3;
}
int main(void)
{
	char *area = aligned_alloc(4096, 8 * 4096);
	pid_t pid;
	double one, five;

	memset(area, 1, 8 * 4096);
	pid = fork();
	if (!pid) {
		pause();
		return 0;
	}
	one = cost(pid, area, 1);
	five = cost(pid, area, 5);
	kill(pid, SIGKILL);
	printf("%.2f %.2f\n", one, (five - one) / 4);
	return 0;
}
C
readv=""
if command -v cc >/dev/null && cc -O2 -o "$tmp/readv" "$tmp/readv.c" 2>/dev/null; then
	readv=$("$tmp/readv")
fi

printf '%-18s %-8s %10s %10s %10s %10s %13s %7s %7s\n' version tool slow@100Hz slow@1kHz us/sample "peak Hz" us/tick@1kHz Hz@1k Hz@10k
run_row() {
	local label=$1 tool=$2 exe=$3 py=$4 row
	row=$("$HARNESS" "$tmp/bench.py" "$tool" "$exe" "$py" "$PROG" "$PAIRS" "$ROUNDS" "$tmp") || row="failed"
	printf '%-18s %-8s %10s %10s %10s %10s %13s %7s %7s\n' "$label" "$tool" $(echo "$row" | tr '\t' ' ')
}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
date -u '+%Y-%m-%d %H:%M UTC'
while read -r label py; do
	case "$label" in ${ONLY:-*}) ;; *) continue ;; esac
	[ "$("$py" -c 'import sys; print(sys.version_info >= (3, 6))')" = True ] || continue
	run_row "$label" scorch "$SCORCH" "$py"
	if [ -n "${AUSTIN:-}" ]; then run_row "$label" austin "$AUSTIN" "$py"; fi
	if [ -n "${PYSPY:-}" ]; then run_row "$label" py-spy "$PYSPY" "$py"; fi
	if [ "$label" = sid-3.15 ] && [ "${TACHYON:-1}" != 0 ]; then
		# Tachyon samples wall time by default: scorch --idle alike
		run_row "$label" scorch-wall "$SCORCH" "$py"
		run_row "$label" tachyon "$py" "$py"
	fi
done < <(python_versions)
echo "load average before and after: $load_before / $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
[ -n "$floor" ] && echo "timer floor: sleeping and waking at 1 kHz alone costs $floor us CPU per tick here"
[ -n "$readv" ] && set -- $readv && echo "read floor: one process_vm_readv of one page costs $1 us here, each further page $2 us"
[ -z "${AUSTIN:-}" ] && echo "(austin rows skipped: set AUSTIN=/path/to/austin)"
[ -z "${PYSPY:-}" ] && echo "(py-spy rows skipped: set PYSPY=/path/to/py-spy)"
exit 0
