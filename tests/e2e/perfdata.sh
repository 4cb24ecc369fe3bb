#!/bin/bash
# perfdata.sh - scorch reads perf.data itself: recordings made here by
# perf 6.1 (frame pointers, DWARF call graphs, pipe mode) of a C program
# with a known 3:1 split must give the same folded stacks as
# `perf script | scorch collapse`, and broken copies (truncated, corrupted,
# wrong magic) must give warnings or one-line errors, never a hang.
# perf itself always runs under timeout (perf 6.1 spins on truncated data).
. "$(dirname "$0")/lib.sh"

if ! command -v perf >/dev/null; then
	skip perfdata "perf is not installed (apt-get install linux-perf)"
	exit 0
fi
cat >"$WORK/split.c" <<'C'
#include <stdlib.h>
volatile unsigned long sink;
__attribute__((noinline)) void heavy(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) sink += i * i;
}
__attribute__((noinline)) void light(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) sink += i ^ 3;
}
int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 3;
	for (int r = 0; r < reps; r++) {
		heavy(120000000UL);
		light(40000000UL);
	}
	return 0;
}
C
if ! cc -O1 -g -fno-omit-frame-pointer -o "$WORK/split" "$WORK/split.c"; then
	fail perfdata_build "cannot compile the test program"
	exit 0
fi
if ! timeout 60 perf record -q -F 499 -g -o "$WORK/fp.data" "$WORK/split" 2>"$WORK/perf.err"; then
	skip perfdata "perf cannot record here: $(head -1 "$WORK/perf.err")"
	exit 0
fi
timeout 60 perf record -q -F 499 --call-graph dwarf -o "$WORK/dwarf.data" "$WORK/split" 2>/dev/null
timeout 60 perf record -q -F 499 -g -o - "$WORK/split" >"$WORK/pipe.data" 2>/dev/null

# same_as_perf_script NAME FILE [collapse flags]
same_as_perf_script() {
	local name=$1 f=$2; shift 2
	timeout 120 perf script -i "$f" 2>/dev/null >"$WORK/$name.txt"
	"$SCORCH" collapse "$@" --input-format perfscript "$WORK/$name.txt" >"$WORK/$name.ref" 2>/dev/null
	if ! "$SCORCH" collapse "$@" "$f" >"$WORK/$name.out" 2>"$WORK/$name.err"; then
		fail "$name" "scorch collapse failed: $(head -2 "$WORK/$name.err")"
	elif [ ! -s "$WORK/$name.ref" ]; then
		fail "$name" "perf script | scorch collapse gave nothing"
	elif ! diff -q "$WORK/$name.ref" "$WORK/$name.out" >/dev/null; then
		fail "$name" "differs from perf script | scorch collapse: $(diff "$WORK/$name.ref" "$WORK/$name.out" | head -4 | tr '\n' '|')"
	else
		ok "$name"
	fi
}
same_as_perf_script perfdata_fp_same_as_perf_script "$WORK/fp.data"
same_as_perf_script perfdata_fp_kernel_flag "$WORK/fp.data" --all
same_as_perf_script perfdata_fp_addrs "$WORK/fp.data" --addrs
same_as_perf_script perfdata_pipe_same_as_perf_script "$WORK/pipe.data"

# straight from perf's pipe into scorch's stdin
if timeout 60 perf record -q -F 499 -g -o - "$WORK/split" 1 2>/dev/null | "$SCORCH" collapse - >"$WORK/stdin.out" 2>"$WORK/stdin.err" &&
   grep -q ';heavy ' "$WORK/stdin.out"; then
	ok perfdata_pipe_stdin
else
	fail perfdata_pipe_stdin "$(head -2 "$WORK/stdin.err")"
fi

# two events: ids map samples to their event; --event-filter picks one
if timeout 60 perf record -q -F 499 -g -e cpu-clock,task-clock -o "$WORK/two.data" "$WORK/split" 1 2>/dev/null; then
	same_as_perf_script perfdata_two_events_default "$WORK/two.data"
	same_as_perf_script perfdata_two_events_filter "$WORK/two.data" --event-filter task-clock
else
	skip perfdata_two_events "perf cannot record cpu-clock and task-clock together here"
fi

# the known split: heavy ~75% of heavy+light (loose bounds: shared machine)
split_ok() {
	awk '/;heavy /{h+=$NF} /;light /{l+=$NF} END{ if (h+l==0) exit 1; r=h/(h+l); exit !(r>0.6 && r<0.9) }' "$1"
}
if split_ok "$WORK/perfdata_fp_same_as_perf_script.out"; then ok perfdata_fp_split; else
	fail perfdata_fp_split "heavy is not ~75%: $(cat "$WORK/perfdata_fp_same_as_perf_script.out" | head -5 | tr '\n' '|')"; fi

# DWARF: perf script names the libc start-up frames from DWARF inline
# info (e.g. __libc_start_main_impl, "(inlined)"), scorch from the symbol
# table, so compare from main to the leaf.
if [ -s "$WORK/dwarf.data" ]; then
	"$SCORCH" collapse "$WORK/dwarf.data" >"$WORK/dwarf.out" 2>"$WORK/dwarf.err"
	timeout 120 perf script -i "$WORK/dwarf.data" 2>/dev/null |
		"$SCORCH" collapse --input-format perfscript >"$WORK/dwarf.ref" 2>/dev/null
	from_main() { sed -n 's/^[^ ]*;\(main;[^ ]*\) \([0-9]*\)$/\1 \2/p' "$1" | sort | awk '{a[$1]+=$2} END{for (k in a) print k, a[k]}' | sort; }
	from_main "$WORK/dwarf.out" >"$WORK/dwarf.out.main"
	from_main "$WORK/dwarf.ref" >"$WORK/dwarf.ref.main"
	if [ ! -s "$WORK/dwarf.out.main" ]; then
		fail perfdata_dwarf_same_as_perf_script "no stack reaches main: $(head -3 "$WORK/dwarf.out" | tr '\n' '|') $(head -2 "$WORK/dwarf.err")"
	elif diff -q "$WORK/dwarf.ref.main" "$WORK/dwarf.out.main" >/dev/null; then
		ok perfdata_dwarf_same_as_perf_script
	else
		fail perfdata_dwarf_same_as_perf_script "$(diff "$WORK/dwarf.ref.main" "$WORK/dwarf.out.main" | head -4 | tr '\n' '|')"
	fi
	if split_ok "$WORK/dwarf.out"; then ok perfdata_dwarf_split; else fail perfdata_dwarf_split "heavy is not ~75%"; fi
else
	skip perfdata_dwarf "perf record --call-graph dwarf wrote nothing"
fi

# the binary is rebuilt after recording: names come from perf's build-id
# cache (~/.debug) as with perf script; with no cached copy, a warning
cp "$WORK/perfdata_fp_same_as_perf_script.out" "$WORK/before-rebuild.out"
sed 's/^volatile unsigned long sink;/&\nvolatile int uncached;/' "$WORK/split.c" >"$WORK/uncached.c"
cc -O1 -g -fno-omit-frame-pointer -o "$WORK/uncached" "$WORK/uncached.c"
timeout 60 perf record -q -F 499 -g --no-buildid-cache -o "$WORK/nocache.data" "$WORK/uncached" 1 2>/dev/null
rm -f "$WORK/split" "$WORK/uncached"
sed 's/^volatile unsigned long sink;/&\nvoid pad(void) { for (volatile int i = 0; i < 9; i++); }/' "$WORK/split.c" >"$WORK/other.c"
cc -O1 -g -fno-omit-frame-pointer -o "$WORK/split" "$WORK/other.c"
"$SCORCH" collapse "$WORK/fp.data" >"$WORK/rebuilt.out" 2>/dev/null
if diff -q "$WORK/before-rebuild.out" "$WORK/rebuilt.out" >/dev/null; then
	ok perfdata_rebuilt_binary_from_buildid_cache
else
	fail perfdata_rebuilt_binary_from_buildid_cache "$(diff "$WORK/before-rebuild.out" "$WORK/rebuilt.out" | head -4 | tr '\n' '|')"
fi
if [ -s "$WORK/nocache.data" ]; then
	"$SCORCH" collapse "$WORK/nocache.data" >/dev/null 2>"$WORK/nocache.err"
	if grep -q 'changed or vanished' "$WORK/nocache.err"; then ok perfdata_rebuilt_binary_warns; else
		fail perfdata_rebuilt_binary_warns "no warning: $(head -2 "$WORK/nocache.err")"; fi
fi

# every command detects perf.data by its magic
check perfdata_flamegraph "$SCORCH" flamegraph "$WORK/fp.data" -o "$WORK/fp.svg"
if grep -q 'heavy' "$WORK/fp.svg" 2>/dev/null; then ok perfdata_flamegraph_has_heavy; else fail perfdata_flamegraph_has_heavy "no heavy in the SVG"; fi
if "$SCORCH" report "$WORK/fp.data" 2>&1 | grep -q heavy; then ok perfdata_report; else fail perfdata_report "no heavy in the report"; fi
check perfdata_convert "$SCORCH" convert "$WORK/fp.data" -o "$WORK/fp.pb.gz"

# ---- broken copies ------------------------------------------------------
# bounded_run NAME FILE: must end in time, not by a signal, and either
# succeed or print a one-line scorch error.
bounded_run() {
	local name=$1 f=$2 rc
	timeout 30 "$SCORCH" collapse "$f" >"$WORK/b.out" 2>"$WORK/b.err"
	rc=$?
	if [ $rc -eq 124 ]; then fail "$name" "hangs"; return 1
	elif [ $rc -ge 128 ]; then fail "$name" "killed by signal $((rc - 128))"; return 1
	elif [ $rc -ne 0 ] && ! grep -q '^scorch: ' "$WORK/b.err"; then
		fail "$name" "exit $rc without a scorch error: $(head -2 "$WORK/b.err")"; return 1
	fi
	return 0
}
size=$(stat -c %s "$WORK/fp.data")
all_ok=1
for cut in 8 50 104 200 300 $((size / 3)) $((size / 2 + 5)) $((size - 200)) $((size - 1)); do
	head -c "$cut" "$WORK/fp.data" >"$WORK/cut.data"
	bounded_run perfdata_truncated_$cut "$WORK/cut.data" || all_ok=0
done
[ $all_ok = 1 ] && ok perfdata_truncated_copies
# cut three quarters into the data section (header bytes 40..56 give its
# offset and size), where samples certainly came before: what came before
# is still read, with a warning
data_off=$(od -An -t u8 -j 40 -N 8 "$WORK/fp.data" | tr -d ' ')
data_size=$(od -An -t u8 -j 48 -N 8 "$WORK/fp.data" | tr -d ' ')
head -c $((data_off + data_size * 3 / 4 + 5)) "$WORK/fp.data" >"$WORK/cut.data"
if "$SCORCH" collapse "$WORK/cut.data" 2>"$WORK/cut.err" | grep -q heavy &&
   grep -q 'truncated' "$WORK/cut.err"; then
	ok perfdata_truncated_recovers
else
	fail perfdata_truncated_recovers "$(head -2 "$WORK/cut.err")"
fi
psize=$(stat -c %s "$WORK/pipe.data")
head -c $((psize / 2 + 3)) "$WORK/pipe.data" >"$WORK/pcut.data"
bounded_run perfdata_pipe_truncated "$WORK/pcut.data" && ok perfdata_pipe_truncated

# wrong magic: one-line error, exit 1
printf 'PERFILE3' | dd of="$WORK/magic.data" bs=1 conv=notrunc 2>/dev/null
cp "$WORK/fp.data" "$WORK/magic.data"
printf 'PERFFILE' | dd of="$WORK/magic.data" bs=1 conv=notrunc 2>/dev/null
"$SCORCH" collapse --input-format perfdata "$WORK/magic.data" >/dev/null 2>"$WORK/magic.err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$WORK/magic.err")" -eq 1 ] && grep -q '^scorch: ' "$WORK/magic.err"; then
	ok perfdata_wrong_magic
else
	fail perfdata_wrong_magic "rc=$rc: $(cat "$WORK/magic.err")"
fi

# corrupted bytes all over the data section (deterministic positions)
all_ok=1
for seed in 1 2 3 4 5 6 7 8; do
	cp "$WORK/fp.data" "$WORK/bad.data"
	for k in 1 2 3 4 5 6; do
		off=$(( (seed * 7919 + k * 104729) % (size - 120) + 104 ))
		printf "\\x$(printf %02x $(( (seed * 31 + k * 17) % 256 )))" |
			dd of="$WORK/bad.data" bs=1 seek="$off" conv=notrunc 2>/dev/null
	done
	bounded_run perfdata_corrupted_$seed "$WORK/bad.data" || all_ok=0
done
[ $all_ok = 1 ] && ok perfdata_corrupted_copies
