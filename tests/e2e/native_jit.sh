#!/bin/bash
# native_jit.sh - JIT code named by a perf map: tests/programs/native_jit.c
# runs two machine-code loops from anonymous memory and writes
# /tmp/perf-PID.map; `scorch record` must show jit_hot/jit_cold (3:1) as
# JIT frames under main.
. "$(dirname "$0")/lib.sh"
PROGS=$TOP/tests/programs
plan 1

[ "$(uname -m)" = x86_64 ] || skip_rest "the test JIT emits x86_64 code"
cc -O2 -fomit-frame-pointer -o "$WORK/jit" "$PROGS/native_jit.c"
if ! "$SCORCH" record -q -F 400 --no-kernel -o "$WORK/jit.folded" -- "$WORK/jit" 3 2>"$WORK/jit.err"; then
	fail_rest native_jit_names "$(tail -n 3 "$WORK/jit.err")"
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
