#!/bin/bash
# interchange.sh - pprof and speedscope files scorch writes: lossless round
# trips through our own readers, acceptance by the real pprof tool
# (build/pprof from scripts/test-tools.sh), format detection, and clean
# one-line errors on corrupt input with no output file left behind.
. "$(dirname "$0")/lib.sh"
PPROF=${PPROF:-$TOP/build/pprof}
plan 13	# and the corpus cases, counted below
[ -x "$TOP/$BUILD/tests/test_pprof" ] &&
	"$TOP/$BUILD/tests/test_pprof" --write "$WORK/rich.pb.gz" ||
	echo "  cannot write rich.pb.gz with $TOP/$BUILD/tests/test_pprof (make check builds it)"

# folded inputs with integer counts (pprof stores integers), each content
# once (the corpus holds some files several times over, under the names
# of the options that gave them)
inputs=()
declare -A seen_sum=()
for f in "$CORPUS"/folded/*.txt "$CORPUS"/diff/before.txt "$CORPUS"/diff/after.txt \
	 "$CORPUS"/collapse/expected/*; do
	[ -s "$f" ] || continue
	case "$f" in *bad-lines*|*fractional*|*differential*|*nameattr*) continue ;; esac
	grep -qE '\.[0-9]+$' "$f" && continue
	sum=$(md5sum <"$f") && sum=${sum%% *}
	[ -n "${seen_sum[$sum]:-}" ] && continue
	seen_sum[$sum]=1
	inputs+=("$f")
done
if [ ${#inputs[@]} -eq 0 ]; then
	plan 1
	missing interchange_corpus "no folded files in $CORPUS: $CORPUS_HINT"
else
	plan 3
fi

rt_pprof_bad=0 rt_ss_bad=0 tool_bad=0 n=0
pprofs=() sources=()	# the pprof files written, and what each came from
for f in "${inputs[@]}"; do
	n=$((n + 1))
	base=$WORK/in$n
	"$SCORCH" convert "$f" -o "$base.ref.folded" 2>/dev/null || { rt_pprof_bad=$((rt_pprof_bad + 1)); echo "  cannot read $f"; continue; }
	if ! "$SCORCH" convert "$f" -o "$base.pb.gz" ||
	   ! "$SCORCH" convert "$base.pb.gz" -o "$base.pprof.folded" ||
	   ! cmp -s "$base.ref.folded" "$base.pprof.folded"; then
		rt_pprof_bad=$((rt_pprof_bad + 1))
		echo "  folded -> pprof -> folded differs for $f"
		diff "$base.ref.folded" "$base.pprof.folded" | head -5
	fi
	if ! "$SCORCH" convert "$f" -o "$base.speedscope.json" ||
	   ! "$SCORCH" convert "$base.speedscope.json" -o "$base.ss.folded" ||
	   ! cmp -s "$base.ref.folded" "$base.ss.folded"; then
		rt_ss_bad=$((rt_ss_bad + 1))
		echo "  folded -> speedscope -> folded differs for $f"
	fi
	[ -f "$base.pb.gz" ] && pprofs+=("$base.pb.gz") && sources+=("$f")
done
# The pprof tool reads them all in one run (one start of the Go program,
# not one per file): it parses and validates each file on its own, names
# each one it rejects on stderr ("FILE: why") and goes on with the rest,
# then merges them.  A file named there is rejected; should the merge
# itself fail, each file is tried alone.
if [ -x "$PPROF" ] && [ ${#pprofs[@]} -gt 0 ]; then
	if "$PPROF" -raw "${pprofs[@]}" >"$WORK/all.raw" 2>"$WORK/all.err" &&
	   [ -s "$WORK/all.raw" ]; then
		for i in "${!pprofs[@]}"; do
			if grep -qF "${pprofs[$i]}:" "$WORK/all.err"; then
				tool_bad=$((tool_bad + 1))
				echo "  pprof -raw rejects the pprof written for ${sources[$i]}:"
				grep -F "${pprofs[$i]}:" "$WORK/all.err" | head -3
			fi
		done
		if grep -q 'Fetched [0-9]* source profiles out of' "$WORK/all.err" && [ $tool_bad -eq 0 ]; then
			tool_bad=1
			echo "  pprof -raw left out files it did not name: $(head -n 3 "$WORK/all.err")"
		fi
	else
		echo "  pprof -raw of all ${#pprofs[@]} files failed ($(head -n 2 "$WORK/all.err")); each alone:"
		for i in "${!pprofs[@]}"; do
			if ! "$PPROF" -raw "${pprofs[$i]}" >"$WORK/one.raw" 2>&1; then
				tool_bad=$((tool_bad + 1))
				echo "  pprof -raw rejects the pprof written for ${sources[$i]}:"
				head -3 "$WORK/one.raw"
			fi
		done
	fi
fi
if [ "$n" -gt 0 ]; then
	[ $rt_pprof_bad -eq 0 ] && ok "roundtrip_folded_pprof_folded ($n files)" ||
		fail roundtrip_folded_pprof_folded "$rt_pprof_bad of $n files differ"
	[ $rt_ss_bad -eq 0 ] && ok "roundtrip_folded_speedscope_folded ($n files)" ||
		fail roundtrip_folded_speedscope_folded "$rt_ss_bad of $n files differ"
	if [ -x "$PPROF" ]; then
		[ $tool_bad -eq 0 ] && ok "pprof_tool_accepts_all ($n files)" ||
			fail pprof_tool_accepts_all "$tool_bad of $n files rejected"
	else
		missing pprof_tool_accepts_all "no pprof tool at $PPROF (run scripts/test-tools.sh)"
	fi
fi

# A known top function, as the real tool shows it.
printf 'main;work;hot_loop 90\nmain;work;cold_path 7\nmain;setup 3\n' >"$WORK/known.folded"
"$SCORCH" convert "$WORK/known.folded" -o "$WORK/known.pb.gz"
if [ -x "$PPROF" ]; then
	top=$("$PPROF" -top "$WORK/known.pb.gz" 2>/dev/null | awk '/flat%/ { getline; print $NF; exit }')
	[ "$top" = hot_loop ] && ok pprof_tool_top_function ||
		fail pprof_tool_top_function "expected hot_loop first in pprof -top, got '$top'"
	# inline frames, mappings, labels, timestamps, two sample types
	if [ -f "$WORK/rich.pb.gz" ]; then
		out=$("$PPROF" -traces "$WORK/rich.pb.gz" 2>&1)
		if echo "$out" | grep -q 'helper (inline)' && echo "$out" | grep -q 'thread:  worker "1"' &&
		   "$PPROF" -raw "$WORK/rich.pb.gz" | grep -q '/usr/bin/prog'; then
			ok pprof_tool_reads_inline_labels_mappings
		else
			fail pprof_tool_reads_inline_labels_mappings "$(echo "$out" | head -20)"
		fi
	else
		fail pprof_tool_reads_inline_labels_mappings "no rich.pb.gz (see above)"
	fi
else
	missing pprof_tool_top_function "no pprof tool at $PPROF (run scripts/test-tools.sh)"
	missing pprof_tool_reads_inline_labels_mappings "no pprof tool at $PPROF (run scripts/test-tools.sh)"
fi

# Detection from content, whatever the file is called.
cp "$WORK/known.pb.gz" "$WORK/noext"
gzip -dc "$WORK/known.pb.gz" >"$WORK/raw.bin"
"$SCORCH" convert "$WORK/known.folded" -o "$WORK/ss.json" -f speedscope
a=$("$SCORCH" convert "$WORK/noext" -o - -f folded 2>&1)
b=$("$SCORCH" convert "$WORK/raw.bin" -o - -f folded 2>&1)
c=$("$SCORCH" convert "$WORK/ss.json" -o - -f folded 2>&1)
want=$("$SCORCH" convert "$WORK/known.folded" -o - -f folded)
if [ "$a" = "$want" ] && [ "$b" = "$want" ] && [ "$c" = "$want" ]; then
	ok detect_pprof_gzip_raw_and_speedscope
else
	fail detect_pprof_gzip_raw_and_speedscope "gz: $a | raw: $b | json: $c"
fi
d=$("$SCORCH" convert --input-format folded "$WORK/known.folded" -o - -f folded)
[ "$d" = "$want" ] && ok input_format_forced || fail input_format_forced "$d"

# speedscope: time order and threads when samples carry times (from pprof)
if [ ! -f "$WORK/rich.pb.gz" ]; then
	fail speedscope_threads_files_lines "no rich.pb.gz (see above)"
	fail roundtrip_pprof_pprof_threads "no rich.pb.gz (see above)"
else
	"$SCORCH" convert "$WORK/rich.pb.gz" -o "$WORK/rich.speedscope.json"
	if grep -q '"name":"main pid: 100 tid: 100"' "$WORK/rich.speedscope.json" &&
	   grep -q '"file":"main.c","line":30' "$WORK/rich.speedscope.json" &&
	   grep -q '"unit":"nanoseconds"' "$WORK/rich.speedscope.json" &&
	   grep -q 'scorch@' "$WORK/rich.speedscope.json"; then
		ok speedscope_threads_files_lines
	else
		fail speedscope_threads_files_lines "$(head -c 600 "$WORK/rich.speedscope.json")"
	fi
	"$SCORCH" convert "$WORK/rich.pb.gz" -o "$WORK/rich2.pb.gz"
	x=$("$SCORCH" convert "$WORK/rich.pb.gz" -o - -f folded --threads)
	y=$("$SCORCH" convert "$WORK/rich2.pb.gz" -o - -f folded --threads)
	[ "$x" = "$y" ] && [ -n "$x" ] && ok roundtrip_pprof_pprof_threads ||
		fail roundtrip_pprof_pprof_threads "$x vs $y"
fi

# Corrupt input: one line naming the file and the problem, no output.
expect_error() {	# NAME FILE PATTERN
	local name=$1 file=$2 pattern=$3 err lines
	rm -f "$WORK/out.folded"
	if err=$("$SCORCH" convert "$file" -o "$WORK/out.folded" 2>&1); then
		fail "$name" "accepted a corrupt file"; return
	fi
	lines=$(echo "$err" | wc -l)
	if [ "$lines" -eq 1 ] && echo "$err" | grep -q "$file" &&
	   echo "$err" | grep -qE "$pattern" && [ ! -e "$WORK/out.folded" ] &&
	   ! ls "$WORK" | grep -q '^out.folded.'; then
		ok "$name"
	else
		fail "$name" "$err"
	fi
}
head -c 40 "$WORK/known.pb.gz" >"$WORK/cut.pb.gz"
expect_error pprof_truncated_gzip "$WORK/cut.pb.gz" 'gzip'
{ printf '\x1f\x8b\x08\x00\x00\x00\x00\x00'; head -c 200 /dev/urandom; } >"$WORK/garbage.pb.gz"
expect_error pprof_corrupt_gzip "$WORK/garbage.pb.gz" 'gzip'
head -c $(( $(stat -c %s "$WORK/raw.bin") - 5 )) "$WORK/raw.bin" >"$WORK/cut.pb"
expect_error pprof_truncated_protobuf "$WORK/cut.pb" 'not a valid pprof profile'
printf '\x48\xff\xff\xff\xff\xff\xff\xff\xff\xff\xff\x0a\x00' | gzip >"$WORK/varint.pb.gz"
expect_error pprof_bad_varint "$WORK/varint.pb.gz" 'bad varint'
head -c 300 "$WORK/ss.json" >"$WORK/cut.speedscope.json"
expect_error speedscope_truncated_json "$WORK/cut.speedscope.json" 'not valid JSON'
sed 's/"weights":\[90/"weights":[-90/' "$WORK/ss.json" >"$WORK/neg.speedscope.json"
expect_error speedscope_negative_weight "$WORK/neg.speedscope.json" 'weight'

# Writing never leaves a half file: an unwritable directory fails cleanly.
if "$SCORCH" convert "$WORK/known.folded" -o "$WORK/nodir/x.pb.gz" 2>/dev/null; then
	fail convert_unwritable_output "succeeded"
else
	ok convert_unwritable_output
fi
