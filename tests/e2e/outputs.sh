#!/bin/bash
# outputs.sh - where -o writes, and what a failed write says.
#
# A regular file is replaced atomically; a FIFO, a character device (our
# own mknod copy of /dev/null, never the real one), a socket, /dev/stdout
# and /proc/self/fd/1 are written in place and stay what they were; a
# symlink's target is replaced and the link kept.  A full disk (a small
# tmpfs mounted under $WORK, and our own /dev/full node) gives one line
# naming the file and the cause, a non-zero exit and no temporary file;
# record keeps the recording elsewhere.  An extension no writer claims
# is refused before anything runs; convert prints to stdout without -o.
. "$(dirname "$0")/lib.sh"
plan 21

# The folded text scorch prints for in.folded: what every output must hold.
awk 'BEGIN { for (i = 0; i < 3000; i++) printf "main;work_%d;leaf_%d %d\n", i, i % 7, i + 1 }' >"$WORK/in.folded"
"$SCORCH" convert "$WORK/in.folded" -f folded -o - >"$WORK/want.folded" 2>"$WORK/want.err"
if [ ! -s "$WORK/want.folded" ]; then
	fail_rest outputs-reference "convert -o - printed nothing: $(cat "$WORK/want.err")"
fi

# no_temporaries DIR: nothing named like a temporary file left in DIR
no_temporaries() {
	! find "$1" -name '*.tmp-*' -o -name '.scorch-*' | grep -q .
}

# FIFO: written in place while a reader reads it; still a FIFO after
mkfifo "$WORK/fifo"
cat "$WORK/fifo" >"$WORK/fifo.got" &
reader=$!
"$SCORCH" convert "$WORK/in.folded" -f folded -o "$WORK/fifo" 2>"$WORK/fifo.err"
rc=$?
# the reader ends when the writer closes; bounded, never an open-ended wait
for _ in $(seq 200); do kill -0 $reader 2>/dev/null || break; sleep 0.05; done
kill $reader 2>/dev/null
wait $reader 2>/dev/null
if [ $rc -eq 0 ] && [ -p "$WORK/fifo" ] && cmp -s "$WORK/fifo.got" "$WORK/want.folded"; then
	ok output-fifo
else
	fail output-fifo "rc=$rc, fifo is $(stat -c %F "$WORK/fifo"), got $(wc -c <"$WORK/fifo.got") bytes: $(cat "$WORK/fifo.err")"
fi

# character device: our own node with /dev/null's numbers (1,3)
if mknod "$WORK/null" c 1 3 2>"$WORK/mknod.err"; then
	"$SCORCH" convert "$WORK/in.folded" -f folded -o "$WORK/null" 2>"$WORK/null.err"
	rc=$?
	if [ $rc -eq 0 ] && [ -c "$WORK/null" ] && [ "$(stat -c %t,%T "$WORK/null")" = 1,3 ]; then
		ok output-char-device
	else
		fail output-char-device "rc=$rc, now $(stat -c %F "$WORK/null"): $(cat "$WORK/null.err")"
	fi
else
	skip output-char-device "cannot mknod (needs root): $(cat "$WORK/mknod.err")"
fi

# symlink: the target is replaced in its own directory, the link stays
mkdir -p "$WORK/real"
echo old >"$WORK/real/graph.svg"
ln -s real/graph.svg "$WORK/link.svg"
"$SCORCH" convert "$WORK/in.folded" -o "$WORK/link.svg" 2>"$WORK/link.err"
rc=$?
if [ $rc -eq 0 ] && [ -L "$WORK/link.svg" ] && [ "$(readlink "$WORK/link.svg")" = real/graph.svg ] &&
   grep -q '<svg' "$WORK/real/graph.svg" && no_temporaries "$WORK"; then
	ok output-symlink
else
	fail output-symlink "rc=$rc, link $(stat -c %F "$WORK/link.svg"), target: $(head -c 80 "$WORK/real/graph.svg") $(cat "$WORK/link.err")"
fi
# a dangling link creates its target
ln -s real/new.folded "$WORK/dangling.folded"
"$SCORCH" convert "$WORK/in.folded" -o "$WORK/dangling.folded" 2>"$WORK/dangling.err"
rc=$?
if [ $rc -eq 0 ] && [ -L "$WORK/dangling.folded" ] && cmp -s "$WORK/real/new.folded" "$WORK/want.folded"; then
	ok output-symlink-dangling
else
	fail output-symlink-dangling "rc=$rc, link $(stat -c %F "$WORK/dangling.folded"): $(cat "$WORK/dangling.err")"
fi

# a replaced regular file keeps its permissions
echo old >"$WORK/private.folded"
chmod 600 "$WORK/private.folded"
"$SCORCH" convert "$WORK/in.folded" -o "$WORK/private.folded" 2>"$WORK/private.err"
rc=$?
if [ $rc -eq 0 ] && [ "$(stat -c %a "$WORK/private.folded")" = 600 ] &&
   cmp -s "$WORK/private.folded" "$WORK/want.folded"; then
	ok output-keeps-mode
else
	fail output-keeps-mode "rc=$rc, mode $(stat -c %a "$WORK/private.folded"): $(cat "$WORK/private.err")"
fi

# our stdout, captured, by three names: a link of our own to
# /proc/self/fd/1 (what /dev/stdout is), /proc/self/fd/1 itself (written
# at the descriptor's offset: the lines around it stay), and, once those
# passed, the real /dev/stdout
ln -s /proc/self/fd/1 "$WORK/stdout"
"$SCORCH" convert "$WORK/in.folded" -f folded -o "$WORK/stdout" >"$WORK/stdout.got" 2>"$WORK/stdout.err"
rc=$?
if [ $rc -eq 0 ] && [ -L "$WORK/stdout" ] && cmp -s "$WORK/stdout.got" "$WORK/want.folded"; then
	ok output-stdout-link
	stdout_ok=1
else
	fail output-stdout-link "rc=$rc, link $(stat -c %F "$WORK/stdout"), got $(wc -c <"$WORK/stdout.got") bytes: $(cat "$WORK/stdout.err")"
	stdout_ok=
fi
{
	echo first
	"$SCORCH" convert "$WORK/in.folded" -f folded -o /proc/self/fd/1 2>"$WORK/procfd.err"
	echo "rc=$?"
} >"$WORK/procfd.got"
{ echo first; cat "$WORK/want.folded"; echo rc=0; } >"$WORK/procfd.want"
if cmp -s "$WORK/procfd.got" "$WORK/procfd.want"; then
	ok output-proc-self-fd
else
	fail output-proc-self-fd "$(head -c 200 "$WORK/procfd.got") $(tail -n 1 "$WORK/procfd.got") $(cat "$WORK/procfd.err")"
	stdout_ok=
fi
if [ -n "$stdout_ok" ] && [ -L /dev/stdout ]; then
	# a name under the test's directory for /dev/stdout (a link to
	# /proc/self/fd/1 itself): the chain is followed, never replaced
	ln -s /dev/stdout "$WORK/devstdout"
	"$SCORCH" convert "$WORK/in.folded" -f folded -o "$WORK/devstdout" >"$WORK/devstdout.got" 2>"$WORK/devstdout.err"
	rc=$?
	if [ $rc -eq 0 ] && [ -L /dev/stdout ] && [ -L "$WORK/devstdout" ] && cmp -s "$WORK/devstdout.got" "$WORK/want.folded"; then
		ok output-dev-stdout
	else
		fail output-dev-stdout "rc=$rc, /dev/stdout is $(stat -c %F /dev/stdout): $(cat "$WORK/devstdout.err")"
	fi
else
	skip output-dev-stdout "not tried: the safer stdout cases failed, or /dev/stdout is not a link here"
fi

# a Unix socket is connected to and written
if command -v python3 >/dev/null; then
	python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1] + ".tmp")
s.listen(1)
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
s.settimeout(60)
c, _ = s.accept()
with open(sys.argv[2], "wb") as f:
    while True:
        b = c.recv(65536)
        if not b:
            break
        f.write(b)
' "$WORK/sock" "$WORK/sock.got" &
	listener=$!
	for _ in $(seq 200); do [ -S "$WORK/sock" ] && break; sleep 0.05; done
	"$SCORCH" convert "$WORK/in.folded" -f folded -o "$WORK/sock" 2>"$WORK/sock.err"
	rc=$?
	for _ in $(seq 200); do kill -0 $listener 2>/dev/null || break; sleep 0.05; done
	kill $listener 2>/dev/null
	wait $listener 2>/dev/null
	if [ $rc -eq 0 ] && [ -S "$WORK/sock" ] && cmp -s "$WORK/sock.got" "$WORK/want.folded"; then
		ok output-socket
	else
		fail output-socket "rc=$rc, $(stat -c %F "$WORK/sock" 2>&1): $(cat "$WORK/sock.err")"
	fi
else
	skip output-socket "no python3 to listen on a socket"
fi

# write errors: one line naming the file and the cause, non-zero exit
# one_line_error FILE NAME CAUSE: FILE has exactly one line, naming both
one_line_error() {
	[ "$(wc -l <"$1")" -eq 1 ] && grep -q -- "$2" "$1" && grep -q -- "$3" "$1"
}

# a full file system: a small tmpfs of our own
small=$WORK/small
mkdir -p "$small"
if mount -t tmpfs -o size=64k tmpfs "$small" 2>"$WORK/mount.err"; then
	trap 'umount "$small" 2>/dev/null' EXIT
	echo "old graph" >"$small/old.svg"
	dd if=/dev/zero of="$small/fill" bs=4k count=64 2>/dev/null
	"$SCORCH" convert "$WORK/in.folded" -o "$small/old.svg" 2>"$WORK/enospc.err"
	rc=$?
	if [ $rc -ne 0 ] && one_line_error "$WORK/enospc.err" "$small/old.svg" 'No space left on device' &&
	   [ "$(cat "$small/old.svg")" = "old graph" ] && no_temporaries "$small"; then
		ok output-enospc
	else
		fail output-enospc "rc=$rc, old.svg: $(head -c 40 "$small/old.svg"), $(ls "$small"): $(cat "$WORK/enospc.err")"
	fi
	"$SCORCH" convert "$WORK/in.folded" -o "$small/new.pb.gz" 2>"$WORK/enospc2.err"
	rc=$?
	if [ $rc -ne 0 ] && one_line_error "$WORK/enospc2.err" "$small/new.pb.gz" 'No space left on device' &&
	   [ ! -e "$small/new.pb.gz" ] && no_temporaries "$small"; then
		ok output-enospc-new
	else
		fail output-enospc-new "rc=$rc, $(ls "$small"): $(cat "$WORK/enospc2.err")"
	fi
	"$SCORCH" flamegraph "$WORK/in.folded" -o "$small/graph.html" 2>"$WORK/enospc3.err"
	rc=$?
	if [ $rc -ne 0 ] && one_line_error "$WORK/enospc3.err" "$small/graph.html" 'No space left on device' &&
	   [ ! -e "$small/graph.html" ] && no_temporaries "$small"; then
		ok output-enospc-flamegraph
	else
		fail output-enospc-flamegraph "rc=$rc, $(ls "$small"): $(cat "$WORK/enospc3.err")"
	fi

	# record: the recording is kept in $TMPDIR and the message says where
	py=$(command -v python3)
	if [ -n "$py" ] && python_readable "$py"; then
		mkdir -p "$WORK/spare"
		TMPDIR=$WORK/spare "$SCORCH" record -q -o "$small/rec.svg" -- "$py" -c '
import time
t = time.process_time()
while time.process_time() - t < 0.3:
    pass
' 2>"$WORK/record-full.err"
		rc=$?
		saved=$(ls "$WORK/spare"/scorch-profile-*.pb.gz 2>/dev/null | head -n 1)
		if [ $rc -ne 0 ] && grep -q "$small/rec.svg: write failed: No space left on device" "$WORK/record-full.err" &&
		   [ -n "$saved" ] && grep -qF "saved to $saved" "$WORK/record-full.err" &&
		   "$SCORCH" report "$saved" >/dev/null 2>&1 && no_temporaries "$small"; then
			ok record-enospc-keeps-profile
		else
			fail record-enospc-keeps-profile "rc=$rc, saved '$saved': $(cat "$WORK/record-full.err")"
		fi
	else
		skip record-enospc-keeps-profile "no readable python3"
	fi
	umount "$small"
	trap - EXIT
else
	skip output-enospc "cannot mount a tmpfs (needs root): $(cat "$WORK/mount.err")"
	skip output-enospc-new "cannot mount a tmpfs"
	skip output-enospc-flamegraph "cannot mount a tmpfs"
	skip record-enospc-keeps-profile "cannot mount a tmpfs"
fi

# in place on a full device: our own node with /dev/full's numbers (1,7)
if mknod "$WORK/full" c 1 7 2>"$WORK/mknod.err"; then
	"$SCORCH" convert "$WORK/in.folded" -f folded -o "$WORK/full" 2>"$WORK/full.err"
	rc=$?
	if [ $rc -ne 0 ] && one_line_error "$WORK/full.err" "$WORK/full" 'No space left on device' &&
	   [ -c "$WORK/full" ]; then
		ok output-dev-full
	else
		fail output-dev-full "rc=$rc, $(stat -c %F "$WORK/full"): $(cat "$WORK/full.err")"
	fi
else
	skip output-dev-full "cannot mknod (needs root): $(cat "$WORK/mknod.err")"
fi

# a reader that leaves early, SIGPIPE ignored: EPIPE, one line
(trap '' PIPE; exec "$SCORCH" convert "$WORK/in.folded" -f folded -o - 2>"$WORK/epipe.err"; ) | head -c 10 >/dev/null
rc=${PIPESTATUS[0]}
if [ "$rc" -ne 0 ] && one_line_error "$WORK/epipe.err" '<stdout>' 'Broken pipe'; then
	ok output-epipe
else
	fail output-epipe "rc=$rc: $(cat "$WORK/epipe.err")"
fi

# an extension no writer claims: refused before the program runs, with
# the formats listed; -f says the format and makes any name fine
for name in out.png out; do
	rm -f "$WORK/ran"
	"$SCORCH" record -o "$WORK/$name" -- touch "$WORK/ran" 2>"$WORK/ext.err"
	rc=$?
	if [ $rc -eq 2 ] && [ ! -e "$WORK/ran" ] && [ ! -e "$WORK/$name" ] &&
	   one_line_error "$WORK/ext.err" "$WORK/$name" 'folded svg html pprof speedscope'; then
		ok "record-unknown-extension-$name"
	else
		fail "record-unknown-extension-$name" "rc=$rc, ran: $([ -e "$WORK/ran" ] && echo yes): $(cat "$WORK/ext.err")"
	fi
done
"$SCORCH" convert "$WORK/in.folded" -o "$WORK/x.png" 2>"$WORK/ext.err"
rc1=$?
"$SCORCH" diff "$WORK/in.folded" "$WORK/in.folded" -o "$WORK/d.png" >/dev/null 2>"$WORK/ext2.err"
rc2=$?
"$SCORCH" flamegraph "$WORK/in.folded" -o "$WORK/f.png" 2>"$WORK/ext3.err"
rc3=$?
if [ $rc1 -ne 0 ] && [ $rc2 -ne 0 ] && [ $rc3 -ne 0 ] &&
   one_line_error "$WORK/ext.err" x.png 'pprof' && one_line_error "$WORK/ext2.err" d.png 'pprof' &&
   one_line_error "$WORK/ext3.err" f.png 'svg or html' &&
   [ ! -e "$WORK/x.png" ] && [ ! -e "$WORK/d.png" ] && [ ! -e "$WORK/f.png" ]; then
	ok unknown-extension-every-command
else
	fail unknown-extension-every-command "rc $rc1 $rc2 $rc3: $(cat "$WORK/ext.err" "$WORK/ext2.err" "$WORK/ext3.err")"
fi
if "$SCORCH" convert "$WORK/in.folded" -f folded -o "$WORK/forced.png" 2>"$WORK/forced.err" &&
   cmp -s "$WORK/forced.png" "$WORK/want.folded"; then
	ok unknown-extension-with-format
else
	fail unknown-extension-with-format "$(cat "$WORK/forced.err")"
fi

# convert without -o prints to stdout, folded unless -f says otherwise
"$SCORCH" convert "$WORK/in.folded" -o "$WORK/in.pb.gz" 2>"$WORK/conv.err"
"$SCORCH" convert "$WORK/in.pb.gz" >"$WORK/conv.folded" 2>>"$WORK/conv.err"
rc1=$?
"$SCORCH" convert "$WORK/in.pb.gz" -f speedscope >"$WORK/conv.json" 2>>"$WORK/conv.err"
rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] && cmp -s <(sort "$WORK/conv.folded") <(sort "$WORK/want.folded") &&
   grep -q '"\$schema"' "$WORK/conv.json"; then
	ok convert-stdout
else
	fail convert-stdout "rc $rc1 $rc2: $(head -c 200 "$WORK/conv.folded") $(cat "$WORK/conv.err")"
fi

# record without -o still writes profile.pb.gz (pprof) in the current directory
py=$(command -v python3)
if [ -n "$py" ] && python_readable "$py"; then
	mkdir -p "$WORK/cwd"
	(cd "$WORK/cwd" && "$SCORCH" record -q -- "$py" -c 'sum(range(100000))' 2>"$WORK/default.err")
	rc=$?
	if [ $rc -eq 0 ] && [ "$(head -c 2 "$WORK/cwd/profile.pb.gz" | od -An -tx1 | tr -d ' ')" = 1f8b ] &&
	   "$SCORCH" report "$WORK/cwd/profile.pb.gz" >/dev/null 2>&1; then
		ok record-default-output
	else
		fail record-default-output "rc=$rc, $(ls "$WORK/cwd"): $(cat "$WORK/default.err")"
	fi
else
	skip record-default-output "no readable python3"
fi
