# native_list_lookup.py - the walkthrough's list lookup: `x in lst` on a
# long list, so CPython's list_contains runs under run_dummy.  For
# tests/e2e/native_python.sh (scorch record --native).  With
# SCORCH_BENCH_CPU set it prints its own CPU seconds (bench/native.sh).
import os
import sys
import time


def run_dummy(lst, n):
    hits = 0
    for i in range(n):
        if -1 in lst:
            hits += 1
    return hits


def main():
    lst = list(range(5000))
    run_dummy(lst, int(sys.argv[1]) if len(sys.argv) > 1 else 20000)


main()
if os.environ.get("SCORCH_BENCH_CPU"):
    sys.stderr.write("cpu_seconds=%.3f\n" % time.process_time())
