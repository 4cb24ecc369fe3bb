#!/bin/bash
# record_container.sh - a CPython in its own mount and pid namespaces
# (`unshare --mount --pid --fork`, its root a tmpfs only that namespace
# sees, with the system and the interpreter bind-mounted in, then chroot)
# read from the host: `dump -p` must show its stack with thread ids as the
# host knows them, and `record --native -p` must merge its Python frames.
# On the host, at the path /proc/PID/maps names its libpython by, sits a
# decoy: another version's libpython.  It must not be read.
. "$(dirname "$0")/lib.sh"
PROG=$TOP/tests/programs/deep.py

for tool in unshare chroot mount; do
	if ! command -v $tool >/dev/null; then
		missing_rest "no $tool"
	fi
done
if [ "$(id -u)" != 0 ]; then
	skip_rest "unshare and mount need root"
fi

# a pyenv build with its libpython (the decoy is another one's)
pythons=$(python_versions | awk '$1 ~ /^3\.[0-9]+\.[0-9]+$/')
# dump and native per readable one
plan $((2 * $(echo "$pythons" | while read -r label py; do python_readable "$py" && echo; done | wc -l)))

# run_in_ns LABEL PY: starts PY PROG 300 30 in its own namespaces; sets pid
run_in_ns() {
	local py=$2 pyroot ns=$WORK/ns-$1
	pyroot=$(cd "$(dirname "$py")/.." && pwd)
	mkdir -p "$ns"
	unshare --mount --pid --fork sh -c '
		ns=$1 pyroot=$2 progs=$3
		shift 3
		mount -t tmpfs scorch-test "$ns" || exit 1
		for d in /usr /lib /lib64 /bin /etc "$pyroot" "$progs"; do
			if [ -L "$d" ]; then
				ln -s "$(readlink "$d")" "$ns$d"
			elif [ -d "$d" ]; then
				mkdir -p "$ns$d" && mount --bind "$d" "$ns$d" || exit 1
			fi
		done
		mkdir -p "$ns/tmp"
		exec chroot "$ns" "$@"' sh "$ns" "$pyroot" "$(dirname "$PROG")" \
		"$py" "$PROG" 300 30 >"$WORK/$1.out" 2>&1 &
	upid=$!
	pid=""
	for _ in $(seq 200); do
		if grep -q READY "$WORK/$1.out" 2>/dev/null; then
			pid=$(pgrep -P "$upid" | head -n 1)
			[ -n "$pid" ] && return 0
		fi
		kill -0 "$upid" 2>/dev/null || break
		sleep 0.05
	done
	kill "$upid" 2>/dev/null
	return 1
}

echo "$pythons" | while read -r label py; do
	python_readable "$py" || continue
	lib=$(ls "$(dirname "$py")"/../lib/libpython3.*.so.1.0 2>/dev/null | head -n 1)
	if [ -z "$lib" ]; then
		skip "dump-container-$label" "no shared libpython to put a decoy in front of"
		skip "native-container-$label" "no shared libpython to put a decoy in front of"
		continue
	fi
	lib=$(cd "$(dirname "$lib")" && pwd)/$(basename "$lib")
	# the decoy: what the host finds at the path maps gives
	mkdir -p "$WORK/ns-$label$(dirname "$lib")"
	other=$(echo "$pythons" | awk -v me="$py" '$2 != me {print $2}' | while read -r p; do
		ls "$(dirname "$p")"/../lib/libpython3.*.so.1.0 2>/dev/null; done | head -n 1)
	[ -n "$other" ] && cp "$other" "$WORK/ns-$label$lib"
	if ! run_in_ns "$label" "$py"; then
		fail "dump-container-$label" "the program did not start: $(tail -n 3 "$WORK/$label.out")"
		fail "native-container-$label" "the program did not start"
		continue
	fi
	out=$("$SCORCH" dump --no-source -p "$pid" 2>&1)
	rc=$?
	frames=$(echo "$out" | grep -c '^  File "')
	if [ $rc -eq 0 ] && [ "$frames" -eq 303 ] && echo "$out" | grep -q "^Thread $pid " &&
	   echo "$out" | tail -n 1 | grep -q ', in leaf$'; then
		ok "dump-container-$label ($frames frames, thread $pid)"
	else
		fail "dump-container-$label" "rc=$rc, $frames frames (want 303), pid $pid: $(echo "$out" | head -n 4)"
	fi
	if "$SCORCH" record --help 2>&1 | grep -q -- '--no-kernel'; then
		f=$WORK/$label.folded
		"$SCORCH" record -q --native --no-kernel -F 200 -d 1 -p "$pid" -o "$f" 2>"$f.err"
		rc=$?
		total=$(awk '{ t += $NF } END { print t + 0 }' "$f" 2>/dev/null)
		leaf=$(awk '/;leaf \(/ && !/\[unmerged\]/ { g += $NF } END { print g + 0 }' "$f" 2>/dev/null)
		if [ $rc -eq 0 ] && [ "${total:-0}" -ge 5 ] && [ $((leaf * 100)) -ge $((total * 60)) ]; then
			ok "native-container-$label ($leaf of $total samples merged with leaf)"
		else
			fail "native-container-$label" "rc=$rc, leaf merged on ${leaf:-0} of ${total:-0}: $(head -c 300 "$f" 2>/dev/null) $(tail -n 2 "$f.err")"
		fi
	fi
	# the first process of a pid namespace ignores SIGTERM from here
	kill -KILL "$pid" "$upid" 2>/dev/null
	wait "$upid" 2>/dev/null
done
exit 0
