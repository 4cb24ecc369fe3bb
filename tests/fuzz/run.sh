#!/bin/bash
# run.sh - builds a libFuzzer target per profile reader (clang,
# -fsanitize=fuzzer,address,undefined) and fuzzes each one.
#
#   tests/fuzz/run.sh short     a few seconds per reader (the e2e suite)
#   tests/fuzz/run.sh long      FUZZ_SECONDS (default 300) per reader (make fuzz)
#   FUZZ_READERS="pprof"        only these readers
#
# Readers are found in src/formats/registry.c, so a new reader is fuzzed
# without touching this file.  Seeds are made from the shared corpus and
# from scorch's own writers.  Prints "ok fuzz_NAME" / "FAIL fuzz_NAME: why"
# / "skip ..." lines; crash inputs are kept in $FUZZ_DIR/crashes/NAME/.
set -u
mode=${1:-short}
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
FUZZ_DIR=${FUZZ_DIR:-$top/build-fuzz}
CORPUS=${CORPUS:-$top/../shared/corpus}
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

readers=${FUZZ_READERS:-$(sed -n 's/^[[:space:]]*&\([a-z0-9_]*\)_reader,.*/\1/p' src/formats/registry.c)}
# the reader's registered name is its row prefix for every reader we know;
# format_reader_find() checks it at run time

# --- build the library once with the fuzzing sanitizers ----------------
# The project's Makefile does it (generated sources included), with clang
# and the fuzzing flags, into its own build directory.
SAN="-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer"
mkdir -p "$FUZZ_DIR"
if ! make -s -j2 BUILD="$FUZZ_DIR" CC=clang OPT=-O1 WARN=-w SAN_FLAGS="$SAN" \
	"$FUZZ_DIR/libscorch.a" >"$FUZZ_DIR/build.log" 2>&1; then
	echo "FAIL fuzz_build: $(grep -m3 -E 'error|Error' "$FUZZ_DIR/build.log")"
	echo "stop-early"
	exit 1
fi
CFLAGS="-std=c11 -D_GNU_SOURCE -O1 -g -w -fsanitize=fuzzer,address,undefined -fno-omit-frame-pointer -Isrc -I$FUZZ_DIR/gen"
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

# --- one target per reader ---------------------------------------------
# one case per target, declared first (tests/e2e/lib.sh: plans)
echo "plan $(echo $readers | wc -w)"
status=0
for reader in $readers; do
	bin=$FUZZ_DIR/bin/fuzz_$reader
	if ! clang $CFLAGS "-DFUZZ_READER=\"$reader\"" -o "$bin" \
		tests/fuzz/fuzz_reader.c "$FUZZ_DIR/libscorch.a" $LIBS 2>"$FUZZ_DIR/link.log"; then
		echo "FAIL fuzz_$reader: cannot build the target: $(head -3 "$FUZZ_DIR/link.log")"
		status=1
		continue
	fi
	work=$FUZZ_DIR/corpus/$reader
	crashes=$FUZZ_DIR/crashes/$reader
	mkdir -p "$work" "$crashes"
	log=$FUZZ_DIR/fuzz_$reader.log
	# -close_fd_mask=2 silences the readers' own error lines; libFuzzer
	# and the sanitizers keep reporting on a duplicate of stderr
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-max_len=65536 -close_fd_mask=2 -artifact_prefix="$crashes/" \
		"$work" "$seeds" >"$log" 2>&1
	rc=$?
	runs=$(grep -o 'Done [0-9]* runs' "$log" | tail -1 | awk '{print $2}')
	if [ $rc -eq 0 ]; then
		echo "ok fuzz_$reader (${runs:-?} runs in ${seconds}s)"
	else
		echo "FAIL fuzz_$reader: exit $rc, see $log; crash inputs in $crashes"
		grep -E 'ERROR|SUMMARY|#[0-9]+ 0x' "$log" | head -12 | sed 's/^/    /'
		status=1
	fi
done
exit $status
