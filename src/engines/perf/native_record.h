/*
 * native_record.h - the perf_event engine's recorder: native programs
 * (user + kernel frames), and the base the mixed engine (engines/mixed/,
 * --native) builds on by plugging a stack source into each sample.
 *
 * The engine rows (perf_engine.c, engines/mixed/) call prepare before
 * the program runs and run once an engine is chosen; the session owns
 * the target (proc/target.h) and the output.  Never exits; errors are
 * reported once.
 */
#ifndef SCORCH_ENGINES_PERF_NATIVE_RECORD_H
#define SCORCH_ENGINES_PERF_NATIVE_RECORD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "engines/engine.h"

struct profile;
struct target;

/* native_record_prepare() result besides 0 / -1: perf_event is not
 * usable here; a spawned target has not been touched, so the caller can
 * use another engine. */
#define NATIVE_RECORD_UNAVAILABLE 1

/* native_record_prepare() flags */
#define NATIVE_RECORD_READ_PROMPTLY	1	/* wake the loop within a few ms
						   of each sample (a source
						   reads more with each one,
						   while its thread still runs
						   that code) */
#define NATIVE_RECORD_SAY_UNAVAILABLE	2	/* a one-line notice with the fix
						   when perf_event is not usable */

/* The most native frames of one sample a source is handed (user PCs
 * with their inlined frames, then kernel PCs). */
#define NATIVE_RECORD_MAX_FRAMES 2048

struct native_session;

/*
 * Before target_start() for a spawned target (events are opened on the
 * waiting child and enabled at its exec), or any time after
 * target_attach().  Returns 0 with *out set, -1 (reported), or
 * NATIVE_RECORD_UNAVAILABLE.
 */
int native_record_prepare(const struct record_options *opts,
			  struct target *t, unsigned flags,
			  struct native_session **out);
/* Drops a prepared session that will not be used (e.g. a Python target
 * recorded by the Python reader). */
void native_record_discard(struct native_session *s);

/*
 * A second source of frames for each sample, plugged in by an engine
 * built on this one (engines/mixed/ reads the thread's Python stack).
 * Only begin and merge are required.
 */
struct native_stack_source {
	void *ctx;
	/* Nonzero for a symbol whose frames the source replaces (CPython's
	 * eval loop): such frames come to merge marked in is_eval. */
	int (*is_eval_symbol)(const char *name);
	/* Before sampling an attached process: get ready for it now rather
	 * than at its first sample. */
	void (*attach)(void *ctx, pid_t pid);
	/* pid exec'd or is a new process: forget what was known of it. */
	void (*reset)(void *ctx, pid_t pid);
	/* First thing for each sample, while the thread is still close to
	 * where the sample caught it: time_ns is the sample's (perf's
	 * CLOCK_MONOTONIC). */
	void (*begin)(void *ctx, pid_t pid, pid_t tid, uint64_t time_ns);
	/* The same sample's native frames, root first (is_eval marks, perf
	 * trampoline frames dropped; cut: its root was cut off).  Returns
	 * the frames to record (frames itself or the source's own array,
	 * valid until the next call) and sets *n; counts what it marks in
	 * record_stats.unmerged. */
	const uint32_t *(*merge)(void *ctx, const uint32_t *frames,
				 const unsigned char *is_eval, size_t nf,
				 int cut, size_t *n);
	/* counted by the source, printed with SCORCH_NATIVE_STATS=1 */
	unsigned long merged, stale;
};

/*
 * After target_start(): records the session in r->state until the
 * target exits, -d passes, *stop becomes nonzero (stop may be NULL) or
 * the live view says stop (engines/loop.h), with src (NULL = none) at
 * every sample.  Frees the session (r->state becomes NULL).  Adds
 * samples, threads and metadata to the (initialised) profile, counting
 * from the exec of a spawned target; fills stats.  Returns 0 or -1
 * (reported).
 */
int native_record_run(struct engine_run *r, struct profile *p,
		      struct record_stats *stats, volatile sig_atomic_t *stop,
		      struct native_stack_source *src);

#endif
