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

/*
 * Checks what record and top share on their command lines: exactly one of
 * -p PID and a command after --, and the rate.  Fills o->pid and o->argv
 * (argv NULL-terminated at nargs).  Returns 0, or 2 (reported, cmd names
 * the subcommand) for a usage error.
 */
int record_target_args(const char *cmd, struct record_options *o, int pid,
		       int nargs, const char **argv);

/*
 * --mode MODE (record, top): cpu, wall (sets o->idle), gil (o->gil) or
 * exception (o->exception).  Returns 0, or -1 (reported, cmd names the
 * subcommand) for an unknown mode.
 */
int record_mode(const char *cmd, const char *mode, struct record_options *o);

/* Returns 0, or -1 (reported) to make the command fail. */
typedef int (*record_finish_fn)(void *ctx, struct profile *p,
				const struct record_stats *stats);

/*
 * Records o->pid, or spawns o->argv (as record_target_args set them).
 * Returns the exit status for the command: the program's status when it
 * was spawned, 1 on failure, 127 when it could not be started.
 */
int record_session(const struct record_options *o, record_finish_fn finish,
		   void *ctx);

#endif
