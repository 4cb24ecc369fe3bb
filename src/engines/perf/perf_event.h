/*
 * perf_event.h - the perf_event engine's kernel side: open sampling
 * events on a target (one per thread, inherited by new threads and
 * children), map their ring buffers, and hand each record back decoded
 * (by perf/record.c, the decoder the perf.data reader uses too).
 *
 * Owns: perf_event_open(2) attributes, the ring buffers and their
 * wrap-around copies.  Never symbolises, unwinds or prints: errors come
 * back as a status plus a one-line reason with its fix.
 * Record layouts: ../shared/reference/formats.md section 1.2-1.3.
 */
#ifndef SCORCH_ENGINES_PERF_PERF_EVENT_H
#define SCORCH_ENGINES_PERF_PERF_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "perf/record.h"

struct strbuf;

struct perf_options {
	double rate_hz;		/* samples per second per thread */
	const char *event;	/* NULL = "cpu-clock" */
	int no_kernel;		/* exclude kernel samples and callchains */
	unsigned stack_size;	/* user stack bytes per sample, 0 = none */
	int wakeup_every;	/* wake the reader every this many samples
				   (0: at a 64 KiB watermark) */
	int switches;		/* --idle: also a sample at every switch-out
				   (stack where the thread blocked) and a
				   SWITCH record at every switch-in */
};

enum perf_status {
	PERF_OK = 0,
	PERF_NOT_ALLOWED,	/* paranoid / seccomp / container */
	PERF_NO_EVENT,		/* unknown event or no PMU for it */
	PERF_GONE,		/* the target does not exist */
	PERF_FAILED,		/* anything else */
};

/* Records come to the callback decoded by perf/record.c (struct
 * perf_record); pointers point into the engine's buffers and are valid
 * only during the callback.  A SAMPLE's switch_out is set for --idle's
 * switch-out samples. */
typedef void (*perf_record_fn)(void *ctx, const struct perf_record *r);

struct perf_engine;

/*
 * Opens the events on pid.  With spawn set, pid is a child that has not
 * exec'd yet: one inherited event, enabled at exec.  Otherwise every
 * thread of pid gets an event, all writing into one ring buffer, enabled
 * at once.  On failure *out is NULL and why holds "<why> (<fix>)".
 * When kernel sampling is refused but user-only works, the engine opens
 * user-only and sets *kernel_dropped (why holds the reason).
 * With opts->switches the event must be cpu-clock or task-clock and the
 * scheduler events need kernel sampling: no user-only fallback then.
 */
enum perf_status perf_engine_open(struct perf_engine **out, pid_t pid,
				  int spawn, const struct perf_options *opts,
				  int *kernel_dropped, struct strbuf *why);
void perf_engine_close(struct perf_engine *e);

/* Waits up to timeout_ms for data.  Returns 1 when data may be ready,
 * 0 on timeout, -1 on EINTR. */
int perf_engine_poll(struct perf_engine *e, int timeout_ms);
/* Parses every record available now.  Returns the number handled. */
size_t perf_engine_read(struct perf_engine *e, perf_record_fn fn, void *ctx);

/* Name of the sampled event, e.g. "cpu-clock". */
const char *perf_engine_event_name(const struct perf_engine *e);
/* The sample_type of the engine's events (perf_stack_build). */
uint64_t perf_engine_sample_type(const struct perf_engine *e);
/* Bytes of ring buffer read so far (benchmarks). */
uint64_t perf_engine_bytes(const struct perf_engine *e);

/* The current perf_event_paranoid value, or -100 when unknown. */
int perf_paranoid(void);

/* Stops (on = 0) or resumes sampling on every event. */
void perf_engine_set_enabled(struct perf_engine *e, int on);

#endif
