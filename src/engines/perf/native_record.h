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

/*
 * All in one: prepare, target_start() when t comes straight from
 * target_spawn(), run.  Returns 0, -1 or NATIVE_RECORD_UNAVAILABLE.
 */
int native_record(const struct record_options *opts, struct target *t,
		  struct profile *p, struct record_stats *stats);

/* Nonzero when the running target is clearly not a Python program (its
 * executable has no CPython runtime, no libpython is mapped, and it is
 * not a launcher such as env or sh that may still exec Python), so the
 * perf_event engine can take it without waiting for a runtime. */
int native_record_is_native_target(pid_t pid);

/* Asks a running native_record() to finish (async-signal-safe). */
void native_record_stop(void);

/* Nonzero when perf_event_open is expected to work for this user (for
 * choosing the engine); why gets "<reason> (<fix>)" otherwise. */
struct strbuf;
int native_record_available(struct strbuf *why);

#endif
