#!/bin/bash
# interchange_speedscope.sh - the real speedscope app (npm package, from
# scripts/test-tools.sh) imports the speedscope JSON scorch writes: from
# folded stacks, from a pprof with threads, inlining and timestamps, and a
# file with hostile names (quotes, control characters, invalid UTF-8).
# Skipped when chromium, node or the npm packages are missing.
. "$(dirname "$0")/lib.sh"
modules=$TOP/build/node/node_modules
app=$modules/speedscope/dist/release
plan 3	# base, hostile, rich: one case each (browser/speedscope.js)

if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null; then
	missing_rest "chromium or node is not installed (scripts/deps.sh test)"
fi
if [ ! -d "$modules/playwright-core" ] || [ ! -f "$app/index.html" ]; then
	missing_rest "speedscope or playwright-core is missing (run scripts/test-tools.sh)"
fi

dir=$WORK/profiles
mkdir -p "$dir"
cases=()
if [ ! -f "$CORPUS/folded/base--flames.txt" ]; then
	missing speedscope_imports_base_speedscope_json "$CORPUS/folded/base--flames.txt is absent: $CORPUS_HINT"
elif "$SCORCH" convert "$CORPUS/folded/base--flames.txt" --title "base flames" \
	-o "$dir/base.speedscope.json" 2>"$WORK/err"; then
	cases+=("base.speedscope.json=base flames")
else
	fail speedscope_imports_base_speedscope_json "convert: $(cat "$WORK/err")"
fi
printf 'main;a\x01b;"quoted" 5\nmain;\xff\xfebad utf8;x\\y 3\nmain;caf\xc3\xa9 2\n' >"$WORK/hostile.folded"
if "$SCORCH" convert "$WORK/hostile.folded" --title 'hostile "names"' \
	-o "$dir/hostile.speedscope.json" 2>"$WORK/err"; then
	cases+=('hostile.speedscope.json=hostile "names"')
else
	fail speedscope_imports_hostile_speedscope_json "convert: $(cat "$WORK/err")"
fi
if [ -x "$TOP/$BUILD/tests/test_pprof" ] && "$TOP/$BUILD/tests/test_pprof" --write "$WORK/rich.pb.gz" &&
   "$SCORCH" convert "$WORK/rich.pb.gz" --title rich -o "$dir/rich.speedscope.json" 2>"$WORK/err"; then
	cases+=("rich.speedscope.json=rich")
else
	fail speedscope_imports_rich_speedscope_json "no rich.pb.gz from $BUILD/tests/test_pprof, or convert: $(cat "$WORK/err")"
fi
[ ${#cases[@]} -gt 0 ] || exit 0
NODE_MODULES=$modules timeout 300 node "$TOP/tests/e2e/browser/speedscope.js" \
	"$app" "$dir" "$WORK/chromium-profile" "${cases[@]}"
exit 0
