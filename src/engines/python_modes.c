/*
 * python_modes.c - the options only the Python reader honours, for the
 * engines that do not read Python stacks that way: the modes they cannot
 * record are refused, the options they would ignore are warned about
 * (one line each; the recording goes on without them).  --subprocesses
 * is not one of them: the perf_event engine follows children too.
 */
#include "engines/engine.h"
#include "util/error.h"

int engine_refuse_python_modes(const struct record_options *o)
{
	if (o->exception) {
		error("%s: --mode exception applies to Python programs read by the Python reader (without --native)",
		      error_command());
		return -1;
	}
	if (o->opcodes) {
		error("%s: --opcodes applies to Python programs read by the Python reader (without --native)",
		      error_command());
		return -1;
	}
	return 0;
}

static void python_only_option(const struct record_options *o,
			       const char *option, const char *without)
{
	if (o->pid)
		warning("%s: pid %d is not a Python program; recording %s (%s is for Python)",
			option, (int)o->pid, without, option);
	else
		warning("%s: %s is not a Python program; recording %s (%s is for Python)",
			option, o->argv[0], without, option);
}

void engine_warn_python_options(const struct record_options *o)
{
	if (o->gil)
		python_only_option(o, "--gil", "every thread without it");
	if (o->async_tasks)
		python_only_option(o, "--async", "plain stacks");
}
