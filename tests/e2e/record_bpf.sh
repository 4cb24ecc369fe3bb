#!/bin/bash
# record_bpf.sh - the BPF engine (engines/bpf/): `record -a` while a 3:1
# C program built without frame pointers and a 3:1 Python 3.12 program
# run, each under its own "name (PID)" root with its split within 5
# points (the C user stacks copied by the BPF program and unwound with
# DWARF, the Python frames walked by the kernel); the Python program
# attached, its ticks counted in the kernel after each stack's first;
# `--engine bpf` on a spawned and an attached program (and the threads
# it starts after the attach), --native (the
# Python frames merged where the eval loop was), --subprocesses
# (spawned, and attached to a process whose children already run),
# --idle (a C program's own sleep share within 10 points, its waits
# ending in the kernel's __schedule;[idle]),
# a process that exits during -a, one in its own pid namespace (its root
# names the container) and a Python there (its frames walked with the
# namespace's thread ids), `top -a`; the cut of the kernel's types made,
# then read from the cache, and a spoiled one dropped; a verifier that
# refuses the program (a stand-in preloaded) and, without permission
# (as nobody), one line and the other engines, or for -a one error.
. "$(dirname "$0")/lib.sh"
plan 17
PROGS=$TOP/tests/programs

if [ "$(id -u)" != 0 ]; then
	skip_rest "the BPF engine needs root (or CAP_BPF and CAP_PERFMON)"
fi
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	skip_rest "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
fi
cc -O2 -fomit-frame-pointer -g -o "$WORK/split" "$PROGS/native_split.c"

# split_of FILE ROOT: "heavy light" samples under the root frame ROOT
split_of() {
	awk -v root="$2" 'index($0, root ";") == 1 {
		if ($0 ~ /;heavy;/) h += $NF; else if ($0 ~ /;light;/) l += $NF }
		END { printf "%d %d", h, l }' "$1"
}

# bpf_refused ERR: the kernel refused the BPF program and the other
# engines recorded instead (a warning, which -q would hide: the
# --engine bpf runs below are not -q)
bpf_refused() {
	grep -q 'warning: bpf engine' "$1"
}

# two_split_roots NAME FOLDED ERR RC: ok when the recording (exit status
# RC, stderr ERR) put two split processes under roots of their own
two_split_roots() {
	local name=$1 f=$2 err=$3 rc=$4 n
	if [ "$rc" -ne 0 ] || bpf_refused "$err"; then
		fail "$name" "$(tail -n 3 "$err")"
		return
	fi
	n=$(grep -oE '^split \([0-9]+\);' "$f" | sort -u | wc -l)
	if [ "$n" -eq 2 ]; then
		ok "$name (2 roots)"
	else
		fail "$name" "$n split roots: $(cut -d';' -f1 "$f" | sort | uniq -c)"
	fi
}

# near75 NAME H L: ok when H:L is 3:1 within 5 points
near75() {
	local name=$1 h=$2 l=$3
	if [ $((h + l)) -ge 40 ] && [ $((h * 100)) -ge $(((h + l) * 70)) ] &&
	   [ $((h * 100)) -le $(((h + l) * 80)) ]; then
		ok "$name (heavy $h, light $l)"
	else
		fail "$name" "heavy $h, light $l: not 3:1 within 5 points"
	fi
}

# ---- -a while a C and a Python program run --------------------------
py=$(python_versions | awk '$1 ~ /^3\.12\./ { print $2; exit }')
"$WORK/split" 60 >/dev/null &
cpid=$!
ppid=
if [ -n "$py" ]; then
	"$py" "$PROGS/split.py" 30 >"$WORK/py.out" &
	ppid=$!
fi
wait_for_exec $cpid split 10
[ -z "$ppid" ] || wait_for_line "$WORK/py.out" TALLY_LINE 30 $ppid
if "$SCORCH" record -q -a -d 4 -F 499 -o "$WORK/all.folded" 2>"$WORK/all.err"; then
	near75 bpf_all_c_split $(split_of "$WORK/all.folded" "split ($cpid)")
	if [ -z "$ppid" ]; then
		skip bpf_all_python_split "no pyenv 3.12 build"
	else
		# (pyenv's python3 is the process name: the link exec'd); its
		# Python frames walked by the kernel
		set -- $(awk -v root="python3 ($ppid);" 'index($0, root) == 1 {
			if ($0 ~ /;Ledger\.tally \(/) t += $NF; else if ($0 ~ /;café_λ \(/) c += $NF }
			END { printf "%d %d", t, c }' "$WORK/all.folded")
		if [ $(($1 + $2)) -ge 40 ] && [ $(($1 * 100)) -ge $((($1 + $2) * 70)) ] &&
		   [ $(($1 * 100)) -le $((($1 + $2) * 80)) ]; then
			ok "bpf_all_python_split (tally $1, café_λ $2 under python3 ($ppid))"
		else
			fail bpf_all_python_split "tally $1, café_λ $2 under 'python3 ($ppid)': $(grep -F "python3 ($ppid)" "$WORK/all.folded" | sort -t' ' -k3 -nr | head -3)"
		fi
	fi
else
	fail bpf_all_c_split "$(tail -n 3 "$WORK/all.err")"
	fail bpf_all_python_split "record -a failed"
fi
# the same Python program attached: after a stack's first sample the
# kernel counts its ticks (sampler.bpf.c's stack_counts), and the counts
# must come out as samples, each where its first went
if [ -z "$ppid" ]; then
	skip bpf_counted_python "no pyenv 3.12 build"
elif SCORCH_BPF_STATS=1 "$SCORCH" record -q --engine bpf -p $ppid -d 2 -F 500 \
	-o "$WORK/counted.folded" 2>"$WORK/counted.err"; then
	set -- $(awk '/;Ledger\.tally \(/ { t += $NF } /;café_λ \(/ { c += $NF } { n += $NF }
		END { printf "%d %d %d", n, t, c }' "$WORK/counted.folded") \
		$(sed -n 's/.*samples (\([0-9]*\) counted in the kernel).*/\1/p' "$WORK/counted.err")
	# (the program has a CPU of its own: 1000 ticks, at least 500 here
	# under a loaded CI)
	if [ "$1" -ge 500 ] && [ "${4:-0}" -ge $(($1 / 2)) ] &&
	   [ $(($2 * 100)) -ge $((($2 + $3) * 70)) ] &&
	   [ $(($2 * 100)) -le $((($2 + $3) * 80)) ]; then
		ok "bpf_counted_python ($1 samples, $4 of them counted in the kernel; tally $2, café_λ $3)"
	else
		fail bpf_counted_python "$1 samples, ${4:-?} counted in the kernel, tally $2, café_λ $3: $(cat "$WORK/counted.err")"
	fi
else
	fail bpf_counted_python "$(tail -n 3 "$WORK/counted.err")"
fi

kill $cpid $ppid 2>/dev/null
wait $cpid $ppid 2>/dev/null

# ---- --engine bpf: spawned, attached, --subprocesses -----------------
if "$SCORCH" record --engine bpf -F 400 -o "$WORK/spawn.folded" -- "$WORK/split" 4 2>"$WORK/spawn.err" &&
   ! bpf_refused "$WORK/spawn.err"; then
	set -- $(awk '/;heavy;/ { h += $NF } /;light;/ { l += $NF } END { printf "%d %d", h, l }' "$WORK/spawn.folded")
	near75 bpf_spawn_split "$1" "$2"
else
	fail bpf_spawn_split "$(tail -n 3 "$WORK/spawn.err")"
fi

"$WORK/split" 60 >/dev/null &
cpid=$!
wait_for_exec $cpid split 10
if "$SCORCH" record --engine bpf -d 2 -F 400 -p $cpid -o "$WORK/attach.folded" 2>"$WORK/attach.err" &&
   ! bpf_refused "$WORK/attach.err"; then
	set -- $(awk '/;heavy;/ { h += $NF } /;light;/ { l += $NF } END { printf "%d %d", h, l }' "$WORK/attach.folded")
	near75 bpf_attach_split "$1" "$2"
else
	fail bpf_attach_split "$(tail -n 3 "$WORK/attach.err")"
fi
kill $cpid 2>/dev/null
wait $cpid 2>/dev/null

# both children of a shell, each under its own root
"$SCORCH" record --engine bpf --subprocesses -F 400 -o "$WORK/sub.folded" -- \
	sh -c "'$WORK/split' 2 & '$WORK/split' 2; wait" 2>"$WORK/sub.err"
two_split_roots bpf_subprocesses "$WORK/sub.folded" "$WORK/sub.err" $?

# attached (-p) to a shell whose two children already run: both followed
sh -c "'$WORK/split' 100 & '$WORK/split' 100; wait" >/dev/null &
shpid=$!
running=0
for _ in $(seq 200); do
	running=0
	for c in $(cat /proc/$shpid/task/*/children 2>/dev/null); do
		[ "$(readlink "/proc/$c/exe" 2>/dev/null)" = "$WORK/split" ] && running=$((running + 1))
	done
	[ "$running" -eq 2 ] && break
	sleep 0.05
done
if [ "$running" -ne 2 ]; then
	fail bpf_attach_children "the shell's two split children did not start"
else
	"$SCORCH" record --engine bpf --subprocesses -d 1 -F 400 -p $shpid -o "$WORK/subp.folded" 2>"$WORK/subp.err"
	two_split_roots bpf_attach_children "$WORK/subp.folded" "$WORK/subp.err" $?
fi
pkill -P $shpid 2>/dev/null
kill $shpid 2>/dev/null
wait $shpid 2>/dev/null

# ---- -a: a process that exits during the run, one in a container -----
# the container's programs run through the whole recording (a process
# gone before scorch reads it keeps only its samples: no label, no names)
upid= uppid=
if command -v unshare >/dev/null; then
	unshare --pid --fork --mount-proc "$WORK/split" 60 >/dev/null &
	upid=$!
	if [ -n "$py" ]; then
		unshare --pid --fork --mount-proc "$py" "$PROGS/split.py" 30 >"$WORK/nspy.out" &
		uppid=$!
		wait_for_line "$WORK/nspy.out" TALLY_LINE 30 $uppid
	fi
	end=$((SECONDS + 20))	# unshare's child has exec'd the program
	until [ "$(readlink /proc/"$(pgrep -P $upid | head -n 1)"/exe 2>/dev/null)" = "$WORK/split" ] ||
	      [ $SECONDS -ge $end ]; do
		sleep 0.05
	done
fi
"$SCORCH" record -q -a -d 3 -F 199 -o "$WORK/exit.folded" 2>"$WORK/exit.err" &
spid=$!
# the recording is on once scorch itself shows in /proc with the
# program loaded: poll for its BPF links rather than sleep
end=$((SECONDS + 20))
until ls -l /proc/$spid/fd 2>/dev/null | grep -q 'anon_inode:bpf.link' || [ $SECONDS -ge $end ]; do
	sleep 0.05
done
"$WORK/split" 2 >/dev/null &
epid=$!
wait $epid
wait $spid
# its root stays; its frames are named when scorch read its maps before
# it exited (a slow scorch, e.g. under ASan, may come too late)
set -- $(awk -v root="split ($epid);" 'index($0, root) == 1 { n += $NF; if ($0 ~ /;heavy;/) h += $NF }
	END { printf "%d %d", n, h }' "$WORK/exit.folded")
if [ "$1" -ge 10 ]; then
	ok "bpf_exited_process ($1 samples under split ($epid), $2 in heavy)"
else
	fail bpf_exited_process "$1 samples under 'split ($epid)': $(tail -n 2 "$WORK/exit.err") $(cut -d';' -f1 "$WORK/exit.folded" | sort | uniq -c | sort -rn | head -5)"
fi
if [ -n "$upid" ]; then
	if grep -qE '^split \([0-9]+\) \[pidns:[0-9]+\];.*;heavy;' "$WORK/exit.folded"; then
		ok "bpf_container_root ($(grep -oE '^split \([0-9]+\) \[pidns:[0-9]+\]' "$WORK/exit.folded" | head -n 1))"
	else
		fail bpf_container_root "no 'split (PID) [pidns:N]' root: $(cut -d';' -f1 "$WORK/exit.folded" | grep split | sort | uniq -c)"
	fi
else
	missing bpf_container_root "no unshare"
fi
# a Python in its container: its thread ids are its namespace's
if [ -n "$uppid" ]; then
	n=$(awk '/^python3 \([0-9]+\) \[pidns:[0-9]+\];.*;Ledger\.tally \(/ { n += $NF } END { print n + 0 }' "$WORK/exit.folded")
	if [ "$n" -ge 20 ]; then
		ok "bpf_container_python ($n samples in Ledger.tally under a python3 (PID) [pidns:N] root)"
	else
		fail bpf_container_python "$n samples in Ledger.tally: $(grep -E '^python3 \([0-9]+\) \[' "$WORK/exit.folded" | sort -t' ' -k4 -nr | head -n 3)"
	fi
else
	skip bpf_container_python "no unshare or no pyenv 3.12 build"
fi
# (killing unshare ends its namespace: the programs in it go too)
kill $upid $uppid 2>/dev/null
wait $upid $uppid 2>/dev/null

# ---- --native: the kernel's Python frames where the eval loop was ------
if [ -z "$py" ]; then
	skip bpf_native_merge "no pyenv 3.12 build"
elif "$SCORCH" record --engine bpf --native -F 499 -o "$WORK/native.folded" -- "$py" "$PROGS/split.py" 3 \
	>/dev/null 2>"$WORK/native.err" && ! bpf_refused "$WORK/native.err"; then
	# all, tally and café_λ under the interpreter's own C frames (the
	# Python frames in place of _PyEval_EvalFrameDefault), [unmerged]
	set -- $(awk '{ n = $NF; all += n }
		/;PyEval_EvalCode;<module> \([^;]*split\.py:[0-9]+\);main \([^;]*\);Ledger\.tally \(/ { t += n }
		/;PyEval_EvalCode;<module> \([^;]*split\.py:[0-9]+\);main \([^;]*\);café_λ \(/ { c += n }
		/^\[unmerged\];/ { u += n }
		END { printf "%d %d %d %d", all, t, c, u }' "$WORK/native.folded")
	# (nested eval loops, start-up imports', get their own frames by the
	# kernel's entry marks; only the samples before scorch knew the
	# process for a CPython stay [unmerged])
	if [ $(($2 + $3)) -ge 200 ] && [ $(($2 * 100)) -ge $((($2 + $3) * 70)) ] &&
	   [ $(($2 * 100)) -le $((($2 + $3) * 80)) ] && [ $(($4 * 20)) -le "$1" ]; then
		ok "bpf_native_merge (tally $2, café_λ $3 under PyEval_EvalCode; $4 of $1 [unmerged])"
	else
		fail bpf_native_merge "$1 samples, tally $2, café_λ $3 merged, $4 [unmerged]: $(sort -t' ' -k2 -nr "$WORK/native.folded" | head -n 2 | cut -c1-400)"
	fi
else
	fail bpf_native_merge "$(tail -n 3 "$WORK/native.err")"
fi

# ---- --idle: off-CPU time from the scheduler's switches ---------------
cc -O2 -g -o "$WORK/sleeper" "$PROGS/native_sleeper.c"
# twice, with a cache of this boot's kernel symbols of its own: the
# first run fills it, the second names the kernel frames from it (it
# once named the BPF trampoline's frames after the last core symbol)
SCORCH_CACHE_DIR=$WORK/cache "$SCORCH" record -q --engine bpf --idle -F 200 -o "$WORK/idle-cold.folded" -- \
	"$WORK/sleeper" "$WORK/idle-cold.own" 2>"$WORK/idle.err"
if [ -s "$WORK/cache/kallsyms" ] &&
   SCORCH_CACHE_DIR=$WORK/cache "$SCORCH" record --engine bpf --idle -F 200 -o "$WORK/idle.folded" -- \
	"$WORK/sleeper" "$WORK/idle.own" 2>"$WORK/idle.err" && ! grep -q 'warning' "$WORK/idle.err"; then
	own=$(cat "$WORK/idle.own")
	# total, nap's share, and the share of nap's samples ending [idle]
	set -- $(awk '{ n = $NF; t += n; line = $0; sub(/ [0-9.]+$/, "", line)
		if (line ~ /(^|;)nap(;|$)/) { s += n; if (line ~ /;__schedule;\[idle\]$/) i += n } }
		END { if (!t) { print "0 0 0"; exit }
		      printf "%d %.1f %.1f\n", t, 100 * s / t, s ? 100 * i / s : 0 }' "$WORK/idle.folded")
	if [ "$1" -ge 100 ] && awk -v a="$2" -v b="$own" -v i="$3" 'BEGIN { d = a - b; exit !(d >= -10 && d <= 10 && i >= 95) }'; then
		ok "bpf_idle (nap $2% of $1 samples, $3% ending in __schedule;[idle]; the program slept $own%)"
	else
		fail bpf_idle "nap $2% of $1 samples ($3% ending in [idle]), the program slept $own%: $(sort -t' ' -k2 -nr "$WORK/idle.folded" | head -n 2)"
	fi
else
	fail bpf_idle "$([ -s "$WORK/cache/kallsyms" ] || echo "no kernel symbol cache was written; ")$(tail -n 3 "$WORK/idle.err")"
fi

# ---- top -a ----------------------------------------------------------
"$WORK/split" 60 >/dev/null &
cpid=$!
wait_for_exec $cpid split 10
if "$SCORCH" top -a -d 2 >"$WORK/top.out" 2>"$WORK/top.err" </dev/null &&
   grep -qE ' spin$' "$WORK/top.out"; then
	ok bpf_top_all
else
	fail bpf_top_all "$(tail -n 3 "$WORK/top.err") $(head -n 5 "$WORK/top.out")"
fi
kill $cpid 2>/dev/null
wait $cpid 2>/dev/null

# ---- an attached program's threads started after the attach: one
# target is sampled by events on its threads, which the threads it
# starts inherit -----------------------------------------------------------
cc -O2 -g -pthread -o "$WORK/thr" "$PROGS/native_threads.c"
"$WORK/thr" 1000 >/dev/null &
tpid=$!
wait_for_exec $tpid thr 10
"$SCORCH" record --engine bpf -p $tpid -F 499 -d 2 -o "$WORK/thr.folded" 2>"$WORK/thr.err"
rc=$?
kill $tpid 2>/dev/null
wait $tpid 2>/dev/null
set -- $(awk '{ n = $NF; all += n } /;thread_work/ { w += n } /;main_work/ { m += n }
	END { printf "%d %d %d", all, w, m }' "$WORK/thr.folded")
# (each round's two threads start after the attach: ~2 s of them)
if [ $rc -eq 0 ] && ! bpf_refused "$WORK/thr.err" && [ "$2" -ge 200 ] && [ "$3" -ge 20 ]; then
	ok "bpf_attached_new_threads ($2 samples in threads started after the attach, $3 in main_work, of $1)"
else
	fail bpf_attached_new_threads "rc $rc, $1 samples, $2 thread_work, $3 main_work: $(tail -n 2 "$WORK/thr.err")"
fi

# ---- the kernel's types: cut once a boot, then from the cache; a cut
# libbpf cannot read is dropped and the kernel's own BTF used -----------
cache=$WORK/types-cache
said=
for run in 1 2 3; do
	# run 3: the cut's BTF header (after scorch's 64 bytes) spoiled
	[ $run = 3 ] && dd if=/dev/zero of="$cache/bpf-kernel-types" bs=1 seek=64 count=32 conv=notrunc 2>/dev/null
	SCORCH_CACHE_DIR=$cache SCORCH_BPF_STATS=1 "$SCORCH" record --engine bpf -F 499 \
		-o "$WORK/types$run.folded" -- "$WORK/split" 4 >/dev/null 2>"$WORK/types$run.err"
	rc=$?
	if [ $rc -ne 0 ] || bpf_refused "$WORK/types$run.err" || ! grep -q ';heavy' "$WORK/types$run.folded"; then
		said="$said run $run: rc $rc, $(tail -n 2 "$WORK/types$run.err"), $(sort -t" " -k2 -nr "$WORK/types$run.folded" | head -n 3);"
	fi
	[ $run = 1 ] && [ -s "$cache/bpf-kernel-types" ] || [ $run != 1 ] || said="$said no cut saved;"
done
from=$(sed -n 's/^scorch: bpf: kernel types from \(.*\) (.*/\1/p' "$WORK"/types[123].err | paste -sd'|')
if [ -z "$said" ] && [ "$from" = "a new cut|the cache|the kernel's BTF" ] && [ ! -e "$cache/bpf-kernel-types" ]; then
	ok "bpf_kernel_types (from $from, each run recording)"
else
	fail bpf_kernel_types "$said kernel types from: $from; cut left: $(ls "$cache")"
fi

# ---- a verifier that refuses the program (an LD_PRELOAD stand-in for
# the kernel, tests/programs/bpf_refuse.c): the verifier's reason in one
# line and the other engines, or for -a one error -------------------------
if cc -shared -fPIC -O2 -o "$WORK/bpf_refuse.so" "$PROGS/bpf_refuse.c" -ldl 2>"$WORK/refuse-cc.err"; then
	# (ASan wants to be the first library; the stand-in comes first)
	refused() {
		LD_PRELOAD=$WORK/bpf_refuse.so ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0 \
			SCORCH_CACHE_DIR=$WORK/refuse-cache "$SCORCH" record "$@"
	}
	refused --engine bpf -F 200 -o "$WORK/refused.folded" -- "$WORK/split" 4 >/dev/null 2>"$WORK/refused.err"
	rc=$?
	refused -q -a -d 1 -o "$WORK/refused-a.folded" 2>"$WORK/refused-a.err"
	arc=$?
	reason="the kernel's verifier refused the BPF program: R0 invalid mem access 'map_value_or_null'"
	if [ $rc -eq 0 ] && [ "$(grep -c warning "$WORK/refused.err")" -eq 1 ] &&
	   grep -qF "scorch: warning: bpf engine: $reason (" "$WORK/refused.err" &&
	   grep -q 'recording with the other engines)$' "$WORK/refused.err" &&
	   grep -q ';heavy' "$WORK/refused.folded" &&
	   [ $arc -ne 0 ] && [ "$(wc -l <"$WORK/refused-a.err")" -eq 1 ] &&
	   grep -qF "scorch: -a: the bpf engine cannot run: $reason (" "$WORK/refused-a.err" &&
	   [ ! -e "$WORK/refused-a.folded" ]; then
		ok "bpf_verifier_refusal ($(grep warning "$WORK/refused.err" | cut -c1-120)...)"
	else
		fail bpf_verifier_refusal "rc $rc: $(cat "$WORK/refused.err"); -a rc $arc: $(cat "$WORK/refused-a.err")"
	fi
else
	fail bpf_verifier_refusal "cannot build the stand-in: $(cat "$WORK/refuse-cc.err")"
fi

# ---- no permission: one line, then the other engines -----------------
if ! command -v setpriv >/dev/null; then
	missing bpf_no_permission "no setpriv"
else
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
	# nobody's own directory, outside the test's private one
	nobody=$(mktemp -d /tmp/scorch-bpf-nobody.XXXXXX)
	cp "$WORK/split" "$nobody/split"
	chown -R 65534 "$nobody"
	# (removed below)
	# (no -q: it would quiet the warning too)
	as_nobody "$SCORCH" record --engine bpf -F 200 -o "$nobody/n.folded" -- "$nobody/split" 1 2>"$WORK/nobody.err"
	rc=$?
	as_nobody "$SCORCH" record -q -a -d 1 -o "$nobody/a.folded" 2>"$WORK/nobody-a.err"
	arc=$?
	if [ $rc -eq 0 ] && [ "$(grep -c warning "$WORK/nobody.err")" -eq 1 ] &&
	   grep -qE '^scorch: warning: bpf engine: .*\(run as root, or give scorch CAP_BPF and CAP_PERFMON; recording with the other engines\)$' "$WORK/nobody.err" &&
	   grep -q 'heavy' "$nobody/n.folded" &&
	   [ $arc -ne 0 ] && [ "$(wc -l <"$WORK/nobody-a.err")" -eq 1 ] &&
	   grep -qE '^scorch: -a: .*\(run as root, or give scorch CAP_BPF and CAP_PERFMON\)$' "$WORK/nobody-a.err"; then
		ok "bpf_no_permission ($(grep warning "$WORK/nobody.err"))"
	else
		fail bpf_no_permission "rc $rc: $(cat "$WORK/nobody.err"); -a rc $arc: $(cat "$WORK/nobody-a.err")"
	fi
fi
rm -rf "${nobody:-/nonexistent}"
