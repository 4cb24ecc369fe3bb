#!/bin/bash
# perf_hints.sh - honest names and hints for perf recordings made in the
# test: a `perf record -g` of a Python built without frame pointers gets
# one line saying its stacks are cut short and how to fix it (and an
# FP-built C program does not); CPython's -X perf trampoline frames
# (py::f:file) become Python frames in perf script, perf.data and folded
# input, so report --by file groups them under the script; record
# --native of a -X perf target lists each Python function once; report
# of a perf.data gives the sample count and --value samples works.
. "$(dirname "$0")/lib.sh"
plan 9

if ! command -v perf >/dev/null; then
	missing_rest "perf is not installed"
fi
if ! perf record -q -o "$WORK/probe.data" true 2>"$WORK/probe.err"; then
	skip_rest "perf cannot record here: $(head -1 "$WORK/probe.err")"
fi

cat >"$WORK/loop.py" <<'PY'
def run_dummy(n):
    s = 0
    for i in range(n):
        s += i % 7
    return s

def outer():
    return run_dummy(1500000)

for _ in range(3):
    outer()
PY

# ---- the frame-pointer hint ---------------------------------------
# Debian's python3 is built without frame pointers
fp_flags=$(/usr/bin/python3 -c 'import sysconfig; print(sysconfig.get_config_var("CFLAGS") or "")' 2>/dev/null)
if [ ! -x /usr/bin/python3 ]; then
	skip fp_hint_python "/usr/bin/python3 is not installed"
	skip fp_hint_not_for_dwarf "/usr/bin/python3 is not installed"
elif echo "$fp_flags" | grep -q -- '-fno-omit-frame-pointer'; then
	skip fp_hint_python "/usr/bin/python3 is built with frame pointers here"
	skip fp_hint_not_for_dwarf "/usr/bin/python3 is built with frame pointers here"
else
	perf record -q -F 499 -g -o "$WORK/py-fp.data" /usr/bin/python3 "$WORK/loop.py" 2>/dev/null
	"$SCORCH" report "$WORK/py-fp.data" >"$WORK/py-fp.out" 2>"$WORK/py-fp.err"
	if [ "$(grep -c 'cut short' "$WORK/py-fp.err")" -eq 1 ] &&
	   grep 'cut short' "$WORK/py-fp.err" | grep -q -- "--call-graph dwarf" &&
	   grep 'cut short' "$WORK/py-fp.err" | grep -q "scorch record --native"; then
		ok fp_hint_python
	else
		fail fp_hint_python "stderr: $(tr '\n' '|' <"$WORK/py-fp.err")"
	fi
	# the same recording with DWARF call graphs: no hint
	perf record -q -F 499 --call-graph dwarf -o "$WORK/py-dwarf.data" /usr/bin/python3 "$WORK/loop.py" 2>/dev/null
	"$SCORCH" report "$WORK/py-dwarf.data" >/dev/null 2>"$WORK/py-dwarf.err"
	if [ -s "$WORK/py-dwarf.data" ] && ! grep -q 'cut short' "$WORK/py-dwarf.err"; then
		ok fp_hint_not_for_dwarf
	else
		fail fp_hint_not_for_dwarf "stderr: $(tr '\n' '|' <"$WORK/py-dwarf.err")"
	fi
fi
# a C program built with frame pointers: whole stacks, no hint
cat >"$WORK/fp.c" <<'C'
volatile unsigned long sink;
__attribute__((noinline)) void leaf(unsigned long n) { for (unsigned long i = 0; i < n; i++) sink += i; }
__attribute__((noinline)) void mid(unsigned long n) { leaf(n); sink++; }
__attribute__((noinline)) void top(unsigned long n) { mid(n); sink++; }
int main(void) { top(300000000UL); return 0; }
C
if cc -O1 -fno-omit-frame-pointer -o "$WORK/fp" "$WORK/fp.c"; then
	perf record -q -F 499 -g -o "$WORK/fp.data" "$WORK/fp" 2>/dev/null
	"$SCORCH" report "$WORK/fp.data" >"$WORK/fp.out" 2>"$WORK/fp.err"
	if grep -q 'leaf' "$WORK/fp.out" && ! grep -q 'cut short' "$WORK/fp.err"; then
		ok fp_hint_not_for_whole_stacks
	else
		fail fp_hint_not_for_whole_stacks "stderr: $(tr '\n' '|' <"$WORK/fp.err")"
	fi
	# sample count and time of a perf.data
	n=$(perf script -i "$WORK/fp.data" -F event 2>/dev/null | grep -c .)
	head=$("$SCORCH" report "$WORK/fp.data" 2>/dev/null | head -1)
	sam=$("$SCORCH" report --value samples "$WORK/fp.data" 2>&1 | head -1)
	if [ "$n" -gt 0 ] && echo "$head" | grep -q "nanoseconds) = [0-9.]* s, $n samples" &&
	   echo "$sam" | grep -q ": $n samples (count)"; then
		ok report_perfdata_samples
	else
		fail report_perfdata_samples "perf script: $n samples; report: '$head'; --value samples: '$sam'"
	fi
else
	fail fp_hint_not_for_whole_stacks "cannot compile the C test program"
	fail report_perfdata_samples "cannot compile the C test program"
fi

# ---- -X perf trampoline names -------------------------------------
perf_maps_before "$WORK/maps-before"
py=
while read -r label path; do
	if "$path" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null &&
	   "$path" -X perf -c 'import sys; sys.exit(not sys.is_stack_trampoline_active())' 2>/dev/null; then
		py=$path
		break
	fi
done < <(python_versions)
remove_new_perf_maps "$WORK/maps-before" ':<string>'	# the probes' maps
if [ -z "$py" ]; then
	skip_rest "no CPython 3.12+ with -X perf support here"
fi
perf record -q -F 499 --call-graph dwarf -o "$WORK/xperf.data" "$py" -X perf "$WORK/loop.py" 2>/dev/null
perf script -i "$WORK/xperf.data" >"$WORK/xperf.txt" 2>/dev/null
if ! grep -q 'py::run_dummy:' "$WORK/xperf.txt"; then
	skip_rest "perf script shows no py:: frames for $py"
fi
for input in xperf.txt xperf.data; do
	"$SCORCH" report --by file "$WORK/$input" >"$WORK/byfile.out" 2>&1
	"$SCORCH" report --by name "$WORK/$input" >"$WORK/byname.out" 2>&1
	if grep -q " $WORK/loop.py\$" "$WORK/byfile.out" &&
	   grep -qE ' run_dummy$' "$WORK/byname.out" && ! grep -q 'py::' "$WORK/byname.out"; then
		ok "xperf_python_frames_$input"
	else
		fail "xperf_python_frames_$input" "$(grep -E 'loop|run_dummy|py::' "$WORK/byfile.out" "$WORK/byname.out" | head -5 | tr '\n' '|')"
	fi
done
# reading xperf.data needed the map; it is no longer needed
remove_new_perf_maps "$WORK/maps-before" "$WORK/loop.py"
# collapse keeps perf's names (stackcollapse-perf.pl's output) ...
"$SCORCH" collapse "$WORK/xperf.txt" >"$WORK/xperf.folded" 2>/dev/null
if grep -q 'py::run_dummy:' "$WORK/xperf.folded"; then ok xperf_collapse_keeps_perf_names; else
	fail xperf_collapse_keeps_perf_names "$(head -c 300 "$WORK/xperf.folded")"; fi
# ... and reading that folded file gives Python frames again
"$SCORCH" report --by file "$WORK/xperf.folded" >"$WORK/folded.out" 2>&1
if grep -q " $WORK/loop.py\$" "$WORK/folded.out"; then ok xperf_folded_python_frames; else
	fail xperf_folded_python_frames "$(head -5 "$WORK/folded.out" | tr '\n' '|')"; fi

# record --native of a -X perf target: each Python function once
perf_maps_before "$WORK/maps-before"
"$SCORCH" record -q --native -F 499 -o "$WORK/xn.pb.gz" -- "$py" -X perf "$WORK/loop.py" 2>"$WORK/xn.err"
rc=$?
remove_new_perf_maps "$WORK/maps-before" "$WORK/loop.py"
if [ $rc -eq 0 ]; then
	"$SCORCH" convert "$WORK/xn.pb.gz" -f folded -o "$WORK/xn.folded" 2>/dev/null
	twice=$(grep -c 'run_dummy.*run_dummy\|outer (.*outer (' "$WORK/xn.folded")
	if [ "$twice" -eq 0 ] && ! grep -q 'py::' "$WORK/xn.folded" && ! grep -q 'run_dummy (' "$WORK/xn.folded"; then
		# e.g. under ASan: every sample too old to read its Python stack
		skip xperf_native_each_function_once "no sample was merged with its Python stack here"
	elif [ "$twice" -eq 0 ] && ! grep -q 'py::' "$WORK/xn.folded"; then
		ok xperf_native_each_function_once
	else
		fail xperf_native_each_function_once "$twice stacks repeat a function: $(grep -m1 'run_dummy.*run_dummy' "$WORK/xn.folded" | tail -c 300)"
	fi
else
	skip xperf_native_each_function_once "record --native cannot run here: $(head -1 "$WORK/xn.err")"
fi
