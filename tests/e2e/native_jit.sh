#!/bin/bash
# native_jit.sh - JIT code named by a perf map: tests/programs/native_jit.c
# runs two machine-code loops from anonymous memory and writes
# /tmp/perf-PID.map; `scorch record` must show jit_hot/jit_cold (3:1) as
# JIT frames under main.
. "$(dirname "$0")/lib.sh"
PROGS=$TOP/tests/programs

if ! "$SCORCH" record --help 2>&1 | grep -q -- '--no-kernel'; then
	skip native_jit "scorch record has no perf_event engine"
	exit 0
fi
if [ "$(uname -m)" != x86_64 ]; then
	skip native_jit "the test JIT emits x86_64 code"
	exit 0
fi
cc -O2 -fomit-frame-pointer -o "$WORK/jit" "$PROGS/native_jit.c"
if ! "$SCORCH" record -q -F 400 --no-kernel -o "$WORK/jit.folded" -- "$WORK/jit" 3 2>"$WORK/jit.err"; then
	fail native_jit_names "$(tail -n 3 "$WORK/jit.err")"
	exit 0
fi
res=$(awk '{ n = $NF; total += n; if ($0 ~ /;main;jit_hot /) hot += n; if ($0 ~ /;main;jit_cold /) cold += n }
	END { printf "%d %d %d\n", total, hot, cold }' "$WORK/jit.folded")
set -- $res
total=$1 hot=$2 cold=$3
if [ "$total" -gt 20 ] && [ $((hot + cold)) -ge $((total * 90 / 100)) ] && [ "$hot" -gt "$cold" ]; then
	ok "native_jit_names (jit_hot $hot, jit_cold $cold of $total, under main)"
else
	fail native_jit_names "total $total hot $hot cold $cold: $(head -n 3 "$WORK/jit.folded")"
fi
