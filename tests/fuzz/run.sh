#!/bin/bash
# run.sh - builds the libFuzzer targets (clang, -fsanitize=fuzzer,address,
# undefined with -fno-sanitize-recover=all, so any UBSan report fails the
# run) and fuzzes each one:
#   fuzz_READER   one per profile reader in src/formats/registry.c
#                 (tests/fuzz/fuzz_READER.c when it exists, else
#                 fuzz_reader.c built for that reader)
#   fuzz_writers  any input through every writer, output checked
#                 (tests/fuzz/fuzz_writers.c)
#
#   tests/fuzz/run.sh short     replay the regression corpus, then a few
#                               seconds per target (the e2e suite)
#   tests/fuzz/run.sh long      FUZZ_SECONDS (default 300) per target
#                               (make fuzz); new crashes and hangs are
#                               copied to tests/fuzz/regressions/TARGET/
#   FUZZ_TARGETS="pprof writers"   only these targets
#
# Seeds: the shared corpus, scorch's own outputs, and perf.data files
# recorded here with perf (frame pointers, DWARF, pipe mode) when perf is
# installed.  Prints "ok fuzz_NAME (R runs in Ss, C crashes, H hangs)" /
# "FAIL fuzz_NAME: why" / "skip ..." lines; crash inputs are kept in
# $FUZZ_DIR/crashes/NAME/.
set -u
mode=${1:-short}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
FUZZ_DIR=${FUZZ_DIR:-$top/build-fuzz}
CORPUS=${CORPUS:-$top/../shared/corpus}
REGRESSIONS=$top/tests/fuzz/regressions
case "$mode" in
short) seconds=${FUZZ_SECONDS:-4} ;;
long) seconds=${FUZZ_SECONDS:-300} ;;
*) echo "usage: tests/fuzz/run.sh short|long" >&2; exit 2 ;;
esac

# no_fuzzer WHY: skipped here, a failure under CI=true (CI has clang);
# "stop-early" tells tests/run.sh no planned case was lost
no_fuzzer() {
	if [ "${CI:-}" = true ]; then echo "FAIL fuzz: $* (CI=true: the fuzzers must run)"
	else echo "skip fuzz: $*"; fi
	echo "stop-early"
	exit 0
}
command -v clang >/dev/null || no_fuzzer "clang is not installed (scripts/deps.sh test)"
probe=$(mktemp -d /tmp/scorch-fuzz-probe.XXXXXX)
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' >"$probe/t.c"
if ! clang -fsanitize=fuzzer -o "$probe/t" "$probe/t.c" 2>/dev/null; then
	rm -rf "$probe"
	no_fuzzer "clang cannot link libFuzzer (install libclang-rt-14-dev)"
fi
rm -rf "$probe"

readers=$(sed -n 's/^[[:space:]]*&\([a-z0-9_]*\)_reader,.*/\1/p' src/formats/registry.c)
targets=${FUZZ_TARGETS:-${FUZZ_READERS:-$readers writers}}
# the reader's registered name is its row prefix for every reader we know;
# format_reader_find() checks it at run time

# --- build the library once with the fuzzing sanitizers ----------------
# The project's Makefile does it (generated sources included), with clang
# and the fuzzing flags, into its own build directory.
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
mkdir -p "$FUZZ_DIR"
if ! make -s -j2 BUILD="$FUZZ_DIR" CC=clang OPT=-O1 WARN=-w SAN_FLAGS="$SAN" \
	"$FUZZ_DIR/libscorch.a" >"$FUZZ_DIR/build.log" 2>&1; then
	echo "FAIL fuzz_build: $(grep -m3 -E 'error|Error' "$FUZZ_DIR/build.log")"
	echo "stop-early"
	exit 1
fi
CFLAGS="-std=c11 -D_GNU_SOURCE -O1 -g -w -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer -Isrc -I$FUZZ_DIR/gen"
LIBS="$(pkg-config --libs libelf libdw capstone zlib libprotobuf-c libzstd) -liberty -lm -lpthread"
mkdir -p "$FUZZ_DIR/bin"

# --- seeds: small real files of every kind, and our own outputs ---------
seeds=$FUZZ_DIR/seeds
if [ ! -d "$seeds" ]; then
	mkdir -p "$seeds"
	i=0
	for f in "$CORPUS"/folded/*.txt "$CORPUS"/diff/*.txt "$CORPUS"/collapse/inputs/*; do
		[ -f "$f" ] && [ "$(stat -c %s "$f")" -lt 65536 ] || continue
		i=$((i + 1))
		cp "$f" "$seeds/corpus$i"
	done
	scorch=${SCORCH:-$top/${BUILD:-build}/scorch}
	if [ -x "$scorch" ]; then
		for f in "$CORPUS"/folded/base--flames.txt "$CORPUS"/diff/before.txt; do
			[ -f "$f" ] || continue
			i=$((i + 1))
			"$scorch" convert "$f" -o "$seeds/pprof$i.pb.gz" 2>/dev/null
			"$scorch" convert "$f" -o "$seeds/pprof$i.pb" -f pprof 2>/dev/null &&
				gzip -dc <"$seeds/pprof$i.pb" >"$seeds/pprof$i.raw" 2>/dev/null
			"$scorch" convert "$f" -o "$seeds/ss$i.speedscope.json" 2>/dev/null
		done
	fi
fi
# perf.data seeds, recorded here (never data from elsewhere): a short
# busy program under frame-pointer and DWARF call graphs, file and pipe
# mode.  Kept small: the fuzzers cut inputs at -max_len anyway.
perf_seeds=$FUZZ_DIR/seeds-perf
if [ ! -d "$perf_seeds" ] && command -v perf >/dev/null; then
	mkdir -p "$perf_seeds"
	cat >"$perf_seeds/busy.c" <<'C'
volatile unsigned long sink;
__attribute__((noinline)) void leaf(unsigned long n) { for (unsigned long i = 0; i < n; i++) sink += i; }
__attribute__((noinline)) void mid(unsigned long n) { leaf(n); leaf(n / 2); }
int main(void) { mid(40000000UL); return 0; }
C
	if cc -O1 -g -fno-omit-frame-pointer -o "$perf_seeds/busy" "$perf_seeds/busy.c"; then
		p=$perf_seeds
		timeout 30 perf record -q -F 500 -g -o "$p/fp.data" "$p/busy" 2>/dev/null
		timeout 30 perf record -q -F 200 --call-graph dwarf,512 -o "$p/dwarf.data" "$p/busy" 2>/dev/null
		timeout 30 perf record -q -F 500 -g -o - "$p/busy" >"$p/pipe.data" 2>/dev/null
		timeout 30 perf record -q -F 500 -g -e cpu-clock,task-clock -o "$p/two.data" "$p/busy" 2>/dev/null
	fi
	rm -f "$perf_seeds/busy" "$perf_seeds/busy.c" "$perf_seeds"/*.old
	chmod 644 "$perf_seeds"/*.data 2>/dev/null
fi
[ -d "$perf_seeds" ] || mkdir -p "$perf_seeds"

# --- build, replay the regression corpus, fuzz --------------------------
# fuzz TARGET BIN: runs BIN for $seconds in all (restarting after each
# crash or hang in long mode), sets runs/crashes/hangs/rc
fuzz() {
	local t=$1 bin=$2 work=$FUZZ_DIR/corpus/$1 crashes=$FUZZ_DIR/crashes/$1
	local log=$FUZZ_DIR/fuzz_$1.log start=$SECONDS left n
	mkdir -p "$work" "$crashes"
	: >"$log"
	runs=0 crashes_n=0 hangs=0 rc=0
	left=$seconds
	while [ "$left" -gt 0 ]; do
		# -close_fd_mask=2 silences the readers' own error lines;
		# libFuzzer and the sanitizers keep reporting on a duplicate
		# of stderr
		"$bin" -max_total_time="$left" -timeout=10 -rss_limit_mb=2048 \
			-max_len=262144 -close_fd_mask=2 -artifact_prefix="$crashes/" \
			"$work" "$seeds" "$perf_seeds" >>"$log" 2>&1
		rc=$?
		n=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | awk '{print $2}')
		[ $rc -eq 0 ] && runs=$((runs + ${n:-0}))
		if [ $rc -ne 0 ]; then
			# a crash stops libFuzzer: count its executions from
			# the last status line
			n=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
			runs=$((runs + ${n:-0}))
			# libFuzzer exits 70 when an input ran past -timeout
			if [ $rc -eq 70 ]; then
				hangs=$((hangs + 1))
			else
				crashes_n=$((crashes_n + 1))
			fi
			[ "$mode" = long ] || break
			echo "--- restart after exit $rc ---" >>"$log"
		else
			break
		fi
		left=$((seconds - (SECONDS - start)))
	done
	if [ "$mode" = long ] && [ -n "$(ls "$crashes")" ]; then
		mkdir -p "$REGRESSIONS/$t"
		cp "$crashes"/* "$REGRESSIONS/$t/" 2>/dev/null
	fi
}

# one case per target, declared first (tests/e2e/lib.sh: plans)
# and one more for each target with kept regression inputs to replay
n_reg=0
for t in $targets; do
	[ -d "$REGRESSIONS/$t" ] && [ -n "$(ls "$REGRESSIONS/$t")" ] && n_reg=$((n_reg + 1))
done
echo "plan $(($(echo $targets | wc -w) + n_reg))"
status=0
for t in $targets; do
	bin=$FUZZ_DIR/bin/fuzz_$t
	src=tests/fuzz/fuzz_$t.c
	define=
	if [ ! -f "$src" ]; then
		src=tests/fuzz/fuzz_reader.c
		define="-DFUZZ_READER=\"$t\""
	fi
	if ! clang $CFLAGS $define -o "$bin" "$src" "$FUZZ_DIR/libscorch.a" $LIBS \
		2>"$FUZZ_DIR/link.log"; then
		echo "FAIL fuzz_$t: cannot build the target: $(head -3 "$FUZZ_DIR/link.log")"
		status=1
		continue
	fi
	# every input a past run found (committed once fixed) runs first
	reg=$REGRESSIONS/$t
	if [ -d "$reg" ] && [ -n "$(ls "$reg")" ]; then
		if ! "$bin" -runs=0 -timeout=10 -rss_limit_mb=2048 -close_fd_mask=2 \
			"$reg" >"$FUZZ_DIR/replay_$t.log" 2>&1; then
			echo "FAIL fuzz_${t}_regressions: a kept input fails again, see $FUZZ_DIR/replay_$t.log"
			grep -E 'ERROR|SUMMARY|fuzz_writers:|#[0-9]+ 0x' "$FUZZ_DIR/replay_$t.log" | head -12 | sed 's/^/    /'
			status=1
		else
			echo "ok fuzz_${t}_regressions ($(ls "$reg" | wc -l) kept inputs)"
		fi
	fi
	fuzz "$t" "$bin"
	if [ $crashes_n -eq 0 ] && [ $hangs -eq 0 ]; then
		echo "ok fuzz_$t ($runs runs in ${seconds}s, 0 crashes, 0 hangs)"
	else
		echo "FAIL fuzz_$t: $runs runs in ${seconds}s, $crashes_n crashes, $hangs hangs; see $FUZZ_DIR/fuzz_$t.log; inputs in $FUZZ_DIR/crashes/$t"
		grep -E 'ERROR|SUMMARY|fuzz_writers:|#[0-9]+ 0x' "$FUZZ_DIR/fuzz_$t.log" | head -12 | sed 's/^/    /'
		status=1
	fi
done
exit $status
