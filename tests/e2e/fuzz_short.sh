#!/bin/bash
# fuzz_short.sh - the CI run of tests/fuzz/run.sh short: replays the kept
# regression inputs (tests/fuzz/regressions/), then a few seconds of
# libFuzzer on every profile reader (fuzz_perfdata seeded with perf.data
# files recorded here) and on every writer (fuzz_writers); `make fuzz`
# runs the long version.  Skipped when clang or its libFuzzer runtime is
# missing.
# Its plan, one case per fuzz target, is declared by tests/fuzz/run.sh.
# The targets are built the same way whatever SANITIZE says (they carry
# their own sanitizers), so the plain and the sanitizer run share one
# build (build-fuzz): the second only fuzzes again.
. "$(dirname "$0")/lib.sh"
FUZZ_DIR=${FUZZ_DIR:-$TOP/build-fuzz} "$TOP/tests/fuzz/run.sh" short
exit 0
