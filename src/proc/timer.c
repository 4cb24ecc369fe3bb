/*
 * timer.c - absolute-deadline ticker (clock_nanosleep TIMER_ABSTIME).
 *
 * The kernel may wake a sleeper up to its timer slack late (50 us by
 * default), which alone would cap the rate near 20 kHz and make every
 * tick late by a random amount: the ticker asks for a 1 ns slack.  A
 * deadline that has already passed costs no system call.
 */
#include <errno.h>
#include <sys/prctl.h>
#include <time.h>

#include "proc/timer.h"

int64_t ticker_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

void ticker_start(struct ticker *t, double hz)
{
	if (hz <= 0)
		hz = 100;
	t->period_ns = (int64_t)(1e9 / hz);
	if (t->period_ns < 1000)
		t->period_ns = 1000;
	prctl(PR_SET_TIMERSLACK, 1UL, 0UL, 0UL, 0UL);
	t->start_ns = ticker_now();
	t->next_ns = t->start_ns + t->period_ns;
	t->ticks = 0;
	t->late = 0;
}

int ticker_wait(struct ticker *t)
{
	struct timespec ts;
	int64_t now;
	int r;

	now = ticker_now();
	if (now < t->next_ns) {
		ts.tv_sec = t->next_ns / 1000000000;
		ts.tv_nsec = t->next_ns % 1000000000;
		r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (r == EINTR)
			return -1;
		now = ticker_now();
	}
	t->ticks++;
	t->next_ns += t->period_ns;
	if (now >= t->next_ns) {
		/* we overslept past later deadlines: skip them, count them */
		int64_t missed = (now - t->next_ns) / t->period_ns + 1;

		t->late += (unsigned long)missed;
		t->next_ns += missed * t->period_ns;
	}
	return 0;
}
