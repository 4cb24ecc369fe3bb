#!/bin/bash
# Debian's own CPython 3.13-3.15 under chroot (scripts/pythons.sh): each
# provisioned version runs from its launcher like a python3, sees the
# test's files under /tmp and the caller's directory, keeps its pid
# through the launcher's execs, and leaves no mount behind.  A version
# that could not be had is skipped with the reason.
source "$(dirname "$0")/lib.sh"

n_sid=$(python_versions | grep -c '^sid-')
n_gaps=$(chroot_python_gaps | grep -c .)
plan $((n_sid * 4 + n_gaps + (n_sid + n_gaps == 0)))	# 4 per version, 1 per gap

while read -r v why; do
	skip "sid-$v" "$why"
done < <(chroot_python_gaps)

n=0
while read -r label py; do
	[[ $label == sid-* ]] || continue
	n=$((n + 1))
	v=${label#sid-}
	mounts_before=$(grep -c "$PYTHONS_CACHE" /proc/mounts)
	mkdir -p "$WORK/$label"
	echo 'import os, sys; print("%d.%d" % sys.version_info[:2], os.getcwd(), os.getpid())' >"$WORK/$label/who.py"
	out=$(cd "$WORK/$label" || exit; "$py" who.py & echo "launcher $!"; wait)
	read -r got cwd pid < <(echo "$out" | grep -v '^launcher ')
	launcher=$(echo "$out" | sed -n 's/^launcher //p')
	if [ "$got" = "$v" ] && [ "$cwd" = "$WORK/$label" ]; then
		ok "$label runs a file under the test dir, in the test dir"
	else
		fail "$label runs a file under the test dir, in the test dir" "$out"
	fi
	if [ -n "$pid" ] && [ "$pid" = "$launcher" ]; then
		ok "$label keeps the launcher's pid"
	else
		fail "$label keeps the launcher's pid" "launcher $launcher, python $pid"
	fi
	exe=$("$py" -c 'import sys; print(sys.executable)')
	if [ "$exe" = "/usr/bin/python$v" ]; then
		ok "$label is Debian's /usr/bin/python$v inside its root"
	else
		fail "$label is Debian's /usr/bin/python$v inside its root" "$exe"
	fi
	mounts_after=$(grep -c "$PYTHONS_CACHE" /proc/mounts)
	if [ "$mounts_before" = 0 ] && [ "$mounts_after" = 0 ]; then
		ok "$label leaves no mount behind"
	else
		fail "$label leaves no mount behind" "$mounts_before before, $mounts_after after"
	fi
done < <(python_versions)
[ $n -gt 0 ] || [ -n "$(chroot_python_gaps)" ] ||
	missing "chroot-pythons" "none provisioned (run scripts/pythons.sh as root)"
