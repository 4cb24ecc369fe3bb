#!/bin/bash
# collapse.sh - speed and peak memory of `scorch collapse` against
# FlameGraph's stackcollapse-perf.pl on the same perf script input.
#
# usage: [SIZE_MB=50] [RUNS=5] [FLAMEGRAPH_DIR=...] [SCORCH=...] bench/collapse.sh
# The input is every corpus perf script file ($CORPUS/collapse/inputs)
# concatenated, with the event names made one ("cpu-clock") so every sample
# counts as in a single-event recording, repeated to about SIZE_MB MB in
# $TMPDIR (or /tmp).  Each row is the best of RUNS runs: wall seconds,
# CPU seconds (user+sys: what one core spends, independent of machine
# load), MB/s for both (input bytes / seconds), peak RSS.  Measured with
# wait4() rusage (a helper compiled with cc), else /usr/bin/time.  The Perl row runs
# only when FLAMEGRAPH_DIR is set; both outputs are compared byte for byte.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SCORCH=${SCORCH:-$top/build/scorch}
CORPUS=${CORPUS:-$top/../shared/corpus}
SIZE_MB=${SIZE_MB:-50}
RUNS=${RUNS:-5}
FLAMEGRAPH_DIR=${FLAMEGRAPH_DIR:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/scorch-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

die() { echo "bench/collapse.sh: $*" >&2; exit 1; }
[ -x "$SCORCH" ] || die "$SCORCH is missing (run make first)"
[ -x /usr/bin/time ] || die "/usr/bin/time is missing (apt-get install time)"
[ -d "$CORPUS/collapse/inputs" ] || die "corpus $CORPUS/collapse/inputs is absent (set CORPUS)"

# --- the input ------------------------------------------------------------
for f in "$CORPUS"/collapse/inputs/*.txt; do
	cat "$f"
	echo
done | sed -E 's/ (cpu-clock(:[a-zA-Z]+)?|cycles|instructions|page-faults):[[:space:]]*$/ cpu-clock: /' >"$tmp/one.txt"
one=$(stat -c %s "$tmp/one.txt")
[ "$one" -gt 0 ] || die "the corpus inputs are empty"
copies=$(( (SIZE_MB * 1000000 + one - 1) / one ))
for ((i = 0; i < copies; i++)); do cat "$tmp/one.txt"; done >"$tmp/in.txt"
gzip -c "$tmp/in.txt" >"$tmp/in.txt.gz"
bytes=$(stat -c %s "$tmp/in.txt")

# run_once OUT CMD...: prints "wall cpu peak_kb" for one run of CMD (stdout
# to OUT).  A tiny wait4() helper compiled here reads the child's rusage
# (microseconds); without a C compiler /usr/bin/time does (10 ms steps).
run_once() {
	local out=$1
	shift
	if [ -x "$tmp/rusage" ]; then
		"$tmp/rusage" "$@" >"$out" 2>"$tmp/err" 3>"$tmp/time" || return 1
		cat "$tmp/time"
	else
		/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >"$out" 2>"$tmp/err" || return 1
		awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }' "$tmp/time"
	fi
}

cat >"$tmp/rusage.c" <<'C'
/* rusage CMD...: runs CMD, prints "wall cpu maxrss_kb" to fd 3 */
#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
int main(int argc, char **argv)
{
	struct timespec a, b;
	struct rusage ru;
	int status;
	pid_t pid;
	FILE *out = fdopen(3, "w");

	if (argc < 2 || !out)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &a);
	pid = fork();
	if (pid == 0) {
		execvp(argv[1], argv + 1);
		_exit(127);
	}
	if (pid < 0 || wait4(pid, &status, 0, &ru) < 0)
		return 2;
	clock_gettime(CLOCK_MONOTONIC, &b);
	fprintf(out, "%.4f %.4f %ld\n",
		(b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9,
		ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
		(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
		ru.ru_maxrss);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
C
cc -O2 -o "$tmp/rusage" "$tmp/rusage.c" 2>/dev/null || rm -f "$tmp/rusage"

# measure OUT CMD...: best-of-RUNS wall and CPU seconds and the peak KB into
# $best_wall, $best_cpu, $best_kb (best_wall=failed on error)
measure() {
	local out=$1 i wall cpu kb
	shift
	best_wall= best_cpu= best_kb=
	for ((i = 0; i < RUNS; i++)); do
		read -r wall cpu kb < <(run_once "$out" "$@") || true
		if [ -z "${wall:-}" ]; then
			best_wall=failed
			return
		fi
		if [ -z "$best_wall" ] || awk -v a="$wall" -v b="$best_wall" 'BEGIN { exit !(a < b) }'; then
			best_wall=$wall
		fi
		if [ -z "$best_cpu" ] || awk -v a="$cpu" -v b="$best_cpu" 'BEGIN { exit !(a < b) }'; then
			best_cpu=$cpu
		fi
		if [ -z "$best_kb" ] || [ "$kb" -gt "$best_kb" ]; then
			best_kb=$kb
		fi
		wall=
	done
}

# row LABEL: one table line from the last measure
row() {
	local label=$1
	if [ "$best_wall" = failed ]; then
		printf '%-30s  failed: %s\n' "$label" "$(tail -n 1 "$tmp/err")"
		return
	fi
	awk -v l="$label" -v b="$bytes" -v w="$best_wall" -v c="$best_cpu" -v k="$best_kb" 'BEGIN {
		printf "%-30s  %8.1f  %8.3f  %7.0f  %8.3f  %7.0f  %8.1f\n", l, b / 1e6, w, b / 1e6 / w, c, (c > 0 ? b / 1e6 / c : 0), k / 1024
	}'
}

echo "# input: $copies copies of the corpus perf script files ($(awk -v b="$one" 'BEGIN { printf "%.1f", b / 1e6 }') MB each), best of $RUNS runs"
echo "# wall = elapsed seconds, cpu = user+sys seconds of the process (one core)"
printf '%-30s  %8s  %8s  %7s  %8s  %7s  %8s\n' "collapser" "input MB" "wall s" "MB/s" "cpu s" "MB/s" "peak MiB"
measure "$tmp/scorch.folded" "$SCORCH" collapse "$tmp/in.txt"
scorch_wall=$best_wall scorch_cpu=$best_cpu
row "scorch collapse"
measure "$tmp/scorch-gz.folded" "$SCORCH" collapse "$tmp/in.txt.gz"
row "scorch collapse (gzip input)"

if [ -z "$FLAMEGRAPH_DIR" ]; then
	printf '%-30s  skipped: set FLAMEGRAPH_DIR to a FlameGraph checkout\n' "stackcollapse-perf.pl"
	exit 0
fi
script=$FLAMEGRAPH_DIR/stackcollapse-perf.pl
[ -f "$script" ] || die "$script is missing"
measure "$tmp/perl.folded" perl "$script" "$tmp/in.txt"
perl_wall=$best_wall perl_cpu=$best_cpu
row "stackcollapse-perf.pl"
if [ "$perl_wall" != failed ] && [ "$scorch_wall" != failed ]; then
	echo
	awk -v pw="$perl_wall" -v sw="$scorch_wall" -v pc="$perl_cpu" -v sc="$scorch_cpu" 'BEGIN {
		printf "scorch vs stackcollapse-perf.pl: %.1fx faster (wall), %.1fx (cpu)\n", pw / sw, (sc > 0 ? pc / sc : 0)
	}'
	if cmp -s "$tmp/scorch.folded" "$tmp/perl.folded"; then
		echo "outputs identical: yes ($(wc -l <"$tmp/perl.folded") folded lines)"
	else
		echo "outputs identical: NO"
	fi
fi
