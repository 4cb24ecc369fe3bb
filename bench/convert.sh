#!/bin/bash
# convert.sh - time and peak memory of reading and writing each profile
# format scorch speaks, for one 1M-sample profile, and the size on disk of
# each format against folded.
#
# usage: [SAMPLES=1000000] [STACKS=20000] [SCORCH=...] bench/convert.sh
# The input is SAMPLES folded lines of count 1 (one line per sample, the
# way a raw collapse looks before merging) drawn from STACKS distinct
# stacks of depth 4-30, generated deterministically.  Every row is one
# `scorch convert` run measured with /usr/bin/time (wall seconds, peak
# RSS); a row's time includes reading its input and writing its output.
# speedscope keeps one JSON sample per input sample (time order), the
# other formats merge identical stacks.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SCORCH=${SCORCH:-$top/build/scorch}
SAMPLES=${SAMPLES:-1000000}
STACKS=${STACKS:-20000}
tmp=$(mktemp -d /tmp/scorch-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT

if [ ! -x "$SCORCH" ]; then
	echo "bench/convert.sh: $SCORCH is missing (run make first)" >&2
	exit 1
fi
if [ ! -x /usr/bin/time ]; then
	echo "bench/convert.sh: /usr/bin/time is missing (apt-get install time)" >&2
	exit 1
fi

awk -v N="$SAMPLES" -v K="$STACKS" 'BEGIN {
	srand(7)
	nn = split("main run_loop dispatch handle_request parse_json encode_utf8 " \
		"malloc free memcpy read_file write_file compress hash_lookup " \
		"sort_items render_page sys_read_[k] sys_write_[k] vfs_read_[k] " \
		"do_syscall_64_[k] process_item validate lookup_cache " \
		"list_contains (app.py:12) set_add (app.py:30) json_dumps (lib/json.py:210)", names, " ")
	for (k = 0; k < K; k++) {
		d = 4 + int(rand() * 27)
		s = "python3"
		for (j = 0; j < d; j++)
			s = s ";" names[1 + int(rand() * (j < 3 ? 3 : nn))]
		stack[k] = s
	}
	# a skewed choice so a few stacks are hot, as in real profiles
	for (i = 0; i < N; i++) {
		r = rand()
		print stack[int(r * r * K)], 1
	}
}' >"$tmp/in.folded"

size() { stat -c %s "$1"; }
mib() { awk -v b="$1" 'BEGIN { printf "%.1f", b / 1048576 }'; }

# run LABEL INPUT OUTPUT [ARGS...]: one measured conversion
run() {
	local label=$1 in=$2 out=$3; shift 3
	if ! /usr/bin/time -f '%e %M' -o "$tmp/time" "$SCORCH" convert "$in" -o "$out" "$@" 2>"$tmp/err"; then
		printf '%-28s  failed: %s\n' "$label" "$(tail -1 "$tmp/err")"
		return
	fi
	read -r secs kb <"$tmp/time"
	printf '%-28s  %8s  %10s  %12s\n' "$label" "$secs" "$(mib $((kb * 1024)))" "$(mib "$(size "$out")")"
}

base=$(size "$tmp/in.folded")
echo "# $SAMPLES samples, $STACKS distinct stacks; input folded (one line per sample): $(mib "$base") MiB"
printf '%-28s  %8s  %10s  %12s\n' "conversion" "seconds" "peak MiB" "output MiB"
run "folded -> folded (merged)" "$tmp/in.folded" "$tmp/merged.folded"
run "folded -> pprof" "$tmp/in.folded" "$tmp/p.pb.gz"
run "folded -> speedscope" "$tmp/in.folded" "$tmp/s.speedscope.json"
run "merged folded -> speedscope" "$tmp/merged.folded" "$tmp/m.speedscope.json"
run "pprof -> folded" "$tmp/p.pb.gz" "$tmp/p.folded"
run "pprof -> speedscope" "$tmp/p.pb.gz" "$tmp/p.speedscope.json"
run "speedscope -> folded" "$tmp/s.speedscope.json" "$tmp/s.folded"
run "speedscope -> pprof" "$tmp/s.speedscope.json" "$tmp/s.pb.gz"
# every sample kept with its time: the same file with a time unit, and
# --input-format so convert keeps individual samples
sed 's/"unit":"none"/"unit":"nanoseconds"/' "$tmp/s.speedscope.json" >"$tmp/ns.speedscope.json"
run "speedscope -> pprof, 1M timed" "$tmp/ns.speedscope.json" "$tmp/t.pb.gz" --input-format speedscope
run "pprof 1M timed -> speedscope" "$tmp/t.pb.gz" "$tmp/t.speedscope.json"
run "pprof 1M timed -> folded" "$tmp/t.pb.gz" "$tmp/t.folded"

echo
merged=$(size "$tmp/merged.folded")
printf '%-34s  %10s  %18s\n' "format (same profile)" "MiB" "vs merged folded"
for f in "folded, one line per sample:$tmp/in.folded" "folded, merged:$tmp/merged.folded" \
	 "pprof (gzip):$tmp/p.pb.gz" "pprof, per sample with times:$tmp/t.pb.gz" \
	 "speedscope, per sample:$tmp/s.speedscope.json" \
	 "speedscope, merged:$tmp/m.speedscope.json"; do
	name=${f%%:*} path=${f#*:}
	[ -f "$path" ] || continue
	printf '%-34s  %10s  %17sx\n' "$name" "$(mib "$(size "$path")")" \
		"$(awk -v a="$(size "$path")" -v b="$merged" 'BEGIN { printf "%.3f", a / b }')"
done
# the conversions must agree
if cmp -s "$tmp/merged.folded" "$tmp/p.folded" && cmp -s "$tmp/merged.folded" "$tmp/s.folded" &&
   cmp -s "$tmp/merged.folded" "$tmp/t.folded"; then
	echo "# check: pprof and speedscope read back to the same folded profile"
else
	echo "# check FAILED: conversions disagree"
fi
