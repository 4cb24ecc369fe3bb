#!/bin/bash
# interchange_speedscope.sh - the real speedscope app (npm package, from
# scripts/test-tools.sh) imports the speedscope JSON scorch writes: from
# folded stacks, from a pprof with threads, inlining and timestamps, and a
# file with hostile names (quotes, control characters, invalid UTF-8).
# Skipped when chromium, node or the npm packages are missing.
. "$(dirname "$0")/lib.sh"
modules=$TOP/build/node/node_modules
app=$modules/speedscope/dist/release

if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null; then
	skip speedscope_browser "chromium or node is not installed (scripts/deps.sh test)"
	exit 0
fi
if [ ! -d "$modules/playwright-core" ] || [ ! -f "$app/index.html" ]; then
	skip speedscope_browser "speedscope or playwright-core is missing (run scripts/test-tools.sh)"
	exit 0
fi

dir=$WORK/profiles
mkdir -p "$dir"
cases=()
if [ -f "$CORPUS/folded/base--flames.txt" ]; then
	"$SCORCH" convert "$CORPUS/folded/base--flames.txt" --title "base flames" \
		-o "$dir/base.speedscope.json" && cases+=("base.speedscope.json=base flames")
fi
printf 'main;a\x01b;"quoted" 5\nmain;\xff\xfebad utf8;x\\y 3\nmain;caf\xc3\xa9 2\n' >"$WORK/hostile.folded"
"$SCORCH" convert "$WORK/hostile.folded" --title 'hostile "names"' \
	-o "$dir/hostile.speedscope.json" && cases+=('hostile.speedscope.json=hostile "names"')
if [ -x "$TOP/$BUILD/tests/test_pprof" ] && "$TOP/$BUILD/tests/test_pprof" --write "$WORK/rich.pb.gz"; then
	"$SCORCH" convert "$WORK/rich.pb.gz" --title rich -o "$dir/rich.speedscope.json" &&
		cases+=("rich.speedscope.json=rich")
fi
if [ ${#cases[@]} -eq 0 ]; then
	fail speedscope_browser "no speedscope file was written"
	exit 0
fi
NODE_MODULES=$modules timeout 300 node "$TOP/tests/e2e/browser/speedscope.js" \
	"$app" "$dir" "$WORK/chromium-profile" "${cases[@]}"
exit 0
