#!/bin/sh
# Provisions Debian's own builds of CPython (3.13, 3.14, 3.15 by default)
# as test interpreters, one chroot root per version, without touching the
# machine's apt state: a private apt configuration (its own sources list,
# lists, cache and an empty dpkg status) resolves the closure of
# python3.X with apt's own resolver, `apt-get download` fetches it, and
# `dpkg -x` unpacks it.  The archive's InRelease is checked against
# /usr/share/keyrings/debian-archive-keyring.gpg (apt's signed-by;
# SCORCH_DEBIAN_KEYRING overrides it): a bad signature fails.
#
# Usage: scripts/pythons.sh [--refresh] [3.X ...]
#
# Layout under $SCORCH_PYTHONS (default /var/cache/scorch/pythons):
#   apt/<suite>/           the private apt state for one suite
#   3.X/root/              the unpacked packages (usr/bin/python3.X ...)
#   3.X/python3.X          launcher: runs root's python3.X under chroot,
#                          in a private mount namespace that sees /tmp,
#                          /dev and /proc, in the caller's directory
#   3.X/packages           what was installed ("name version" lines);
#                          its presence means the version is ready
#   3.X/unavailable        instead: one line saying why it is not
#
# A ready version costs nothing on a second run (no network): --refresh
# fetches the lists again and rebuilds every root.  A version found in
# no suite is reported on stderr and skipped by the tests with that
# reason; under CI=true, a version the archive has but that could not be
# provisioned (network, signature, unpacking) makes this script fail.
set -eu

cache=${SCORCH_PYTHONS:-/var/cache/scorch/pythons}
keyring=${SCORCH_DEBIAN_KEYRING:-/usr/share/keyrings/debian-archive-keyring.gpg}
mirror=${SCORCH_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# Suites tried in order for each version: a minor that has left unstable
# is usually still in testing or the last stable release.
suites=${SCORCH_PYTHON_SUITES:-unstable testing trixie}
# Packages unpacked besides python3.X's closure: a shell for the
# launcher's cd and for programs that run subprocesses through /bin/sh.
extra_pkgs="dash"

refresh=0
if [ "${1:-}" = --refresh ]; then refresh=1; shift; fi
versions=${*:-3.13 3.14 3.15}

say() { echo "scripts/pythons.sh: $*" >&2; }
failed=0

# unavailable V WHY [hard]: records why V cannot be had; "hard" marks a
# failure of something the archive has (fatal under CI=true).
unavailable() {
	mkdir -p "$cache/$1"
	echo "$2" >"$cache/$1/unavailable"
	rm -f "$cache/$1/packages"
	say "$1: $2"
	[ "${3:-}" = hard ] && failed=1
	return 0
}

if [ "$(id -u)" != 0 ]; then
	for v in $versions; do
		[ -f "$cache/$v/packages" ] ||
			say "$v: not provisioned (needs root for apt-get and chroot: run sudo $0)"
	done
	exit 0
fi
for tool in apt-get dpkg unshare chroot; do
	if ! command -v $tool >/dev/null 2>&1; then
		for v in $versions; do unavailable "$v" "no $tool on this machine" hard; done
		exit $failed
	fi
done
if [ ! -r "$keyring" ]; then
	for v in $versions; do
		unavailable "$v" "no $keyring to check the archive's signature (apt-get install debian-archive-keyring)" hard
	done
	exit $failed
fi

# aptc SUITE ARGS...: apt-get (or apt-cache, if $APT is set) with the
# private configuration of SUITE.
aptc() {
	local_dir=$cache/apt/$1; shift
	${APT:-apt-get} -q \
		-o Dir::Etc::sourcelist="$local_dir/sources.list" \
		-o Dir::Etc::sourceparts="$local_dir/empty" \
		-o Dir::Etc::preferences="$local_dir/empty/preferences" \
		-o Dir::Etc::preferencesparts="$local_dir/empty" \
		-o Dir::State="$local_dir/state" \
		-o Dir::State::Lists="$local_dir/lists" \
		-o Dir::State::status="$local_dir/status" \
		-o Dir::Cache="$local_dir/cache" \
		-o Dir::Log="$local_dir/log" \
		-o APT::Architecture=amd64 -o APT::Architectures::=amd64 \
		-o APT::Install-Recommends=false \
		-o Acquire::Languages=none \
		-o Debug::NoLocking=true \
		-o APT::Sandbox::User=root \
		"$@"
}

# suite_ready SUITE: the private lists of SUITE exist (fetched once, or
# again with --refresh).  Fails when the archive cannot be reached or its
# signature is not good.
updated="" update_why=""
suite_ready() {
	case " $updated " in *" $1 "*) return 0 ;; esac
	d=$cache/apt/$1
	mkdir -p "$d/empty" "$d/state" "$d/lists/partial" "$d/cache/archives/partial" "$d/log"
	: >"$d/status"
	echo "deb [signed-by=$keyring] $mirror $1 main" >"$d/sources.list"
	if [ $refresh = 1 ] || ! ls "$d/lists/"*_Packages >/dev/null 2>&1; then
		# a bad or missing signature is only a warning to apt-get update
		if ! aptc "$1" update >"$d/update.log" 2>&1 ||
		   grep -qE '^E: |^W: .*(GPG|[Ss]ignature|NO_PUBKEY|not signed|Failed to fetch)' "$d/update.log"; then
			update_why=$(grep -E '^E: |^W: .*(GPG|[Ss]ignature|NO_PUBKEY|not signed|Failed to fetch)' "$d/update.log" | head -n 1)
			say "apt-get update of $1 failed: $update_why"
			return 1
		fi
	fi
	updated="$updated $1"
}

# write_launcher V SUITE ROOT DIR: DIR/python3.V (kept up to date on
# every run).  A private mount namespace (nothing outlives the process) in
# which the root sees the host's /tmp, /dev and /proc and each directory
# named in $SCORCH_CHROOT_BINDS (space-separated, e.g. a source tree the
# programs live in), then chroot into it, in the caller's directory when
# the root has it, else /.  Each step execs: the Python keeps the
# launcher's pid.
write_launcher() {
	cat >"$4/python$1.tmp" <<EOF
#!/bin/sh
# Debian's python$1 ($2) under chroot; made by scripts/pythons.sh.
root=$3
wd=\$(pwd)
exec unshare --mount --propagation private /bin/sh -c '
	r=\$1; wd=\$2; shift 2
	mount --rbind /tmp "\$r/tmp" && mount --rbind /dev "\$r/dev" &&
		mount --rbind /proc "\$r/proc" || exit 125
	for d in \${SCORCH_CHROOT_BINDS:-}; do
		[ -d "\$d" ] && mkdir -p "\$r\$d" && mount --rbind "\$d" "\$r\$d" || exit 125
	done
	[ -d "\$r\$wd" ] || wd=/
	exec unshare --root="\$r" --wd="\$wd" /usr/bin/python$1 "\$@"
' sh "\$root" "\$wd" "\$@"
EOF
	chmod +x "$4/python$1.tmp"
	mv "$4/python$1.tmp" "$4/python$1"
}

# provision V: finds the first suite with python3.V, unpacks its closure.
provision() {
	v=$1
	dir=$cache/$v
	if [ $refresh = 0 ] && [ -f "$dir/packages" ] && [ -x "$dir/python$v" ]; then
		write_launcher "$v" "$(sed -n 's/^# Debian.s python[0-9.]* (\(.*\)) under.*/\1/p' "$dir/python$v")" \
			"$dir/root" "$dir"
		return 0
	fi
	suite="" reached=0
	for s in $suites; do
		suite_ready "$s" || continue
		reached=1
		cand=$(APT=apt-cache aptc "$s" policy "python$v" 2>/dev/null |
			sed -n 's/^ *Candidate: //p')
		if [ -n "$cand" ] && [ "$cand" != "(none)" ]; then suite=$s; break; fi
	done
	if [ $reached = 0 ]; then
		unavailable "$v" "Debian's archive ($mirror) could not be read or its signature checked with $keyring: ${update_why:-?}" hard
		return 0
	fi
	if [ -z "$suite" ]; then
		unavailable "$v" "python$v is in none of the suites $suites"
		return 0
	fi

	# apt's own resolution of the closure, from an empty dpkg status.
	if ! aptc "$suite" -s install "python$v" $extra_pkgs >"$dir.plan" 2>&1; then
		unavailable "$v" "apt cannot resolve python$v in $suite: $(grep '^E:' "$dir.plan" | head -n 1)" hard
		rm -f "$dir.plan"
		return 0
	fi
	want=$(sed -n 's/^Inst \([^ ]*\) (\([^ ]*\) .*/\1=\2/p' "$dir.plan")
	rm -f "$dir.plan"

	rm -rf "$dir.new"
	mkdir -p "$dir.new/debs" "$dir.new/root"
	# shellcheck disable=SC2086
	if ! (cd "$dir.new/debs" && aptc "$suite" download $want) >"$dir.new/download.log" 2>&1; then
		unavailable "$v" "apt-get download from $suite failed: $(grep -E '^(E|W):' "$dir.new/download.log" | head -n 1)" hard
		rm -rf "$dir.new"
		return 0
	fi
	for deb in "$dir.new/debs/"*.deb; do
		if ! dpkg -x "$deb" "$dir.new/root"; then
			unavailable "$v" "dpkg -x $(basename "$deb") failed" hard
			rm -rf "$dir.new"
			return 0
		fi
	done
	root=$dir/root
	mkdir -p "$dir.new/root/tmp" "$dir.new/root/dev" "$dir.new/root/proc"
	chmod 1777 "$dir.new/root/tmp"
	# What base-files and dash's maintainer scripts would make: the
	# merged-/usr links (the dynamic loader is /lib64/ld-linux-x86-64.so.2)
	# and /bin/sh.
	for d in bin sbin lib lib64; do
		[ -e "$dir.new/root/$d" ] || [ ! -d "$dir.new/root/usr/$d" ] ||
			ln -s "usr/$d" "$dir.new/root/$d"
	done
	[ -e "$dir.new/root/usr/bin/sh" ] || ln -s dash "$dir.new/root/usr/bin/sh"
	write_launcher "$v" "$suite" "$root" "$dir.new"
	echo "$want" | tr '=' ' ' >"$dir.new/packages.tmp"
	rm -rf "$dir.new/debs" "$dir.new/download.log"

	# Swap in the new root; its launcher names $dir/root, so check it
	# there before declaring the version ready.
	rm -rf "$dir"
	mv "$dir.new" "$dir"
	if ! got=$("$dir/python$v" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>&1) ||
	   [ "$got" != "$v" ]; then
		unavailable "$v" "the unpacked python$v does not run under chroot: $(echo "$got" | tail -n 1)" hard
		return 0
	fi
	mv "$dir/packages.tmp" "$dir/packages"
	rm -f "$dir/unavailable"
	say "$v: Debian's python$v $(sed -n "s/^python$v //p" "$dir/packages") from $suite in $dir/root"
}

mkdir -p "$cache"
for v in $versions; do
	provision "$v"
done
if [ $failed = 1 ] && [ "${CI:-}" = true ]; then
	say "provisioning failed under CI=true"
	exit 1
fi
exit 0
