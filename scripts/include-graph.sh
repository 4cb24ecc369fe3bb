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
# circle; 0 otherwise.
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
if [ -n "$cycle" ]; then
	echo "include cycle: $cycle"
	# the includes along it
	read -ra hops <<<"${cycle//->/}"
	for ((i = 0; i + 1 < ${#hops[@]}; i++)); do
		echo "$includes" | awk -v a="${hops[i]}" -v b="${hops[i + 1]}" '$1 == a && $2 == b { print "    " $3 ": #include \"" $4 "\""; exit }'
	done
	exit 1
fi
exit 0
