/*
 * record_args.h - the command-line rows `record` and `top` share (target,
 * rate, duration, sampling modes, perf_event engine options) and the one
 * check of what they asked for, so the two commands cannot drift.
 */
#ifndef SCORCH_CMD_RECORD_ARGS_H
#define SCORCH_CMD_RECORD_ARGS_H

#include "engines/engine.h"
#include "util/options.h"

/* What the shared rows parse besides struct record_options' own fields. */
struct record_args {
	int pid;		/* -p PID */
	int stack_size;		/* --stack-size, checked into o->stack_size */
	const char *mode;	/* --mode, applied to o's flags */
};

/* -p PID, -a, -F HZ, -d SECONDS, --engine: what is recorded, how often,
 * how long, by which engine */
#define RECORD_TARGET_OPTIONS(o, a)					\
	{ OPTION_INT, 'p', "pid", &(a)->pid, "PID",			\
	  "attach to a running process instead of starting one", NULL }, \
	{ OPTION_BOOL, 'a', "all-processes", &(o)->system_wide, NULL,	\
	  "every process on the machine, each under a 'name (PID)' root (bpf engine)", NULL }, \
	{ OPTION_STRING, 0, "engine", &(o)->engine, "NAME",		\
	  "the engine to use: bpf, mixed, python or native (default: chosen by the target)", NULL }, \
	{ OPTION_DOUBLE, 'F', "rate", &(o)->rate_hz, "HZ",		\
	  "samples per second (default 100)", NULL },			\
	{ OPTION_DOUBLE, 'd', "duration", &(o)->duration_s, "SECONDS",	\
	  "stop after this long (default: until the program exits)", NULL }

/* --idle --async --gil --mode --opcodes --subprocesses --native: what a
 * sample is and which threads and processes give one */
#define RECORD_MODE_OPTIONS(o, a)					\
	{ OPTION_BOOL, 0, "idle", &(o)->idle, NULL,			\
	  "wall clock: time off CPU too, marked [idle]", NULL },	\
	{ OPTION_BOOL, 0, "async", &(o)->async_tasks, NULL,		\
	  "asyncio: each sample under its task's await chain ([task NAME] frames)", NULL }, \
	{ OPTION_BOOL, 0, "gil", &(o)->gil, NULL,			\
	  "keep only samples of the thread holding the GIL", NULL },	\
	{ OPTION_STRING, 0, "mode", &(a)->mode, "MODE",			\
	  "cpu (default), wall (= --idle), gil (= --gil) or exception: only threads handling an exception", NULL }, \
	{ OPTION_BOOL, 0, "opcodes", &(o)->opcodes, NULL,		\
	  "the bytecode instruction each Python sample executes, as a leaf frame (3.11-3.15)", NULL }, \
	{ OPTION_BOOL, 0, "subprocesses", &(o)->subprocesses, NULL,	\
	  "also sample child processes (Python ones: pid as root frame)", NULL }, \
	{ OPTION_BOOL, 0, "native", &(o)->native, NULL,			\
	  "mixed Python and native stacks (perf_event engine)", NULL }

/* the perf_event engine's own options (engines/perf/native_record.h) */
#define RECORD_NATIVE_OPTIONS(o, a)					\
	{ OPTION_BOOL, 0, "no-kernel", &(o)->no_kernel, NULL,		\
	  "native: no kernel frames", NULL },				\
	{ OPTION_BOOL, 0, "inline", &(o)->inline_frames, NULL,		\
	  "native: inlined functions and source lines from DWARF", NULL }, \
	{ OPTION_INT, 0, "stack-size", &(a)->stack_size, "BYTES",	\
	  "native: user stack bytes copied per sample (default 32768)", NULL }, \
	{ OPTION_STRING, 'e', "event", &(o)->event, "EVENT",		\
	  "native: perf event to sample (default cpu-clock)", NULL }

/* Sets o and a to the defaults before parsing. */
void record_args_init(struct record_options *o, struct record_args *a);

/*
 * Checks what the shared rows parsed, for command cmd: exactly one of
 * -p PID and a command after --, the rate, --mode, --stack-size and the
 * options that do not combine.  Fills o->pid, o->argv (argv
 * NULL-terminated at nargs), the --mode flags and o->stack_size.
 * Returns 0, or 2 (reported) for a usage error.
 */
int record_args_check(const char *cmd, struct record_options *o,
		      const struct record_args *a, int nargs,
		      const char **argv);

#endif
