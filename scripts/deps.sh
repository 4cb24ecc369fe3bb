#!/bin/sh
# Installs the Debian packages scorch needs to build and test, and only those
# that are missing. Run by `make` before anything else; safe to run again.
# Usage: scripts/deps.sh [build|test]   (test installs build packages too)
# libbpf-dev, bpftool, clang: the BPF engine's program (engines/bpf/) is
# compiled with clang and embedded with bpftool's skeleton at build time.
# debian-archive-keyring: scripts/pythons.sh checks the signature of the
# Debian archive it fetches the test interpreters from with it.
set -eu

build_pkgs="gcc make pkg-config libelf-dev libdw-dev libcapstone-dev zlib1g-dev
 libprotobuf-c-dev protobuf-c-compiler libiberty-dev libzstd-dev
 libbpf-dev bpftool clang"
test_pkgs="libxml2-utils libclang-rt-14-dev chromium golang-go
 golang-github-google-pprof-dev protobuf-compiler linux-perf python3 g++ man-db
 debian-archive-keyring time binutils"
# Node.js may come from another repository that bundles npm; only ask Debian
# for it when no npm is on the PATH at all.
command -v npm >/dev/null 2>&1 || test_pkgs="$test_pkgs nodejs npm"

want="$build_pkgs"
[ "${1:-build}" = test ] && want="$build_pkgs $test_pkgs"

missing=""
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' ||
		missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	echo "scorch: missing Debian packages:$missing (run: sudo apt-get install$missing)" >&2
	exit 1
fi
echo "scripts/deps.sh: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >&2
apt-get install -y -qq --no-install-recommends $missing >&2
