#!/bin/sh
# make demo: the motivating walkthrough in one go.  Profiles the slow
# list-lookup example live (any CPython, no rebuild, no flags) into a flame
# graph, prints where the time went, then shows the fixed version's cost.
# Falls back to a bundled `perf script` recording of the same program when
# live sampling is not allowed on this machine.
set -eu
scorch=${1:-build/scorch}
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}
out=${DEMO_OUT:-demo.svg}

echo "== scorch record -o $out -- $python examples/lookup.py"
if "$scorch" record -o "$out" -- "$python" "$here/lookup.py"; then
	live=1
else
	live=0
	echo "== live recording failed (see the line above); using the bundled perf script text instead"
	"$scorch" flamegraph --title "lookup.py (bundled perf script text)" \
		-o "$out" "$here/lookup.perf-script.txt.gz"
fi
echo "== wrote $out (open it in a browser: hover, click to zoom, Ctrl-F to search)"

if [ "$live" = 1 ] && "$scorch" record -q -o demo.pb.gz -- "$python" "$here/lookup.py" >/dev/null 2>&1; then
	echo "== scorch report --limit 8 demo.pb.gz"
	"$scorch" report --limit 8 demo.pb.gz || true
fi
