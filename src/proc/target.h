/*
 * target.h - the process being profiled: spawned by us or attached to.
 *
 * Spawning is two steps so an engine can prepare before the program runs:
 * target_spawn forks a child that blocks on a pipe; the caller may then
 * set things up on t->pid (e.g. open perf events with enable_on_exec);
 * target_start lets the child exec and returns once exec has succeeded or
 * failed.  The target is never ptrace-stopped.  A spawned target is
 * killed by the kernel when scorch ends (PR_SET_PDEATHSIG), so it never
 * outlives scorch, even a SIGKILLed one.  Nothing here prints except
 * the one error line of a failed spawn/exec/attach.
 */
#ifndef SCORCH_PROC_TARGET_H
#define SCORCH_PROC_TARGET_H

#include <stddef.h>
#include <sys/types.h>

struct target {
	pid_t pid;
	int spawned;		/* we forked it (and must reap it) */
	int go_fd;		/* write end of the go pipe, -1 after start */
	int exec_fd;		/* read end of the exec-error pipe */
	int exited;		/* reaped (spawned) or vanished (attached) */
	int status;		/* wait status once exited (spawned only) */
	int stat_fd;		/* attached: /proc/PID/stat kept open, or -1 */
	const char *argv0;	/* the command, for messages */
};

/* No process yet, no descriptor open (what spawn and attach start from;
 * -a records with no target at all). */
void target_init(struct target *t);
/* Forks a child for argv[0] (PATH searched) that waits for target_start.
 * Returns 0 or -1 (reported). */
int target_spawn(struct target *t, const char *const *argv);
/* Lets the spawned child exec.  Returns 0 once it runs the new program,
 * or -1 (reported, child reaped) when exec failed. */
int target_start(struct target *t);
/* Abandons a spawned child before target_start (it exits, is reaped). */
void target_abort(struct target *t);
/* Refers to an existing process.  Returns 0 or -1 (reported). */
int target_attach(struct target *t, pid_t pid);
/* Closes what target_attach opened; the process is left alone. */
void target_release(struct target *t);

/* Nonzero while the target runs.  Reaps a spawned child without
 * blocking; an attached zombie counts as exited. */
int target_alive(struct target *t);
/* Blocks until a spawned child exits; returns its exit code. */
int target_wait(struct target *t);
/* Exit code of an exited spawned child: its status, or 128 + signal. */
int target_exit_code(const struct target *t);
/* How an exited spawned child ended, into buf: "exited with status 3",
 * "was killed by signal 11 (Segmentation fault)". */
const char *target_exit_text(const struct target *t, char *buf, size_t n);

#endif
