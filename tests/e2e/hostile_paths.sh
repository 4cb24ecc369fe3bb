#!/bin/bash
# hostile_paths.sh - paths named by a perf.data (the recorded binary, its
# copy in perf's ~/.debug build-id cache, its .gnu_debuglink file, the
# source file its DWARF names) are opened only when they are regular
# files.  Here each is replaced by a FIFO, which a plain open() blocks on
# forever: collapse, report and annotate must finish (each runs under
# `timeout 60` as a hang guard; a timeout is a failure) and print what
# they print when the file is simply absent.
. "$(dirname "$0")/lib.sh"
plan 5	# fifo collapse, report, annotate; a FIFO source; a FIFO debug link

if ! command -v perf >/dev/null; then
	missing_rest "perf is not installed (apt-get install linux-perf)"
fi
mkdir -p "$WORK/src" "$WORK/bin" "$WORK/home" "$WORK/nohome"
cat >"$WORK/src/hot.c" <<'C'
volatile unsigned long sink;
__attribute__((noinline)) void heavy(unsigned long n)
{
	unsigned long i;
	sink = 1;
	for (i = 0; i < n; i++) sink += i * i;
	sink += 2;
}
int main(void)
{
	heavy(150000000UL);
	return 0;
}
C
(cd "$WORK/src" && cc -O1 -g -fno-omit-frame-pointer -o "$WORK/bin/hot" hot.c) ||
	fail_rest hostile_paths_build "cannot compile"
# HOME in $WORK: perf's build-id cache (~/.debug) is ours to replace
if ! HOME=$WORK/home timeout 60 perf record -q -F 499 -g -o "$WORK/hot.data" \
	"$WORK/bin/hot" 2>"$WORK/perf.err"; then
	skip_rest "perf cannot record here: $(head -1 "$WORK/perf.err")"
fi

# run NAME CMD...: runs CMD under timeout 60 with HOME=$WORK/home, stdout
# to $WORK/NAME.out, stderr to $WORK/NAME.err; returns CMD's status
run() {
	local name=$1; shift
	HOME=$WORK/home timeout 60 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"
}

# 1. the recorded binary and its cached copy are FIFOs
run intact "$SCORCH" collapse "$WORK/hot.data"
if ! grep -q ';heavy ' "$WORK/intact.out"; then
	fail_rest hostile_paths_baseline "no heavy frame with the real binary: $(head -3 "$WORK/intact.out")"
fi
mv "$WORK/bin/hot" "$WORK/hot.real"
mv "$WORK/home/.debug" "$WORK/debug.real"
run absent "$SCORCH" collapse "$WORK/hot.data"
mv "$WORK/debug.real" "$WORK/home/.debug"
mkfifo "$WORK/bin/hot"
cached=$(find "$WORK/home/.debug" -path '*bin/hot/*' -name elf)
if [ -z "$cached" ]; then
	fail hostile_paths_cache "perf left no copy of the binary in ~/.debug"
else
	rm "$cached" && mkfifo "$cached"
fi
for cmd in collapse report; do
	run "fifo_$cmd" "$SCORCH" $cmd "$WORK/hot.data"
	rc=$?
	if [ $rc = 124 ]; then
		fail "hostile_paths_fifo_$cmd" "scorch $cmd hung on a FIFO (killed after 60 s)"
	elif [ $rc != 0 ]; then
		fail "hostile_paths_fifo_$cmd" "exit $rc: $(head -n 2 "$WORK/fifo_$cmd.err")"
	elif [ $cmd = collapse ] && ! cmp -s "$WORK/absent.out" "$WORK/fifo_collapse.out"; then
		fail hostile_paths_fifo_collapse "output differs from the binary-absent run: $(diff "$WORK/absent.out" "$WORK/fifo_collapse.out" | head -4 | tr '\n' '|')"
	elif [ $cmd = report ] && ! grep -q '\[hot\]' "$WORK/fifo_report.out"; then
		fail hostile_paths_fifo_report "no [hot] row: $(head -4 "$WORK/fifo_report.out" | tr '\n' '|')"
	else
		ok "hostile_paths_fifo_$cmd"
	fi
done
run fifo_annotate "$SCORCH" annotate "$WORK/hot.data" heavy
rc=$?
if [ $rc = 124 ]; then
	fail hostile_paths_fifo_annotate "scorch annotate hung on a FIFO"
elif [ $rc = 0 ] || [ "$(grep -vc '^scorch: warning: ' "$WORK/fifo_annotate.err")" != 1 ] ||
	! grep -q '^scorch: annotate: ' "$WORK/fifo_annotate.err"; then
	fail hostile_paths_fifo_annotate "expected one error line and a failure, got exit $rc: $(head -3 "$WORK/fifo_annotate.err" | tr '\n' '|')"
else
	ok hostile_paths_fifo_annotate
fi

# 2. the binary is back, but the source file its DWARF names is a FIFO
rm "$WORK/bin/hot" "$cached"
cp "$WORK/hot.real" "$WORK/bin/hot"
cp "$WORK/hot.real" "$cached"
mv "$WORK/src/hot.c" "$WORK/hot.c.real"
mkfifo "$WORK/src/hot.c"
run source_fifo "$SCORCH" annotate "$WORK/hot.data" heavy
rc=$?
if [ $rc = 124 ]; then
	fail hostile_paths_source_fifo "scorch annotate hung on a FIFO source file"
elif [ $rc != 0 ] || ! grep -q 'heavy' "$WORK/source_fifo.out" ||
	! grep -qE '^ *[0-9.]+%? .*(add|imul|mov|cmp|j[a-z]+) ' "$WORK/source_fifo.out"; then
	fail hostile_paths_source_fifo "exit $rc, expected disassembly with counts: $(head -5 "$WORK/source_fifo.out" | tr '\n' '|') $(head -2 "$WORK/source_fifo.err")"
else
	ok hostile_paths_source_fifo
fi

# 3. a stripped binary whose .gnu_debuglink file is a FIFO (next to it
# and in .debug/), with no build-id cache: same output as no debug file
rm -f "$WORK/src/hot.c"
mv "$WORK/hot.c.real" "$WORK/src/hot.c"
mkdir -p "$WORK/dl/.debug"
(cd "$WORK/src" && cc -O1 -g -fno-omit-frame-pointer -Wl,--build-id=none -o "$WORK/dl/prog" hot.c)
objcopy --only-keep-debug "$WORK/dl/prog" "$WORK/dl/prog.debug" &&
	strip -s "$WORK/dl/prog" &&
	objcopy --add-gnu-debuglink="$WORK/dl/prog.debug" "$WORK/dl/prog" ||
	fail_rest hostile_paths_debuglink "objcopy/strip failed"
if ! HOME=$WORK/nohome timeout 60 perf record -q -F 499 -g --no-buildid-cache \
	-o "$WORK/dl.data" "$WORK/dl/prog" 2>"$WORK/perf2.err"; then
	fail_rest hostile_paths_debuglink "perf record failed: $(head -1 "$WORK/perf2.err")"
fi
dl() { HOME=$WORK/nohome timeout 60 "$SCORCH" collapse "$WORK/dl.data" >"$WORK/$1.out" 2>"$WORK/$1.err"; }
dl dl_real
mv "$WORK/dl/prog.debug" "$WORK/prog.debug.real"
dl dl_absent
mkfifo "$WORK/dl/prog.debug" "$WORK/dl/.debug/prog.debug"
dl dl_fifo
rc=$?
if ! grep -q ';heavy ' "$WORK/dl_real.out"; then
	fail hostile_paths_debuglink "the real debug file gave no heavy frame: $(head -2 "$WORK/dl_real.out" | tr '\n' '|')"
elif [ $rc = 124 ]; then
	fail hostile_paths_debuglink "scorch collapse hung on a FIFO debug file"
elif [ $rc != 0 ] || ! cmp -s "$WORK/dl_absent.out" "$WORK/dl_fifo.out"; then
	fail hostile_paths_debuglink "exit $rc; output differs from the no-debug-file run: $(diff "$WORK/dl_absent.out" "$WORK/dl_fifo.out" | head -4 | tr '\n' '|')"
else
	ok hostile_paths_debuglink
fi
