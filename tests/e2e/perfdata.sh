#!/bin/bash
# perfdata.sh - scorch reads perf.data itself: recordings made here by
# perf 6.1 (frame pointers, DWARF call graphs, pipe mode) of a C program
# with a known split (about 3:1, measured by the program) must give the same folded stacks as
# `perf script | scorch collapse`, and broken copies (truncated, corrupted,
# wrong magic) must give warnings or one-line errors, never a hang.
# perf itself always runs under timeout (perf 6.1 spins on truncated data).
. "$(dirname "$0")/lib.sh"
plan 32

command -v perf >/dev/null || missing_rest "perf is not installed (apt-get install linux-perf)"
cat >"$WORK/split.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
volatile unsigned long sink;
__attribute__((noinline)) void heavy(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) sink += i * i;
}
__attribute__((noinline)) void light(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++) sink += i ^ 3;
}
static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}
/* With SPLIT_TRUTH set, writes the CPU seconds heavy() and light() took:
 * the split the profile must show, whatever this machine makes of it. */
int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 3;
	double t_heavy = 0, t_light = 0, t0;
	for (int r = 0; r < reps; r++) {
		t0 = cpu_now();
		heavy(120000000UL);
		t_heavy += cpu_now() - t0;
		t0 = cpu_now();
		light(40000000UL);
		t_light += cpu_now() - t0;
	}
	const char *truth = getenv("SPLIT_TRUTH");
	FILE *f = truth ? fopen(truth, "w") : NULL;
	if (f) {
		fprintf(f, "%.6f %.6f\n", t_heavy, t_light);
		fclose(f);
	}
	return 0;
}
C
if ! cc -O1 -g -fno-omit-frame-pointer -o "$WORK/split" "$WORK/split.c"; then
	fail_rest perfdata_build "cannot compile the test program"
fi
# the binary's GNU build id, before the test rebuilds it below
split_build_id=$(readelf -n "$WORK/split" 2>/dev/null | awk '/Build ID:/ {print $3; exit}')
if ! SPLIT_TRUTH=$WORK/fp.truth timeout 60 perf record -q -F 499 -g -o "$WORK/fp.data" "$WORK/split" 2>"$WORK/perf.err"; then
	skip_rest "perf cannot record here: $(head -1 "$WORK/perf.err")"
fi
SPLIT_TRUTH=$WORK/dwarf.truth timeout 60 perf record -q -F 499 --call-graph dwarf -o "$WORK/dwarf.data" "$WORK/split" 2>/dev/null

# cut in the middle of the record after the 10th sample that follows the
# program's own mapping (header bytes 40..56 give the data section's
# offset and size; each record starts with u32 type, u16 misc, u16 size;
# samples are type 9, MMAP2 10): what came before is still read, with a
# warning.  perf writes each CPU's buffer in turn, so a program that moved
# between CPUs can have its samples before its mapping in the file: this
# recording keeps perf and the program on one CPU.  Done before the binary
# is rebuilt below: the cut copy loses the build-id section, so names come
# from the file
one_cpu=$(cut -d- -f1 </sys/devices/system/cpu/online | cut -d, -f1)
timeout 60 taskset -c "$one_cpu" perf record -q -F 499 -g -o "$WORK/onecpu.data" "$WORK/split" 1 2>/dev/null
cut_at=$(python3 - "$WORK/onecpu.data" <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, size = struct.unpack_from("<QQ", d, 40)
pos, end, samples, mapped = off, off + size, 0, False
while pos + 8 <= end:
    kind, _, rsize = struct.unpack_from("<IHH", d, pos)
    if rsize < 8:
        break
    if samples == 10:
        print(pos + rsize // 2)
        break
    mapped = mapped or (kind == 10 and b"/split" in d[pos:pos + rsize])
    samples += mapped and kind == 9
    pos += rsize
PY
)
head -c "${cut_at:-0}" "$WORK/onecpu.data" >"$WORK/cut.data"
if [ -n "$cut_at" ] &&
   "$SCORCH" collapse "$WORK/cut.data" >"$WORK/cut.out" 2>"$WORK/cut.err" &&
   grep -qE ';(heavy|light)' "$WORK/cut.out" &&
   grep -q 'truncated' "$WORK/cut.err"; then
	ok perfdata_truncated_recovers
else
	fail perfdata_truncated_recovers "cut at ${cut_at:-(fewer than 11 samples after the mapping)}; read: $(head -3 "$WORK/cut.out" 2>/dev/null | tr '\n' '|') $(tr '\n' '|' <"$WORK/cut.err" 2>/dev/null)"
fi

timeout 60 perf record -q -F 499 -g -o - "$WORK/split" >"$WORK/pipe.data" 2>/dev/null

# same_as_perf_script NAME FILE [collapse flags]
# Frames in the vdso are compared as "[vdso]" only: perf names the
# vdso's exported functions (__vdso_clock_gettime) when it finds an image
# of it (its build-id cache, or its own vdso when the recording carries
# no build id, as in pipe mode) and leaves the rest "[unknown]"; scorch
# does not read the vdso and shows every such frame as [[vdso]].  A
# sample landing there is rare, so this once made the test flaky.
same_as_perf_script() {
	local name=$1 f=$2; shift 2
	timeout 120 perf script -i "$f" 2>/dev/null |
		sed -E 's/^([[:space:]]+[0-9a-f]+) .* \(\[vdso\]\)$/\1 [unknown] ([vdso])/' >"$WORK/$name.txt"
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

# a program that spends its time in the vdso (clock_gettime), pipe mode:
# perf names some of those frames, scorch none; comparable as above
cat >"$WORK/vdso.c" <<'C'
#include <time.h>
volatile long sink;
int main(void)
{
	struct timespec ts;
	for (long i = 0; i < 20000000; i++) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		sink += ts.tv_nsec;
	}
	return 0;
}
C
# (-fno-plt: see the libc program below)
if cc -O1 -g -fno-omit-frame-pointer -fno-plt -o "$WORK/vdso_user" "$WORK/vdso.c" &&
   timeout 60 perf record -q -F 499 -g -o - "$WORK/vdso_user" >"$WORK/vdso.data" 2>/dev/null; then
	same_as_perf_script perfdata_vdso_same_as_perf_script "$WORK/vdso.data"
	grep -q '\[\[vdso\]\]' "$WORK/perfdata_vdso_same_as_perf_script.out" ||
		echo "  (no sample landed in the vdso this time)"
else
	fail perfdata_vdso_same_as_perf_script "cannot build or record the vdso test program"
fi

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
	skip perfdata_two_events_default "perf cannot record cpu-clock and task-clock together here"
	skip perfdata_two_events_filter "perf cannot record cpu-clock and task-clock together here"
fi

# perf record -z: records inside zstd-compressed PERF_RECORD_COMPRESSED
# blocks, file and pipe mode; a corrupted block gives a warning, not a crash
if timeout 60 perf record -q -z -F 499 -g -o "$WORK/z.data" "$WORK/split" 1 2>/dev/null &&
   timeout 60 perf report -i "$WORK/z.data" --stats 2>/dev/null | grep -q 'COMPRESSED events: *[1-9]'; then
	same_as_perf_script perfdata_zstd_same_as_perf_script "$WORK/z.data"
	if timeout 60 perf record -q -z -F 499 -g -o - "$WORK/split" 1 >"$WORK/zpipe.data" 2>/dev/null; then
		same_as_perf_script perfdata_zstd_pipe_same_as_perf_script "$WORK/zpipe.data"
	else
		fail perfdata_zstd_pipe_same_as_perf_script "perf record -z -o - failed"
	fi
	# break the zstd frame's magic (28 b5 2f fd)
	cp "$WORK/z.data" "$WORK/zbad.data"
	zmagic=$(LC_ALL=C grep -obUaP '\x28\xb5\x2f\xfd' "$WORK/z.data" | sed -n 1p | cut -d: -f1)
	if [ -n "$zmagic" ]; then
		printf 'XXXX' | dd of="$WORK/zbad.data" bs=1 seek="$zmagic" conv=notrunc 2>/dev/null
		timeout 30 "$SCORCH" collapse "$WORK/zbad.data" >"$WORK/zbad.out" 2>"$WORK/zbad.err"
		rc=$?
		if [ $rc -lt 128 ] && grep -q 'compressed records at offset' "$WORK/zbad.err"; then ok perfdata_zstd_corrupted
		else fail perfdata_zstd_corrupted "rc=$rc: $(head -2 "$WORK/zbad.err")"; fi
	else
		fail perfdata_zstd_corrupted "no zstd frame magic in the recording"
	fi
else
	why="this perf cannot write compressed records (perf record -z; needs zstd in 'perf version --build-options')"
	missing perfdata_zstd_same_as_perf_script "$why"
	missing perfdata_zstd_pipe_same_as_perf_script "$why"
	missing perfdata_zstd_corrupted "$why"
fi

# the known split: heavy's share of heavy+light in the profile must be
# within 8 points of the share the program measured of its own CPU time
# (about 75%; the machine decides exactly how much)
split_ok() {
	[ -s "$2" ] || return 1
	awk -v truth="$(cat "$2")" '/;heavy /{h+=$NF} /;light /{l+=$NF}
		END{ split(truth, t, " "); if (h+l==0 || t[1]+t[2]==0) exit 1
		     r=h/(h+l); want=t[1]/(t[1]+t[2]); d=r-want; if (d<0) d=-d; exit !(d<0.08) }' "$1"
}
split_detail() {
	awk -v truth="$(cat "$2" 2>/dev/null)" '/;heavy /{h+=$NF} /;light /{l+=$NF}
		END{ split(truth, t, " "); printf "profile %.1f%%, program measured %.1f%%", (h+l ? 100*h/(h+l) : 0), (t[1]+t[2] ? 100*t[1]/(t[1]+t[2]) : 0) }' "$1"
}
if split_ok "$WORK/perfdata_fp_same_as_perf_script.out" "$WORK/fp.truth"; then ok perfdata_fp_split; else
	fail perfdata_fp_split "heavy's share: $(split_detail "$WORK/perfdata_fp_same_as_perf_script.out" "$WORK/fp.truth")"; fi

# DWARF call graphs: the same stacks and names as perf script, start-up
# frames included (perf names them from DWARF: __libc_start_main_impl)
if [ -s "$WORK/dwarf.data" ]; then
	same_as_perf_script perfdata_dwarf_same_as_perf_script "$WORK/dwarf.data"
	cp "$WORK/perfdata_dwarf_same_as_perf_script.out" "$WORK/dwarf.out"
	if split_ok "$WORK/dwarf.out" "$WORK/dwarf.truth"; then ok perfdata_dwarf_split; else
		fail perfdata_dwarf_split "heavy's share: $(split_detail "$WORK/dwarf.out" "$WORK/dwarf.truth")"; fi
	# DWARF unwinding mostly runs from a per-PC cache of libdw's rules;
	# SCORCH_UNWIND_CHECK unwinds every sample with libdwfl as well and
	# counts the samples where the two disagree
	SCORCH_UNWIND_CHECK=1 "$SCORCH" collapse "$WORK/dwarf.data" >"$WORK/check.out" 2>"$WORK/check.err"
	line=$(grep '^unwind check: [0-9]* samples' "$WORK/check.err")
	if echo "$line" | grep -q ', 0 differ from libdwfl' &&
	   ! echo "$line" | grep -q ' 0 DWARF unwinds from cached' &&
	   cmp -s "$WORK/check.out" "$WORK/dwarf.out"; then
		ok perfdata_dwarf_rule_cache_same_as_libdwfl
	else
		fail perfdata_dwarf_rule_cache_same_as_libdwfl "${line:-no summary}: $(grep '^unwind check: pid' "$WORK/check.err" | head -2)"
	fi
else
	for name in perfdata_dwarf_same_as_perf_script perfdata_dwarf_split perfdata_dwarf_rule_cache_same_as_libdwfl; do
		fail "$name" "perf record --call-graph dwarf wrote nothing"
	done
fi

# A program living in libc (malloc/free, memcpy, qsort with recursion,
# mutexes): names as perf script gives them, in both call-graph modes.
# Frame pointers: perf's choice among aliases (malloc, not __libc_malloc;
# the longer __memmove_avx512_unaligned_erms), symbol versions kept
# (cfree@GLIBC_2.2.5).  DWARF: names from DWARF
# as perf's addr2line gives them (__GI___libc_free, __GI___qsort_r),
# nested inlines (tcache_put in _int_free), assembly named by its last
# DWARF subprogram (__memcpy_avx512_unaligned_erms), deep recursion.
cat >"$WORK/libc.c" <<'C'
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
volatile unsigned long sink;
static int cmp(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}
__attribute__((noinline)) void use_malloc(void)
{
	for (int i = 0; i < 2000; i++) {
		void *p = malloc(64 + (i & 255));
		sink += (unsigned long)p;
		free(p);
	}
}
__attribute__((noinline)) void use_memcpy(void)
{
	static char a[1 << 16], b[1 << 16];
	for (int i = 0; i < 20; i++) {
		memcpy(a, b, sizeof(a));
		b[i] = a[i + 1];
	}
}
__attribute__((noinline)) void use_qsort(void)
{
	static int v[2000];
	for (int i = 0; i < 2000; i++) v[i] = (i * 7919) % 2003;
	qsort(v, 2000, sizeof(int), cmp);
	sink += v[5];
}
__attribute__((noinline)) void use_mutex(void)
{
	static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
	for (int i = 0; i < 2000; i++) {
		pthread_mutex_lock(&m);
		sink++;
		pthread_mutex_unlock(&m);
	}
}
int main(int argc, char **argv)
{
	long reps = argc > 1 ? atol(argv[1]) : 3000;
	for (long r = 0; r < reps; r++) {
		use_malloc();
		use_memcpy();
		use_qsort();
		use_mutex();
	}
	return 0;
}
C
# (-fno-plt: perf names a sample in the program's own PLT stubs after
# _init or after the stub, depending on its symbol tree's shape; scorch
# always after the stub)
if cc -O1 -g -fno-omit-frame-pointer -fno-plt -o "$WORK/libc" "$WORK/libc.c" -lpthread &&
   timeout 60 perf record -q -F 999 -g -o "$WORK/libc-fp.data" "$WORK/libc" 5000 2>/dev/null &&
   timeout 60 perf record -q -F 999 --call-graph dwarf -o "$WORK/libc-dwarf.data" "$WORK/libc" 5000 2>/dev/null; then
	same_as_perf_script perfdata_libc_names_fp "$WORK/libc-fp.data"
	same_as_perf_script perfdata_libc_names_dwarf "$WORK/libc-dwarf.data"
else
	fail perfdata_libc_names_fp "cannot build or record the libc test program"
	fail perfdata_libc_names_dwarf "cannot build or record the libc test program"
fi

# C++ PLT stubs: a sample in the stub of a mangled symbol is named
# "operator delete@plt", as perf script names it (demangling "_ZdlPvm@plt"
# whole dropped the "@plt" and merged the stub into the function).  Every
# stack perf script ends in a stub must be in scorch's output, the same;
# scorch may name more stubs: perf calls the program's first one "_init"
cat >"$WORK/news.cc" <<'CC'
#include <cstdlib>
int *volatile keep;
int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000000;
	for (long i = 0; i < n; i++) {
		keep = new int(i);
		delete keep;
	}
	return 0;
}
CC
if g++ -O1 -g -fno-omit-frame-pointer -o "$WORK/news" "$WORK/news.cc" 2>"$WORK/news.err"; then
	for n in 20000000 40000000 80000000; do	# until perf saw a C++ stub
		timeout 60 perf record -q -F 4999 -g -o "$WORK/news.data" "$WORK/news" $n 2>/dev/null
		perf script -i "$WORK/news.data" 2>/dev/null | "$SCORCH" collapse |
			grep '@plt [0-9]*$' | sort >"$WORK/news.perf"
		grep -q ';operator [^;]*@plt ' "$WORK/news.perf" && break
	done
	"$SCORCH" collapse "$WORK/news.data" 2>"$WORK/news.err" | sort >"$WORK/news.scorch"
	missing=$(comm -23 "$WORK/news.perf" "$WORK/news.scorch")
	if ! grep -q ';operator [^;]*@plt ' "$WORK/news.perf"; then
		fail perfdata_cxx_plt_names "no sample of the test program landed in a C++ symbol's PLT stub"
	elif [ -z "$missing" ]; then
		ok perfdata_cxx_plt_names
	else
		fail perfdata_cxx_plt_names "stacks perf script ends in a PLT stub, not in scorch's output: $(echo "$missing" | tr '\n' '|')"
	fi
else
	fail perfdata_cxx_plt_names "cannot build the C++ test program: $(head -1 "$WORK/news.err")"
fi

# samples taken inside execve, after the old program is gone: the kernel
# copies no user stack for them, and perf script shows no user frame (the
# registers' IP belongs to the replaced program); a shell that execs 300
# times lands some samples there.  Only those samples are compared: the
# rest of a many-process DWARF profile is not (perf's unwinder differs).
if timeout 60 perf record -q -F 999 --call-graph dwarf -o "$WORK/exec.data" \
	/bin/sh -c 'i=0; while [ $i -lt 300 ]; do /bin/true; i=$((i+1)); done' 2>/dev/null; then
	timeout 120 perf script -i "$WORK/exec.data" 2>/dev/null >"$WORK/exec.txt"
	"$SCORCH" collapse --input-format perfscript "$WORK/exec.txt" 2>/dev/null |
		grep '__x64_sys_execve' >"$WORK/exec.ref"
	"$SCORCH" collapse "$WORK/exec.data" 2>"$WORK/exec.err" | grep '__x64_sys_execve' >"$WORK/exec.out"
	if [ ! -s "$WORK/exec.ref" ]; then
		skip perfdata_exec_samples_dwarf "no sample landed inside execve in this recording"
	elif diff -q "$WORK/exec.ref" "$WORK/exec.out" >/dev/null; then
		ok perfdata_exec_samples_dwarf
	else
		fail perfdata_exec_samples_dwarf "differs from perf script | scorch collapse: $(diff "$WORK/exec.ref" "$WORK/exec.out" | head -4 | tr '\n' '|')"
	fi
else
	fail perfdata_exec_samples_dwarf "perf record of an exec loop failed"
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
else
	fail perfdata_rebuilt_binary_warns "perf record --no-buildid-cache wrote nothing"
fi

# every command detects perf.data by its magic
check perfdata_flamegraph "$SCORCH" flamegraph "$WORK/fp.data" -o "$WORK/fp.svg"
if grep -q 'heavy' "$WORK/fp.svg" 2>/dev/null; then ok perfdata_flamegraph_has_heavy; else fail perfdata_flamegraph_has_heavy "no heavy in the SVG"; fi
if "$SCORCH" report "$WORK/fp.data" 2>&1 | grep -q heavy; then ok perfdata_report; else fail perfdata_report "no heavy in the report"; fi
check perfdata_convert "$SCORCH" convert "$WORK/fp.data" -o "$WORK/fp.pb.gz"
# pprof mappings carry the build ids perf recorded (the real pprof tool
# from scripts/test-tools.sh reads them back)
PPROF=${PPROF:-$TOP/build/pprof}
if [ ! -x "$PPROF" ]; then
	missing perfdata_pprof_build_id "no pprof tool at $PPROF (run scripts/test-tools.sh)"
elif [ -z "$split_build_id" ]; then
	skip perfdata_pprof_build_id "readelf shows no build id for the test program"
elif "$PPROF" -raw "$WORK/fp.pb.gz" 2>/dev/null | grep -q "/split $split_build_id"; then
	ok perfdata_pprof_build_id
else
	fail perfdata_pprof_build_id "no mapping '$WORK/split $split_build_id' in: $("$PPROF" -raw "$WORK/fp.pb.gz" 2>&1 | sed -n '/^Mappings/,$p' | head -4 | tr '\n' '|')"
fi

# ---- broken copies ------------------------------------------------------
# bounded_run WHAT FILE: must end in time, not by a signal, and either
# succeed or print a one-line scorch error; else adds why to $bad
bounded_run() {
	local what=$1 f=$2 rc
	timeout 30 "$SCORCH" collapse "$f" >"$WORK/b.out" 2>"$WORK/b.err"
	rc=$?
	if [ $rc -eq 124 ]; then bad="$bad; $what hangs"; return 1
	elif [ $rc -ge 128 ]; then bad="$bad; $what killed by signal $((rc - 128))"; return 1
	elif [ $rc -ne 0 ] && ! grep -q '^scorch: ' "$WORK/b.err"; then
		bad="$bad; $what: exit $rc without a scorch error: $(head -2 "$WORK/b.err")"; return 1
	fi
	return 0
}
size=$(stat -c %s "$WORK/fp.data")
bad=""
for cut in 8 50 104 200 300 $((size / 3)) $((size / 2 + 5)) $((size - 200)) $((size - 1)); do
	head -c "$cut" "$WORK/fp.data" >"$WORK/cut.data"
	bounded_run "cut at $cut" "$WORK/cut.data"
done
[ -z "$bad" ] && ok perfdata_truncated_copies || fail perfdata_truncated_copies "${bad#; }"
psize=$(stat -c %s "$WORK/pipe.data")
head -c $((psize / 2 + 3)) "$WORK/pipe.data" >"$WORK/pcut.data"
bad=""
bounded_run "pipe data cut in half" "$WORK/pcut.data" && ok perfdata_pipe_truncated ||
	fail perfdata_pipe_truncated "${bad#; }"

# libdw, short of memory, reports through glibc's error(); scorch's own
# error() (util/error.c), when exported, stood in for it and crashed
# (flamegraph of a DWARF perf.data under ulimit -v: SIGSEGV in vsnprintf).
# The binary exports no function of its own (-fvisibility=hidden)
if ! command -v nm >/dev/null; then
	missing perfdata_exports_no_functions "nm is not installed (apt-get install binutils)"
else
	exported=$(nm -D --defined-only "$SCORCH" | awk '$2 ~ /^[TtWwi]$/ {print $3}')
	if [ -z "$exported" ]; then
		ok perfdata_exports_no_functions
	else
		fail perfdata_exports_no_functions "exported: $(echo "$exported" | tr '\n' ' ')"
	fi
fi

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
bad=""
for seed in 1 2 3 4 5 6 7 8; do
	cp "$WORK/fp.data" "$WORK/bad.data"
	for k in 1 2 3 4 5 6; do
		off=$(( (seed * 7919 + k * 104729) % (size - 120) + 104 ))
		printf "\\x$(printf %02x $(( (seed * 31 + k * 17) % 256 )))" |
			dd of="$WORK/bad.data" bs=1 seek="$off" conv=notrunc 2>/dev/null
	done
	bounded_run "corruption $seed" "$WORK/bad.data"
done
[ -z "$bad" ] && ok perfdata_corrupted_copies || fail perfdata_corrupted_copies "${bad#; }"
