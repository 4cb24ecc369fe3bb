/*
 * exec_watch.h - has a process we started settled into its final program?
 *
 * `scorch record -- chroot ROOT python3 app.py` starts chroot, which execs
 * Python under the same pid (so do env, nice, unshare, nsenter, sudo, a
 * shell's exec...).  Whether the target is a native program or Python can
 * only be decided once it stops exec'ing.  Without ptrace, that is
 * watched from outside: the executable behind /proc/PID/exe (device and
 * inode) and the CPU time the process has used since it last changed.
 */
#ifndef SCORCH_PROC_EXEC_WATCH_H
#define SCORCH_PROC_EXEC_WATCH_H

#include <stdint.h>
#include <sys/types.h>

/* A program whose executable stays the same while it uses this much CPU,
 * or for this long, is taken to be the final one.  Wrappers exec after
 * well under a millisecond of CPU. */
#define EXEC_SETTLE_CPU_NS 20000000LL
#define EXEC_SETTLE_WALL_NS 500000000LL

struct exec_watch {
	int seen;
	dev_t dev;
	ino_t ino;
	int64_t since_ns;	/* when this executable was first seen */
	int64_t cpu_at_since;	/* the process's CPU time then (ns) */
	int changes;		/* execs seen so far */
};

/* Nonzero for the base name of a program known to exec another one
 * under its own pid (env, chroot, nice, unshare, nsenter, sudo, sh...):
 * never the final program while it runs. */
int exec_wrapper_name(const char *base);

/*
 * One look at pid at time now_ns (CLOCK_MONOTONIC): 1 when it runs the
 * same executable as at the previous looks, that executable is not a
 * known wrapper, and it has used EXEC_SETTLE_CPU_NS of CPU or run
 * EXEC_SETTLE_WALL_NS since it was first seen; 0 otherwise (it may still
 * exec, or is gone).  Start with a zeroed watch.
 */
int exec_watch_settled(struct exec_watch *w, pid_t pid, int64_t now_ns);

#endif
