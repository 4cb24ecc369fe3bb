#!/bin/bash
# include_graph.sh - the folder-level include graph of src/
# (scripts/include-graph.sh) has no cycle, and the layers stay apart:
# an engine folder includes no other engine's (but engines/mixed, the
# perf_event recorder with the Python reader plugged in, includes
# engines/perf's one public header, native_record.h), the perf_event
# engine (engines/perf) no Python reader (python/), the Python reader no
# engine, the engines no session or command, the session no command, and
# a command no other command's header.  The checker itself is tested
# on a planted cycle, so a broken checker cannot pass the real tree.
. "$(dirname "$0")/lib.sh"
plan 4
GRAPH=$TOP/scripts/include-graph.sh

# the real tree: no cycle, and a graph with the edges we know are there
if "$GRAPH" "$TOP/src" >"$WORK/graph" 2>"$WORK/graph.err"; then
	if grep -qx 'session -> engines ([0-9]*)' "$WORK/graph" &&
	   grep -qx 'engines/python -> python ([0-9]*)' "$WORK/graph"; then
		ok src_no_cycle
	else
		fail src_no_cycle "known edges missing from: $(tr '\n' ' ' <"$WORK/graph") $(cat "$WORK/graph.err")"
	fi
else
	fail src_no_cycle "$(grep -A5 'include cycle' "$WORK/graph") $(cat "$WORK/graph.err")"
fi

# a planted cycle a -> b -> a is found and its includes named
mkdir -p "$WORK/tree/a" "$WORK/tree/b" "$WORK/tree/c"
printf '#include "b/y.h"\n#include "c/leaf.h"\n#include <stdio.h>\n' >"$WORK/tree/a/x.c"
printf '#include "a/z.h"\n' >"$WORK/tree/b/y.h"
printf '#include "missing/generated.h"\n' >"$WORK/tree/a/z.h"
: >"$WORK/tree/c/leaf.h"
"$GRAPH" "$WORK/tree" >"$WORK/planted" 2>&1
rc=$?
if [ "$rc" = 1 ] &&
   grep -Eqx 'include cycle: (a -> b -> a|b -> a -> b)' "$WORK/planted" &&
   grep -q 'a/x.c: #include "b/y.h"' "$WORK/planted" &&
   grep -q 'b/y.h: #include "a/z.h"' "$WORK/planted" &&
   grep -qx 'a -> c (1)' "$WORK/planted" &&
   ! grep -q missing "$WORK/planted"; then
	ok planted_cycle
else
	fail planted_cycle "exit $rc: $(tr '\n' ' ' <"$WORK/planted")"
fi

# the layers: FROM -> TO edges that must not exist
bad=$(awk '
	{ from = $1; to = $3 }
	function engine(f) { return f ~ /^engines\// }
	from == "engines/mixed" && to == "engines/perf" { next }
	engine(from) && engine(to) && from != to { print; next }
	from == "engines/perf" && to == "python" { print; next }
	from == "python" && (to ~ /^engines/ || to == "session" || to == "cmd") { print; next }
	(from == "engines" || engine(from)) && (to == "session" || to == "cmd") { print; next }
	from == "session" && to == "cmd" { print; next }
	from == "proc" && to != "util" { print }
' "$WORK/graph")
# engines/mixed reaches engines/perf through native_record.h alone
bad="$bad$(grep -Hn '#include "engines/perf/' "$TOP"/src/engines/mixed/*.[ch] |
	grep -v '"engines/perf/native_record.h"')"
if [ -z "$bad" ] && [ -s "$WORK/graph" ] &&
   grep -qx 'engines/mixed -> python ([0-9]*)' "$WORK/graph"; then
	ok layers
else
	fail layers "edges across layers: $(echo "$bad" | tr '\n' ' ')"
fi

# commands share only cmd/commands.h and the shared option rows
# (common_options.h, record_args.h), never another command's header (top
# once included cmd/record.h)
cross=$(grep -Hn '#include "cmd/' "$TOP"/src/cmd/*.[ch] |
	grep -v -e '"cmd/commands.h"' -e '"cmd/common_options.h"' -e '"cmd/record_args.h"')
if [ -z "$cross" ] && [ -f "$TOP/src/cmd/top.c" ]; then
	ok commands_apart
else
	fail commands_apart "$cross"
fi
