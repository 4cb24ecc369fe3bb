/*
 * record_args.c - the check of what `record` and `top` asked for on the
 * command line (the rows are in record_args.h).
 */
#include <string.h>

#include "cmd/record_args.h"
#include "util/error.h"

void record_args_init(struct record_options *o, struct record_args *a)
{
	memset(o, 0, sizeof(*o));
	memset(a, 0, sizeof(*a));
	o->rate_hz = 100;
}

/* --mode MODE: the sampling modes of CPython's own profiler. */
static int apply_mode(const char *cmd, const char *mode,
		      struct record_options *o)
{
	if (!strcmp(mode, "cpu"))
		return 0;
	if (!strcmp(mode, "wall"))
		o->idle = 1;
	else if (!strcmp(mode, "gil"))
		o->gil = 1;
	else if (!strcmp(mode, "exception"))
		o->exception = 1;
	else
		return error("%s: unknown --mode '%s' (use cpu, wall, gil or exception)",
			     cmd, mode);
	return 0;
}

int record_args_check(const char *cmd, struct record_options *o,
		      const struct record_args *a, int nargs,
		      const char **argv)
{
	if (!!a->pid + !!nargs + !!o->system_wide != 1) {
		error("%s: give one of -p PID, -a or a command after -- (see 'scorch %s --help')",
		      cmd, cmd);
		return 2;
	}
	if (o->engine && !engine_find(o->engine)) {
		error("%s: unknown --engine '%s' (use bpf, mixed, python or native)",
		      cmd, o->engine);
		return 2;
	}
	if (o->system_wide && o->engine && strcmp(o->engine, "bpf")) {
		error("%s: -a records with the bpf engine, not '%s' (drop --engine or use --engine bpf)",
		      cmd, o->engine);
		return 2;
	}
	if (o->system_wide && o->subprocesses) {
		error("%s: -a already records every process (drop --subprocesses)",
		      cmd);
		return 2;
	}
	if (o->system_wide)
		o->engine = "bpf";
	if (o->rate_hz <= 0 || o->rate_hz > 1e6) {
		error("%s: rate %g Hz is out of range (use 1 to 1000000)", cmd,
		      o->rate_hz);
		return 2;
	}
	if (o->gil && o->native) {
		error("%s: --gil does not combine with --native (the perf_event engine samples every thread: drop one of them)",
		      cmd);
		return 2;
	}
	if (o->async_tasks && o->native) {
		error("%s: --async reads asyncio tasks with the Python reader, not with --native (drop one of them)",
		      cmd);
		return 2;
	}
	if (a->mode && apply_mode(cmd, a->mode, o) < 0)
		return 2;
	if (a->stack_size < 0 || a->stack_size > 65528) {
		error("%s: --stack-size %d is out of range (use 0 to 65528)",
		      cmd, a->stack_size);
		return 2;
	}
	o->stack_size = (unsigned)a->stack_size;
	o->pid = a->pid;
	argv[nargs] = NULL;
	o->argv = nargs ? argv : NULL;
	return 0;
}
