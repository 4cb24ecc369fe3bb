#!/bin/bash
# cli.sh - the command line itself: `scorch help CMD` prints CMD's own
# help for every command; record and top share their target, mode and
# perf_event rows word for word; top names itself in errors from the
# shared target code; usage errors end in a "(fix)"; a FIFO input is
# read whole (the registry's look at an input before reading it never
# eats it); and every error() format in the sources has its "(fix)"
# part (the scan lists any that lack one).
. "$(dirname "$0")/lib.sh"
plan 7

# help CMD = CMD --help, for each command `scorch --help` lists
cmds=$("$SCORCH" --help | awk '/^Commands:/ {on = 1; next} on && NF {print $1} on && !NF {exit}')
bad=""
n=0
for c in $cmds; do
	n=$((n + 1))
	"$SCORCH" help "$c" >"$WORK/help.$c" 2>&1 || bad="$bad $c(exit $?)"
	"$SCORCH" "$c" --help >"$WORK/opt.$c" 2>&1
	cmp -s "$WORK/help.$c" "$WORK/opt.$c" || bad="$bad $c"
	head -1 "$WORK/help.$c" | grep -q "^usage: scorch $c " || bad="$bad $c(usage line)"
done
if [ "$n" -ge 9 ] && [ -z "$bad" ]; then
	ok help_command_prints_its_help
else
	fail help_command_prints_its_help "$n commands; differ:$bad"
fi
out=$("$SCORCH" help no-such-command 2>&1); rc=$?
if [ $rc = 2 ] && echo "$out" | grep -q "^scorch: help: 'no-such-command' is not a command (see 'scorch --help')$"; then
	ok help_unknown_command
else
	fail help_unknown_command "exit $rc: $out"
fi

# the rows record and top share, line for line in both helps
shared='-p, --pid|-F, --rate|-d, --duration|--idle |--async |--gil |--mode |--opcodes |--subprocesses |--native |--no-kernel |--inline |--stack-size |-e, --event'
grep -E "^    ($shared)" "$WORK/opt.record" >"$WORK/record.rows"
grep -E "^    ($shared)" "$WORK/opt.top" >"$WORK/top.rows"
rows=$(wc -l <"$WORK/record.rows")
if [ "$rows" = 14 ] && cmp -s "$WORK/record.rows" "$WORK/top.rows"; then
	ok record_top_shared_rows
else
	fail record_top_shared_rows "$rows rows in record; diff: $(diff "$WORK/record.rows" "$WORK/top.rows")"
fi

# the target code shared by record and top says which command failed
out=$("$SCORCH" top -- "$WORK/no-such-program" 2>&1); rc=$?
if [ $rc = 127 ] && echo "$out" | grep -q "^scorch: top: cannot run '$WORK/no-such-program': .* (check the command name and PATH)$" &&
   ! echo "$out" | grep -q 'record:'; then
	ok top_names_itself
else
	fail top_names_itself "exit $rc: $out"
fi

# usage errors: one line each, ending in the fix
bad=""
try() {
	local out rc
	out=$("$SCORCH" "$@" 2>&1 >/dev/null); rc=$?
	if [ $rc = 0 ] || [ "$(echo "$out" | wc -l)" != 1 ] ||
	   ! echo "$out" | grep -qE '^scorch: [^ ].*: .* \(.+\)$'; then
		bad="$bad"$'\n'"$* -> exit $rc: $out"
	fi
}
try convert
try report a b
try diff one
try annotate p
try collapse a b
try dump
try dump -p 1 extra
try record
try top -p 1 -- x
try top -p 1 --stack-size 70000
try record -p 1 --mode nope
try top -p 1 -F 0
try top -p 1 --by nothing
try top -p 1 --sort up
try record --no-such-option
try convert "$WORK/no-such-file"
try convert "$WORK"
if [ -z "$bad" ]; then
	ok usage_errors_say_the_fix
else
	fail usage_errors_say_the_fix "$bad"
fi

# commands ask the registry what an input holds before reading it: that
# look must not eat what a FIFO carries (nor report anything itself)
mkfifo "$WORK/in.fifo"
printf 'main;work 3\nmain 1\n' >"$WORK/in.fifo" &
writer=$!
out=$("$SCORCH" convert "$WORK/in.fifo" -o "$WORK/fifo.folded" 2>&1); rc=$?
wait "$writer"
got=$(sort "$WORK/fifo.folded" 2>&1 | tr '\n' '|')
if [ $rc = 0 ] && [ -z "$out" ] && [ "$got" = 'main 1|main;work 3|' ]; then
	ok fifo_input_read_whole
else
	fail fifo_input_read_whole "exit $rc: $out; got '$got'"
fi

# every error() format in the sources ends in "(fix)": the scan counts
# those that do not, besides the ones that pass on a message composed
# elsewhere (known below)
src=$TOP/src
if ! command -v python3 >/dev/null; then
	missing error_formats_have_fix "python3 is needed to scan the sources"
elif [ ! -d "$src" ]; then
	missing error_formats_have_fix "no source tree at $src"
else
	out=$(python3 - "$src" <<'PY'
import glob, os, re, sys
# formats that print a message composed (with its fix) elsewhere
passthrough = {"%s", "scorch: %s%s\n", "perf_event: %s"}
call = re.compile(r'\b(error|fprintf\s*\(\s*stderr\s*,)\s*\(?\s*((?:"(?:[^"\\]|\\.)*"\s*)+)')
total, lacking = 0, []
for path in sorted(glob.glob(os.path.join(sys.argv[1], "**", "*.c"), recursive=True)):
    text = open(path, encoding="utf-8").read()
    for m in call.finditer(text):
        fmt = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(2)))
        if m.group(1) != "error" and not fmt.startswith("scorch: "):
            continue
        if fmt.encode().decode("unicode_escape") in passthrough:
            continue
        if m.group(1) != "error" and "%lu samples, %lu unwound" in fmt:
            continue    # the native engine's SCORCH_DEBUG statistics
        total += 1
        if not fmt.replace("\\n", "").rstrip().endswith(")"):
            line = text.count("\n", 0, m.start()) + 1
            lacking.append("%s:%d: %s" % (os.path.relpath(path, sys.argv[1]), line, fmt))
print(total, len(lacking))
print("\n".join(lacking))
PY
)
	first=$(echo "$out" | head -1)
	set -- $first
	if [ "${1:-0}" -ge 100 ] && [ "${2:-1}" = 0 ]; then
		ok error_formats_have_fix
	else
		fail error_formats_have_fix "$2 of $1 error formats lack a (fix):"$'\n'"$(echo "$out" | tail -n +2)"
	fi
fi
