/*
 * record_options.h - what `scorch record` (and `top`/`dump`) asked for,
 * shared by the sampling engines: the Python reader (src/python/) and the
 * perf_event engine (src/sample/perf_*).  cmd/record.c fills it from the
 * command line; engines only read it.
 */
#ifndef SCORCH_SAMPLE_RECORD_OPTIONS_H
#define SCORCH_SAMPLE_RECORD_OPTIONS_H

#include <stdint.h>
#include <sys/types.h>

struct profile;

struct record_options {
	pid_t pid;			/* -p PID: attach; 0 when spawning */
	const char *const *argv;	/* -- CMD ARGS...: spawn; NULL-terminated */
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

/* Why a sample was dropped: record_stats.errors by kind, so the summary
 * can say what the errors were (cmd/record.c names them). */
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

struct strbuf;
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

#endif
