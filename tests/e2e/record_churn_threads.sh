#!/bin/bash
# record_churn_threads.sh - `record --idle` at 1000 Hz on a program that
# starts and joins threads with deep stacks in a loop, on every installed
# version.  Thread states and their frame memory are freed and reused
# all the time, so the reader keeps meeting torn pointers (once, -1 read
# from a frame being torn down): it must neither crash nor lose the
# program.  The reader before the fix crashed in 4 of 6 runs of this
# program on pyenv's 3.11.7 (none seen on the other versions), so 3.11
# gets 4 runs each, and 3.12+ (frames on a reused data stack too, but
# no crash ever seen there) 2.
. "$(dirname "$0")/lib.sh"
plan $(python_versions | wc -l)	# one case per interpreter

PROG=$WORK/churn.py
cat >"$PROG" <<'PY'
import sys, threading, time
def dive(n):
    if n:
        return dive(n - 1)
    s = 0
    for i in range(100):
        s += i
    return s
def churn_work(k):
    dive(5 + k % 30)
end = time.time() + float(sys.argv[1])
rounds = 0
while time.time() < end:
    ts = [threading.Thread(target=churn_work, args=(k,)) for k in range(16)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    rounds += 1
print("rounds", rounds)
PY

any=""
while read -r label py; do
	if ! python_readable "$py"; then
		skip "record-churn-threads-$label" "CPython $label is older than scorch reads"
		continue
	fi
	any=1
	runs=1
	minor=$("$py" -c 'import sys; print(sys.version_info[1])')
	if [ "$minor" -eq 11 ]; then runs=4; elif [ "$minor" -ge 12 ]; then runs=2; fi
	[ -n "${SANITIZE:-}" ] && [ $runs -gt 2 ] && runs=2	# the plain run repeats more
	bad="" seen=0
	for run in $(seq $runs); do
		f=$WORK/churn-$label-$run.folded
		"$SCORCH" record -q -F 1000 --idle -o "$f" -- "$py" "$PROG" 3 \
			>"$WORK/churn-$label-$run.out" 2>"$WORK/churn-$label-$run.err"
		rc=$?
		if [ $rc -ne 0 ]; then
			bad="$bad run $run: exit $rc $(tail -n 1 "$WORK/churn-$label-$run.err");"
			continue
		fi
		grep -q '^rounds [1-9]' "$WORK/churn-$label-$run.out" ||
			bad="$bad run $run: the program did not finish;"
		# the threads live some 50 us: how many samples catch one in
		# dive is chance (none in a run is possible); what is asked is
		# that every run exits cleanly with the whole profile
		seen=$((seen + $(grep -c 'churn_work (.*;dive (' "$f")))
	done
	if [ -z "$bad" ]; then
		ok "record-churn-threads-$label ($runs runs, $seen stacks caught in dive)"
	else
		fail "record-churn-threads-$label" "$bad"
	fi
done < <(python_versions)
[ -n "$any" ] || { plan 1; skip record-churn-threads "no CPython 3.$PY_OLDEST_MINOR+ installed"; }
