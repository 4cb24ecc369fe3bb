# lib.sh - helpers for end-to-end test scripts (sourced, not run).
#
# A script reports each case with ok/fail/skip; tests/run.sh counts the
# lines.  $SCORCH is the binary under test, $CORPUS the shared corpus,
# $TEST_TMP a scratch directory removed after the run.

ok()   { echo "ok $*"; }
fail() { echo "FAIL $1: ${*:2}"; }
skip() { echo "skip $1: ${*:2}"; }

# check NAME CMD...: ok if CMD succeeds, else FAIL with its output.
check() {
	local name=$1; shift
	local out
	if out=$("$@" 2>&1); then ok "$name"; else fail "$name" "$(echo "$out" | tail -n 5)"; fi
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
