/*
 * timer.h - a fixed-rate ticker on absolute CLOCK_MONOTONIC deadlines.
 *
 * Deadlines are start + k * period, so sleeping late never drifts the
 * rate; ticks that pass while we were late are skipped and counted in
 * late, never bunched up.  No signals, no threads.
 */
#ifndef SCORCH_PROC_TIMER_H
#define SCORCH_PROC_TIMER_H

#include <stdint.h>

struct ticker {
	int64_t start_ns;	/* CLOCK_MONOTONIC at ticker_start */
	int64_t period_ns;
	int64_t next_ns;	/* deadline of the next tick */
	unsigned long ticks;	/* ticks delivered */
	unsigned long late;	/* ticks skipped because we were late */
};

/* Monotonic clock in nanoseconds. */
int64_t ticker_now(void);
void ticker_start(struct ticker *t, double hz);
/* Sleeps until the next deadline.  Returns 0 at a tick, -1 when a signal
 * interrupted the sleep (the deadline stays pending). */
int ticker_wait(struct ticker *t);

#endif
