/*
 * session.c - one whole recording (session.h): the target's life cycle
 * (spawn or attach, stop signals passed on, exit status), the choice of
 * engine from the table (engines/registry.c), the profile's metadata and
 * scorch's measured cost.  Sampling itself is the engine's; what becomes
 * of the profile is the command's (finish).
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engines/engine.h"
#include "model/profile.h"
#include "proc/target.h"
#include "proc/timer.h"
#include "session/progress.h"
#include "session/session.h"
#include "session/signals.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

struct session {
	struct engine_run *runs;	/* one per row of the table */
	unsigned nr;
	struct target target;		/* released when the session ends */
};

static void fill_meta(struct profile *p, const struct record_options *o,
		      const struct target *t)
{
	struct strbuf cmd = { 0 };
	struct timespec ts;
	int i;

	if (o->system_wide) {
		strbuf_addstr(&cmd, "all processes");
	} else if (t->spawned) {
		for (i = 0; o->argv[i]; i++) {
			if (i)
				strbuf_addch(&cmd, ' ');
			strbuf_addstr(&cmd, o->argv[i]);
		}
	} else {
		strbuf_addf(&cmd, "pid %d", (int)t->pid);
	}
	p->meta.command = profile_intern(p, strbuf_str(&cmd));
	p->meta.event = profile_intern(p, o->idle ? "wall" : "cpu");
	p->meta.pid = t->pid;
	p->meta.rate_hz = o->rate_hz;
	p->meta.period = (int64_t)(1e9 / o->rate_hz);
	p->meta.period_type.type = profile_intern(p, o->idle ? "wall" : "cpu");
	p->meta.period_type.unit = profile_intern(p, "nanoseconds");
	clock_gettime(CLOCK_REALTIME, &ts);
	p->meta.start_ns = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	strbuf_release(&cmd);
}

/* Microseconds on clock (CLOCK_MONOTONIC, or CLOCK_PROCESS_CPUTIME_ID:
 * every scorch thread's CPU time, exact to the nanosecond rather than
 * counted in ticks as getrusage's is, so a run of a millisecond is right) */
static double clock_us(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* SIGTERM, then SIGKILL when the program is still there after 2 s. */
static void stop_spawned_target(struct target *t)
{
	int i;

	kill(t->pid, SIGTERM);
	for (i = 0; i < 200 && target_alive(t); i++)
		usleep(10000);
	if (target_alive(t))
		kill(t->pid, SIGKILL);
}

/* Frees what every row but keep (an index, or -1 for all) set up. */
static void discard_engines(struct session *s, int keep)
{
	for (unsigned i = 0; i < s->nr; i++)
		if ((int)i != keep && s->runs[i].state &&
		    engine_table[i]->discard)
			engine_table[i]->discard(&s->runs[i]);
}

/* The first row asked: --engine's (the rows after it stay its
 * fallbacks), else the first. */
static unsigned first_row(const struct record_options *o)
{
	for (unsigned i = 0; o->engine && i < engine_table_size; i++)
		if (engine_table[i] == engine_find(o->engine))
			return i;
	return 0;
}

/* Before the program runs: each row may set up.  0 or -1 (reported). */
static int prepare_engines(struct session *s, const struct record_options *o,
			   struct target *t)
{
	for (unsigned i = 0; i < s->nr; i++) {
		s->runs[i].o = o;
		s->runs[i].t = t;
	}
	for (unsigned i = first_row(o); i < s->nr; i++) {
		if (engine_table[i]->prepare &&
		    engine_table[i]->prepare(&s->runs[i]) < 0) {
			discard_engines(s, -1);
			return -1;
		}
	}
	return 0;
}

/*
 * The one place the engine is chosen: the rows in table order until one
 * takes the target.  Returns its index; -2 when the spawned target exited
 * before any engine could read it (nothing to sample); -1 (reported).
 * Every other row's state is freed.
 */
static int choose_engine(struct session *s, int64_t exec_ns)
{
	struct strbuf why = { 0 };
	int gone = 0, chosen = -1;
	const struct target *t = s->runs[0].t;

	for (unsigned i = first_row(s->runs[0].o); i < s->nr && chosen == -1;
	     i++) {
		struct engine_run *r = &s->runs[i];

		r->target_gone = gone;
		r->exec_ns = exec_ns;
		switch (engine_table[i]->take(r, &why)) {
		case ENGINE_TAKE:
			chosen = (int)i;
			break;
		case ENGINE_PASS:
			break;
		case ENGINE_GONE:
			gone = 1;
			break;
		case ENGINE_FAIL:
			chosen = -3;
			break;
		}
	}
	if (chosen == -1) {
		if (gone && t->spawned)
			chosen = -2;
		else if (gone)
			error("pid %d exited (nothing to record)", (int)t->pid);
		else
			error("%s (no engine records it)", strbuf_str(&why));
	}
	strbuf_release(&why);
	discard_engines(s, chosen);
	return chosen < -2 ? -1 : chosen;
}

/* record_session, with s holding one engine_run per row. */
static int session_run(struct session *s, const struct record_options *opts,
		       record_finish_fn finish, void *ctx)
{
	struct record_stats stats;
	struct record_options o;	/* opts, with the progress line */
	struct progress progress;
	struct target *t = &s->target;
	struct profile p;
	int engine, ret = 0, status = 0, duration_ended;
	/* scorch's cost is measured from the target's start (or attach)
	 * to the end of sampling: the engine's setup is part of it */
	double cpu_start, wall_start;
	int64_t exec_ns = 0;

	memset(&stats, 0, sizeof(stats));
	progress_hook(&progress, opts, &o, &stats);
	session_install_signals();
	if (o.system_wide) {	/* -a: no target (record_session's
				 * target_init), the engine samples all */
		wall_start = clock_us(CLOCK_MONOTONIC);
		cpu_start = clock_us(CLOCK_PROCESS_CPUTIME_ID);
		if (prepare_engines(s, &o, t) < 0)
			return 1;
	} else if (o.pid) {
		if (target_attach(t, o.pid) < 0)
			return 1;
		wall_start = clock_us(CLOCK_MONOTONIC);
		cpu_start = clock_us(CLOCK_PROCESS_CPUTIME_ID);
		if (prepare_engines(s, &o, t) < 0)
			return 1;
	} else {
		if (target_spawn(t, o.argv) < 0)
			return 127;
		/* an engine that must be ready before the first instruction
		 * (perf events with enable_on_exec) sets up on t->pid here */
		if (prepare_engines(s, &o, t) < 0) {
			target_abort(t);
			return 1;
		}
		wall_start = clock_us(CLOCK_MONOTONIC);
		cpu_start = clock_us(CLOCK_PROCESS_CPUTIME_ID);
		if (target_start(t) < 0) {
			discard_engines(s, -1);
			return 127;
		}
		/* events enabled at the exec record from here */
		exec_ns = ticker_now();
	}

	engine = choose_engine(s, exec_ns);
	if (engine >= 0 && engine_table[engine]->check &&
	    engine_table[engine]->check(&s->runs[engine]) < 0) {
		if (engine_table[engine]->discard)
			engine_table[engine]->discard(&s->runs[engine]);
		engine = -1;
	}
	/* the program exited before an engine could read it: its Python
	 * modes cannot be honoured either */
	if (engine == -2 && engine_refuse_python_modes(&o) < 0)
		engine = -1;
	if (engine == -1) {
		if (t->spawned) {
			kill(t->pid, SIGTERM);
			target_wait(t);
		}
		return 1;
	}

	profile_init(&p);
	fill_meta(&p, &o, t);
	if (engine >= 0 &&
	    engine_table[engine]->run(&s->runs[engine], &p, &stats,
				      &session_stop.requested) < 0)
		ret = 1;
	progress_end(&progress);
	/* --native, whichever engine merged: what it could not, said once */
	if (stats.unmerged)
		warning("--native: %lu of %lu samples could not be merged "
			"(marked [unmerged])", stats.unmerged, stats.samples);
	stats.sampling_cpu_us = clock_us(CLOCK_PROCESS_CPUTIME_ID) - cpu_start;
	stats.sampling_wall_us = clock_us(CLOCK_MONOTONIC) - wall_start;

	/* a stop signal someone sent to us alone goes on to the child */
	if (t->spawned && session_stop.requested && session_stop.from_user &&
	    !session_stop.pipe_closed && target_alive(t))
		kill(t->pid, session_stop.signal);

	/* the recording ran its whole -d, rather than ending with the
	 * program (whose memory goes a moment before it can be waited for) */
	duration_ended = o.duration_s > 0 &&
		p.meta.duration_ns >= (int64_t)(o.duration_s * 1e9);
	if (finish(ctx, &p, &stats) < 0)
		ret = 1;
	profile_release(&p);

	/* SIGPIPE: whoever read scorch's output is gone and scorch ends, so
	 * the program it started ends too (forwarding SIGPIPE would not do:
	 * Python ignores it) */
	if (session_stop.pipe_closed) {
		if (t->spawned && target_alive(t)) {
			stop_spawned_target(t);
			target_wait(t);
		}
		return ret ? ret : 128 + SIGPIPE;
	}

	/* -d ended the recording of a program we started: end the program
	 * too rather than leave it running unattended */
	if (t->spawned && !session_stop.requested && duration_ended &&
	    target_alive(t)) {
		notice("%g s recorded; stopping pid %d, which scorch started",
		       o.duration_s, (int)t->pid);
		stop_spawned_target(t);
		target_wait(t);
		return ret;
	}

	if (t->spawned) {
		for (;;) {
			status = target_wait(t);
			if (status >= 0)
				break;
			/* interrupted while waiting for the program to exit */
			if (session_stop.from_user && target_alive(t))
				kill(t->pid, session_stop.signal);
			if (session_stop.requested >= 2) {
				status = 128 + session_stop.signal;
				break;
			}
		}
		/* scorch passes the status on; say it too, or a program
		 * that failed at once looks like a recording that did */
		if (status > 0 && !session_stop.requested) {
			char how[96];

			notice("%s %s", t->argv0,
			       target_exit_text(t, how, sizeof(how)));
		}
		return ret ? ret : status;
	}
	return ret;
}

int record_session(const struct record_options *opts,
		   record_finish_fn finish, void *ctx)
{
	struct session s;
	int ret;

	memset(&s, 0, sizeof(s));
	target_init(&s.target);
	s.nr = engine_table_size;
	s.runs = xcalloc(s.nr, sizeof(*s.runs));
	ret = session_run(&s, opts, finish, ctx);
	target_release(&s.target);
	free(s.runs);
	return ret;
}
