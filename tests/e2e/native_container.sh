#!/bin/bash
# native_container.sh - a process in its own root and mount/pid namespace
# (`unshare --mount --pid --fork`, a tmpfs mounted there only, chroot into
# it, as a container runs)
# profiled from the host with `record -p`: its functions must be named
# from its own files.  The program inside sits at the same absolute path
# as a decoy on the host (a build of the same source with other function
# names): no decoy name may show up.
. "$(dirname "$0")/lib.sh"
plan 3	# attached, spawned through chroot, its perf map
PROGS=$TOP/tests/programs

for tool in cc unshare chroot ldd mount; do
	if ! command -v $tool >/dev/null; then
		missing_rest "no $tool"
	fi
done
if [ "$(id -u)" != 0 ]; then
	skip_rest "chroot and unshare need root"
fi
if ! "$SCORCH" record --help 2>&1 | grep -q -- '--no-kernel'; then
	skip_rest "scorch record has no perf_event engine"
fi

ROOT=$WORK/root
prog=$WORK/bin/split
mkdir -p "$ROOT$WORK/bin" "$WORK/bin"
# inside: the real program; on the host, at the same path: the decoy
cc -O2 -g -o "$ROOT$prog" "$PROGS/native_split.c"
cc -O2 -g -Dheavy=decoy_heavy -Dlight=decoy_light -Dmain=main -o "$prog" "$PROGS/native_split.c"
for lib in $(ldd "$ROOT$prog" | grep -o '/[^ ]*'); do
	mkdir -p "$ROOT$(dirname "$lib")"
	cp -L "$lib" "$ROOT$lib"
done

# run_in_ns NAME ARGS...: starts $WORK/bin/NAME of the root in its own
# namespaces, as a container: the root lives on a file system mounted
# only in the program's own mount namespace (a tmpfs over $WORK/ns, filled
# from $ROOT); sets pid (the program's) and upid (unshare's)
run_in_ns() {
	local c name=$1
	shift
	unshare --mount --pid --fork sh -c 'mount -t tmpfs scorch-test "$1" && cp -a "$2/." "$1/" && shift 2 && exec chroot "$@"' \
		sh "$WORK/ns" "$ROOT" "$WORK/ns" "$WORK/bin/$name" "$@" &
	upid=$!
	pid=""
	for _ in $(seq 100); do
		for c in $(pgrep -P "$upid"); do
			[ "$(cat /proc/$c/comm 2>/dev/null)" = "$name" ] && pid=$c
		done
		[ -n "$pid" ] && return 0
		sleep 0.05
	done
	kill "$upid" 2>/dev/null
	return 1
}

# The host's /proc/PID/maps names the program $WORK/ns$prog: the host has
# a decoy there too, under the tmpfs
mkdir -p "$WORK/ns$WORK/bin"
cp "$prog" "$WORK/ns$prog"
if ! run_in_ns split 40; then
	fail_rest native_container "the program did not start in its namespace"
fi
"$SCORCH" record -q --no-kernel -F 200 -d 1.5 -p "$pid" -o "$WORK/c.folded" 2>"$WORK/c.err"
rc=$?
# the first process of a pid namespace ignores SIGTERM from here
kill -KILL "$upid" "$pid" 2>/dev/null
wait "$upid" 2>/dev/null
total=$(awk '{ t += $NF } END { print t + 0 }' "$WORK/c.folded")
named=$(awk '/;(heavy|light)(;|$| )/ { g += $NF } END { print g + 0 }' "$WORK/c.folded")
if [ $rc -ne 0 ]; then
	fail native_container "record failed: $(tail -n 3 "$WORK/c.err")"
elif grep -q 'decoy_' "$WORK/c.folded"; then
	fail native_container "names from the host's decoy file: $(grep -m 1 decoy_ "$WORK/c.folded")"
elif [ "$total" -lt 20 ] || [ $((named * 100)) -lt $((total * 90)) ]; then
	fail native_container "heavy/light on $named of $total samples: $(head -n 3 "$WORK/c.folded")"
else
	ok "native_container ($named of $total samples in heavy or light, no decoy names)"
fi

# started by record through chroot: perf names the files from the
# program's root, where the host has the decoy
if "$SCORCH" record -q --no-kernel -F 200 -o "$WORK/s.folded" -- chroot "$ROOT" "$prog" 2 2>"$WORK/s.err"; then
	total=$(awk '{ t += $NF } END { print t + 0 }' "$WORK/s.folded")
	named=$(awk '/;(heavy|light)(;|$| )/ { g += $NF } END { print g + 0 }' "$WORK/s.folded")
	if grep -q 'decoy_' "$WORK/s.folded"; then
		fail native_container_spawned "names from the host's decoy file: $(grep -m 1 decoy_ "$WORK/s.folded")"
	elif [ "$total" -ge 20 ] && [ $((named * 100)) -ge $((total * 90)) ]; then
		ok "native_container_spawned ($named of $total samples in heavy or light)"
	else
		fail native_container_spawned "heavy/light on $named of $total samples: $(head -n 3 "$WORK/s.folded")"
	fi
else
	fail native_container_spawned "record failed: $(tail -n 3 "$WORK/s.err")"
fi

# its perf map is its own /tmp/perf-<its pid>.map, inside its root
mkdir -p "$ROOT/tmp"
cc -O2 -fomit-frame-pointer -o "$ROOT$WORK/bin/jit" "$PROGS/native_jit.c"
if ! run_in_ns jit 20; then
	fail native_container_perf_map "the JIT did not start in its namespace"
	exit 0
fi
"$SCORCH" record -q --no-kernel -F 200 -d 1.5 -p "$pid" -o "$WORK/j.folded" 2>"$WORK/j.err"
rc=$?
# the first process of a pid namespace ignores SIGTERM from here
kill -KILL "$upid" "$pid" 2>/dev/null
wait "$upid" 2>/dev/null
total=$(awk '{ t += $NF } END { print t + 0 }' "$WORK/j.folded")
named=$(awk '/;jit_(hot|cold) [0-9]+$/ { g += $NF } END { print g + 0 }' "$WORK/j.folded")
if [ $rc -eq 0 ] && [ "$total" -ge 20 ] && [ $((named * 100)) -ge $((total * 90)) ]; then
	ok "native_container_perf_map ($named of $total samples in jit_hot or jit_cold)"
else
	fail native_container_perf_map "rc=$rc, jit_hot/jit_cold on $named of $total samples: $(head -n 3 "$WORK/j.folded"; tail -n 2 "$WORK/j.err")"
fi
exit 0
