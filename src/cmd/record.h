/*
 * record.h - one whole recording, shared by `scorch record` and `top`.
 *
 * record_session spawns or attaches (o->argv or o->pid), picks the
 * sampling engine, samples into a profile until the target exits, -d, or
 * a stop signal, hands the profile to finish (record writes its output,
 * top prints its last table), then waits for a program it started.
 */
#ifndef SCORCH_CMD_RECORD_H
#define SCORCH_CMD_RECORD_H

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

#endif
