/*
 * offcpu.h - off-CPU time for `record --idle` (the perf_event and BPF
 * engines): turns "thread T blocked in stack S at time t0" (a switch-out
 * sample) and
 * "thread T ran again at t1" (a SWITCH record) into wall-clock samples of
 * S, one per point of the sampling grid (every 1/rate s) in [t0, t1).
 *
 * Owns the pairing of switch-outs with switch-ins, which come from
 * different CPUs' ring buffers and so out of order: events are kept for
 * one read pass, sorted by thread and time, then paired.  Adds samples
 * to the profile; never reads the target or prints.
 */
#ifndef SCORCH_ENGINES_OFFCPU_H
#define SCORCH_ENGINES_OFFCPU_H

#include <stdint.h>
#include <sys/types.h>

struct profile;
struct offcpu;

/* Samples go to p at rate_hz; *samples counts the ones added, *marked
 * (may be NULL) those of switch-outs flagged marked (--native: the
 * [unmerged] stacks, counted in samples as the warning says). */
struct offcpu *offcpu_new(struct profile *p, double rate_hz,
			  unsigned long *samples, unsigned long *marked);
void offcpu_free(struct offcpu *o);

/* Thread tid switched out at time (ns, the perf clock) in stack, of
 * profile thread; the samples get an "[idle]" leaf. */
void offcpu_switched_out(struct offcpu *o, pid_t tid, uint64_t time,
			 uint32_t stack, uint32_t thread, int marked);
/* Thread tid is on a CPU again (or exited) at time. */
void offcpu_switched_in(struct offcpu *o, pid_t tid, uint64_t time);

/*
 * After each complete read of every ring buffer: pairs the events read,
 * charges finished off-CPU intervals, and charges the threads still off
 * CPU up to now (taken before the read, so every switch-in older than now
 * was in the rings).  At the end, now is the end of the recording.
 */
void offcpu_flush(struct offcpu *o, uint64_t now);

#endif
