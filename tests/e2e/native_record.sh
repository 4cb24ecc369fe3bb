#!/bin/bash
# native_record.sh - `scorch record` on native programs with the perf_event
# engine: C, C++ (demangled names) and a shared library, each with a known
# 3:1 split, built in the test with -O2 -fomit-frame-pointer (DWARF
# unwinding only); kernel frames and --no-kernel; an unknown event.
. "$(dirname "$0")/lib.sh"
PROGS=$TOP/tests/programs
plan 11

command -v cc >/dev/null || missing_rest "no C compiler"
probe=$("$SCORCH" record -q -o "$WORK/probe.folded" -- /bin/true 2>&1)
if echo "$probe" | grep -q 'perf_event engine unavailable\|not allowed'; then
	skip_rest "perf_event_open not allowed here: $probe"
fi

# split_check NAME FOLDED MAIN HEAVY LIGHT: >= 95% of samples reach MAIN
# (a frame equal to it), HEAVY:LIGHT within 5 points of 75:25.
split_check() {
	local name=$1 folded=$2 main=$3 heavy=$4 light=$5
	local res
	res=$(awk -v m="$main" -v h="$heavy" -v l="$light" '
		{ n = $NF; line = $0; sub(/ [0-9.]+$/, "", line)
		  k = split(line, f, ";"); total += n
		  hm = 0; hh = 0; hl = 0
		  for (i = 1; i <= k; i++) { if (f[i] == m) hm = 1; if (f[i] == h) hh = 1; if (f[i] == l) hl = 1 }
		  if (hm) main += n; if (hh) heavy += n; if (hl) light += n }
		END { if (total == 0) { print "0 0 0"; exit }
		      printf "%d %.1f %.1f\n", total, 100 * main / total,
		             (heavy + light) ? 100 * heavy / (heavy + light) : 0 }' "$folded")
	set -- $res
	local total=$1 main_pct=$2 heavy_pct=$3
	if [ "$total" -lt 50 ]; then
		fail "$name" "only $total samples"
	elif awk -v p="$main_pct" 'BEGIN { exit !(p < 95) }'; then
		fail "$name" "$main_pct% of $total samples reach $main (want >= 95%)"
	elif awk -v p="$heavy_pct" 'BEGIN { exit !(p < 70 || p > 80) }'; then
		fail "$name" "$heavy share $heavy_pct% (want 75 +- 5)"
	else
		ok "$name ($total samples, $main_pct% reach $main, $heavy $heavy_pct%)"
	fi
}

# C, no frame pointers
cc -O2 -fomit-frame-pointer -g -o "$WORK/split" "$PROGS/native_split.c"
if "$SCORCH" record -q -F 400 --no-kernel -o "$WORK/c.folded" -- "$WORK/split" 4 2>"$WORK/c.err"; then
	split_check native_c_split "$WORK/c.folded" main heavy light
else
	fail native_c_split "$(tail -n 3 "$WORK/c.err")"
fi

# C without DWARF line info and stripped of .symtab: DWARF CFI still
# unwinds (.eh_frame stays), and functions show as module+0xOFFSET
cp "$WORK/split" "$WORK/split-stripped"
strip "$WORK/split-stripped"
# (HOME elsewhere: perf's ~/.debug build-id cache may hold the unstripped
# twin of this binary, and scorch would rightly use it)
if HOME=$WORK "$SCORCH" record -q -F 400 --no-kernel -o "$WORK/s.folded" -- "$WORK/split-stripped" 4 2>"$WORK/s.err"; then
	# the two leaf functions (heavy and light's shared spin) are named by
	# their .eh_frame start; no sample may carry a wrong exported name
	n=$(awk '{ t += $NF } /split-stripped\+0x[0-9a-f]+;split-stripped\+0x[0-9a-f]+ [0-9]+$/ { g += $NF }
		END { printf "%d %d", t, g }' "$WORK/s.folded")
	set -- $n
	if [ "$1" -ge 20 ] && [ $(($2 * 100)) -ge $(($1 * 90)) ] && ! grep -q 'heavy\|light' "$WORK/s.folded"; then
		ok "native_stripped_offsets ($2 of $1 samples end in two module+offset frames)"
	else
		fail native_stripped_offsets "$2 of $1: $(head -n 3 "$WORK/s.folded") $(cat "$WORK/s.err")"
	fi
else
	fail native_stripped_offsets "$(tail -n 3 "$WORK/s.err")"
fi

# the same stripped binary with its unstripped twin in ~/.debug by
# build-id (perf's cache layout): names come back
bid=$(readelf -n "$WORK/split" 2>/dev/null | sed -n 's/.*Build ID: *\([0-9a-f]*\).*/\1/p')
if [ -n "$bid" ]; then
	mkdir -p "$WORK/home/.debug/.build-id/${bid:0:2}/${bid:2}"
	cp "$WORK/split" "$WORK/home/.debug/.build-id/${bid:0:2}/${bid:2}/elf"
	HOME=$WORK/home "$SCORCH" record -q -F 400 --no-kernel -o "$WORK/b.folded" -- "$WORK/split-stripped" 2 2>"$WORK/b.err"
	if grep -q ';main;heavy;spin ' "$WORK/b.folded"; then
		ok native_debug_by_build_id
	else
		fail native_debug_by_build_id "$(head -n 2 "$WORK/b.folded") $(cat "$WORK/b.err")"
	fi
else
	skip native_debug_by_build_id "no build-id in the test binary"
fi

# C++: demangled names
if command -v c++ >/dev/null; then
	c++ -O2 -fomit-frame-pointer -g -o "$WORK/splitxx" "$PROGS/native_split_cxx.cpp"
	if "$SCORCH" record -q -F 400 --no-kernel -o "$WORK/cxx.folded" -- "$WORK/splitxx" 4 2>"$WORK/cxx.err"; then
		split_check native_cxx_split "$WORK/cxx.folded" main \
			'scorch_test::Worker<long>::heavy()' 'scorch_test::Worker<long>::light()'
	else
		fail native_cxx_split "$(tail -n 3 "$WORK/cxx.err")"
	fi
else
	missing native_cxx_split "no C++ compiler"
fi

# shared library
cc -O2 -fomit-frame-pointer -g -fPIC -shared -o "$WORK/libnativesplit.so" "$PROGS/native_lib.c"
cc -O2 -fomit-frame-pointer -g -o "$WORK/libmain" "$PROGS/native_lib_main.c" -L"$WORK" -lnativesplit -Wl,-rpath,"$WORK"
if "$SCORCH" record -q -F 400 --no-kernel -o "$WORK/lib.folded" -- "$WORK/libmain" 4 2>"$WORK/lib.err"; then
	split_check native_shared_lib_split "$WORK/lib.folded" main lib_heavy lib_light
else
	fail native_shared_lib_split "$(tail -n 3 "$WORK/lib.err")"
fi

# threads created and joined while recording: every worker's samples
# unwind to start_thread;thread_main;thread_work
cc -O2 -fomit-frame-pointer -g -pthread -o "$WORK/thr" "$PROGS/native_threads.c"
if "$SCORCH" record -q --no-kernel -F 400 -o "$WORK/thr.folded" -- "$WORK/thr" 4 2>"$WORK/thr.err"; then
	n=$(awk '{ t += $NF } /start_thread;thread_main;thread_work [0-9]+$/ { w += $NF }
		/;main;main_work [0-9]+$/ { m += $NF } END { printf "%d %d %d", t, w, m }' "$WORK/thr.folded")
	set -- $n
	if [ "$2" -gt 0 ] && [ "$3" -gt 0 ] && [ $((($2 + $3) * 100)) -ge $(($1 * 90)) ]; then
		ok "native_threads ($2 worker + $3 main of $1 samples)"
	else
		fail native_threads "$n: $(head -n 3 "$WORK/thr.folded")"
	fi
else
	fail native_threads "$(tail -n 3 "$WORK/thr.err")"
fi

# kernel frames: a program that lives in write(2); --no-kernel drops them
cat >"$WORK/sys.c" <<'CEOF'
#include <fcntl.h>
#include <unistd.h>
int main(void) { char b[4096] = {0}; int fd = open("/dev/null", O_WRONLY);
  for (long i = 0; i < 3000000; i++) if (write(fd, b, sizeof b) < 0) return 1; return 0; }
CEOF
cc -O2 -o "$WORK/sys" "$WORK/sys.c"
"$SCORCH" record -q -F 400 -o "$WORK/k.folded" -- "$WORK/sys" 2>"$WORK/k.err"
if grep -q 'ksys_write\|vfs_write\|entry_SYSCALL_64' "$WORK/k.folded" && grep -q ';main;' "$WORK/k.folded"; then
	ok native_kernel_frames
else
	fail native_kernel_frames "$(head -n 3 "$WORK/k.folded") $(tail -n 2 "$WORK/k.err")"
fi
"$SCORCH" record -q -F 400 --no-kernel -o "$WORK/nk.folded" -- "$WORK/sys" 2>"$WORK/nk.err"
if [ -s "$WORK/nk.folded" ] && ! grep -q 'ksys_write\|vfs_write\|entry_SYSCALL_64' "$WORK/nk.folded"; then
	ok native_no_kernel
else
	fail native_no_kernel "$(head -n 3 "$WORK/nk.folded") $(tail -n 2 "$WORK/nk.err")"
fi

# an unprivileged user at perf_event_paranoid 2 gets user frames and one
# notice saying why kernel frames are missing and how to get them
if [ "$(id -u)" = 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid)" = 2 ] &&
   su nobody -s /bin/sh -c "test -x '$SCORCH'" 2>/dev/null; then
	pub=$(mktemp -d /tmp/scorch-native-pub.XXXXXX)	# TEST_TMP is private
	cp "$WORK/split" "$pub/split"
	chmod 755 "$pub" "$pub/split"
	out=$(su nobody -s /bin/sh -c "cd /tmp && '$SCORCH' record -F 400 -o - -- '$pub/split' 2" 2>&1)
	rm -rf "$pub"
	if echo "$out" | grep -q '^scorch: recording user frames only: .*perf_event_paranoid=2.*(.*sysctl' &&
	   echo "$out" | grep -q ';main;heavy;spin '; then
		ok native_unprivileged_user_frames
	else
		fail native_unprivileged_user_frames "$(echo "$out" | head -n 5)"
	fi
else
	skip native_unprivileged_user_frames "needs root, user nobody and perf_event_paranoid=2"
fi

# the target's exit status comes back; an unknown event is one clear error
"$SCORCH" record -q -o "$WORK/f.folded" -- /bin/false
rc=$?
[ $rc -eq 1 ] && ok native_exit_status || fail native_exit_status "got $rc"
out=$("$SCORCH" record -q -e no-such-event -o "$WORK/e.folded" -- "$WORK/split" 1 2>&1)
if [ $? -ne 0 ] && echo "$out" | grep -q "^scorch: .*unknown event 'no-such-event'" && [ ! -e "$WORK/e.folded" ]; then
	ok native_unknown_event
else
	fail native_unknown_event "$out"
fi
