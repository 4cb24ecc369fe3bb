#!/bin/bash
# record_threads.sh - threads that start and end while `scorch record`
# samples, on every installed version.  Each new thread goes in front of
# the interpreter's thread list and each one that ends is freed, which is
# what the reader's cached list head must notice at once: every short
# wave of work must be in the profile with about its share of samples.
. "$(dirname "$0")/lib.sh"

PROG=$WORK/waves.py
cat >"$PROG" <<'PY'
import threading, time

# thread_time is 3.7+; one thread spins at a time, so the process's
# clock serves on 3.6
clock = getattr(time, "thread_time", time.process_time)

def spin_for(seconds):
    end = clock() + seconds
    s = 0
    while clock() < end:
        for i in range(2000):
            s += i

def wave_1(): spin_for(0.15)
def wave_2(): spin_for(0.15)
def wave_3(): spin_for(0.15)
def wave_4(): spin_for(0.15)
def wave_5(): spin_for(0.15)
def wave_6(): spin_for(0.15)

stop = threading.Event()
keeper = threading.Thread(target=stop.wait, name="keeper")
keeper.start()
for fn in (wave_1, wave_2, wave_3, wave_4, wave_5, wave_6):
    t = threading.Thread(target=fn)
    t.start()
    t.join()
stop.set()
keeper.join()
PY

rate=200
# 0.15 s of CPU at 200 Hz is 30 samples; a wave whose thread went unseen
# for 100 ms would keep about 10
want=15
readable_pythons | grep -q . || skip_rest "no CPython 3.$PY_OLDEST_MINOR+ installed"
plan $(python_versions | wc -l)	# one case each (a skip for one too old)
while read -r label py; do
	if ! python_readable "$py"; then
		skip "record-thread-waves-$label" "CPython $label is older than scorch reads"
		continue
	fi
	f=$WORK/waves-$label.folded
	if ! "$SCORCH" record -q -F $rate -o "$f" -- "$py" "$PROG" 2>"$WORK/waves-$label.err"; then
		fail "record-thread-waves-$label" "record failed: $(tail -n 2 "$WORK/waves-$label.err")"
		continue
	fi
	short=""
	for k in 1 2 3 4 5 6; do
		n=$(awk -v fn="wave_$k (" 'index($0, fn) {n += $NF} END {print n + 0}' "$f")
		[ "$n" -ge $want ] || short="$short wave_$k=$n"
	done
	if [ -z "$short" ]; then
		ok "record-thread-waves-$label"
	else
		fail "record-thread-waves-$label" "too few samples (want >= $want each):$short"
	fi
done < <(python_versions)
