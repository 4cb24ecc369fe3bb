#!/bin/bash
# record_wrappers.sh - `scorch record -- WRAPPER python3 prog` and `top`
# through wrappers that exec (env, nice, chroot, unshare, nsenter,
# setpriv, setarch, sudo -u, and sid's chroot launchers, which exec through
# dash, unshare and sh): the target is followed into Python under the
# same pid, not profiled as the wrapper.  Each wrapper that is not
# installed or cannot run here is skipped with the reason.
. "$(dirname "$0")/lib.sh"
PROG=$TOP/tests/programs/busy.py

py=""
while read -r label p; do
	[[ $label == sid-* ]] && continue
	python_readable "$p" && py=$p
done < <(python_versions)
if [ -z "$py" ]; then
	skip_rest "no CPython 3.$PY_OLDEST_MINOR+ installed outside chroot"
fi
n_sid=$(python_versions | grep -c '^sid-')
# 9 wrappers (chain included), one per launcher (or its skip), top, native
plan $((9 + (n_sid > 0 ? n_sid : 1) + 2))

# followed NAME CMD...: record the busy program through CMD; its Python
# frames (the leaf function) must carry nearly all samples.
followed() {
	local name=$1 f=$WORK/$1.folded share; shift
	if ! "$SCORCH" record -q -F 200 -o "$f" -- "$@" "$PROG" 100 >"$WORK/$name.out" 2>"$WORK/$name.err"; then
		fail "record-through-$name" "record failed: $(tail -n 3 "$WORK/$name.err")"
		return
	fi
	share=$(awk '{n=$NF; t+=n; if ($0 ~ /leaf \(.*busy.py:[0-9]+\) [0-9]+$/) l+=n}
		END {if (t < 20) print "few " t; else printf "%d", 100*l/t}' "$f")
	case $share in
	few*) fail "record-through-$name" "only ${share#few } samples: $(head -c 300 "$f")" ;;
	*)	if [ "$share" -ge 50 ]; then
			ok "record-through-$name"
		else
			fail "record-through-$name" "leaf has $share% of the samples; stacks: $(sort -t' ' -k2 -n "$f" | tail -n 2 | cut -c1-200)"
		fi ;;
	esac
}

# can NAME CMD...: the wrapper runs a trivial program here
can() {
	local name=$1; shift
	if ! command -v "$1" >/dev/null 2>&1; then
		skip "record-through-$name" "$1 is not installed"
		return 1
	fi
	if ! "$@" /bin/true >/dev/null 2>"$WORK/$name.can"; then
		skip "record-through-$name" "$* cannot run here: $(head -n 1 "$WORK/$name.can")"
		return 1
	fi
}

can env env && followed env env "$py"
can nice nice -n 1 && followed nice nice -n 1 "$py"
can chroot chroot / && followed chroot chroot / "$py"
can unshare unshare --mount && followed unshare unshare --mount "$py"
can nsenter nsenter -t $$ -m && followed nsenter nsenter -t $$ -m "$py"
can setpriv setpriv --reuid=0 -- && followed setpriv setpriv --reuid=0 -- "$py"
# not in scorch's list of known wrappers: followed by watching it exec
can setarch setarch x86_64 && followed setarch setarch x86_64 "$py"
# sudo runs the command in a child of its own when it opens a PAM session
# or a pty (Debian's default): only a sudo that execs in place is a wrapper
if can sudo sudo -u root; then
	pids=$(sh -c 'echo $$; exec sudo -u root sh -c "echo \$\$"' 2>&1 | tr '\n' ' ')
	set -- $pids
	if [ "${1:-}" = "${2:-x}" ]; then
		followed sudo sudo -u root "$py"
	else
		skip record-through-sudo "sudo runs the command as a child here (pids $pids), not an exec"
	fi
fi
# a chain: env -> nice -> chroot -> python
can chain env nice chroot / && followed chain env nice -n 1 chroot / "$py"
# sid's launchers: dash -> unshare -> sh -> unshare -> python3.X
n=0
while read -r label p; do
	[[ $label == sid-* ]] || continue
	n=$((n + 1))
	followed "launcher-$label" "$p"
done < <(python_versions)
[ $n -gt 0 ] || skip record-through-launcher "no chroot Python provisioned (scripts/pythons.sh)"

# top through a wrapper: the table names the Python function
if command -v nice >/dev/null 2>&1; then
	"$SCORCH" top -i 0.5 -- nice -n 1 "$py" "$PROG" 3 >"$WORK/top.out" 2>"$WORK/top.err" </dev/null
	if grep -q "leaf" "$WORK/top.out"; then
		ok "top-through-nice"
	else
		fail "top-through-nice" "no leaf in the table: $(head -c 300 "$WORK/top.out"; tail -n 2 "$WORK/top.err")"
	fi
else
	missing top-through-nice "nice is not installed"
fi

# a native program started through a wrapper is still recorded as native
if command -v nice >/dev/null 2>&1 && command -v dd >/dev/null 2>&1; then
	if "$SCORCH" record -q -o "$WORK/native.folded" -- nice -n 1 dd if=/dev/zero of="$WORK/zero" bs=64k count=20000 >/dev/null 2>"$WORK/native.err"; then
		if awk '{t+=$NF} END {exit !(t > 0)}' "$WORK/native.folded" && ! grep -q "busy.py" "$WORK/native.folded"; then
			ok "record-through-nice-native"
		else
			fail "record-through-nice-native" "no samples: $(head -c 200 "$WORK/native.folded")"
		fi
	elif grep -q "perf_event" "$WORK/native.err"; then
		skip "record-through-nice-native" "$(head -n 1 "$WORK/native.err")"
	else
		fail "record-through-nice-native" "$(tail -n 2 "$WORK/native.err")"
	fi
	rm -f "$WORK/zero"
else
	missing record-through-nice-native "nice or dd is not installed"
fi
