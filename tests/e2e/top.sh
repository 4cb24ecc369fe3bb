#!/bin/bash
# top.sh - `scorch top`: the live table, printed table after table when
# stdout is not a terminal.  The 3:1 split program shows Ledger.tally and
# café_λ in about that ratio; attaching with -p and -d works; the
# program's exit status comes back; bad options fail with one line.
. "$(dirname "$0")/lib.sh"

# the last readable interpreter, and every readable one older than 3.8
# (their runtimes are laid out differently), for the tables
py=""
while read -r label p; do
	python_readable "$p" || continue
	py=$p
	plabel=$label
done < <(python_versions)
mapfile -t old < <(pre38_pythons)
[ -n "$py" ] || skip_rest "no CPython 3.$PY_OLDEST_MINOR+ installed"
# two per interpreter, three more, and the five of the keys driver
plan $((2 * (1 + ${#old[@]}) + 3 + 5))

# top_tables LABEL PY: tables while it runs, the whole run's at the end
top_tables() {
	local out=$WORK/top-$1.txt rc tables last tally cafe
	"$SCORCH" top -F 200 -i 0.4 -- "$2" "$TOP/tests/programs/split.py" 2 >"$out" 2>"$WORK/top.err"
	rc=$?
	tables=$(grep -c '^scorch top: ' "$out")
	if [ $rc -eq 0 ] && [ "$tables" -ge 3 ] && [ "$(grep -c ' whole run, ' "$out")" -eq 1 ]; then
		ok "top-tables-$1"
	else
		fail "top-tables-$1" "rc=$rc, $tables tables: $(head -c 400 "$out") $(cat "$WORK/top.err")"
	fi
	# the last table covers the whole run: tally's share of tally + café
	last=$(awk '/ whole run, /{f=1} f' "$out")
	tally=$(echo "$last" | awk '/ (Ledger\.)?tally \(/ {gsub("%", "", $1); print $1; exit}')
	cafe=$(echo "$last" | awk '/ café_λ \(/ {gsub("%", "", $1); print $1; exit}')
	if [ -n "$tally" ] && [ -n "$cafe" ] &&
	   awk -v t="$tally" -v c="$cafe" 'BEGIN { r = 100 * t / (t + c); exit !(r > 68 && r < 82) }'; then
		ok "top-split-$1"
	else
		fail "top-split-$1" "tally $tally%, café $cafe% (want about 3:1): $last"
	fi
}

top_tables "$plabel" "$py"
for o in "${old[@]}"; do
	top_tables "${o%%=*}" "${o#*=}"
done

"$SCORCH" top -i 0.2 -- "$py" -c 'import sys; sys.exit(5)' >/dev/null 2>&1
rc=$?
if [ $rc -eq 5 ]; then ok top-exit-status; else fail top-exit-status "rc=$rc, want 5"; fi

"$py" "$TOP/tests/programs/busy.py" forever >"$WORK/busy.out" &
target=$!
wait_for_line "$WORK/busy.out" '^BUSY_READY' 60 "$target"
"$SCORCH" top -p $target -d 1 -i 0.3 --sort total -n 5 >"$WORK/attach.txt" 2>"$WORK/attach.err"
rc=$?
kill $target 2>/dev/null
wait $target 2>/dev/null
# by total, busy.py's five nested functions fill the five rows
rows=$(awk '/ whole run, /{f=1; next} f && /^ +[0-9.]+%/' "$WORK/attach.txt")
if [ $rc -eq 0 ] && [ "$(echo "$rows" | wc -l)" -eq 5 ] &&
   echo "$rows" | grep -q ' leaf (' && echo "$rows" | grep -q ' middle ('; then
	ok top-attach
else
	fail top-attach "rc=$rc $(head -c 400 "$WORK/attach.txt") $(cat "$WORK/attach.err")"
fi

"$SCORCH" top --sort sideways -- true >/dev/null 2>"$WORK/bad.err"
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <"$WORK/bad.err")" -eq 1 ] && grep -q 'not self or total' "$WORK/bad.err"; then
	ok top-bad-option
else
	fail top-bad-option "rc=$rc: $(cat "$WORK/bad.err")"
fi

# keys, attached on a terminal (a pseudo-terminal here): s switches the
# order, b the grouping, q ends the recording with the whole-run table;
# the terminal's settings come back
"$py" "$TOP/tests/programs/busy.py" forever >"$WORK/busy2.out" &
target=$!
wait_for_line "$WORK/busy2.out" '^BUSY_READY' 60 "$target"
python3 - "$SCORCH" "$target" >"$WORK/keys.txt" 2>&1 <<'PY'
import os, pty, select, sys, termios, time

scorch, target = sys.argv[1], sys.argv[2]
pid, fd = pty.fork()
if pid == 0:
    os.environ["NO_COLOR"] = "1"
    os.execv(scorch, [scorch, "top", "-p", target, "-i", "0.3"])
out = b""

def read_for(seconds, until=None, since=0):
    """Reads for up to seconds, or until the bytes until show up after
    offset since; False once top has closed the terminal."""
    global out
    end = time.time() + seconds
    while time.time() < end:
        if until is not None and until in out[since:]:
            return True
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                return False
            if not data:
                return False
            out += data
    return True

def check(name, cond, why):
    print(("ok " if cond else "FAIL ") + name + ("" if cond else ": " + why))

# generous waits: the machine may be busy; each ends as soon as the
# expected text is there
footer = b"keys: s sort by total, b by line, q quit"
read_for(20, footer)
check("top-keys-footer", footer in out, "no key line: %r" % out[-300:])
mark = len(out)
os.write(fd, b"s")
read_for(10, b"keys: s sort by self, b by line", mark)
check("top-keys-sort", b"keys: s sort by self, b by line" in out[mark:],
      "after s: %r" % out[mark:][-300:])
mark = len(out)
os.write(fd, b"b")
read_for(10, b"b by file", mark)
check("top-keys-by", b"Total s  Line" in out[mark:] and b"b by file" in out[mark:],
      "after b: %r" % out[mark:][-300:])
attrs_raw = termios.tcgetattr(fd)
os.write(fd, b"q")
deadline = time.time() + 20
while time.time() < deadline and read_for(0.2):
    pass
# the terminal closes a moment before the process can be waited for
done, status = 0, 0
while not done and time.time() < deadline:
    done, status = os.waitpid(pid, os.WNOHANG)
    if not done:
        time.sleep(0.05)
if not done:
    os.kill(pid, 9)
    os.waitpid(pid, 0)
check("top-keys-quit", done and os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0 and
      b" whole run, " in out,
      "after q: %s, output ends %r" % ("still running after 20 s" if not done else
                                       "exit status %d" % (os.WEXITSTATUS(status) if os.WIFEXITED(status) else -1),
                                       out[-300:]))
# lflag: line editing and echo were off while top ran, and are back on
keys_mode = termios.ICANON | termios.ECHO
try:
    after = termios.tcgetattr(fd)[3]
except termios.error as e:
    after = None
check("top-keys-terminal-restored", attrs_raw[3] & keys_mode == 0 and
      after is not None and after & keys_mode == keys_mode,
      "lflag while running %#x, after %s" % (attrs_raw[3], after if after is None else hex(after)))
PY
kill $target 2>/dev/null
wait $target 2>/dev/null
while read -r status name rest; do
	case $status in
	ok) ok "$name" ;;
	FAIL) fail "${name%:}" "$rest" ;;
	esac
done < <(grep -E '^(ok|FAIL) ' "$WORK/keys.txt")
grep -q '^ok top-keys-quit' "$WORK/keys.txt" || grep -q '^FAIL top-keys-quit' "$WORK/keys.txt" ||
	fail top-keys "the driver stopped early: $(tail -n 3 "$WORK/keys.txt")"
