#!/bin/bash
# record_modes.sh - the modes of CPython's own profiler, on every
# installed version that exposes the state: [gc] frames while the cyclic
# GC collects, and --mode exception (only threads handling an exception),
# each checked against the program's own measurement; `top --mode
# exception` shows the handler and not the rest, `dump --mode exception`
# shows only the thread inside an except block, `dump --opcodes`/`top`
# are in record_opcodes.sh.
. "$(dirname "$0")/lib.sh"

# ---- [gc]: automatic collection off, so the GC runs only under
# collect_phase's gc.collect(); the program measures its share itself
GCPROG=$WORK/gcprog.py
cat >"$GCPROG" <<'PY'
import gc, sys, time
gc.disable()

class Node:
    pass

keep = []

def build_cycles(n):
    for _ in range(n):
        a = Node(); b = Node(); a.other = b; b.other = a
        keep.append(a)

def collect_phase():
    gc.collect()

def spin(seconds):
    end = time.process_time() + seconds
    s = 0
    while time.process_time() < end:
        for i in range(1000):
            s += i

build_cycles(300000)
in_gc = 0.0
end = time.time() + float(sys.argv[1])
t0 = time.process_time()
while time.time() < end:
    spin(0.05)
    c0 = time.process_time()
    collect_phase()
    in_gc += time.process_time() - c0
print("gc_share %.3f" % (in_gc / (time.process_time() - t0)))
PY

# ---- --mode exception: a third of each round's handler-free work again
# runs inside a generator, so leaving an except block must clear the state
EXCPROG=$WORK/excprog.py
cat >"$EXCPROG" <<'PY'
import sys, time
clock = getattr(time, "thread_time", time.process_time)

def spin(seconds):
    end = clock() + seconds
    s = 0
    while clock() < end:
        for i in range(500):
            s += i

def plain_work():
    spin(0.03)

def handle_work():
    spin(0.01)

def gen_work():
    yield 1

in_handler = 0.0
end = time.time() + float(sys.argv[1])
t0 = clock()
while time.time() < end:
    plain_work()
    try:
        raise ValueError("x")
    except ValueError:
        c0 = clock()
        handle_work()
        in_handler += clock() - c0
    for _ in gen_work():
        plain_work()
print("exception_share %.3f" % (in_handler / (clock() - t0)))
PY

# ---- dump --mode exception: the main thread sleeps in an except block,
# a second thread sleeps outside any
DUMPPROG=$WORK/dumpprog.py
cat >"$DUMPPROG" <<'PY'
import sys, threading, time

def plain_sleeper():
    time.sleep(60)

def in_handler(ready):
    try:
        raise KeyError("x")
    except KeyError:
        open(ready, "w").close()
        time.sleep(60)

threading.Thread(target=plain_sleeper, daemon=True).start()
in_handler(sys.argv[1])
PY

# gc_knows PY / exc_knows PY: versions whose state scorch knows where to
# find (python/layouts.c): the GC flag from 3.8, exception state from 3.6
gc_knows() { "$1" -c 'import sys; sys.exit(sys.version_info < (3, 8) or sys.version_info >= (3, 16))'; }
exc_knows() { "$1" -c 'import sys; sys.exit(sys.version_info >= (3, 16))'; }

# sum_where AWKCOND FILE: samples of the folded stacks matching
sum_where() { awk "$1 {n += \$NF} END {print n + 0}" "$2"; }

plan $(($(python_versions | wc -l) * 2 + 4))	# gc and exception per interpreter, 4 errors
any=""
while read -r label py; do
	if ! python_readable "$py"; then
		skip "record-gc-$label" "CPython $label is older than scorch reads"
		skip "record-mode-exception-$label" "CPython $label is older than scorch reads"
		continue
	fi
	any=1

	if ! gc_knows "$py"; then
		skip "record-gc-$label" "CPython $label keeps the GC's flag where scorch does not look (3.6: a static; 3.7: offset unknown)"
	else
		f=$WORK/gc-$label.folded
		if ! "$SCORCH" record -q -F 200 -o "$f" -- "$py" "$GCPROG" 3 \
			>"$WORK/gc-$label.out" 2>"$WORK/gc-$label.err"; then
			fail "record-gc-$label" "record failed: $(tail -n 2 "$WORK/gc-$label.err")"
		else
			own=$(awk '/^gc_share/ {print $2}' "$WORK/gc-$label.out")
			gc=$(sum_where '/collect_phase \(/ && /;\[gc\] [0-9]+$/' "$f")
			loop=$(sum_where '/collect_phase \(|spin \(/' "$f")
			# [gc] anywhere else in the program's own code is wrong
			stray=$(sum_where '/gcprog\.py/ && /\[gc\]/ && !/collect_phase \(/' "$f")
			bare=$(sum_where '/collect_phase \(/ && !/\[gc\]/' "$f")
			if [ -z "$own" ] || [ "$loop" -lt 20 ]; then
				fail "record-gc-$label" "too little to judge: own share '$own', $loop loop samples"
			elif [ "$gc" -eq 0 ] || [ "$stray" -ne 0 ]; then
				fail "record-gc-$label" "[gc] under collect_phase: $gc, elsewhere in the program: $stray"
			elif ! awk -v g="$gc" -v l="$loop" -v o="$own" \
				'BEGIN {d = g / l - o; exit !(d < 0.15 && d > -0.15)}'; then
				fail "record-gc-$label" "[gc] is $gc of $loop loop samples, the program measured $own in the GC ($bare collect_phase samples without [gc])"
			else
				ok "record-gc-$label"
			fi
		fi
	fi

	if ! exc_knows "$py"; then
		skip "record-mode-exception-$label" "scorch does not know where CPython $label keeps a thread's exception"
		continue
	fi
	f=$WORK/exc-$label.folded
	if ! "$SCORCH" record -q --mode exception -F 200 -o "$f" -- "$py" "$EXCPROG" 3 \
		>"$WORK/exc-$label.out" 2>"$WORK/exc-$label.err"; then
		fail "record-mode-exception-$label" "record failed: $(tail -n 2 "$WORK/exc-$label.err")"
		continue
	fi
	own=$(awk '/^exception_share/ {print $2}' "$WORK/exc-$label.out")
	handled=$(sum_where '/handle_work \(/' "$f")
	# the except block's own lines in <module> count as handling too
	outside=$(sum_where '/plain_work \(|gen_work \(/' "$f")
	# the same program without the mode: plain_work is most of it
	g=$WORK/exc-plain-$label.folded
	"$SCORCH" record -q -F 200 -o "$g" -- "$py" "$EXCPROG" 1 >/dev/null 2>&1
	plain=$(sum_where '/plain_work \(/' "$g")
	if [ -z "$own" ]; then
		fail "record-mode-exception-$label" "the program did not finish"
	elif [ "$handled" -eq 0 ] || [ "$outside" -ne 0 ]; then
		fail "record-mode-exception-$label" "handle_work: $handled samples, plain_work or gen_work (no exception): $outside (the program measured $own in handlers)"
	elif [ "$plain" -eq 0 ]; then
		fail "record-mode-exception-$label" "without --mode exception plain_work has no samples"
	else
		ok "record-mode-exception-$label"
	fi

	# top and dump with --mode exception
	plan 2
	out=$("$SCORCH" top --mode exception --sort total -n 20 -F 200 -- "$py" "$EXCPROG" 2 2>&1)
	if echo "$out" | grep -q ' handle_work (' && ! echo "$out" | grep -q ' plain_work ('; then
		ok "top-mode-exception-$label"
	else
		fail "top-mode-exception-$label" "$(echo "$out" | tail -n 8)"
	fi
	rm -f "$WORK/ready"
	"$py" "$DUMPPROG" "$WORK/ready" >/dev/null 2>&1 &
	pid=$!
	for _ in $(seq 100); do [ -e "$WORK/ready" ] && break; sleep 0.1; done
	out=$("$SCORCH" dump --mode exception --no-source -p "$pid" 2>&1)
	all=$("$SCORCH" dump --no-source -p "$pid" 2>&1)
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ "$(echo "$out" | grep -c '^Thread ')" -eq 1 ] &&
	   echo "$out" | grep -q 'in in_handler$' && ! echo "$out" | grep -q 'plain_sleeper' &&
	   [ "$(echo "$all" | grep -c '^Thread ')" -eq 2 ]; then
		ok "dump-mode-exception-$label"
	else
		fail "dump-mode-exception-$label" "with --mode exception: $(echo "$out" | tail -n 6); without: $(echo "$all" | grep -c '^Thread ') threads"
	fi
done < <(python_versions)
[ -n "$any" ] || { plan 1; skip record-modes "no CPython 3.$PY_OLDEST_MINOR+ installed"; }

"$SCORCH" record --mode bogus -o "$WORK/bogus.folded" -- true 2>"$WORK/bogus.err"
rc=$?
if [ $rc -eq 2 ] && grep -q "scorch: record: unknown --mode 'bogus' (use cpu, wall, gil or exception)" "$WORK/bogus.err" &&
	[ ! -e "$WORK/bogus.folded" ]; then
	ok record-mode-unknown
else
	fail record-mode-unknown "exit $rc: $(cat "$WORK/bogus.err")"
fi

for cmd in top dump; do
	if [ $cmd = top ]; then
		"$SCORCH" top --mode bogus -- true >/dev/null 2>"$WORK/bogus-$cmd.err"
	else
		"$SCORCH" dump --mode bogus -p $$ >/dev/null 2>"$WORK/bogus-$cmd.err"
	fi
	rc=$?
	if [ $rc -eq 2 ] && grep -q "^scorch: $cmd: unknown --mode 'bogus' (use " "$WORK/bogus-$cmd.err"; then
		ok $cmd-mode-unknown
	else
		fail $cmd-mode-unknown "exit $rc: $(cat "$WORK/bogus-$cmd.err")"
	fi
done

# a program the Python reader does not read: refused, nothing written
"$SCORCH" record --mode exception -o "$WORK/native.folded" -- true 2>"$WORK/native.err"
rc=$?
if [ $rc -eq 1 ] && grep -q "scorch: record: --mode exception applies to Python programs" "$WORK/native.err" &&
	[ ! -e "$WORK/native.folded" ]; then
	ok record-mode-exception-not-python
else
	fail record-mode-exception-not-python "exit $rc: $(cat "$WORK/native.err")"
fi
