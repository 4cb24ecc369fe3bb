/*
 * record.c - `scorch record`: spawn or attach, sample, write a profile.
 *
 * Owns the command line, the target's life cycle (spawn/attach, signals,
 * exit status), the choice of sampling engine and the output.  The whole
 * recording is record_session (cmd/record.h), which `top` shares.  Sampling
 * itself lives in the engines (python/pyrecord.c; the perf_event engine
 * plugs in at choose_engine below).  Ctrl-C/SIGTERM stop sampling and the
 * profile is still written completely.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/record.h"
#include "formats/format.h"
#include "model/profile.h"
#include "python/opcodes.h"
#include "python/pyrecord.h"
#include "python/reader.h"
#include "sample/native_record.h"
#include "sample/record_options.h"
#include "proc/target.h"
#include "util/error.h"
#include "util/options.h"
#include "util/output.h"
#include "util/strbuf.h"

/* Where the profile goes without -o: a pprof profile that every other
 * command reads back without loss (as perf record writes perf.data). */
#define RECORD_DEFAULT_OUTPUT "profile.pb.gz"
/* Writer for -o - (stdout) without -f. */
#define RECORD_DEFAULT_FORMAT "folded"

static volatile sig_atomic_t stop_requested;
static volatile sig_atomic_t stop_signal;
static volatile sig_atomic_t stop_from_user;	/* kill(), not the tty */
static volatile sig_atomic_t pipe_closed;	/* SIGPIPE: our reader left */

static void on_stop_signal(int sig, siginfo_t *info, void *unused)
{
	(void)unused;
	stop_requested++;
	stop_signal = sig;
	if (sig == SIGPIPE)
		pipe_closed = 1;
	stop_from_user = info && (info->si_code == SI_USER ||
				  info->si_code == SI_QUEUE);
}

static void install_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_stop_signal;
	sa.sa_flags = SA_SIGINFO;	/* no SA_RESTART: sleeps wake up */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* a closed pipe (`scorch top ... | head`) stops the recording like
	 * Ctrl-C: the output file is still written, the program ended */
	sigaction(SIGPIPE, &sa, NULL);
}

enum engine {
	ENGINE_NONE,		/* nothing to sample: the target already exited */
	ENGINE_PYTHON,
	ENGINE_NATIVE,		/* perf_event engine (sample/native_record.h) */
};

/*
 * The one place the sampling engine is chosen.  The Python reader takes
 * any CPython target; the perf_event engine (non-Python targets and
 * --native) plugs in here.  Returns the engine, or -1 (reported).
 */
static int choose_engine(const struct record_options *o, struct target *t,
			 struct pyreader **reader,
			 struct native_session **native)
{
	struct strbuf why = { 0 };
	enum pyread_status st;

	/* perf_event engine: --native, when its events could be opened
	 * (otherwise native_record_prepare said why; fall back below) */
	if (o->native && *native)
		return ENGINE_NATIVE;
	/* an attached process is what it is; one we started may still exec
	 * (chroot, env, unshare...): pyrecord_open watches it settle */
	if (*native && !t->spawned && native_record_is_native_target(t->pid))
		return ENGINE_NATIVE;
	st = pyrecord_open(t, reader, &why);
	switch (st) {
	case PYREAD_OK:
		strbuf_release(&why);
		return ENGINE_PYTHON;
	case PYREAD_GONE:
		strbuf_release(&why);
		if (t->spawned && *native)	/* drain what perf recorded */
			return ENGINE_NATIVE;
		if (t->spawned)
			return ENGINE_NONE;
		error("pid %d exited (nothing to record)", (int)t->pid);
		return -1;
	case PYREAD_NOT_PYTHON:
		/* perf_event engine for non-Python targets */
		if (!*native && !t->spawned &&
		    native_record_prepare(o, t, native) < 0) {
			strbuf_release(&why);
			return -1;
		}
		if (*native) {
			strbuf_release(&why);
			return ENGINE_NATIVE;
		}
		if (o->idle)	/* its scheduler events sample the kernel */
			error("%s (native programs with --idle need perf_event_open with kernel sampling: run as root or set kernel.perf_event_paranoid <= 1)",
			      why.buf);
		else
			error("%s (native programs need perf_event_open: run as root or set kernel.perf_event_paranoid <= 2)",
			      why.buf);
		break;
	case PYREAD_NOT_READY:
		error("%s (it did not finish starting in time; try again or attach with -p once it runs)",
		      why.buf);
		break;
	case PYREAD_UNSUPPORTED:
		/* a reason that says its own fix keeps it */
		if (why.len && why.buf[why.len - 1] == ')')
			error("%s", why.buf);
		else
			error("%s (use CPython 3.6-3.15)", why.buf);
		break;
	case PYREAD_NO_PERMISSION:
		error("%s", why.buf);
		break;
	}
	strbuf_release(&why);
	return -1;
}

static void fill_meta(struct profile *p, const struct record_options *o,
		      const struct target *t)
{
	struct strbuf cmd = { 0 };
	struct timespec ts;
	int i;

	if (t->spawned) {
		for (i = 0; o->argv[i]; i++) {
			if (i)
				strbuf_addch(&cmd, ' ');
			strbuf_addstr(&cmd, o->argv[i]);
		}
	} else {
		strbuf_addf(&cmd, "pid %d", (int)t->pid);
	}
	p->meta.command = profile_intern(p, strbuf_str(&cmd));
	p->meta.event = profile_intern(p, o->idle ? "wall" : "cpu");
	p->meta.pid = t->pid;
	p->meta.rate_hz = o->rate_hz;
	p->meta.period = (int64_t)(1e9 / o->rate_hz);
	p->meta.period_type.type = profile_intern(p, o->idle ? "wall" : "cpu");
	p->meta.period_type.unit = profile_intern(p, "nanoseconds");
	clock_gettime(CLOCK_REALTIME, &ts);
	p->meta.start_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	strbuf_release(&cmd);
}

/* Microseconds on clock (CLOCK_MONOTONIC, or CLOCK_PROCESS_CPUTIME_ID:
 * every scorch thread's CPU time, exact to the nanosecond rather than
 * counted in ticks as getrusage's is, so a run of a millisecond is right) */
static double clock_us(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void summary(const struct record_options *o,
		    const struct record_stats *s, const char *output,
		    double seconds)
{
	struct strbuf errors = { 0 }, cost = { 0 };

	if (o->quiet)
		return;
	record_stats_describe_errors(s, &errors);
	/* the share of a CPU says what the overhead was: scorch's CPU time
	 * over the wall time of the same stretch, so it is measured, not
	 * estimated, and cannot pass 100% per scorch thread.  Per sample, at
	 * low rates, mostly measures what waking up costs on this machine */
	if (s->sampling_wall_us > 0)
		strbuf_addf(&cost, "; scorch used %.2f%% of one CPU",
			    100.0 * s->sampling_cpu_us / s->sampling_wall_us);
	if (s->samples)
		strbuf_addf(&cost, " (%.1f us per sample)",
			    s->sampling_cpu_us / (double)s->samples);
	notice("%lu sample%s in %.1fs, %lu late tick%s, %s%s -> %s",
	       s->samples, s->samples == 1 ? "" : "s", seconds,
	       s->late, s->late == 1 ? "" : "s", strbuf_str(&errors),
	       strbuf_str(&cost), output);
	strbuf_release(&errors);
	strbuf_release(&cost);
}

/*
 * Options that only the Python reader honours, once the engine is known:
 * given for a program the perf_event engine records, they would do
 * nothing, so say so (one line; the recording goes on without them).
 * --subprocesses is not one of them: the perf_event engine follows
 * children too.
 */
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

static void python_only_options(const struct record_options *o, int engine)
{
	if (engine != ENGINE_NATIVE)
		return;
	if (o->gil)
		python_only_option(o, "--gil", "every thread without it");
	if (o->async_tasks)
		python_only_option(o, "--async", "plain stacks");
}

/* SIGTERM, then SIGKILL when the program is still there after 2 s. */
static void stop_spawned_target(struct target *t)
{
	int i;

	kill(t->pid, SIGTERM);
	for (i = 0; i < 200 && target_alive(t); i++)
		usleep(10000);
	if (target_alive(t))
		kill(t->pid, SIGKILL);
}

int record_session(const struct record_options *o, record_finish_fn finish,
		   void *ctx)
{
	struct record_stats stats;
	struct target t;
	struct profile p;
	struct pyreader *reader = NULL;
	struct native_session *native = NULL;	/* perf_event engine */
	int engine, ret = 0, status = 0, duration_ended;
	/* scorch's cost is measured from the target's start (or attach)
	 * to the end of sampling: the engine's setup is part of it */
	double cpu_start, wall_start, native_start = 0;

	memset(&stats, 0, sizeof(stats));
	install_signals();
	if (o->pid) {
		if (target_attach(&t, o->pid) < 0)
			return 1;
		wall_start = clock_us(CLOCK_MONOTONIC);
		cpu_start = clock_us(CLOCK_PROCESS_CPUTIME_ID);
		if (o->native && native_record_prepare(o, &t, &native) < 0)
			return 1;
	} else {
		if (target_spawn(&t, o->argv) < 0)
			return 127;
		/* an engine that must be ready before the first instruction
		 * (perf events with enable_on_exec) sets up on t.pid here */
		if (native_record_prepare(o, &t, &native) < 0) {
			target_abort(&t);
			return 1;
		}
		wall_start = clock_us(CLOCK_MONOTONIC);
		cpu_start = clock_us(CLOCK_PROCESS_CPUTIME_ID);
		if (target_start(&t) < 0) {
			native_record_discard(native);
			return 127;
		}
		/* perf events run from the exec: the recording starts here */
		if (native)
			native_start = clock_us(CLOCK_MONOTONIC);
	}

	engine = choose_engine(o, &t, &reader, &native);
	if (engine != ENGINE_NATIVE) {
		native_record_discard(native);
		native = NULL;
	}
	if (engine >= 0 && o->exception && (engine != ENGINE_PYTHON ||
					    !pyreader_knows_exceptions(reader))) {
		if (engine == ENGINE_PYTHON)
			error("record: --mode exception: scorch does not know where Python %s keeps a thread's exception (record without it)",
			      reader->version);
		else
			error("record: --mode exception applies to Python programs read by the Python reader (without --native)");
		native_record_discard(native);
		native = NULL;
		if (reader)
			pyreader_close(reader);
		engine = -1;
	}
	if (engine >= 0 && o->opcodes && (engine != ENGINE_PYTHON ||
					  !py_opcode_names(reader->layout.major,
							   reader->layout.minor))) {
		if (engine == ENGINE_PYTHON)
			error("record: --opcodes: scorch has no instruction names for Python %s (3.11 to 3.13 have them; record without --opcodes)",
			      reader->version);
		else
			error("record: --opcodes applies to Python programs read by the Python reader (without --native)");
		native_record_discard(native);
		native = NULL;
		if (reader)
			pyreader_close(reader);
		engine = -1;
	}
	if (engine < 0) {
		if (t.spawned) {
			kill(t.pid, SIGTERM);
			target_wait(&t);
		}
		return 1;
	}

	python_only_options(o, engine);
	profile_init(&p);
	fill_meta(&p, o, &t);
	if (engine == ENGINE_PYTHON) {
		pyrecord_run(o, &t, reader, &p, &stats, &stop_requested);
	} else if (engine == ENGINE_NATIVE) {
		double run_start = clock_us(CLOCK_MONOTONIC);
		if (native_record_run(native, &t, &p, &stats,
				      &stop_requested) < 0)
			ret = 1;
		/* its samples began at the exec, before choose_engine */
		if (native_start > 0)
			p.meta.duration_ns +=
				(int64_t)((run_start - native_start) * 1e3);
	}
	stats.sampling_cpu_us = clock_us(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
	stats.sampling_wall_us = clock_us(CLOCK_MONOTONIC) - wall_start;

	/* a stop signal someone sent to us alone goes on to the child */
	if (t.spawned && stop_requested && stop_from_user && !pipe_closed &&
	    target_alive(&t))
		kill(t.pid, stop_signal);

	/* the recording ran its whole -d, rather than ending with the
	 * program (whose memory goes a moment before it can be waited for) */
	duration_ended = o->duration_s > 0 &&
		p.meta.duration_ns >= (int64_t)(o->duration_s * 1e9);
	if (finish(ctx, &p, &stats) < 0)
		ret = 1;
	profile_release(&p);

	/* SIGPIPE: whoever read scorch's output is gone and scorch ends, so
	 * the program it started ends too (forwarding SIGPIPE would not do:
	 * Python ignores it) */
	if (pipe_closed) {
		if (t.spawned && target_alive(&t)) {
			stop_spawned_target(&t);
			target_wait(&t);
		}
		return ret ? ret : 128 + SIGPIPE;
	}

	/* -d ended the recording of a program we started: end the program
	 * too rather than leave it running unattended */
	if (t.spawned && !stop_requested && duration_ended &&
	    target_alive(&t)) {
		notice("%g s recorded; stopping pid %d, which scorch started",
		       o->duration_s, (int)t.pid);
		stop_spawned_target(&t);
		target_wait(&t);
		return ret;
	}

	if (t.spawned) {
		for (;;) {
			status = target_wait(&t);
			if (status >= 0)
				break;
			/* interrupted while waiting for the program to exit */
			if (stop_from_user && target_alive(&t))
				kill(t.pid, stop_signal);
			if (stop_requested >= 2) {
				status = 128 + stop_signal;
				break;
			}
		}
		return ret ? ret : status;
	}
	return ret;
}

int record_target_args(const char *cmd, struct record_options *o, int pid,
		       int nargs, const char **argv)
{
	if (!!pid == !!nargs) {
		error("%s: give either -p PID or a command after -- (see 'scorch %s --help')",
		      cmd, cmd);
		return 2;
	}
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
	o->pid = pid;
	argv[nargs] = NULL;
	o->argv = nargs ? argv : NULL;
	return 0;
}

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
	summary(out->o, stats, out->path, (double)p->meta.duration_ns / 1e9);
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
		/* perf_event engine options (sample/native_record.h) */
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
