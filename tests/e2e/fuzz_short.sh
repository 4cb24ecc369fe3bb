#!/bin/bash
# fuzz_short.sh - the CI run of tests/fuzz/run.sh short: replays the kept
# regression inputs (tests/fuzz/regressions/), then a few seconds of
# libFuzzer on every profile reader (fuzz_perfdata seeded with perf.data
# files recorded here) and on every writer (fuzz_writers); `make fuzz`
# runs the long version.  Skipped when clang or its libFuzzer runtime is
# missing.
# Its plan, one case per fuzz target, is declared by tests/fuzz/run.sh.
. "$(dirname "$0")/lib.sh"
FUZZ_DIR=${FUZZ_DIR:-$TOP/${BUILD:-build}-fuzz} "$TOP/tests/fuzz/run.sh" short
exit 0
