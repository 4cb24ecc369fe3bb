#!/bin/bash
# flamegraph_browser.sh - opens a scorch flame graph in headless Chromium
# and checks it works for a user: hover, click-to-zoom, Reset Zoom, search
# (button and Ctrl-F) with the match percentage computed here from the
# folded input.  Skipped when chromium or playwright-core is missing
# (scripts/test-tools.sh installs it).  Leaves a screenshot in $SHOT_DIR
# when that is set.
. "$(dirname "$0")/lib.sh"

input=$CORPUS/folded/base--flames.txt
modules=$TOP/build/node/node_modules
term=master_compress
plan 26	# the 13 checks of browser/flamegraph.js, on the graph and the icicle

[ -x /usr/bin/chromium ] || missing_rest "chromium is not installed (scripts/deps.sh test)"
command -v node >/dev/null 2>&1 || missing_rest "node is not installed (scripts/deps.sh test)"
[ -d "$modules/playwright-core" ] || missing_rest "playwright-core is missing (run scripts/test-tools.sh)"
[ -f "$input" ] || missing_rest "corpus file $input is absent: $CORPUS_HINT"

svg=$WORK/graph.svg
icicle=$WORK/icicle.svg
# --minwidth 0 draws every frame, so the shown match is exact
if ! "$SCORCH" flamegraph --minwidth 0 "$input" -o "$svg" 2>"$WORK/err" ||
   ! "$SCORCH" flamegraph --minwidth 0 --inverted "$input" -o "$icicle" 2>"$WORK/err"; then
	fail_rest flamegraph-browser-render "$(cat "$WORK/err")"
fi

# share of samples in stacks with a frame matching $term (a stack counts
# once however many of its frames match), to two decimals
expected=$(awk -v term="$term" '
	{
		n = $NF; total += n
		split(substr($0, 1, length($0) - length($NF) - 1), frames, ";")
		for (i in frames) if (frames[i] ~ term) { hit += n; break }
	}
	END { printf "%.2f\n", 100 * hit / total }' "$input")

shot=${SHOT_DIR:-$WORK}/flamegraph.png
NODE_MODULES=$modules node "$TOP/tests/e2e/browser/flamegraph.js" \
	"$svg" "$shot" "$term" "$expected" "$WORK/chromium-profile"
NODE_MODULES=$modules node "$TOP/tests/e2e/browser/flamegraph.js" \
	"$icicle" "${shot%.png}-icicle.png" "$term" "$expected" "$WORK/chromium-profile-icicle" icicle
exit 0
