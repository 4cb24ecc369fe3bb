#!/bin/sh
# Prepares the real consumers the end-to-end tests check our outputs with:
# npm packages (playwright-core drives Debian's chromium; speedscope's app)
# under build/node, and the pprof tool built offline from Debian's source.
# Idempotent; each step is skipped when its result is already there.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
mkdir -p "$top/build"

if [ ! -d "$top/build/node/node_modules/playwright-core" ] ||
   [ ! -d "$top/build/node/node_modules/speedscope" ]; then
	mkdir -p "$top/build/node"
	cp "$top/tests/package.json" "$top/build/node/package.json"
	[ -f "$top/tests/package-lock.json" ] &&
		cp "$top/tests/package-lock.json" "$top/build/node/package-lock.json"
	(cd "$top/build/node" && npm install --no-audit --no-fund --loglevel=error >&2) ||
		echo "scripts/test-tools.sh: npm install failed; browser tests will be skipped" >&2
fi

if [ ! -x "$top/build/pprof" ] && [ -d /usr/share/gocode/src/github.com/google/pprof ]; then
	(cd /tmp && HOME=${HOME:-/root} GOPATH=/usr/share/gocode GO111MODULE=off GOFLAGS=-mod=mod \
		GOCACHE="$top/build/gocache" go build -o "$top/build/pprof" github.com/google/pprof >&2) ||
		echo "scripts/test-tools.sh: building pprof failed; pprof checks will be skipped" >&2
fi
exit 0
