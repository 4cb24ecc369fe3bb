#!/bin/bash
# native_python.sh - `scorch record --native` on every installed Python:
# the walkthrough's list lookup must show run_dummy (a Python frame) above
# CPython's list_contains, with only C frames between, in >= 85% of the
# samples.  Debian's stripped python3 has no name for the static
# list_contains: there the frame must be "python3.11+0xOFFSET".
# The rest of the samples are start-up and shutdown (a few) and
# [unmerged] ones; a failure says how many of each, with scorch's own
# count of samples too old to merge ("stale"), so a slow symbol load
# (which once cost Debian's 3.11 a fifth of its samples) shows as such.
. "$(dirname "$0")/lib.sh"
PROG=$TOP/tests/programs/native_list_lookup.py

# trampoline_pythons: the interpreters with perf trampolines (3.12+)
trampoline_pythons() {
	python_versions | while read -r label py; do
		case $label in 3.1[2-9]*|debian-3.1[2-9]) echo "$label $py" ;; esac
	done
}
# nested_pythons: the interpreters that run Python-to-Python calls in one
# eval loop (3.11+), so a callback from C nests a second one
nested_pythons() {
	python_versions | while read -r label py; do
		case $label in 3.1[1-9]*|debian-3.1[1-9]) echo "$label $py" ;; esac
	done
}
# one case per interpreter, one per interpreter with trampolines, one
# per interpreter with nested eval loops
plan $(($(python_versions | wc -l) + $(trampoline_pythons | wc -l) + $(nested_pythons | wc -l)))
# Shares of merged samples.  Under the sanitizers scorch runs several
# times slower, so more samples (start-up most of all) age past the window
# in which their Python stack can be matched: they are marked [unmerged]
# and counted, never passed off, and the bar is lower there.
merge_min=85 tramp_min=80
[ -n "${SANITIZE:-}" ] && merge_min=50 tramp_min=50

python_versions | while read -r label py; do
	name=native_python_$label
	out=$WORK/$label.folded
	if ! SCORCH_NATIVE_STATS=1 "$SCORCH" record -q --native --no-kernel -F 200 -o "$out" -- "$py" "$PROG" 40000 2>"$WORK/$label.err"; then
		fail "$name" "$(tail -n 3 "$WORK/$label.err")"
		continue
	fi
	if grep -q 'perf_event engine unavailable' "$WORK/$label.err"; then
		skip "$name" "$(head -n 1 "$WORK/$label.err")"
		continue
	fi
	if ! grep -q 'run_dummy (' "$out"; then
		if ! python_readable "$py"; then
			skip "$name" "the Python reader does not support $label"
			continue
		fi
		fail "$name" "no Python frames: $(head -c 300 "$out")"
		continue
	fi
	res=$(awk '
		function is_py(f) { return f ~ /\(.*\.py(:[0-9]+)?\)$/ }
		function is_target(f) { return f == "list_contains" || f ~ /^python3[.0-9]*\+0x[0-9a-f]+$/ }
		{ n = $NF; line = $0; sub(/ [0-9.]+$/, "", line)
		  k = split(line, f, ";"); total += n
		  last = 0
		  for (i = 1; i <= k; i++) if (is_py(f[i])) last = i
		  if (last && f[last] ~ /^run_dummy \(/) {
		      for (i = last + 1; i <= k; i++) if (is_target(f[i])) { good += n; break }
		  }
		  if (f[1] == "[unmerged]") unmerged += n
		  else if (!last) outside += n
		}
		END { printf "%d %d %d %d\n", total, good, unmerged, outside }' "$out")
	set -- $res
	total=$1 good=$2 unmerged=$3 outside=$4
	if [ "$total" -ge 50 ] && [ $((good * 100)) -ge $((total * merge_min)) ]; then
		ok "$name ($good of $total samples run_dummy -> list_contains)"
	else
		fail "$name" "$good of $total samples run_dummy -> list_contains (want >= $merge_min%); $unmerged [unmerged], $outside outside .py code (start-up, shutdown), $((total - good - unmerged - outside)) other Python stacks; $(grep -o '[0-9]* merged.*stale)' "$WORK/$label.err")"
	fi
done

# With CPython's perf trampolines (-X perf, 3.12+) every Python call runs
# through JIT code without CFI: the unwinder steps over it by rule (CFA =
# SP + 16), so the stacks still reach main; the trampoline frames
# (py::run_dummy:FILE) are dropped, the reader's run_dummy (with its line)
# standing for them, so each Python function appears once.
trampoline_pythons | while read -r label py; do
	name=native_python_perf_trampoline_$label
	out=$WORK/tramp-$label.folded
	perf_maps_before "$WORK/maps-before"
	"$SCORCH" record -q --native --no-kernel -F 200 -o "$out" -- "$py" -X perf "$PROG" 20000 2>"$WORK/tramp-$label.err"
	rc=$?
	remove_new_perf_maps "$WORK/maps-before" "$PROG"
	if [ $rc -ne 0 ]; then
		fail "$name" "$(tail -n 3 "$WORK/tramp-$label.err")"
		continue
	fi
	res=$(awk '{ n = $NF; total += n
		if ($0 ~ /^_start;.*;run_dummy \(.*;list_contains/ && $0 !~ /py::|run_dummy.*run_dummy/) good += n }
		END { printf "%d %d\n", total, good }' "$out")
	set -- $res
	if [ "$1" -ge 50 ] && [ $(($2 * 100)) -ge $(($1 * tramp_min)) ]; then
		ok "$name ($2 of $1 samples from _start through run_dummy, once, to list_contains)"
	else
		fail "$name" "$2 of $1: $(sort -t' ' -k2 -n "$out" | tail -n 1 | cut -c1-300)"
	fi
done

# Nested eval loops (3.11+): main's loop calls sorted (C), which calls
# key in an eval loop of its own.  The reader marks the outermost frame
# of each loop's Python frames (3.11 is_entry, 3.12+ the C-stack frame
# after it), so each _PyEval_EvalFrameDefault gets its own frames: key's
# samples read main -> sorted's C frames (unnamed in Debian's stripped
# build) -> key, not [unmerged].
nested_pythons | while read -r label py; do
	name=native_python_nested_$label
	out=$WORK/nested-$label.folded
	if ! "$SCORCH" record -q --native --no-kernel -F 200 -o "$out" -- "$py" "$TOP/tests/programs/nested_eval.py" 2 2>"$WORK/nested-$label.err"; then
		fail "$name" "$(tail -n 3 "$WORK/nested-$label.err")"
		continue
	fi
	set -- $(awk '{ n = $NF; line = $0; sub(/ [0-9]+$/, "", line)
		if (line !~ /(^|;)key \(/) next
		total += n
		if (line ~ /^\[unmerged\]/) unmerged += n
		else if (line ~ /;main \([^;]*nested_eval\.py:[0-9]+\);([^;(]+;)+key \(/) good += n }
		END { printf "%d %d %d\n", total, good, unmerged }' "$out")
	if [ "$1" -ge 100 ] && [ $(($2 * 100)) -ge $(($1 * merge_min)) ]; then
		ok "$name ($2 of $1 samples in key: main -> C frames -> key)"
	else
		fail "$name" "$2 of $1 samples in key merged under main and C frames, $3 [unmerged] (want >= $merge_min%): $(sort -t' ' -k2 -nr "$out" | head -n 2 | cut -c1-300)"
	fi
done
