/*
 * record.c - `scorch record`: spawn or attach, sample, write a profile.
 *
 * Owns the command line and the output.  The whole recording (target,
 * signals, engine choice, progress, summary) is record_session
 * (session/session.h), which `top` shares; sampling is the engines'
 * (engines/).  Ctrl-C/SIGTERM stop sampling and the profile is still
 * written completely.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "engines/engine.h"
#include "formats/format.h"
#include "model/profile.h"
#include "session/session.h"
#include "util/error.h"
#include "util/options.h"
#include "util/output.h"
#include "util/strbuf.h"

/* Where the profile goes without -o: a pprof profile that every other
 * command reads back without loss (as perf record writes perf.data). */
#define RECORD_DEFAULT_OUTPUT "profile.pb.gz"
/* Writer for -o - (stdout) without -f. */
#define RECORD_DEFAULT_FORMAT "folded"

/* What record does with the profile: the output file and a summary. */
struct record_output {
	const char *path, *format;
	const struct record_options *o;
};

/*
 * The output could not be written (the reason was reported): a recording
 * cannot be made again, so keep it as a pprof profile in $TMPDIR (or
 * /tmp) and say where, or say plainly that it is lost.
 */
static void save_elsewhere(const struct record_output *out,
			   const struct profile *p,
			   const struct write_options *wo, unsigned long samples)
{
	const char *dir = getenv("TMPDIR");
	struct strbuf path = { 0 };
	int fd;

	strbuf_addf(&path, "%s/scorch-profile-XXXXXX.pb.gz",
		    dir && *dir ? dir : "/tmp");
	fd = mkstemps(path.buf, 6);
	if (fd >= 0) {
		close(fd);
		if (format_write_path(path.buf, "pprof", NULL, p, wo) == 0) {
			error("%s: the recording (%lu samples) was saved to %s instead (convert it once %s can be written: scorch convert %s -o %s)",
			      out->path, samples, path.buf, out->path, path.buf,
			      out->path);
			strbuf_release(&path);
			return;
		}
		unlink(path.buf);
	}
	error("%s: the recording (%lu samples) is lost: it could not be saved in %s either",
	      out->path, samples, dir && *dir ? dir : "/tmp");
	strbuf_release(&path);
}

static int write_output(void *ctx, struct profile *p,
			const struct record_stats *stats)
{
	const struct record_output *out = ctx;
	struct write_options wo = { 0 };

	wo.with_threads = out->o->threads;
	if (format_write_path(out->path, out->format, RECORD_DEFAULT_FORMAT,
			      p, &wo) < 0) {
		save_elsewhere(out, p, &wo, stats->samples);
		return -1;
	}
	record_summary(out->o, stats, out->path,
		       (double)p->meta.duration_ns / 1e9);
	return 0;
}

/* --mode MODE: the sampling modes of CPython's own profiler. */
static int record_mode(const char *cmd, const char *mode,
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
	else {
		error("%s: unknown --mode '%s' (use cpu, wall, gil or exception)",
		      cmd, mode);
		return -1;
	}
	return 0;
}

int cmd_record(int argc, const char **argv)
{
	struct record_options o;
	struct record_output out;
	const char *output = RECORD_DEFAULT_OUTPUT, *format = NULL;
	int pid = 0, nargs;
	int stack_size = 0;			/* --stack-size */
	const char *mode = NULL;		/* --mode */
	const struct option opts[] = {
		{ OPTION_INT, 'p', "pid", &pid, "PID",
		  "attach to a running process instead of starting one", NULL },
		{ OPTION_STRING, 'o', "output", &output, "FILE",
		  "write the profile here (default " RECORD_DEFAULT_OUTPUT ")", NULL },
		{ OPTION_STRING, 'f', "format", &format, "FORMAT",
		  "output format (default: from the file's extension)", NULL },
		{ OPTION_DOUBLE, 'F', "rate", &o.rate_hz, "HZ",
		  "samples per second (default 100)", NULL },
		{ OPTION_DOUBLE, 'd', "duration", &o.duration_s, "SECONDS",
		  "stop after this long (default: until the program exits)", NULL },
		{ OPTION_BOOL, 0, "idle", &o.idle, NULL,
		  "wall clock: time off CPU too, marked [idle]", NULL },
		{ OPTION_BOOL, 0, "async", &o.async_tasks, NULL,
		  "asyncio: each sample under its task's await chain ([task NAME] frames)", NULL },
		{ OPTION_BOOL, 0, "gil", &o.gil, NULL,
		  "keep only samples of the thread holding the GIL", NULL },
		{ OPTION_STRING, 0, "mode", &mode, "MODE",
		  "cpu (default), wall (= --idle), gil (= --gil) or exception: only threads handling an exception", NULL },
		{ OPTION_BOOL, 0, "opcodes", &o.opcodes, NULL,
		  "the bytecode instruction each Python sample executes, as a leaf frame (3.11-3.13)", NULL },
		{ OPTION_BOOL, 0, "threads", &o.threads, NULL,
		  "one root frame per thread (its name)", NULL },
		{ OPTION_BOOL, 0, "subprocesses", &o.subprocesses, NULL,
		  "also sample child processes (Python ones: pid as root frame)", NULL },
		{ OPTION_BOOL, 0, "native", &o.native, NULL,
		  "mixed Python and native stacks (perf_event engine)", NULL },
		{ OPTION_BOOL, 0, "no-lines", &o.no_lines, NULL,
		  "aggregate by function, not by line", NULL },
		/* perf_event engine options (engines/perf/native_record.h) */
		{ OPTION_BOOL, 0, "no-kernel", &o.no_kernel, NULL,
		  "native: no kernel frames", NULL },
		{ OPTION_BOOL, 0, "inline", &o.inline_frames, NULL,
		  "native: inlined functions and source lines from DWARF", NULL },
		{ OPTION_INT, 0, "stack-size", &stack_size, "BYTES",
		  "native: user stack bytes copied per sample (default 32768)", NULL },
		{ OPTION_STRING, 'e', "event", &o.event, "EVENT",
		  "native: perf event to sample (default cpu-clock)", NULL },
		{ OPTION_BOOL, 'q', "quiet", &o.quiet, NULL,
		  "no progress line and no summary", NULL },
		{ OPTION_END, 0, NULL, NULL, NULL, NULL, NULL },
	};

	memset(&o, 0, sizeof(o));
	o.rate_hz = 100;
	nargs = parse_options(argc, argv, opts,
			      "scorch record [options] (-p PID | -- COMMAND [ARGS...])",
			      OPTIONS_STOP_AT_NON_OPTION);
	if (nargs == -2)
		return 0;
	if (nargs < 0)
		return 2;
	if (record_target_args("record", &o, pid, nargs, argv))
		return 2;
	if (mode && record_mode("record", mode, &o) < 0)
		return 2;
	/* before the program runs: an unknown extension or format is a
	 * mistake to hear about now, not after the recording */
	if (!format_writer_choose(output, format, RECORD_DEFAULT_FORMAT))
		return 2;
	if (stack_size < 0 || stack_size > 65528) {
		error("record: --stack-size %d is out of range (use 0 to 65528)", stack_size);
		return 2;
	}
	o.stack_size = (unsigned)stack_size;
	error_set_quiet(o.quiet);
	/* before the program runs, not after: no recording is lost to a
	 * mistyped directory */
	if (output_check(output) < 0)
		return 1;
	out.path = output;
	out.format = format;
	out.o = &o;
	return record_session(&o, write_output, &out);
}
