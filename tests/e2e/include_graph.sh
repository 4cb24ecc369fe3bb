#!/bin/bash
# include_graph.sh - the folder-level include graph of src/
# (scripts/include-graph.sh) has no cycle, and the layers its rules
# describe stay apart (commands reach the engines only through session/
# and engines/engine.h; an engine includes no other engine's internals;
# ...); a command includes no other command's header.  The checker
# itself is tested on a planted cycle and planted crossings, so a broken
# checker cannot pass the real tree.
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

# the layers (the rules are the checker's): none crossed in the real
# tree -- no command reads the Python reader (dump goes through
# session/dump.h) -- and a planted tree's crossings are each refused
# with the include behind them, the allowed ones not
mkdir -p "$WORK/layers/cmd" "$WORK/layers/python" "$WORK/layers/engines/perf" \
	"$WORK/layers/engines/mixed" "$WORK/layers/session"
printf '#include "python/reader.h"\n#include "engines/engine.h"\n#include "engines/perf/x.h"\n#include "session/dump.h"\n' \
	>"$WORK/layers/cmd/dump.c"
printf '#include "engines/perf/native_record.h"\n#include "engines/perf/x.h"\n' \
	>"$WORK/layers/engines/mixed/m.c"
printf '#include "session/dump.h"\n' >"$WORK/layers/python/reader.h"
: >"$WORK/layers/engines/engine.h"
: >"$WORK/layers/engines/perf/x.h"
: >"$WORK/layers/engines/perf/native_record.h"
: >"$WORK/layers/session/dump.h"
"$GRAPH" "$WORK/layers" >"$WORK/layers.out" 2>&1
rc=$?
real_bad=$(grep -e '^layer:' -e '^cmd -> python ' "$WORK/graph")
if [ -z "$real_bad" ] && [ -s "$WORK/graph" ] &&
   grep -qx 'engines/mixed -> python ([0-9]*)' "$WORK/graph" &&
   grep -qx 'cmd -> session ([0-9]*)' "$WORK/graph" &&
   [ "$rc" = 1 ] &&
   grep -q '^layer: cmd -> python: cmd/dump.c: #include "python/reader.h"' "$WORK/layers.out" &&
   grep -q '^layer: cmd -> engines/perf: cmd/dump.c' "$WORK/layers.out" &&
   grep -q '^layer: engines/mixed -> engines/perf: engines/mixed/m.c: #include "engines/perf/x.h"' "$WORK/layers.out" &&
   grep -q '^layer: python -> session: ' "$WORK/layers.out" &&
   [ "$(grep -c '^layer:' "$WORK/layers.out")" = 4 ]; then
	ok layers
else
	fail layers "real tree: $(echo "$real_bad" | tr '\n' ' '); planted (exit $rc): $(grep '^layer' "$WORK/layers.out" | tr '\n' ' ')"
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
