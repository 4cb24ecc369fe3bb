#!/bin/sh
# make demo: the motivating walkthrough in one go.  Records the slow
# list-lookup example live (any CPython, no rebuild, no flags), draws its
# flame graph, prints where the time went, then records the fixed version
# and prints the difference.  Falls back to a bundled `perf script`
# recording of the same program (CPython 3.12 -X perf, DWARF call graphs)
# when live sampling is not allowed on this machine.
set -eu
scorch=${1:-build/scorch}
here=$(cd "$(dirname "$0")" && pwd)
python=${PYTHON:-python3}

echo "== $scorch record -o demo.pb.gz -- $python examples/lookup.py"
if "$scorch" record -o demo.pb.gz -- "$python" "$here/lookup.py"; then
	"$scorch" flamegraph --title "examples/lookup.py" -o demo.svg demo.pb.gz
	"$scorch" flamegraph --title "examples/lookup.py" -o demo.html demo.pb.gz
	echo "== wrote demo.svg: open it in a browser (hover, click to zoom, Ctrl-F to search)"
	echo "== wrote demo.html: the same flame graph with a table of functions (click one to find it)"
	echo "== $scorch report --limit 6 demo.pb.gz"
	"$scorch" report --limit 6 demo.pb.gz
	echo "== the fix (a set): $scorch record -o demo-set.pb.gz -- $python examples/lookup_set.py"
	"$scorch" record -o demo-set.pb.gz -- "$python" "$here/lookup_set.py"
	# the table leads with the biggest absolute change (run_dummy), and
	# functions match across the two script names
	echo "== $scorch diff --limit 5 -o demo-diff.svg demo.pb.gz demo-set.pb.gz"
	"$scorch" diff --limit 5 -o demo-diff.svg demo.pb.gz demo-set.pb.gz
	"$scorch" diff --limit 5 -o demo-diff.html demo.pb.gz demo-set.pb.gz >/dev/null
	echo "== wrote demo-diff.svg (blue: what shrank; width: before + after) and demo-diff.html (before, after, delta per function)"
else
	echo "== live recording failed (see the line above); using the bundled perf script text"
	"$scorch" flamegraph --title "examples/lookup.py (bundled perf script, CPython 3.12 -X perf)" \
		-o demo.svg "$here/lookup.perf-script.txt.gz"
	echo "== wrote demo.svg; $scorch report --limit 6:"
	"$scorch" report --limit 6 "$here/lookup.perf-script.txt.gz"
fi
