/*
 * session.h - one whole recording, shared by `scorch record` and `top`.
 *
 * record_session spawns or attaches (o->argv or o->pid), lets the engine
 * table (engines/engine.h) choose the engine, samples into a profile until
 * the target exits, -d, or a stop signal, hands the profile to finish
 * (record writes its output, top prints its last table), then waits for
 * a program it started.  It owns the signals, the progress line and the
 * summary; the commands own their options and what they do with the
 * profile.
 */
#ifndef SCORCH_SESSION_SESSION_H
#define SCORCH_SESSION_SESSION_H

struct profile;
struct record_options;
struct record_stats;

/* Returns 0, or -1 (reported) to make the command fail. */
typedef int (*record_finish_fn)(void *ctx, struct profile *p,
				const struct record_stats *stats);

/*
 * Records o->pid, or spawns o->argv (as record_args_check set them).
 * Returns the exit status for the command: the program's status when it
 * was spawned, 1 on failure, 127 when it could not be started.
 */
int record_session(const struct record_options *o, record_finish_fn finish,
		   void *ctx);

/* The one-line summary of a recording written to output (nothing with
 * o->quiet): samples, time, late ticks, errors by kind, scorch's cost. */
void record_summary(const struct record_options *o,
		    const struct record_stats *s, const char *output,
		    double seconds);

#endif
