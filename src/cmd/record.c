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
#include "cmd/common_options.h"
#include "cmd/record_args.h"
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
	error("%s: the recording (%lu samples) is lost: it could not be saved in %s either (record again with -o where there is room, or set TMPDIR)",
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

int cmd_record(int argc, const char **argv)
{
	struct record_options o;
	struct record_args a;
	struct record_output out;
	const char *output = RECORD_DEFAULT_OUTPUT, *format = NULL;
	int nargs, ret;
	const struct option opts[] = {
		RECORD_TARGET_OPTIONS(&o, &a),
		OPT_OUTPUT(&output, "write the profile here (default " RECORD_DEFAULT_OUTPUT ")"),
		OPT_FORMAT(&format, "FORMAT", "output format (default: from the file's extension)"),
		RECORD_MODE_OPTIONS(&o, &a),
		{ OPTION_BOOL, 0, "threads", &o.threads, NULL,
		  "one root frame per thread (its name)", NULL },
		{ OPTION_BOOL, 0, "no-lines", &o.no_lines, NULL,
		  "aggregate by function, not by line", NULL },
		RECORD_NATIVE_OPTIONS(&o, &a),
		{ OPTION_BOOL, 'q', "quiet", &o.quiet, NULL,
		  "no progress line and no summary", NULL },
		OPT_END(),
	};
	static const struct command_usage usage = {
		"scorch record [options] (-p PID | -- COMMAND [ARGS...])",
		OPTIONS_STOP_AT_NON_OPTION, 0, -1, NULL,
	};

	record_args_init(&o, &a);
	if ((ret = parse_command(argc, argv, opts, &usage, &nargs)) >= 0)
		return ret;
	if (record_args_check("record", &o, &a, nargs, argv))
		return 2;
	/* before the program runs: an unknown extension or format is a
	 * mistake to hear about now, not after the recording */
	if (!format_writer_choose(output, format, RECORD_DEFAULT_FORMAT))
		return 2;
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
