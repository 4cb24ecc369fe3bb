#!/bin/bash
# record_bpf_pythons.sh - every installed CPython through the BPF engine
# (--engine bpf, Python frames walked in the kernel at the sample): the
# 3:1 program (tests/programs/split.py) within 5 points with the Python
# engine's frame names, and the churn program (tests/programs/churn.py)
# with no [moving] frame and no impossible stack.
. "$(dirname "$0")/lib.sh"
PROGS=$TOP/tests/programs

if [ "$(id -u)" != 0 ]; then
	skip_rest "the BPF engine needs root (or CAP_BPF and CAP_PERFMON)"
fi
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	skip_rest "the kernel has no BTF (/sys/kernel/btf/vmlinux)"
fi
n=$(readable_pythons | wc -l)
[ "$n" -gt 0 ] || skip_rest "no CPython 3.$PY_OLDEST_MINOR+ installed"
while read -r gap; do
	[ -n "$gap" ] && echo "# not provisioned: $gap"
done < <(chroot_python_gaps)

while read -r label py; do
	plan 2
	f=$WORK/$label.folded
	# --subprocesses: a chroot launcher may run the interpreter as its child
	# (not -q: a BPF program the kernel refused is a warning, and the
	# other engines' profile would pass for the BPF engine's)
	if ! "$SCORCH" record --engine bpf --subprocesses -F 999 -o "$f" -- "$py" "$PROGS/split.py" 1.5 >/dev/null 2>"$WORK/$label.err" ||
	   grep -q 'warning: bpf engine' "$WORK/$label.err"; then
		fail "bpf-split-$label" "record failed: $(tail -n 2 "$WORK/$label.err")"
		fail "bpf-churn-$label" "not run"
		continue
	fi
	# (before 3.11 a code object has no qualified name: "tally", as the
	# Python engine names it there)
	set -- $(awk '/(^|;)(Ledger\.)?tally \(/ { t += $NF } /café_λ \(/ { c += $NF } END { printf "%d %d", t, c }' "$f")
	if [ $(($1 + $2)) -ge 200 ] && [ $(($1 * 100)) -ge $((($1 + $2) * 70)) ] &&
	   [ $(($1 * 100)) -le $((($1 + $2) * 80)) ] &&
	   grep -qE '(^|;)main \([^;]*split\.py:[0-9]+\);(Ledger\.)?tally \([^;]*split\.py:[0-9]+\)' "$f"; then
		ok "bpf-split-$label (tally $1, café_λ $2)"
	else
		fail "bpf-split-$label" "tally $1, café_λ $2: $(sort -t' ' -k2 -nr "$f" | head -n 2)"
	fi
	f=$WORK/$label-churn.folded
	if ! "$SCORCH" record --engine bpf --subprocesses -F 999 -o "$f" -- "$py" "$PROGS/churn.py" 1.5 >/dev/null 2>"$WORK/$label-churn.err" ||
	   grep -q 'warning: bpf engine' "$WORK/$label-churn.err"; then
		fail "bpf-churn-$label" "record failed: $(tail -n 2 "$WORK/$label-churn.err")"
		continue
	fi
	set -- $(churn_stacks "$f")
	good=$1 bad=$2
	shift 2
	moving=$(grep -c '\[moving\]' "$f")
	# (code objects are named after the sample, but only as the one the
	# kernel saw there: a start-up module freed and its address taken
	# by churn.py's functions is a [freed code] frame, never theirs)
	if [ "$good" -ge 300 ] && [ "$bad" -eq 0 ] && [ "$moving" -eq 0 ]; then
		ok "bpf-churn-$label ($good samples in main, none impossible, none moving)"
	else
		fail "bpf-churn-$label" "$good in main, $bad impossible, $moving [moving]${1:+; e.g. $*}"
	fi
done < <(readable_pythons)
exit 0
