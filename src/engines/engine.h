/*
 * engine.h - the table of sampling engines, and what every engine shares:
 * the options of a recording and the counters it reports.
 *
 * An engine samples one target (and, if asked, its children) into a
 * profile: the Python reader (engines/python/), the perf_event engine for
 * native programs (engines/perf/) and the mixed Python + native mode of
 * --native (engines/mixed/: the perf_event recorder with the Python
 * reader plugged in through engines/perf/native_record.h).  Each is one
 * folder and one row of engines/registry.c (the rows are declared in
 * engines/engines.h).  The recording session (session/) starts or
 * attaches the target, asks the rows in table order which one takes it,
 * runs that one, and owns signals, the progress line and the summary;
 * engines never write output, never include each other's internals (only
 * that one public header), and print only their own warnings.  An
 * engine that can show a running process's stacks once (scorch dump)
 * has a dump op: it prints that text report to the stream the session
 * gives it, its one output.
 */
#ifndef SCORCH_ENGINES_ENGINE_H
#define SCORCH_ENGINES_ENGINE_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct profile;
struct strbuf;
struct target;

struct record_options {
	pid_t pid;			/* -p PID: attach; 0 when spawning */
	const char *const *argv;	/* -- CMD ARGS...: spawn; NULL-terminated */
	int system_wide;		/* -a: every process, no target */
	const char *engine;		/* --engine NAME: ask the table from
					   that row on; NULL = every row (-a:
					   "bpf") */
	double rate_hz;			/* -F HZ, default 100 */
	double duration_s;		/* -d SECONDS, 0 = until the target exits */
	int idle;			/* --idle: wall clock, every thread */
	int gil;			/* --gil: only the GIL holder's samples */
	int exception;			/* --mode exception: only samples of
					   threads handling an exception */
	int opcodes;			/* --opcodes: the leaf's instruction
					   as a frame under it (3.11+) */
	int threads;			/* --threads: thread name as root frame */
	int subprocesses;		/* --subprocesses: follow children */
	int native;			/* --native: mixed Python + native stacks */
	int no_lines;			/* --no-lines: aggregate by function */
	int async_tasks;		/* --async: asyncio task await chains */
	int no_kernel;			/* --no-kernel: drop kernel frames */
	int inline_frames;		/* --inline: DWARF inlined frames */
	unsigned stack_size;		/* --stack-size: user stack bytes to copy */
	const char *event;		/* -e EVENT for perf_event, NULL = default */
	int quiet;			/* no progress line */
	/* a live view (scorch top): called about every view_every_ns
	 * while sampling, with the profile so far; NULL = none */
	void (*view)(void *ctx, const struct profile *p, int64_t elapsed_ns);
	void *view_ctx;
	int64_t view_every_ns;
	/* the live view's keyboard: called about every VIEW_POLL_NS while
	 * sampling, with the same ctx; nonzero ends the recording as Ctrl-C
	 * would.  NULL = none */
	int (*view_poll)(void *ctx, const struct profile *p, int64_t elapsed_ns);
};

#define VIEW_POLL_NS 50000000

/* Which threads scorch dump shows (--mode). */
enum dump_mode {
	DUMP_WALL,		/* every thread (the default) */
	DUMP_CPU,		/* on a CPU now */
	DUMP_GIL,		/* the GIL holder */
	DUMP_EXCEPTION,		/* handling an exception */
};

struct dump_options {
	pid_t pid;			/* -p PID */
	enum dump_mode mode;
	const char *mode_name;		/* --mode as given, NULL = none */
	int no_source;			/* --no-source: no source lines */
	int async_tasks;		/* --async: asyncio task trees */
	int opcodes;			/* --opcodes: the leaf's instruction */
};

/* Why a sample was dropped: record_stats.errors by kind, so the summary
 * can say what the errors were (engines/stats.c names them). */
enum record_error {
	RECORD_ERROR_THREAD_LIST,	/* Python: thread list changed while read */
	RECORD_ERROR_STACK,		/* Python: a stack changed or went away
					   while read */
	RECORD_ERROR_NO_FRAMES,		/* perf_event: nothing to unwind */
	RECORD_ERROR_MIXED_PYTHON,	/* --native: Python stack unreadable */
	RECORD_ERROR_KINDS
};

/* Counters every engine reports at the end ("samples", "errors", ...). */
struct record_stats {
	unsigned long samples;		/* samples added to the profile */
	unsigned long late;		/* ticks missed because we were late */
	unsigned long errors;		/* torn/failed reads, dropped samples */
	unsigned long error_kinds[RECORD_ERROR_KINDS];	/* errors by kind */
	unsigned long lost;		/* perf ring-buffer losses */
	unsigned long unmerged;		/* --native: Python/native mismatch */
	double sampling_cpu_us;		/* scorch's CPU time while recording
					   (from the target's start or attach
					   to the end of sampling) */
	double sampling_wall_us;	/* ... and the wall time it took */
};

/* Appends what the errors were: "no errors", "1 error (1 stack changed or
 * gone while read)", "3 errors (2 ..., 1 ...)" (record_stats.c). */
void record_stats_describe_errors(const struct record_stats *s,
				  struct strbuf *sb);

/* Counts one dropped sample of a kind. */
static inline void record_stats_error(struct record_stats *s,
				      enum record_error kind)
{
	s->errors++;
	s->error_kinds[kind]++;
}

/* One recording as an engine sees it. */
struct engine_run {
	const struct record_options *o;
	struct target *t;
	void *state;		/* the engine's own, from prepare or take */
	int target_gone;	/* an earlier row saw the target exit before
				   it could be read */
	int64_t exec_ns;	/* CLOCK_MONOTONIC (proc/timer.h) when a
				   spawned target exec'd; 0 when attached */
};

/* What take says. */
enum engine_verdict {
	ENGINE_FAIL = -1,	/* reported: the recording does not start */
	ENGINE_TAKE,		/* this engine records the target */
	ENGINE_PASS,		/* not this engine's target: ask the next row */
	ENGINE_GONE,		/* the target exited before it could be read */
};

struct engine {
	const char *name;
	const char *summary;	/* one line: what it records */
	/*
	 * Optional.  Before the program runs (a spawned target: between
	 * target_spawn and target_start, so it can be ready from the first
	 * instruction) or right after target_attach.  Returns 0, with
	 * r->state set or left NULL (not available here), or -1 (reported).
	 */
	int (*prepare)(struct engine_run *r);
	/*
	 * Once the program runs, row after row until one takes it.  A row
	 * that passes leaves in why what it saw ("pid 12 is not a Python
	 * program"), for the next row's message.
	 */
	enum engine_verdict (*take)(struct engine_run *r, struct strbuf *why);
	/* Optional.  After take: -1 (reported) when the engine cannot do
	 * what the options ask; may warn about options it ignores. */
	int (*check)(struct engine_run *r);
	/*
	 * Samples until the target and the children it follows are gone,
	 * o->duration_s passes, *stop becomes nonzero or o->view_poll says
	 * stop; calls o->view as it goes.  Fills stats and
	 * p->meta.duration_ns.  Frees r->state.  Returns 0, or -1 (reported;
	 * the profile so far is still kept).
	 */
	int (*run)(struct engine_run *r, struct profile *p,
		   struct record_stats *stats, volatile sig_atomic_t *stop);
	/* Frees r->state of a row that prepared or took but will not run. */
	void (*discard)(struct engine_run *r);
	/*
	 * Optional (scorch dump).  Prints every thread's current stack of
	 * o->pid to out, once, without stopping it, and returns ENGINE_TAKE
	 * with *status the command's exit status; or ENGINE_PASS, saying in
	 * why what it saw, when o->pid is not this engine's; or ENGINE_FAIL
	 * (reported).
	 */
	enum engine_verdict (*dump)(const struct dump_options *o, FILE *out,
				    struct strbuf *why, int *status);
};

/* The rows in the order they are asked (engines/registry.c). */
extern const struct engine *const engine_table[];
extern const unsigned engine_table_size;

/* The row called name, or NULL. */
const struct engine *engine_find(const char *name);

/*
 * For engines that do not read Python stacks themselves: -1 (reported)
 * for the Python reader's modes (--mode exception, --opcodes), else
 * warnings for its options that would do nothing (--gil, --async) and 0.
 */
int engine_refuse_python_modes(const struct record_options *o);
void engine_warn_python_options(const struct record_options *o);

#endif
