# lib.sh - helpers for end-to-end test scripts (sourced, never run: the
# runner skips it).
#
# A script reports each case with one line, and tests/run.sh counts them:
#   ok NAME            the case passed
#   FAIL NAME: why     the case failed
#   skip NAME: why     the case could not run here (the reason says why)
#
# Plans.  Every script declares how many cases it will report, so one that
# dies midway cannot silently lose the rest: the runner fails a script
# that reports fewer (or more) cases than it planned, or none at all.
#   plan N        N more cases; plans add up.  Put one `plan N` near the
#                 top for the fixed cases, and `plan K` where cases are
#                 made per item (inside the per-interpreter function or
#                 loop, or `plan $(count)` once the list is known), so the
#                 total is exact whichever interpreters are installed,
#                 e.g. `plan $(($(readable_pythons | wc -l) * 2 + 3))`.
#                 Adding a case to a script: bump its `plan` line (the
#                 runner names the script and both counts when they
#                 differ).  `plan` only prints, so it works in subshells.
#   skip_rest REASON     nothing more can run here (no interpreter, no perf):
#                 one skip line, then the script ends; the cases it did not
#                 reach are not counted as missing.
#   fail_rest NAME WHY   a case failed and the script cannot go on: one
#                 FAIL line, then the script ends (the unreached cases are
#                 part of that failure, not counted again).
#   missing NAME REASON  a tool, validator or corpus file is absent: skip
#                 locally, FAIL under CI=true (CI installs everything).
#   missing_rest REASON  the same for the rest of the script.
#   (Call the *_rest helpers from the script's own shell, not from inside
#   a pipeline's loop: there they would end only that subshell.)
#   CORPUS_HINT   text naming where the corpus is expected, for messages.
#
# Readiness is polled with a deadline, never slept for:
#   wait_for_line FILE PATTERN [SECONDS]   until FILE has a line matching
#                 PATTERN (grep -E); 1 on timeout (default 60 s) or if
#                 process PID (optional 4th argument) ends first.
#   alive PID     the process runs (zombies do not count).
#   wait_for_exec PID NAME [SECONDS]  until /proc/PID/exe is a file called
#                 NAME (a child started with & runs the shell until it
#                 has exec'd); 1 on timeout or if PID ends.
#
# $SCORCH is the binary under test, $CORPUS the shared corpus, $TEST_TMP a
# scratch directory removed after the run, $WORK this script's own part.

SCRIPT_NAME=$(basename "$0" .sh)

ok()   { echo "ok $*"; }
fail() { echo "FAIL $1: ${*:2}"; }
skip() { echo "skip $1: ${*:2}"; }

plan() { echo "plan $1"; }

# stop-early tells the runner the unreached cases were accounted for
skip_rest() { skip "$SCRIPT_NAME" "$*"; echo "stop-early"; exit 0; }

fail_rest() { fail "$@"; echo "stop-early"; exit 0; }

in_ci() { [ "${CI:-}" = true ]; }

missing() {
	if in_ci; then fail "$1" "${*:2} (CI=true: every tool and the corpus must be present)"
	else skip "$1" "${*:2}"; fi
}

missing_rest() { missing "$SCRIPT_NAME" "$*"; echo "stop-early"; exit 0; }

CORPUS_HINT="the corpus is expected in ../shared/corpus beside the checkout (here ${CORPUS:-not set}); set CORPUS to its path"

# alive PID: PID runs (a zombie, dead but not yet waited for, does not)
alive() {
	local state
	state=$(sed 's/.*) //; s/ .*//' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

wait_for_line() {
	local file=$1 pattern=$2 seconds=${3:-60} pid=${4:-}
	local end=$((SECONDS + seconds))
	while [ $SECONDS -lt $end ]; do
		grep -qE -- "$pattern" "$file" 2>/dev/null && return 0
		if [ -n "$pid" ] && ! alive "$pid"; then
			grep -qE -- "$pattern" "$file" 2>/dev/null
			return
		fi
		sleep 0.05
	done
	return 1
}

# check NAME CMD...: ok if CMD succeeds, else FAIL with its output.
check() {
	local name=$1; shift
	local out
	if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$(echo "$out" | tail -n 5)"; fi
}

wait_for_exec() {
	local pid=$1 name=$2 seconds=${3:-60}
	local end=$((SECONDS + seconds)) exe
	while [ $SECONDS -lt $end ] && alive "$pid"; do
		exe=$(readlink "/proc/$pid/exe" 2>/dev/null)
		[ "${exe##*/}" = "$name" ] && return 0
		sleep 0.05
	done
	return 1
}

# CPython's -X perf leaves /tmp/perf-PID.map behind, and a later
# process given the same pid would find it.  perf_maps_before FILE lists
# the maps there now; remove_new_perf_maps FILE NEEDLE removes each map
# made since whose process is gone and that names NEEDLE (our program, so
# never another test's map).
perf_maps_before() { ls /tmp/perf-*.map 2>/dev/null | sort >"$1"; }
remove_new_perf_maps() {
	local m pid
	ls /tmp/perf-*.map 2>/dev/null | sort | comm -13 "$1" - | while read -r m; do
		pid=${m#/tmp/perf-}; pid=${pid%.map}
		kill -0 "$pid" 2>/dev/null || ! grep -qF "$2" "$m" || rm -f "$m"
	done
}

# churn_stacks FOLDED: "GOOD BAD EXAMPLE" for a profile of
# tests/programs/churn.py: GOOD samples are in its main, BAD ones hold a
# churn function under another caller than the one churn.py calls it
# from, or with no main below it (a chain cut short), and EXAMPLE is the
# first bad stack.
churn_stacks() {
	awk '
	BEGIN {
		want["left"] = "main"; want["left_mid"] = "left"; want["left_leaf"] = "left_mid"
		want["right"] = "main"; want["right_mid"] = "right"; want["right_leaf"] = "right_mid"
	}
	{
		n = $NF; sub(/ [0-9]+$/, "")
		k = split($0, fr, ";")
		for (i = 1; i <= k; i++) { f = fr[i]; sub(/ \(.*$/, "", f); fr[i] = f }
		inside = 0
		for (i = 1; i <= k; i++) {
			if (fr[i] == "main") inside = 1
			if (!(fr[i] in want)) continue
			if (!inside || fr[i - 1] != want[fr[i]]) { bad += n; if (!example) example = $0; break }
		}
		if (inside) good += n
	}
	END { printf "%d %d %s\n", good + 0, bad + 0, example }' "$1"
}

# python_versions: every CPython interpreter on this machine as
# "label path" lines (pyenv 3.x builds, $EXTRA_PYTHONS, Debian's python3).
python_versions() {
	local root p
	root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
	for d in "$root"/versions/3.*; do
		[ -x "$d/bin/python3" ] && echo "$(basename "$d") $d/bin/python3"
	done
	# EXTRA_PYTHONS: more interpreters by path, space-separated
	for p in ${EXTRA_PYTHONS:-}; do
		[ -x "$p" ] && echo "extra-$("$p" -c 'import sys;print("%d.%d.%d"%sys.version_info[:3])') $p"
	done
	[ -x /usr/bin/python3 ] && echo "debian-$(/usr/bin/python3 -c 'import sys;print("%d.%d"%sys.version_info[:2])') /usr/bin/python3"
	# Debian unstable's builds under chroot (scripts/pythons.sh): the
	# launcher is run like any python3
	for d in "$PYTHONS_CACHE"/3.*; do
		[ -f "$d/packages" ] && [ -x "$d/python${d##*/}" ] &&
			echo "sid-${d##*/} $d/python${d##*/}"
	done
	return 0
}

# Where scripts/pythons.sh keeps its roots; their launchers bind the
# source tree (tests/programs) into the root besides /tmp.
PYTHONS_CACHE=${SCORCH_PYTHONS:-/var/cache/scorch/pythons}
export SCORCH_CHROOT_BINDS=${SCORCH_CHROOT_BINDS:-${TOP:-}}

# chroot_python_gaps: one "VERSION WHY" line per version scripts/pythons.sh
# could not provision (for the tests' skip lines).
chroot_python_gaps() {
	local d
	for d in "$PYTHONS_CACHE"/3.*; do
		[ -f "$d/unavailable" ] && echo "${d##*/} $(cat "$d/unavailable")"
	done
	return 0
}

# The oldest CPython 3.x minor scorch reads; anything older (2.7 too)
# must be refused with a "cannot read" error.
PY_OLDEST_MINOR=6

# python_readable PY: succeeds when scorch reads interpreter PY.
python_readable() {
	"$1" -c "import sys; sys.exit(sys.version_info < (3, $PY_OLDEST_MINOR))" 2>/dev/null
}

# readable_pythons: python_versions' interpreters that scorch reads
readable_pythons() {
	python_versions | while read -r label py; do
		python_readable "$py" && echo "$label $py"
	done
}

# pre38_pythons: readable interpreters older than 3.8, whose runtimes are
# laid out differently, as "label=path" lines (for mapfile).
pre38_pythons() {
	python_versions | while read -r label py; do
		python_readable "$py" &&
			"$py" -c 'import sys; sys.exit(sys.version_info >= (3, 8))' &&
			echo "$label=$py"
	done
}

# old_pythons: installed interpreters too old to read ("label path"
# lines: python_versions' older ones and pyenv's 2.x builds).
old_pythons() {
	local root d
	root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
	for d in "$root"/versions/2.*; do
		[ -x "$d/bin/python" ] && echo "$(basename "$d") $d/bin/python"
	done
	python_versions | while read -r label py; do
		python_readable "$py" || echo "$label $py"
	done
}

WORK=$(mktemp -d "${TEST_TMP:-/tmp}/e2e.XXXXXX")
