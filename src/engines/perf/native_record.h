/*
 * native_record.h - `scorch record` with the perf_event engine: native
 * programs (user + kernel frames) and, with --native, Python programs
 * with mixed Python + C stacks.
 *
 * record.c calls native_record() for native targets and for --native.
 * It owns the target (target.h); native_record() only reads options and
 * fills the caller's profile.  Never exits; errors are reported once.
 */
#ifndef SCORCH_SAMPLE_NATIVE_RECORD_H
#define SCORCH_SAMPLE_NATIVE_RECORD_H

#include <signal.h>

#include "engines/engine.h"

struct profile;
struct target;

/* native_record_prepare() result besides 0 / -1: perf_event is not
 * usable here (a one-line notice with the fix was printed); a spawned
 * target has not been touched, so the caller can use another engine. */
#define NATIVE_RECORD_UNAVAILABLE 1

struct native_session;

/*
 * Step 1, before target_start() for a spawned target (events are opened
 * on the waiting child and enabled at its exec), or any time after
 * target_attach().  Returns 0 with *out set, -1 (reported), or
 * NATIVE_RECORD_UNAVAILABLE (a one-line notice with the fix is printed
 * when opts->native asked for this engine).
 */
int native_record_prepare(const struct record_options *opts,
			  struct target *t, struct native_session **out);
/* Drops a prepared session that will not be used (e.g. a Python target
 * recorded by the Python reader). */
void native_record_discard(struct native_session *s);
/*
 * Step 2, after target_start(): records until the target exits,
 * opts->duration_s passes or *stop becomes nonzero (stop may be NULL).
 * Frees the session.  Adds samples, threads and metadata to the
 * (initialised) profile; fills stats.  Returns 0 or -1 (reported).
 */
int native_record_run(struct native_session *s, struct target *t,
		      struct profile *p, struct record_stats *stats,
		      volatile sig_atomic_t *stop);

#endif
