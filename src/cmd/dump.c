/*
 * dump.c - `scorch dump -p PID`: every thread's current stack, once,
 * printed like a traceback (outermost call first, most recent call
 * last), with the thread's name, tid, OS state and whether it holds the
 * GIL.  --mode keeps some threads (cpu: on a CPU now, gil: the GIL
 * holder, exception: handling an exception); --opcodes adds the
 * instruction each thread's innermost frame executes; --async the
 * asyncio task trees.
 *
 * Only the options: the session (session/dump.c) finds the engine that
 * reads the process (the Python reader's dump op), which never stops it.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common_options.h"
#include "engines/engine.h"
#include "session/dump.h"
#include "util/error.h"
#include "util/options.h"

/* --mode: 0, or -1 (reported) for a name scorch does not know. */
static int parse_mode(const char *name, enum dump_mode *mode)
{
	static const struct {
		const char *name;
		enum dump_mode mode;
	} modes[] = {
		{ "wall", DUMP_WALL },
		{ "cpu", DUMP_CPU },
		{ "gil", DUMP_GIL },
		{ "exception", DUMP_EXCEPTION },
	};

	*mode = DUMP_WALL;
	if (!name)
		return 0;
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		if (!strcmp(name, modes[i].name)) {
			*mode = modes[i].mode;
			return 0;
		}
	error("dump: unknown --mode '%s' (use wall, cpu, gil or exception)",
	      name);
	return -1;
}

int cmd_dump(int argc, const char **argv)
{
	struct dump_options o;
	int pid = 0, no_source = 0, async_tasks = 0, opcodes = 0, nargs, ret;
	const char *mode = NULL;
	const struct option opts[] = {
		{ OPTION_INT, 'p', "pid", &pid, "PID", "the process to show", NULL },
		{ OPTION_BOOL, 0, "no-source", &no_source, NULL,
		  "do not print source lines", NULL },
		{ OPTION_BOOL, 0, "async", &async_tasks, NULL,
		  "asyncio: also each running loop's task tree (name, state, stack)",
		  NULL },
		{ OPTION_STRING, 0, "mode", &mode, "MODE",
		  "wall (default: every thread), cpu (on a CPU now), gil (= the GIL holder) or exception: only threads handling an exception", NULL },
		{ OPTION_BOOL, 0, "opcodes", &opcodes, NULL,
		  "the bytecode instruction each thread's innermost frame executes (3.11-3.15)", NULL },
		OPT_END(),
	};

	static const struct command_usage usage = {
		"scorch dump [options] -p PID", 0, 0, 0,
		"give the process with -p PID",
	};

	if ((ret = parse_command(argc, argv, opts, &usage, &nargs)) >= 0)
		return ret;
	if (pid <= 0) {
		error("dump: give the process with -p PID (see 'scorch dump --help')");
		return 2;
	}
	memset(&o, 0, sizeof(o));
	if (parse_mode(mode, &o.mode) < 0)
		return 2;
	o.pid = pid;
	o.mode_name = mode;
	o.no_source = no_source;
	o.async_tasks = async_tasks;
	o.opcodes = opcodes;
	return dump_session(&o, stdout);
}
