#!/bin/sh
# Prepares the real consumers the end-to-end tests check our outputs with:
# npm packages (playwright-core drives Debian's chromium; speedscope's app)
# under build/node, and the pprof tool built offline from Debian's source.
# Idempotent; each step is skipped when its result is already there.
# A step that fails is an error under CI=true (exit 1: CI must run every
# check); elsewhere it is reported and the tests that need it skip.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$top/build"
status=0

# failed WHAT WHICH: says what failed and which tests it affects
failed() {
	if [ "${CI:-}" = true ]; then
		echo "scripts/test-tools.sh: error: $1; under CI=true this fails the build ($2 need it)" >&2
		status=1
	else
		echo "scripts/test-tools.sh: warning: $1; $2 will be skipped (CI=true makes that an error)" >&2
	fi
}

if [ ! -d "$top/build/node/node_modules/playwright-core" ] ||
   [ ! -d "$top/build/node/node_modules/speedscope" ]; then
	mkdir -p "$top/build/node"
	cp "$top/tests/package.json" "$top/build/node/package.json"
	[ -f "$top/tests/package-lock.json" ] &&
		cp "$top/tests/package-lock.json" "$top/build/node/package-lock.json"
	if ! command -v npm >/dev/null; then
		failed "npm is not installed (scripts/deps.sh test)" "the browser tests"
	elif ! (cd "$top/build/node" && npm install --no-audit --no-fund --loglevel=error >&2); then
		failed "npm install in build/node failed (see above)" "the browser tests"
	fi
fi

if [ ! -x "$top/build/pprof" ]; then
	src=/usr/share/gocode/src/github.com/google/pprof
	if [ ! -d "$src" ]; then
		failed "no pprof source at $src (apt-get install golang-github-google-pprof-dev)" "the pprof tool checks"
	elif ! (cd /tmp && HOME=${HOME:-/root} GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS=-mod=mod \
		GOCACHE="$top/build/gocache" go build -o "$top/build/pprof" github.com/google/pprof >&2); then
		failed "building pprof from $src failed (see above)" "the pprof tool checks"
	fi
fi
exit $status
