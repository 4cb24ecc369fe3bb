/*
 * loop.h - the plumbing every engine's sampling loop shares: when the
 * recording ends (a stop signal, -d, the live view's keyboard) and when
 * the live view (scorch top, the session's progress line) is due.
 * Engines call engine_loop_done once per pass of their loop; what a pass
 * samples is theirs.  Never prints.
 */
#ifndef SCORCH_ENGINES_LOOP_H
#define SCORCH_ENGINES_LOOP_H

#include <signal.h>
#include <stdint.h>

struct profile;
struct record_options;

struct engine_loop {
	const struct record_options *o;
	volatile sig_atomic_t *stop;	/* may be NULL */
	int64_t start_ns;		/* CLOCK_MONOTONIC (proc/timer.h) */
	int64_t deadline_ns;		/* start + -d, 0 = none */
	int64_t last_view_ns;		/* since start */
	int64_t last_poll_ns;		/* absolute */
};

/* The recording starts at start_ns. */
void engine_loop_start(struct engine_loop *l, const struct record_options *o,
		       volatile sig_atomic_t *stop, int64_t start_ns);

/*
 * One pass at now_ns: nonzero when the recording should end (*stop set,
 * -d passed, or o->view_poll said so); else calls o->view when due and
 * returns 0.
 */
int engine_loop_done(struct engine_loop *l, const struct profile *p,
		     int64_t now_ns);

/* Nonzero when engine_loop_done at now_ns would show the live view:
 * for an engine that brings the profile up to date first. */
int engine_loop_view_due(const struct engine_loop *l, int64_t now_ns);
/* Milliseconds from now_ns until the loop has something to do (-d
 * ends, the view or its keyboard is due), at most max_ms; for an
 * engine that waits on its own events between passes. */
int engine_loop_idle_ms(const struct engine_loop *l, int64_t now_ns,
			int max_ms);

#endif
