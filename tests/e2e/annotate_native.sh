#!/bin/bash
# annotate_native.sh - `scorch annotate` on profiles of C programs made in
# the test: a `record --native` profile spreads a function's samples over
# its instructions as `perf annotate --stdio` does on the same run (perf
# records scorch recording the program, so both sample one execution);
# GCC's clone and part names (.constprop/.isra/.cold, checked with nm
# first) resolve from the plain name; an ambiguous name lists its
# candidates; inlined code is labelled and --source-only accounts for
# every sample; a missing source file gives one --source-dir hint.
. "$(dirname "$0")/lib.sh"
plan 17	# 3 against perf, 5 per clone input (2), 4 on inlining

if ! command -v perf >/dev/null || ! command -v nm >/dev/null; then
	missing_rest "perf or nm is not installed"
fi
mkdir -p "$WORK/src"

# ---- 1. per-instruction shares against perf annotate ----------------
cat >"$WORK/src/scan.c" <<'C'
volatile unsigned long sink;
__attribute__((noinline)) unsigned long list_contains(const unsigned long *a,
		unsigned long n, unsigned long v)
{
	for (unsigned long i = 0; i < n; i++)
		if (a[i] == v)
			return 1;
	return 0;
}
int main(void)
{
	static unsigned long a[4096];
	unsigned long hits = 0;
	for (unsigned long i = 0; i < 4096; i++)
		a[i] = i * 3;
	for (unsigned long r = 0; r < 300000; r++)
		hits += list_contains(a, 4096, r);
	sink = hits;
	return 0;
}
C
(cd "$WORK/src" && cc -O1 -g -o "$WORK/scan" scan.c) || fail_rest annotate_native_build "cannot compile"
if ! timeout 120 perf record -q -F 999 -o "$WORK/scan.data" -- \
	"$SCORCH" record -q --native -F 999 -o "$WORK/scan.pb.gz" -- "$WORK/scan" 2>"$WORK/perf.err"; then
	for c in vs_perf not_first_insn pprof_round_trip; do
		skip annotate_native_$c "perf or scorch cannot record here: $(head -1 "$WORK/perf.err")"
	done
else
	perf annotate --stdio -i "$WORK/scan.data" list_contains 2>/dev/null |
		awk '/^ +[0-9.]+ : +[0-9a-f]+:/ { sub(":", "", $3); print $3, $1 }' >"$WORK/perf.pct"
	NO_COLOR=1 "$SCORCH" annotate --asm-only "$WORK/scan.pb.gz" list_contains >"$WORK/ours.out" 2>"$WORK/ours.err"
	awk '/^ +[0-9.]+ +[0-9]+ : +[0-9a-f]+:  / { sub(":", "", $4); print $4, $1 }' "$WORK/ours.out" >"$WORK/ours.pct"
	# every instruction holding >= 10% in either: within 10 points
	verdict=$(awk 'NR == FNR { perf[$1] = $2; next } { ours[$1] = $2 }
		END {
			for (a in perf) if (!(a in ours)) ours[a] = 0
			for (a in ours) {
				p = (a in perf) ? perf[a] : 0
				if (ours[a] < 10 && p < 10) continue
				hot++
				d = ours[a] - p; if (d < 0) d = -d
				if (d > 10) bad = bad " " a ":" ours[a] "/" p
				if (d > worst) worst = d
			}
			printf "%d %s%s\n", hot, worst, bad ? " BAD" bad : ""
		}' "$WORK/perf.pct" "$WORK/ours.pct")
	set -- $verdict
	if [ ! -s "$WORK/perf.pct" ]; then
		skip annotate_native_vs_perf "perf annotate printed no instruction percentages"
	elif [ "${1:-0}" -ge 1 ] && [ "$3" = "" ]; then
		ok annotate_native_vs_perf
	else
		fail annotate_native_vs_perf "hot instructions $1, worst difference $2 points ${*:3}; ours: $(tr '\n' ' ' <"$WORK/ours.pct") perf: $(tr '\n' ' ' <"$WORK/perf.pct")"
	fi
	# the bug this guards against: every sample on the first instruction
	first=$(sed -n 's/^[^:]*: *\([0-9a-f]*\):  .*/\1/p' "$WORK/ours.out" | head -1)
	first_pct=$(awk -v a="$first" '$1 == a { print int($2) }' "$WORK/ours.pct")
	if [ -n "$first" ] && [ "${first_pct:-0}" -lt 50 ] && [ "$(wc -l <"$WORK/ours.pct")" -ge 2 ]; then
		ok annotate_native_not_first_insn
	else
		fail annotate_native_not_first_insn "first instruction $first has ${first_pct}%: $(head -8 "$WORK/ours.out" | tr '\n' '|')"
	fi
	# the addresses survive pprof -> pprof
	if "$SCORCH" convert "$WORK/scan.pb.gz" -o "$WORK/scan2.pb.gz" 2>/dev/null &&
	   NO_COLOR=1 "$SCORCH" annotate --asm-only "$WORK/scan2.pb.gz" list_contains 2>&1 |
	   awk '/^ +[0-9.]+ +[0-9]+ : +[0-9a-f]+:  / { sub(":", "", $4); print $4, $1 }' |
	   cmp -s - "$WORK/ours.pct"; then
		ok annotate_native_pprof_round_trip
	else
		fail annotate_native_pprof_round_trip "annotate differs after convert"
	fi
fi

# ---- 2. GCC clone and part names ------------------------------------
cat >"$WORK/src/clones.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
volatile unsigned long sink;
struct item { unsigned long pad[8]; unsigned long n; };
/* a constant argument in every call: grind_heavy.constprop.0 */
static __attribute__((noinline)) unsigned long grind_heavy(unsigned long n, unsigned long k)
{
	unsigned long s = 0;
	for (unsigned long i = 0; i < n; i++)
		s += (i * k) ^ (s >> 3);
	return s;
}
/* one field of a struct passed by pointer: sum_field.isra.0 */
static __attribute__((noinline)) unsigned long sum_field(const struct item *it)
{
	unsigned long s = 0;
	for (unsigned long i = 0; i < it->n; i++)
		s += (i >> 2) ^ s;
	return s;
}
__attribute__((cold, noinline)) void report_bad(unsigned long n)
{
	fprintf(stderr, "bad input %lu\n", n);
}
/* the unlikely path moves to check_input.cold */
__attribute__((noinline)) unsigned long check_input(unsigned long n)
{
	unsigned long s = 0;
	for (unsigned long i = 0; i < n; i++) {
		if (__builtin_expect(i == 1234567890123UL, 0)) {
			report_bad(i);
			exit(3);
		}
		s += i % 7;
	}
	return s;
}
unsigned long other_work(unsigned long n);
int main(int argc, char **argv)
{
	unsigned long n = argc > 1 ? strtoul(argv[1], NULL, 10) : 200000000UL;
	struct item it = { { 0 }, n };
	sink = grind_heavy(n, 7);
	sink += grind_heavy(n / 2, 7);
	sink += sum_field(&it);
	sink += check_input(n);
	sink += other_work(n);
	return 0;
}
C
# a second file with its own static grind_heavy, cloned differently
cat >"$WORK/src/other.c" <<'C'
struct box { unsigned long pad[8]; unsigned long n; };
static __attribute__((noinline)) unsigned long grind_heavy(const struct box *b)
{
	unsigned long s = 0;
	for (unsigned long i = 0; i < b->n; i++)
		s += (i >> 1) ^ (s << 1);
	return s;
}
unsigned long other_work(unsigned long n)
{
	struct box b = { { 0 }, n / 2 };
	return grind_heavy(&b);
}
C
(cd "$WORK/src" && cc -O2 -g -o "$WORK/clones" clones.c other.c) || fail_rest annotate_clones_build "cannot compile"
nm "$WORK/clones" >"$WORK/clones.nm"
"$SCORCH" record -q --native -F 499 -o "$WORK/clones.pb.gz" -- "$WORK/clones" 2>"$WORK/clones.err" ||
	fail_rest annotate_clones_record "$(head -2 "$WORK/clones.err")"
timeout 120 perf record -q -F 499 -o "$WORK/clones.data" "$WORK/clones" 2>/dev/null ||
	rm -f "$WORK/clones.data"
for input in clones.pb.gz clones.data; do
	if [ ! -f "$WORK/$input" ]; then	# the five cases below
		for c in clone_sum_field clone_check_input report_name cold_part ambiguous; do
			skip "annotate_${c}_$input" "perf cannot record here"
		done
		continue
	fi
	for pair in sum_field:sum_field.isra. check_input:check_input; do
		plain=${pair%%:*} symbol=${pair#*:}
		if ! grep -q " t $symbol\| T $symbol" "$WORK/clones.nm"; then
			skip "annotate_clone_${plain}_$input" "the compiler made no $symbol here"
			continue
		fi
		NO_COLOR=1 "$SCORCH" annotate "$WORK/$input" "$plain" >"$WORK/c.out" 2>"$WORK/c.err"
		if [ $? -eq 0 ] && grep -q "^Samples in $symbol" "$WORK/c.out"; then
			ok "annotate_clone_${plain}_$input"
		else
			fail "annotate_clone_${plain}_$input" "$(head -2 "$WORK/c.out" "$WORK/c.err" | tr '\n' '|')"
		fi
	done
	# the full name as report prints it
	full=$("$SCORCH" report "$WORK/$input" 2>/dev/null | grep -o 'sum_field[.a-z0-9_]*' | head -1)
	if [ -n "$full" ] && NO_COLOR=1 "$SCORCH" annotate "$WORK/$input" "$full" 2>&1 | grep -q "^Samples in $full "; then
		ok "annotate_report_name_$input"
	else
		fail "annotate_report_name_$input" "report name '$full' not accepted"
	fi
	# the .cold part is shown with its function
	if grep -q ' check_input.cold$' "$WORK/clones.nm"; then
		if NO_COLOR=1 "$SCORCH" annotate "$WORK/$input" check_input 2>&1 | grep -q -- '---- check_input.cold: a part of check_input'; then
			ok "annotate_cold_part_$input"
		else
			fail "annotate_cold_part_$input" "no check_input.cold section"
		fi
	else
		skip "annotate_cold_part_$input" "the compiler made no check_input.cold here"
	fi
	# two static grind_heavy, cloned differently: the plain name is ambiguous
	if [ "$(grep -c ' t grind_heavy\.' "$WORK/clones.nm")" -ge 2 ] &&
	   ! grep -q ' t grind_heavy$' "$WORK/clones.nm"; then
		"$SCORCH" annotate "$WORK/$input" grind_heavy >/dev/null 2>"$WORK/amb.err"
		rc=$?
		names=$(grep -o 'grind_heavy\.[a-z_]*\.[0-9]*' "$WORK/clones.nm" | sort -u)
		missing=
		for n in $names; do grep -q "$n" "$WORK/amb.err" || missing="$missing $n"; done
		if [ $rc -eq 1 ] && [ "$(wc -l <"$WORK/amb.err")" -eq 1 ] && grep -q 'ambiguous' "$WORK/amb.err" && [ -z "$missing" ]; then
			ok "annotate_ambiguous_$input"
		else
			fail "annotate_ambiguous_$input" "rc=$rc missing:$missing $(cat "$WORK/amb.err")"
		fi
	else
		skip "annotate_ambiguous_$input" "the compiler did not clone both grind_heavy: $(grep grind_heavy "$WORK/clones.nm" | tr '\n' ' ')"
	fi
done

# ---- 3. inlined code, --source-only accounting, missing sources -----
cat >"$WORK/src/inl.c" <<'C'
volatile unsigned long sink;
static inline unsigned long mix(unsigned long x)
{
	x ^= x >> 13;
	x *= 0x9e3779b97f4a7c15UL;
	return x ^ (x >> 29);
}
__attribute__((noinline)) unsigned long churn(unsigned long n)
{
	unsigned long s = 0;
	for (unsigned long i = 0; i < n; i++)
		s += mix(i + s);
	return s;
}
int main(void)
{
	sink = churn(150000000UL);
	return 0;
}
C
(cd "$WORK/src" && cc -O2 -g -o "$WORK/inl" inl.c) || fail_rest annotate_inline_build "cannot compile"
"$SCORCH" record -q --native -F 499 -o "$WORK/inl.pb.gz" -- "$WORK/inl" 2>"$WORK/inl.err" ||
	fail_rest annotate_inline_record "$(head -2 "$WORK/inl.err")"
NO_COLOR=1 "$SCORCH" annotate "$WORK/inl.pb.gz" churn >"$WORK/inl.out" 2>&1
if grep -q '\[inlined mix, inl.c\]' "$WORK/inl.out"; then ok annotate_inline_label; else
	fail annotate_inline_label "$(grep -m3 'x \*=\|x ^=' "$WORK/inl.out" | tr '\n' '|')"; fi
NO_COLOR=1 "$SCORCH" annotate --source-only "$WORK/inl.pb.gz" churn >"$WORK/so.out" 2>&1
total=$(sed -n 's/^Samples in churn ([^)]*): \([0-9]*\) of.*/\1/p' "$WORK/so.out")
rows=$(awk -F: '$1 ~ /[0-9]/ { split($1, a, " "); s += a[2] } END { print s + 0 }' "$WORK/so.out")
if [ -n "$total" ] && [ "$total" -gt 0 ] && [ "$rows" = "$total" ] && grep -q 'in inlined mix\]' "$WORK/so.out"; then
	ok annotate_source_only_counts_inlined
else
	fail annotate_source_only_counts_inlined "rows $rows, function $total: $(tr '\n' '|' <"$WORK/so.out" | head -c 600)"
fi
# with --inline the leaf is mix itself: annotate mix shows its host
if "$SCORCH" record -q --native --inline -F 499 -o "$WORK/inl2.pb.gz" -- "$WORK/inl" 2>/dev/null &&
   "$SCORCH" report "$WORK/inl2.pb.gz" 2>/dev/null | grep -q ' mix (.*inl.c)$'; then
	NO_COLOR=1 "$SCORCH" annotate "$WORK/inl2.pb.gz" mix >"$WORK/mix.out" 2>&1
	if grep -q '^(mix is inlined: showing churn' "$WORK/mix.out" && grep -q '^Samples in churn ' "$WORK/mix.out"; then
		ok annotate_inlined_name
	else
		fail annotate_inlined_name "$(head -3 "$WORK/mix.out" | tr '\n' '|')"
	fi
else
	skip annotate_inlined_name "record --inline has no mix leaf frame here"
fi
mv "$WORK/src/inl.c" "$WORK/inl.c.moved"
NO_COLOR=1 "$SCORCH" annotate "$WORK/inl.pb.gz" churn >"$WORK/nosrc.out" 2>"$WORK/nosrc.err"
if [ "$(grep -c -- '--source-dir' "$WORK/nosrc.err")" -eq 1 ] && grep -q 'inl.c' "$WORK/nosrc.err"; then
	ok annotate_missing_source_hint
else
	fail annotate_missing_source_hint "stderr: $(tr '\n' '|' <"$WORK/nosrc.err")"
fi
