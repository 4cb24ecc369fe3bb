#!/bin/bash
# bench/rate.sh - how much of the asked sampling rate a profiler delivers.
#
# Attaches to a Python process that only sleeps (so every tick finds the
# same idle thread and sampling costs little) for SECONDS at each rate and
# counts the samples in the output: delivered = samples / (SECONDS x rate).
# scorch runs in --idle (wall-clock) mode, where every tick is a sample;
# austin (AUSTIN=path) samples idle threads by default.  A profiler that
# sleeps a fixed interval after each sample falls behind by the time the
# sample took; one that sleeps to absolute deadlines does not.
#
# Usage: bench/rate.sh   (SCORCH=path, AUSTIN=path, PYTHON=path,
#                         SECONDS_EACH=n, RATES="100 1000 10000")
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SCORCH=${SCORCH:-$top/build/scorch}
PYTHON=${PYTHON:-python3}
SECONDS_EACH=${SECONDS_EACH:-3}
RATES=${RATES:-100 1000 10000}
tmp=$(mktemp -d /tmp/scorch-rate.XXXXXX)
trap 'kill $target 2>/dev/null; rm -rf "$tmp"' EXIT

# attached once it says its interpreter runs (polled, with a deadline)
"$PYTHON" -c 'import time; print("READY", flush=True); time.sleep(3600)' >"$tmp/ready" &
target=$!
for _ in $(seq 600); do grep -q READY "$tmp/ready" && break; sleep 0.05; done
grep -q READY "$tmp/ready" || { echo "bench/rate.sh: $PYTHON did not start in 30 s" >&2; exit 1; }

count_folded() { awk '$NF ~ /^[0-9]+$/ {s += $NF} END {print s + 0}' "$1"; }
# austin: one line per sample, "P<pid>;T<tid>;frames... <time>"
count_austin() { grep -c '^P[0-9]*;' "$1"; }

# row TOOL RATE SAMPLES ASKED
row() {
	printf '%-8s %8d %10d %9.1f%%\n' "$1" "$2" "$3" \
		"$(awk -v n="$3" -v w="$4" 'BEGIN {print 100 * n / w}')"
}

printf '%-8s %8s %10s %10s\n' tool "rate Hz" samples delivered
for rate in $RATES; do
	want=$((rate * SECONDS_EACH))
	"$SCORCH" record -q --idle -F "$rate" -d "$SECONDS_EACH" -p $target -o "$tmp/s.folded" 2>/dev/null
	row scorch "$rate" "$(count_folded "$tmp/s.folded")" "$want"
	if [ -n "${AUSTIN:-}" ]; then
		"$AUSTIN" -i "$((1000000 / rate))us" -x "$SECONDS_EACH" -p $target -o "$tmp/a.txt" 2>/dev/null
		row austin "$rate" "$(count_austin "$tmp/a.txt")" "$want"
	fi
done
[ -z "${AUSTIN:-}" ] && echo "(austin rows skipped: set AUSTIN=/path/to/austin)"
exit 0
