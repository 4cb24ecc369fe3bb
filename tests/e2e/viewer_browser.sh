#!/bin/bash
# viewer_browser.sh - the HTML viewer (`-o NAME.html`): a page with the
# flame graph and a table of functions.  Opens one in headless Chromium
# and checks what a user sees (viewer.js): the table's order, a click on
# a function highlighting its share of samples and listing its callers
# and callees (computed here from the folded input), sorting, filtering, zoom, no network.  Also: every
# command that writes files writes the page, and an empty profile still
# gives a page.  The browser part is skipped when chromium or
# playwright-core is missing (scripts/test-tools.sh installs them).
. "$(dirname "$0")/lib.sh"
# five cases here, and browser/viewer.js's: 3 on the table, one per click
# (4), callers and callees per function (2 x 4), 8 more
plan $((5 + 3 + 4 + 2 * 4 + 8))

modules=$TOP/build/node/node_modules
input=$WORK/viewer.folded
# names that are HTML and regular-expression hostile, Python frames with
# files and lines, native frames without, a recursive function
cat >"$input" <<'FOLDED'
<module> (app.py:1);main (app.py:20);run_dummy (app.py:15);list_contains 60
<module> (app.py:1);main (app.py:20);run_dummy (app.py:16) 10
<module> (app.py:1);main (app.py:21);setup (app.py:5);std::vector<int>::operator[](unsigned long) 20
<module> (app.py:1);main (app.py:21);a&b"c<d> 7
<module> (app.py:1);main (app.py:22);run_dummy (app.py:15);a&b"c<d> 3
main (app.py:23) 5
<module> (app.py:1);main (app.py:24);fib (app.py:30);fib (app.py:31);fib (app.py:31) 4
FOLDED

html=$WORK/viewer.html
if "$SCORCH" convert "$input" -o "$html" 2>"$WORK/err" && head -n 1 "$html" | grep -q '^<!DOCTYPE html>'; then
	ok viewer-convert
else
	fail viewer-convert "$(cat "$WORK/err")"
fi
if "$SCORCH" flamegraph "$input" -o "$WORK/fg.html" 2>"$WORK/err" &&
   grep -q '<tbody id="viewer-rows">' "$WORK/fg.html"; then
	ok viewer-flamegraph-command
else
	fail viewer-flamegraph-command "flamegraph -o x.html did not write the viewer: $(cat "$WORK/err")"
fi
# -f picks the page whatever the name says, to stdout too; only svg and
# html are flame graphs
if "$SCORCH" flamegraph -f html "$input" >"$WORK/stdout.html" 2>"$WORK/err" &&
   head -n 1 "$WORK/stdout.html" | grep -q '^<!DOCTYPE html>' &&
   "$SCORCH" flamegraph -f svg "$input" -o "$WORK/forced.html" 2>>"$WORK/err" &&
   grep -q '^<svg ' "$WORK/forced.html"; then
	ok viewer-flamegraph-format
else
	fail viewer-flamegraph-format "$(cat "$WORK/err")"
fi
"$SCORCH" flamegraph -f pprof "$input" -o "$WORK/not.pb.gz" 2>"$WORK/err"
rc=$?
if [ $rc -eq 2 ] && grep -q 'not svg or html' "$WORK/err" && [ ! -e "$WORK/not.pb.gz" ]; then
	ok viewer-flamegraph-bad-format
else
	fail viewer-flamegraph-bad-format "rc=$rc: $(cat "$WORK/err")"
fi
: >"$WORK/empty.folded"
if "$SCORCH" convert "$WORK/empty.folded" -o "$WORK/empty.html" 2>"$WORK/err" &&
   grep -q '</html>' "$WORK/empty.html"; then
	ok viewer-empty-profile
else
	fail viewer-empty-profile "$(cat "$WORK/err")"
fi

if [ ! -x /usr/bin/chromium ] || ! command -v node >/dev/null 2>&1; then
	missing_rest "chromium or node is not installed (scripts/deps.sh test)"
fi
if [ ! -d "$modules/playwright-core" ]; then
	missing_rest "playwright-core is missing (run scripts/test-tools.sh)"
fi

# share (%) of samples whose stack holds a frame of function $1
share() {
	awk -v want="$1" '
		{
			n = $NF; total += n
			split(substr($0, 1, length($0) - length($NF) - 1), frames, ";")
			for (i in frames) {
				f = frames[i]
				if (match(f, / \([^()]*\)$/)) f = substr(f, 1, RSTART - 1)
				if (f == want) { hit += n; break }
			}
		}
		END { printf "%.2f", 100 * hit / total }' "$input"
}
# callers and callees of function $1 as JSON, by label "name (file)":
# the frames just outside and just inside its outermost call on each
# stack ([root] and [self] at the ends)
calls() {
	awk -v want="$1" '
		function label(f) { sub(/:[0-9]+\)$/, ")", f); return f }
		function name(f) { if (match(f, / \([^()]*\)$/)) f = substr(f, 1, RSTART - 1); return f }
		function js(s) { gsub(/\\/, "\\\\", s); gsub(/"/, "\\\"", s); return "\"" s "\"" }
		function dump(m, out, k, sep) { out = "{"; sep = ""
			for (k in m) { out = out sep js(k) ": " m[k]; sep = ", " }
			return out "}" }
		{
			n = $NF
			k = split(substr($0, 1, length($0) - length($NF) - 1), frames, ";")
			for (i = 1; i <= k; i++) {
				if (name(frames[i]) != want) continue
				callers[i > 1 ? label(frames[i - 1]) : "[root]"] += n
				callees[i < k ? label(frames[i + 1]) : "[self]"] += n
				break
			}
		}
		END { printf "{\"callers\": %s, \"callees\": %s}", dump(callers), dump(callees) }' "$input"
}
# functions whose name or file holds "app.py": the rows the filter keeps
filtered=$(tr ';' '\n' <"$input" | sed 's/ [0-9]*$//' | grep -F 'app.py' |
	sed 's/:[0-9]*)$/)/' | sort -u | wc -l)
expect=$(cat <<JSON
{"top": "main", "topSelf": "list_contains",
 "clicks": {"run_dummy": $(share run_dummy), "list_contains": $(share list_contains),
            "std::vector<int>::operator[](unsigned long)": $(share 'std::vector<int>::operator[](unsigned long)'),
            "a&b\"c<d>": $(share 'a&b"c<d>')},
 "calls": {"run_dummy": $(calls run_dummy), "main": $(calls main),
           "a&b\"c<d>": $(calls 'a&b"c<d>'), "fib": $(calls fib)},
 "filter": "app.py", "filtered": $filtered}
JSON
)
NODE_MODULES=$modules node "$TOP/tests/e2e/browser/viewer.js" "$html" \
	"${SHOT_DIR:-$WORK}/viewer.png" "$WORK/chromium-profile" "$expect"
exit 0
