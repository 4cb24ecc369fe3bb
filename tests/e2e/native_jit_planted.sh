#!/bin/bash
# native_jit_planted.sh - perf maps are trusted only when they are regular
# files owned by the profiled program's user or root: tests/programs/
# native_jit.c runs as root and its /tmp/perf-PID.map is given to nobody
# (as if planted by another user) or made a symbolic link; `scorch record`
# must not use the names, must say so in one warning line, and must still
# profile the program.  Needs root (to own files as nobody).  A 1 GiB
# sparse map is read only up to the cap, with bounded memory.
. "$(dirname "$0")/lib.sh"
plan 3	# nobody, symlink, sparse
PROGS=$TOP/tests/programs

if ! "$SCORCH" record --help 2>&1 | grep -q -- '--no-kernel'; then
	skip_rest "scorch record has no perf_event engine"
fi
if [ "$(uname -m)" != x86_64 ]; then
	skip_rest "the test JIT emits x86_64 code"
fi
if [ "$(id -u)" != 0 ]; then
	skip_rest "needs root to give a file to another user"
fi
cc -O2 -fomit-frame-pointer -o "$WORK/jit" "$PROGS/native_jit.c"

# planted: owned by uid 65534, the program runs as root
for mode in nobody symlink; do
	if ! timeout 120 "$SCORCH" record -F 400 --no-kernel -o "$WORK/$mode.folded" \
		-- "$WORK/jit" 2 "$mode" 2>"$WORK/$mode.err"; then
		fail "native_jit_planted_$mode" "record failed: $(tail -n 3 "$WORK/$mode.err")"
		continue
	fi
	samples=$(awk '{ n += $NF } END { print n + 0 }' "$WORK/$mode.folded")
	warn=$(grep -c 'perf-[0-9]*\.map: .*ignored' "$WORK/$mode.err")
	case $mode in
	nobody) why='owned by uid 65534' ;;
	symlink) why='a symbolic link' ;;
	esac
	if grep -q 'jit_hot\|jit_cold' "$WORK/$mode.folded"; then
		fail "native_jit_planted_$mode" "names from the planted map were used: $(grep -m2 jit_ "$WORK/$mode.folded")"
	elif [ "$warn" != 1 ] || ! grep -q "$why" "$WORK/$mode.err"; then
		fail "native_jit_planted_$mode" "expected one warning '$why', got: $(head -n 3 "$WORK/$mode.err")"
	elif [ "$samples" -lt 20 ]; then
		fail "native_jit_planted_$mode" "only $samples samples"
	else
		ok "native_jit_planted_$mode ($samples samples, names ignored, one warning)"
	fi
done

# a 1 GiB sparse map (the names, then zeros): the names are used, at most
# 256 MiB of it is read, and scorch's peak RSS stays far below 1 GiB
if [ ! -x /usr/bin/time ]; then
	missing_rest "/usr/bin/time is missing (apt-get install time)"
fi
if ! /usr/bin/time -v -o "$WORK/sparse.time" timeout 120 "$SCORCH" record -F 400 \
	--no-kernel -o "$WORK/sparse.folded" -- "$WORK/jit" 2 sparse 2>"$WORK/sparse.err"; then
	fail_rest native_jit_sparse_map "record failed: $(tail -n 3 "$WORK/sparse.err")"
fi
rss=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$WORK/sparse.time")
if ! grep -q ';main;jit_hot ' "$WORK/sparse.folded"; then
	fail native_jit_sparse_map "the names before the sparse tail were not used: $(head -n 2 "$WORK/sparse.folded")"
elif ! grep -q 'larger than 256 MiB' "$WORK/sparse.err"; then
	fail native_jit_sparse_map "no warning about the size: $(head -n 2 "$WORK/sparse.err")"
elif [ -z "$rss" ] || [ "$rss" -gt 262144 ]; then
	fail native_jit_sparse_map "peak RSS ${rss:-?} KiB (over 256 MiB)"
else
	ok "native_jit_sparse_map (peak RSS $rss KiB)"
fi
