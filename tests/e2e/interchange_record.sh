#!/bin/bash
# interchange_record.sh - record once, then read the saved pprof with
# everything else: the real pprof tool, `report` (run_dummy on top),
# `convert` to folded and speedscope, and `diff` against the fixed program
# (run_dummy leads the table, its samples collapse).  Skipped without a Python to record.
. "$(dirname "$0")/lib.sh"
PPROF=${PPROF:-$TOP/build/pprof}
plan 6

py=$(python_versions | awk '$1 ~ /^3\.12/ { print $2; exit }')
[ -n "$py" ] || py=$(python_versions | awk '{ print $2; exit }')
if [ -z "$py" ]; then
	skip_rest "no Python interpreter"
fi
if ! timeout 120 "$SCORCH" record -q -o "$WORK/list.pb.gz" -- "$py" "$TOP/examples/lookup.py" >/dev/null 2>"$WORK/err" ||
   ! timeout 120 "$SCORCH" record -q -o "$WORK/set.pb.gz" -- "$py" "$TOP/examples/lookup_set.py" >/dev/null 2>>"$WORK/err"; then
	fail_rest record_then_analyse "record failed: $(tail -1 "$WORK/err")"
fi

if [ -x "$PPROF" ]; then
	"$PPROF" -raw "$WORK/list.pb.gz" >/dev/null 2>"$WORK/err" && ok record_pprof_tool_accepts ||
		fail record_pprof_tool_accepts "$(cat "$WORK/err")"
else
	missing record_pprof_tool_accepts "no pprof tool at $PPROF (run scripts/test-tools.sh)"
fi

# without -o: profile.pb.gz in the current directory, read back by report
mkdir -p "$WORK/default"
if (cd "$WORK/default" && timeout 120 "$SCORCH" record -q -- "$py" -c 'sum(range(3000000))' >/dev/null 2>&1) &&
   [ -s "$WORK/default/profile.pb.gz" ] && "$SCORCH" report "$WORK/default/profile.pb.gz" >/dev/null 2>&1; then
	ok record_default_output_pprof
else
	fail record_default_output_pprof "no readable profile.pb.gz: $(ls "$WORK/default")"
fi

top=$("$SCORCH" report --limit 1 "$WORK/list.pb.gz" | sed -n 3p)
echo "$top" | grep -q 'run_dummy (.*examples/lookup.py)$' && ok record_report_top_function ||
	fail record_report_top_function "$top"

"$SCORCH" convert "$WORK/list.pb.gz" -o "$WORK/list.folded" &&
"$SCORCH" convert "$WORK/list.pb.gz" -o "$WORK/list.speedscope.json" &&
"$SCORCH" convert "$WORK/list.speedscope.json" -o "$WORK/list2.folded"
a=$("$SCORCH" report "$WORK/list.pb.gz" | tail -n +2)
b=$("$SCORCH" report "$WORK/list.folded" | tail -n +2)
c=$(sort "$WORK/list.folded")
d=$(sort "$WORK/list2.folded")
[ "$a" = "$b" ] && [ -n "$c" ] && [ "$c" = "$d" ] && ok record_convert_lossless ||
	fail record_convert_lossless "report or folded text differ"
grep -q '"type":"sampled"' "$WORK/list.speedscope.json" && ok record_speedscope_written ||
	fail record_speedscope_written "no sampled profile"

# the first row of the diff is run_dummy, matched across the two script
# names, with most of before's samples and few after
row=$("$SCORCH" diff "$WORK/list.pb.gz" "$WORK/set.pb.gz" 2>&1 | grep -v '^#' | sed -n 2p)
re='^ +([0-9]+) +([0-9]+) +-[0-9]+ +[0-9.]+ +[0-9.]+ +([0-9.]+)% +[0-9.]+%  run_dummy \(lookup\.py → lookup_set\.py\)$'
if [[ $row =~ $re ]] && [ "${BASH_REMATCH[1]}" -gt $((10 * BASH_REMATCH[2])) ] &&
   awk -v s="${BASH_REMATCH[3]}" 'BEGIN { exit !(s > 50) }'; then
	ok record_diff_list_to_set
else
	fail record_diff_list_to_set "first change: $row"
fi
