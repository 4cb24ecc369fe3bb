#!/bin/bash
# bench/accuracy.sh - how close a profile comes to where time really went.
#
# tests/programs/split.py spends CPU time in Ledger.tally and café_λ in
# about a 3:1 ratio, in random-sized chunks (nothing for a sampler to alias
# with).  Its exact share is measured by the program itself on a run with
# SPLIT_TRUTH=1 and no profiler (each call timed with the thread's CPU
# clock; the chunk sizes are seeded, so every run does the same work).
# Then each profiler records a run without that instrumentation, and the
# table gives tally's share of tally + café_λ in the profile and the error
# in percentage points, per installed CPython.  austin (AUSTIN=path) runs
# in its default wall-time mode (the busy main thread is on a CPU all the
# time; its CPU mode, -s, stalled this program on 3.12 here); a run it
# slows past the time limit is reported as timed out.  Tachyon (CPython
# 3.15's `-m profiling.sampling run`, collapsed output, its default wall
# mode) gets a row next to sid-3.15 (scripts/pythons.sh) unless TACHYON=0.
# Run as root, scorch's BPF engine (--engine bpf) gets a row too unless
# BPF=0.
#
# Usage: bench/accuracy.sh  (SCORCH=path, AUSTIN=path, SECONDS_EACH=n CPU
#                            seconds of work, RATE=Hz, ONLY=glob of labels)
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
SCORCH=${SCORCH:-$top/build/scorch}
SECONDS_EACH=${SECONDS_EACH:-4}
RATE=${RATE:-1000}
PROG=$top/tests/programs/split.py
tmp=$(mktemp -d /tmp/scorch-accuracy.XXXXXX)
trap 'rm -rf "$tmp" "${WORK:-}"' EXIT
. "$top/tests/e2e/lib.sh" >/dev/null 2>&1 || true
# the chroot launchers (scripts/pythons.sh) must see tests/programs
export SCORCH_CHROOT_BINDS=$top
limit=$((SECONDS_EACH * 10 + 10))

# tally's share (%) in folded stacks: leaf frames named tally / café_λ
share_folded() {
	awk '/[;.]tally \([^;]*\) [0-9]+$/ {t += $NF} /;café_λ \([^;]*\) [0-9]+$/ {c += $NF}
	     END {if (t + c) printf "%.2f", 100 * t / (t + c)}' "$1"
}
# the same in Tachyon's collapsed lines, "...;split.py:Ledger.tally:LINE N"
share_tachyon() {
	awk '/[:.]tally:[0-9]+ [0-9]+$/ {t += $NF} /:café_λ:[0-9]+ [0-9]+$/ {c += $NF}
	     END {if (t + c) printf "%.2f", 100 * t / (t + c)}' "$1"
}
# the same in austin's lines, "...;file:Ledger.tally:LINE <time>"
share_austin() {
	awk '/^P/ && /[:.]tally:[0-9]+ [0-9]+$/ {t += $NF}
	     /^P/ && /:café_λ:[0-9]+ [0-9]+$/ {c += $NF}
	     END {if (t + c) printf "%.2f", 100 * t / (t + c)}' "$1"
}
# austin's samples whose stack it could not read (an :INVALID: frame), %
invalid_austin() {
	awk '/^P/ {n++; if (/:INVALID:/) bad++} END {if (n) printf "%.1f", 100 * bad / n}' "$1"
}
row() {	# label tool share truth [why it has none]
	if [ -z "$3" ]; then
		printf '%-14s %-8s %9s %9s  %s\n' "$1" "$2" "-" "$4" "${5:-no samples}"
		return
	fi
	printf '%-14s %-8s %9s %9s %+9.2f\n' "$1" "$2" "$3" "$4" \
		"$(awk -v a="$3" -v b="$4" 'BEGIN {print a - b}')"
}

printf '%-14s %-8s %9s %9s %9s\n' version tool "tally %" "truth %" "error pts"
while read -r label py; do
	case "$label" in ${ONLY:-*}) ;; *) continue ;; esac
	"$py" -c 'import sys; sys.exit(sys.version_info < (3, 6))' 2>/dev/null || continue
	truth=$(SPLIT_TRUTH=1 "$py" "$PROG" "$SECONDS_EACH" | awk '/^TRUTH/ {printf "%.2f", 100 * $2}')
	rm -f "$tmp/s.folded"
	if timeout "$limit" "$SCORCH" record -q -F "$RATE" -o "$tmp/s.folded" -- \
		"$py" "$PROG" "$SECONDS_EACH" >/dev/null 2>&1; then
		row "$label" scorch "$(share_folded "$tmp/s.folded")" "$truth"
	else
		row "$label" scorch "" "$truth" "failed or timed out (${limit} s)"
	fi
	# the BPF engine (root only): the frames walked in the kernel
	if [ "$(id -u)" = 0 ] && [ "${BPF:-1}" != 0 ]; then
		rm -f "$tmp/b.folded"
		if timeout "$limit" "$SCORCH" record -q --engine bpf -F "$RATE" -o "$tmp/b.folded" -- \
			"$py" "$PROG" "$SECONDS_EACH" >/dev/null 2>&1; then
			row "$label" bpf "$(share_folded "$tmp/b.folded")" "$truth"
		else
			row "$label" bpf "" "$truth" "failed or timed out (${limit} s)"
		fi
	fi
	if [ "$label" = sid-3.15 ] && [ "${TACHYON:-1}" != 0 ]; then
		rm -f "$tmp/t.collapsed"
		if LC_ALL=C timeout "$limit" "$py" -m profiling.sampling run -r "$RATE" \
			--collapsed -o "$tmp/t.collapsed" "$PROG" "$SECONDS_EACH" >/dev/null 2>&1; then
			row "$label" tachyon "$(share_tachyon "$tmp/t.collapsed")" "$truth"
		else
			row "$label" tachyon "" "$truth" "failed or timed out (${limit} s)"
		fi
	fi
	if [ -n "${AUSTIN:-}" ]; then
		rm -f "$tmp/a.txt"
		if timeout "$limit" "$AUSTIN" -i "$((1000000 / RATE))us" -o "$tmp/a.txt" \
			"$py" "$PROG" "$SECONDS_EACH" >/dev/null 2>&1; then
			row "$label" austin "$(share_austin "$tmp/a.txt")" "$truth"
			echo "               (austin: $(invalid_austin "$tmp/a.txt")% of its samples hold an :INVALID: frame)"
		else
			row "$label" austin "" "$truth" "failed or timed out (${limit} s)"
		fi
	fi
done < <(python_versions)
[ -z "${AUSTIN:-}" ] && echo "(austin rows skipped: set AUSTIN=/path/to/austin)"
exit 0
