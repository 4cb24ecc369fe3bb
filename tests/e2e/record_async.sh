#!/bin/bash
# record_async.sh - --async on every installed CPython 3.11+: in
# tests/programs/async_tasks.py two named tasks (alpha, beta), awaited
# through gather by one supervising coroutine, burn CPU 3:1 in a shared
# coroutine.  With --async the supervisor is on >= 80 % of the samples in
# `shared` and alpha's share of them is within 5 points of the program's
# own CPU-clock measurement; a plain record has the supervisor on none;
# tasks of a TaskGroup and a wait_for (async_groups.py) sit under the
# group's parent; with --idle a task waiting on an Event is sampled under
# what it awaits; `top --async` counts both tasks; `dump --async` names
# both tasks with their states under the supervisor, and the sleeper as a
# tree of its own.  3.14 and 3.15 (Debian's sid builds) are read through
# the interpreter's own _AsyncioDebug offsets.  Versions without an
# asyncio layout (before 3.11, after 3.15) record plain stacks with one
# warning.  Side by side: on each 3.15 with CPython's own profiler
# (profiling.sampling, "Tachyon"), both profile the program with their
# async-aware stacks and the same task chains (task names, the coroutines
# between them, down to `shared`) appear in both.
. "$(dirname "$0")/lib.sh"
PROG=$TOP/tests/programs/async_tasks.py
plan 1	# and per interpreter: 7 where scorch reads asyncio, else 1

# version of an interpreter as "minor"
minor_of() { "$1" -c 'import sys; print(sys.version_info[1])'; }

# chains SCORCH|TACHYON FILE: the distinct task chains down to `shared`
# with at least 3% of those samples, one per line: "task:NAME" for a task,
# the function's name for a coroutine (scorch: "[task NAME]" and "NAME
# (FILE:LINE)"; Tachyon's collapsed: "<task>:NAME:0" and "FILE:NAME:LINE",
# after a "tid:N" root)
chains() {
	awk -v who="$1" '{
		n = $NF; sub(/ [0-9]+$/, ""); k = split($0, f, ";"); c = ""
		for (i = 1; i <= k; i++) {
			t = f[i]
			if (who == "tachyon") {
				if (t ~ /^tid:/) continue
				if (t ~ /^<task>:/) { sub(/^<task>:/, "", t); sub(/:[0-9]+$/, "", t); t = "task:" t }
				else { sub(/:[0-9]+$/, "", t); sub(/^.*:/, "", t) }
			} else if (t ~ /^\[task /) { sub(/^\[task /, "task:", t); sub(/\]$/, "", t) }
			else sub(/ \(.*$/, "", t)
			c = c (c == "" ? "" : ">") t
			if (t == "shared") { s[c] += n; total += n; break }
		}
	} END {for (c in s) if (100 * s[c] >= 3 * total) print c}' "$2" | sort
}

# shares in a folded file: "<shared samples> <% with supervise> <% alpha
# of alpha+beta>"
shares() {
	awk '/;shared \(/ {n=$NF; t+=n; if ($0 ~ /;supervise \(/) s+=n;
		if ($0 ~ /;\[task alpha\];/) a+=n; else if ($0 ~ /;\[task beta\];/) b+=n}
		END {printf "%d %d %d\n", t, t ? 100*s/t : 0, a+b ? 100*a/(a+b) : -1}' "$1"
}

# --async with --native: refused in one line, before anything runs
out=$("$SCORCH" record --async --native -o "$WORK/native.folded" -- true 2>&1)
rc=$?
if [ $rc -eq 2 ] && [ "$(echo "$out" | wc -l)" -eq 1 ] &&
   echo "$out" | grep -q '^scorch: record: --async .*--native' && [ ! -e "$WORK/native.folded" ]; then
	ok "async-native-refused"
else
	fail "async-native-refused" "rc=$rc: $out"
fi

while read -r label py; do
	minor=$(minor_of "$py")
	if ! python_readable "$py"; then
		plan 1
		skip "async-$label" "CPython $label is older than scorch reads"
		continue
	fi
	if [ "$minor" -lt 11 ] || [ "$minor" -gt 15 ]; then
		# no asyncio layout row: one warning, plain stacks still recorded
		plan 1
		f=$WORK/$label-unsupported.folded
		"$SCORCH" record --async -o "$f" -- "$py" -c 'import time
t = time.time()
while time.time() - t < 0.3: pass' >/dev/null 2>"$WORK/$label-unsupported.err"
		rc=$?
		if [ $rc -eq 0 ] && [ -s "$f" ] && ! grep -q '\[task ' "$f" &&
		   [ "$(grep -c 'warning: --async: cannot read asyncio tasks of Python' "$WORK/$label-unsupported.err")" -eq 1 ]; then
			ok "async-unsupported-$label"
		else
			fail "async-unsupported-$label" "rc=$rc: $(cat "$WORK/$label-unsupported.err")"
		fi
		continue
	fi

	# --async: the chain and the split
	plan 7
	f=$WORK/$label.folded
	if ! "$SCORCH" record -q --async -F 200 -o "$f" -- "$py" "$PROG" "$WORK/$label.spent" 1.5 \
		>/dev/null 2>"$WORK/$label.err"; then
		for c in chain split idle plain top groups dump; do
			fail "async-$c-$label" "record failed: $(tail -n 3 "$WORK/$label.err")"
		done
		continue
	fi
	read -r total sup alpha <<<"$(shares "$f")"
	want=$(awk '{v[$1]=$2} END {if (v["alpha"]+v["beta"] > 0) printf "%d", 100*v["alpha"]/(v["alpha"]+v["beta"])}' \
		"$WORK/$label.spent")
	if [ "$total" -lt 100 ]; then
		fail "async-chain-$label" "only $total samples in shared"
	elif [ "$sup" -ge 80 ] && grep -q "^\[task Task-1\];main (.*;supervise (.*;\[task alpha\];worker (.*;shared (" "$f"; then
		ok "async-chain-$label"
	else
		fail "async-chain-$label" "supervise on $sup% of $total shared samples: $(head -n 3 "$f" | cut -c1-300)"
	fi
	if [ -z "$want" ] || [ "$alpha" -lt 0 ]; then
		fail "async-split-$label" "no measurement ($want) or no task frames ($alpha)"
	elif [ $((alpha - want)) -le 5 ] && [ $((want - alpha)) -le 5 ]; then
		ok "async-split-$label"
	else
		fail "async-split-$label" "alpha has $alpha% of the task samples, the program measured $want%"
	fi

	# --async --idle: the waiting task gets a sample on (nearly) every
	# tick that the thread runs the loop's tasks (the start-up's imports
	# come first: seconds of them on the chroot builds, which ship no .pyc
	# files), under what it awaits, as [idle]
	f=$WORK/$label-idle.folded
	if "$SCORCH" record -q --async --idle -F 100 -o "$f" -- "$py" "$PROG" "$WORK/$label-idle.spent" 0.5 \
		>/dev/null 2>&1; then
		read -r waits ticks <<<"$(awk '{n=$NF; if ($0 ~ /^\[task sleeper\];idle_wait \(.*;Event.wait \(.*;\[idle\] [0-9]+$/) w+=n; else if ($0 ~ /^\[task Task-1\]/) t+=n}
			END {printf "%d %d\n", w, t}' "$f")"
		if [ "$ticks" -ge 20 ] && [ $((waits * 2)) -ge "$ticks" ]; then
			ok "async-idle-$label"
		else
			fail "async-idle-$label" "sleeper waiting on $waits samples, the loop's tasks on $ticks: $(grep -m 2 sleeper "$f" | cut -c1-300)"
		fi
	else
		fail "async-idle-$label" "record failed"
	fi

	# plain record: the suspended supervisor is on no sample
	f=$WORK/$label-plain.folded
	if "$SCORCH" record -q -F 200 -o "$f" -- "$py" "$PROG" "$WORK/$label-plain.spent" 0.5 \
		>/dev/null 2>&1; then
		read -r total sup alpha <<<"$(shares "$f")"
		if [ "$total" -ge 20 ] && [ "$sup" -eq 0 ] && ! grep -q '\[task ' "$f"; then
			ok "async-plain-$label"
		else
			fail "async-plain-$label" "$total shared samples, supervise on $sup%"
		fi
	else
		fail "async-plain-$label" "record failed"
	fi

	# top --async: both tasks in the whole-run table
	out=$("$SCORCH" top --async --sort total -F 200 -n 40 -- "$py" "$PROG" "$WORK/$label-top.spent" 1.5 2>&1)
	if echo "$out" | grep -q '\[task alpha\]' && echo "$out" | grep -q '\[task beta\]'; then
		ok "async-top-$label"
	else
		fail "async-top-$label" "$(echo "$out" | tail -n 15)"
	fi

	# TaskGroup and wait_for: both tasks under the group's parent
	f=$WORK/$label-groups.folded
	if "$SCORCH" record -q --async -F 200 -o "$f" -- "$py" "$TOP/tests/programs/async_groups.py" 3 \
		>/dev/null 2>"$WORK/$label-groups.err"; then
		read -r total under <<<"$(awk '/;burn \(/ {n=$NF; t+=n; if ($0 ~ /^\[task Task-1\];main \(.*;TaskGroup.__aexit__ \(/) u+=n}
			END {printf "%d %d\n", t, t ? 100*u/t : 0}' "$f")"
		# both tasks' chains under the group's parent; their share is not
		# asked (the tasks hand over to each other thousands of times a
		# second, and a sample caught in a hand-over has no task to put
		# it under: 29-100% across runs here)
		if [ "$total" -ge 50 ] && [ "$under" -gt 0 ] &&
		   grep -q ';TaskGroup.__aexit__ (.*;\[task tg-child\];child (.*;burn (' "$f" &&
		   grep -q ';TaskGroup.__aexit__ (.*;\[task wf\];wait_for (.*;burn (' "$f"; then
			ok "async-groups-$label"
		else
			fail "async-groups-$label" "$total burn samples, $under% under the group: $(grep -m 3 'burn (' "$f" | cut -c1-300)"
		fi
	else
		fail "async-groups-$label" "record failed: $(tail -n 3 "$WORK/$label-groups.err")"
	fi

	# dump --async: the tree names both tasks under the supervisor
	rm -f "$WORK/ready"
	"$py" "$PROG" "$WORK/$label-dump.spent" 30 "$WORK/ready" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -e "$WORK/ready" ] && break; sleep 0.1; done
	out=$("$SCORCH" dump --async --no-source -p "$pid" 2>&1)
	rc=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ $rc -eq 0 ] && echo "$out" | grep -q '^  \[task Task-1\] pending$' &&
	   echo "$out" | grep -q '^    supervise (' &&
	   echo "$out" | grep -qE '^      \[task alpha\] (running|pending)$' &&
	   echo "$out" | grep -qE '^      \[task beta\] (running|pending)$' &&
	   echo "$out" | grep -q '^        worker (' &&
	   echo "$out" | grep -q '^  \[task sleeper\] pending$' &&
	   echo "$out" | grep -q '^    Event.wait ('; then
		ok "async-dump-$label"
	else
		fail "async-dump-$label" "rc=$rc: $(echo "$out" | tail -n 15)"
	fi
done < <(python_versions)

# side by side with CPython 3.15's own profiler on the same program
sbs=""
while read -r label py; do
	python_readable "$py" && [ "$(minor_of "$py")" -eq 15 ] &&
		"$py" -c 'import profiling.sampling' 2>/dev/null || continue
	sbs=1
	plan 1
	f=$WORK/$label-sbs.folded
	t=$WORK/$label-tachyon.txt
	"$SCORCH" record -q --async -F 200 -o "$f" -- "$py" "$PROG" "$WORK/$label-sbs.spent" 1.5 \
		>/dev/null 2>"$WORK/$label-sbs.err"
	# Tachyon sets the locale from the environment (a chroot has none)
	LC_ALL=C "$py" -m profiling.sampling run --async-aware --collapsed -r 200 -o "$t" \
		"$PROG" "$WORK/$label-tachyon.spent" 1.5 >/dev/null 2>"$WORK/$label-tachyon.err"
	mine=$(chains scorch "$f")
	theirs=$([ -s "$t" ] && chains tachyon "$t")
	want="task:Task-1>main>supervise>task:alpha>worker>shared"
	if [ ! -s "$f" ] || [ ! -s "$t" ]; then
		fail "async-side-by-side-$label" "no profile: scorch $(tail -n 2 "$WORK/$label-sbs.err"), Tachyon $(tail -n 2 "$WORK/$label-tachyon.err")"
	elif [ "$mine" = "$theirs" ] && echo "$mine" | grep -qx "$want" &&
	     echo "$mine" | grep -qx "${want/alpha/beta}"; then
		ok "async-side-by-side-$label"
	else
		fail "async-side-by-side-$label" "scorch's chains: $(echo $mine); Tachyon's: $(echo $theirs)"
	fi
done < <(python_versions)
[ -n "$sbs" ] || { plan 1; skip "async-side-by-side" "no CPython 3.15 with profiling.sampling installed (scripts/pythons.sh provisions Debian's)"; }
exit 0
