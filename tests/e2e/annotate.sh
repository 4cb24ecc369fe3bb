#!/bin/bash
# annotate.sh - `scorch annotate` on a real perf.data of a C program whose
# heavy() loop sits on one source line: that line must be the hottest,
# the per-instruction counts must add up to heavy()'s samples, and
# --asm-only / --source-only / --source-dir / errors behave.
. "$(dirname "$0")/lib.sh"
plan 11

command -v perf >/dev/null || missing_rest "perf is not installed (apt-get install linux-perf)"
mkdir -p "$WORK/src"
cat >"$WORK/src/hot.c" <<'C'
volatile unsigned long sink;
__attribute__((noinline)) void heavy(unsigned long n)
{
	unsigned long i;
	sink = 1;
	for (i = 0; i < n; i++) sink += i * i;
	sink += 2;
}
int main(void)
{
	heavy(300000000UL);
	return 0;
}
C
(cd "$WORK/src" && cc -O1 -g -o "$WORK/hot" hot.c) || fail_rest annotate_build "cannot compile"
if ! timeout 60 perf record -q -F 499 -g -o "$WORK/hot.data" "$WORK/hot" 2>"$WORK/perf.err"; then
	skip_rest "perf cannot record here: $(head -1 "$WORK/perf.err")"
fi

NO_COLOR=1 "$SCORCH" annotate "$WORK/hot.data" heavy >"$WORK/a.out" 2>"$WORK/a.err"
if [ $? -ne 0 ]; then
	fail_rest annotate_runs "$(head -2 "$WORK/a.err")"
fi
ok annotate_runs
total=$(sed -n 's/^Samples in heavy ([^)]*): \([0-9]*\) of.*/\1/p' "$WORK/a.out")
# source rows: "pct count :  LINE  text"; instruction rows: "pct count :  addr:  insn"
hottest=$(awk -F: '$2 ~ /^ +[0-9]+  / && $1 ~ /[0-9]/ { split($1, a, " "); split($2, b, " "); if (a[2] > best) { best = a[2]; line = b[1] } } END { print line }' "$WORK/a.out")
if [ "$hottest" = 6 ]; then ok annotate_hottest_line_is_loop; else
	fail annotate_hottest_line_is_loop "hottest line $hottest, expected 6: $(head -12 "$WORK/a.out" | tr '\n' '|')"; fi
insn_sum=$(awk '/^ *[0-9.]+ +[0-9]+ : +[0-9a-f]+:  / { s += $2 } END { print s + 0 }' "$WORK/a.out")
if [ -n "$total" ] && [ "$total" -gt 0 ] && [ "$insn_sum" = "$total" ]; then
	ok annotate_instruction_counts_add_up
else
	fail annotate_instruction_counts_add_up "instructions $insn_sum, function $total"
fi
if grep -q 'sink += i \* i' "$WORK/a.out"; then ok annotate_shows_source; else fail annotate_shows_source "no source text"; fi

"$SCORCH" annotate --asm-only "$WORK/hot.data" heavy >"$WORK/asm.out" 2>&1
if grep -qE ':  (imul|add|mov)' "$WORK/asm.out" && ! grep -q 'sink +=' "$WORK/asm.out"; then
	ok annotate_asm_only; else fail annotate_asm_only "$(head -5 "$WORK/asm.out" | tr '\n' '|')"; fi
"$SCORCH" annotate --source-only "$WORK/hot.data" heavy >"$WORK/srconly.out" 2>&1
if grep -q 'sink += i \* i' "$WORK/srconly.out" && ! grep -qE ':  +[0-9a-f]+:  ' "$WORK/srconly.out"; then
	ok annotate_source_only; else fail annotate_source_only "$(head -5 "$WORK/srconly.out" | tr '\n' '|')"; fi

# source moved: --source-dir finds it again
mkdir -p "$WORK/moved" && mv "$WORK/src/hot.c" "$WORK/moved/hot.c"
"$SCORCH" annotate --source-only "$WORK/hot.data" heavy >"$WORK/nosrc.out" 2>&1
"$SCORCH" annotate --source-only --source-dir "$WORK/moved" "$WORK/hot.data" heavy >"$WORK/moved.out" 2>&1
if ! grep -q 'sink += i' "$WORK/nosrc.out" && grep -q 'sink += i \* i' "$WORK/moved.out"; then
	ok annotate_source_dir; else fail annotate_source_dir "$(head -5 "$WORK/moved.out" | tr '\n' '|')"; fi

# colour only on a terminal: never in a pipe
if grep -q $'\033' "$WORK/a.out" "$WORK/asm.out"; then fail annotate_no_colour_in_pipe "escape codes in piped output"; else ok annotate_no_colour_in_pipe; fi

# a saved profile keeps the addresses (pprof)
if "$SCORCH" convert "$WORK/hot.data" -o "$WORK/hot.pb.gz" 2>/dev/null &&
   "$SCORCH" annotate --source-dir "$WORK/moved" "$WORK/hot.pb.gz" heavy >"$WORK/pb.out" 2>&1 &&
   grep -q 'sink += i \* i' "$WORK/pb.out"; then
	ok annotate_saved_pprof
else
	fail annotate_saved_pprof "the pprof round trip lost the leaf addresses: $(head -2 "$WORK/pb.out" | tr '\n' '|')"
fi

# unknown function: one-line error, exit 1
"$SCORCH" annotate "$WORK/hot.data" no_such_function >/dev/null 2>"$WORK/e.err"
rc=$?
if [ $rc -eq 1 ] && [ "$(wc -l <"$WORK/e.err")" -eq 1 ] && grep -q '^scorch: ' "$WORK/e.err"; then
	ok annotate_unknown_function; else fail annotate_unknown_function "rc=$rc $(cat "$WORK/e.err")"; fi

# a Python function from a profile recorded with line numbers
cat >"$WORK/hotpy.py" <<'PY'
def work(n):
    total = 0
    for i in range(n):
        total += i * i % 7
    return total

for _ in range(40):
    work(200000)
PY
# the interpreter itself, not a pyenv shim script that execs it
py=$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null)
if [ -n "$py" ] && timeout 120 "$SCORCH" record -q -F 200 -o "$WORK/py.pb.gz" -- "$py" "$WORK/hotpy.py" >/dev/null 2>"$WORK/rec.err" &&
   [ -s "$WORK/py.pb.gz" ]; then
	"$SCORCH" annotate "$WORK/py.pb.gz" work >"$WORK/py.out" 2>&1
	hot=$(awk -F: '$1 ~ /[0-9]/ && $2 ~ /^ +[0-9]+  / { split($1, a, " "); split($2, b, " "); if (a[2] > best) { best = a[2]; line = b[1] } } END { print line }' "$WORK/py.out")
	if grep -q 'total += i \* i % 7' "$WORK/py.out" && { [ "$hot" = 3 ] || [ "$hot" = 4 ]; }; then
		ok annotate_python_lines
	else
		fail annotate_python_lines "hottest line '$hot': $(head -6 "$WORK/py.out" | tr '\n' '|')"
	fi
else
	fail annotate_python_lines "scorch record could not sample python3: $(head -1 "$WORK/rec.err")"
fi
