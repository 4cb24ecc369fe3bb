#!/bin/bash
# install.sh - `make install` (PREFIX, DESTDIR) into $WORK: the binary and
# a man page for every command `scorch --help` lists; each page renders
# with `man -l` without warnings and documents every long option its
# command's --help shows; `make uninstall` removes what was installed.
. "$(dirname "$0")/lib.sh"
plan 6

# a make of our own: nothing inherited from a `make check` around us
run_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -C "$TOP" --no-print-directory \
		BUILD="$BUILD" SANITIZE="${SANITIZE:-}" "$@"
}

root=$WORK/root
if run_make install DESTDIR="$root" PREFIX=/usr >"$WORK/install.log" 2>&1 &&
   [ -x "$root/usr/bin/scorch" ] &&
   [ "$("$root/usr/bin/scorch" --version)" = "$("$SCORCH" --version)" ]; then
	ok install-destdir
else
	fail install-destdir "$(tail -n 5 "$WORK/install.log"); $(find "$root" -type f | head)"
fi

# the commands, from the binary's own list
mapfile -t commands < <("$SCORCH" --help | awk '/^Commands:/ { f = 1; next } f && /^  [a-z]/ { print $1 }')
man1=$root/usr/share/man/man1
missing=""
[ -f "$man1/scorch.1" ] || missing="$missing scorch.1"
for c in "${commands[@]}"; do
	[ -f "$man1/scorch-$c.1" ] || missing="$missing scorch-$c.1"
done
if [ "${#commands[@]}" -ge 9 ] && [ -z "$missing" ]; then
	ok install-man-every-command
else
	fail install-man-every-command "${#commands[@]} commands (${commands[*]}); missing:$missing"
fi

# every page renders without a warning, with its name and a synopsis
if command -v man >/dev/null; then
	bad=""
	for page in "$man1"/scorch*.1; do
		name=$(basename "$page" .1)
		MANWIDTH=80 man -l --warnings "$page" >"$WORK/page.txt" 2>"$WORK/page.err"
		if [ -s "$WORK/page.err" ] || ! grep -q "^ *$name - " "$WORK/page.txt" ||
		   ! grep -q '^SYNOPSIS' "$WORK/page.txt"; then
			bad="$bad $name: $(head -c 200 "$WORK/page.err")"
		fi
	done
	if [ -z "$bad" ]; then ok install-man-renders; else fail install-man-renders "$bad"; fi
else
	skip install-man-renders "man is not installed (scripts/deps.sh test installs man-db)"
fi

# every long option of a command's --help is in its page
undocumented=""
for c in "${commands[@]}"; do
	for opt in $("$SCORCH" "$c" --help | grep -oE '(^|[ ,])--[a-z][a-z0-9-]*' | sed 's/^[ ,]*--//' | sort -u); do
		grep -qF -- "\\-\\-$(echo "$opt" | sed 's/-/\\-/g')" "$man1/scorch-$c.1" 2>/dev/null ||
			undocumented="$undocumented $c --$opt;"
	done
done
if [ -z "$undocumented" ]; then
	ok install-man-options
else
	fail install-man-options "options missing from docs/man/scorch-CMD.1:$undocumented"
fi

# PREFIX defaults to /usr/local
if run_make install DESTDIR="$WORK/root2" >"$WORK/install2.log" 2>&1 &&
   [ -x "$WORK/root2/usr/local/bin/scorch" ] && [ -f "$WORK/root2/usr/local/share/man/man1/scorch-record.1" ]; then
	ok install-default-prefix
else
	fail install-default-prefix "$(tail -n 5 "$WORK/install2.log"); $(find "$WORK/root2" -type f | head -n 3)"
fi

if run_make uninstall DESTDIR="$root" PREFIX=/usr >"$WORK/uninstall.log" 2>&1 &&
   [ -z "$(find "$root" -type f)" ]; then
	ok uninstall
else
	fail uninstall "left: $(find "$root" -type f | head -n 3) $(tail -n 3 "$WORK/uninstall.log")"
fi
