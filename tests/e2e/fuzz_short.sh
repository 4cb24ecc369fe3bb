#!/bin/bash
# fuzz_short.sh - a few seconds of libFuzzer on every profile reader
# (tests/fuzz/run.sh short); `make fuzz` runs the long version.  Skipped
# when clang or its libFuzzer runtime is missing (a failure under CI=true).
# Its plan, one case per fuzz target, is declared by tests/fuzz/run.sh.
. "$(dirname "$0")/lib.sh"
FUZZ_DIR=${FUZZ_DIR:-$TOP/${BUILD:-build}-fuzz} "$TOP/tests/fuzz/run.sh" short
exit 0
