#!/bin/bash
# record_subprocesses.sh - `scorch record --subprocesses` follows a
# multiprocessing pool: the workers' busy_worker frames appear under their
# own "python3 (PID)" roots, separate from the parent's.
. "$(dirname "$0")/lib.sh"
PROG=$TOP/tests/programs/workers.py

# the oldest layouts (3.6 without _PyRuntime, 3.7, 3.8), the newest, and
# Debian unstable's 3.13-3.15 under chroot (scripts/pythons.sh)
python_versions | grep -qE '^(3\.(6|7|8|13)\.|sid-)' ||
	skip_rest "none of CPython 3.6, 3.7, 3.8, 3.13 or a chroot 3.13-3.15 installed"
plan $(python_versions | grep -cE '^(3\.(6|7|8|13)\.|sid-)')	# one case each
for p in $(python_versions | awk '{print $1 "=" $2}' | grep -E '^(3\.(6|7|8|13)\.|sid-)'); do
	label=${p%%=*}
	py=${p#*=}
	f=$WORK/$label.folded
	if ! "$SCORCH" record -q --subprocesses -F 200 -o "$f" -- "$py" "$PROG" 8 >/dev/null 2>"$WORK/$label.err"; then
		fail "record-subprocesses-$label" "$(cat "$WORK/$label.err")"
		continue
	fi
	roots=$(grep "busy_worker (" "$f" | cut -d';' -f1 | sort -u | grep -c ' ([0-9]*)$')
	parent=$(grep -v "busy_worker" "$f" | cut -d';' -f1 | sort -u | head -n 1)
	if [ "$roots" -ge 2 ] && ! grep -q "^$parent;.*busy_worker" "$f"; then
		ok "record-subprocesses-$label"
	else
		fail "record-subprocesses-$label" "$roots worker roots; roots: $(cut -d';' -f1 "$f" | sort | uniq -c | tr '\n' ' ')"
	fi
done
exit 0
