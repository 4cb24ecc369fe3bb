#!/bin/bash
# include-graph.sh - the folder-level include graph of src/, and a check
# that it has no cycle.
#
# Prints one line per edge, "FROM -> TO (N)": some file in folder FROM
# (a directory under src/, e.g. engines/python; a file at the top of src/
# is a node of its own: main, version)
# includes N times a header in folder TO.  Only headers found under src/
# count (system and generated ones do not); a folder including itself is
# no edge.  With -v each edge is followed by the includes behind it.
# Exits 1, after the graph, with "include cycle: A -> B -> ... -> A" and
# the includes that close it, when the folders include each other in a
# circle, and with "layer: FROM -> TO: FILE: #include "HEADER" (rule)"
# for each include that crosses the layers of design.md section 2:
#   - a command (cmd/) reaches recording only through session/ and
#     engines/engine.h, formats only through formats/format.h, and
#     otherwise includes model/, util/ and annotate/ (annotate's
#     source and disassembly helpers) -- never python/, perf/, proc/,
#     symbols/, unwind/ or an engine's folder;
#   - an engine folder includes no other engine's (engines/mixed, the
#     perf_event recorder with the Python reader plugged in, includes
#     engines/perf/native_record.h alone; engines/bpf the --native
#     merge rule, engines/mixed/merge.h, alone), nor session/ or cmd/;
#   - the perf_event engine (engines/perf) includes no Python reader
#     (python/); the Python reader no engine, session or command;
#   - the session includes no command; proc/ includes only util/.
# 0 otherwise.
#
# Usage: scripts/include-graph.sh [-v] [SRC_DIR]   (default: src)
set -u
verbose=0
if [ "${1:-}" = -v ]; then
	verbose=1
	shift
fi
src=${1:-src}
[ -d "$src" ] || { echo "include-graph: $src: no such directory (give the source tree)" >&2; exit 2; }
src=${src%/}

# one line per include: FROM_FOLDER TO_FOLDER FILE HEADER.  A header
# is looked up beside the file first, then from src/, as the compiler
# does (-Isrc); a file at the top of src/ is a node of its own (main,
# version).
includes=$(cd "$src" && { find . -name '*.[ch]' | sed 's|^\./|file |'
	grep -rHE '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' --include='*.[ch]' . |
		sed -E 's|^\./([^:]*):[[:space:]]*#[[:space:]]*include[[:space:]]*"([^"]*)".*|inc \1 \2|'; } |
	awk '
	function folder(path,    d) {
		d = path
		if (sub(/\/[^\/]*$/, "", d))
			return d
		sub(/\.[ch]$/, "", d)
		return d
	}
	$1 == "file" { have[$2] = 1; next }
	$1 == "inc" {
		f = $2; h = $3
		dir = f
		if (!sub(/\/[^\/]*$/, "", dir))
			dir = ""
		if (dir != "" && ((dir "/" h) in have))
			target = dir "/" h
		else if (h in have)
			target = h
		else
			next	# generated or not ours
		from = folder(f); to = folder(target)
		if (from != to)
			print from, to, f, h
	}')

edges=$(echo "$includes" | awk 'NF { n[$1 " " $2]++ } END { for (e in n) print e, n[e] }' | sort)
echo "$edges" | while read -r from to n; do
	[ -n "$from" ] || continue
	echo "$from -> $to ($n)"
	if [ "$verbose" = 1 ]; then
		echo "$includes" | awk -v a="$from" -v b="$to" '$1 == a && $2 == b { print "    " $3 ": " $4 }'
	fi
done

# the layers: one line per include that crosses them
layers=$(echo "$includes" | awk '
	function engine(f) { return f ~ /^engines\// }
	function refuse(why) { printf "layer: %s -> %s: %s: #include \"%s\" (%s)\n", $1, $2, $3, $4, why }
	NF < 4 { next }
	$1 == "cmd" {
		if ($2 == "session" || $2 == "model" || $2 == "util" || $2 == "annotate")
			next
		if ($4 == "engines/engine.h" || $4 == "formats/format.h")
			next
		refuse("commands reach engines through session/ and engines/engine.h, formats through formats/format.h")
		next
	}
	engine($1) && engine($2) {
		if (!($1 == "engines/mixed" && $4 == "engines/perf/native_record.h") &&
		    !($1 == "engines/bpf" && $4 == "engines/mixed/merge.h"))
			refuse("an engine includes no other engine'"'"'s internals")
		next
	}
	$1 == "engines/perf" && $2 == "python" { refuse("the perf_event engine reads no Python"); next }
	$1 == "python" && ($2 ~ /^engines/ || $2 == "session" || $2 == "cmd") { refuse("the Python reader knows no engine, session or command"); next }
	($1 == "engines" || engine($1)) && ($2 == "session" || $2 == "cmd") { refuse("engines know no session or command"); next }
	$1 == "session" && $2 == "cmd" { refuse("the session knows no command"); next }
	$1 == "proc" && $2 != "util" { refuse("proc/ builds on util/ alone"); next }
	')

# a cycle: walk the graph depth first and print the first circle found
cycle=$(echo "$edges" | awk '
	NF { adj[$1] = adj[$1] " " $2; nodes[$1] = 1; nodes[$2] = 1 }
	function visit(v,    i, n, next_, parts) {
		state[v] = 1
		path[++depth] = v
		n = split(adj[v], parts, " ")
		for (i = 1; i <= n; i++) {
			next_ = parts[i]
			if (state[next_] == 1) {
				out = next_
				for (j = depth; j >= 1 && path[j] != next_; j--)
					;
				out = ""
				for (; j <= depth; j++)
					out = out path[j] " -> "
				out = out next_
				return 1
			}
			if (!state[next_] && visit(next_))
				return 1
		}
		state[v] = 2
		depth--
		return 0
	}
	END {
		for (v in nodes)
			if (!state[v] && visit(v)) {
				print out
				exit
			}
	}')
status=0
if [ -n "$layers" ]; then
	echo "$layers"
	status=1
fi
if [ -n "$cycle" ]; then
	echo "include cycle: $cycle"
	# the includes along it
	read -ra hops <<<"${cycle//->/}"
	for ((i = 0; i + 1 < ${#hops[@]}; i++)); do
		echo "$includes" | awk -v a="${hops[i]}" -v b="${hops[i + 1]}" '$1 == a && $2 == b { print "    " $3 ": #include \"" $4 "\""; exit }'
	done
	status=1
fi
exit $status
