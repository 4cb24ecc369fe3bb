/*
 * mixed_engine.c - the mixed engine's row in the engine table: "mixed"
 * (--native: Python, C and kernel frames in one stack, asked first).  It
 * is the perf_event recorder (engines/perf/native_record.h, its public
 * header, the only one of that folder included here) with the Python
 * reader plugged into each sample (python_source.c).  The events go on
 * the target before a spawned program runs (enabled at its exec).  The
 * state is the native_session.
 */
#include "engines/engine.h"
#include "engines/perf/native_record.h"
#include "engines/mixed/python_source.h"
#include "util/error.h"
#include "util/strbuf.h"

/* --native asked for it: the events go on the target from the start */
static int mixed_prepare(struct engine_run *r)
{
	struct native_session *s = NULL;

	if (!r->o->native)
		return 0;
	if (native_record_prepare(r->o, r->t, NATIVE_RECORD_READ_PROMPTLY |
				  NATIVE_RECORD_SAY_UNAVAILABLE, &s) < 0)
		return -1;
	r->state = s;	/* NULL when perf_event is not available here */
	return 0;
}

/* without events (perf_event_open refused, said once), the Python reader
 * records the target alone */
static enum engine_verdict mixed_take(struct engine_run *r,
				      struct strbuf *why)
{
	(void)why;
	return r->state ? ENGINE_TAKE : ENGINE_PASS;
}

static int mixed_check(struct engine_run *r)
{
	if (engine_refuse_python_modes(r->o) < 0)
		return -1;
	engine_warn_python_options(r->o);
	return 0;
}

static int mixed_run(struct engine_run *r, struct profile *p,
		     struct record_stats *stats, volatile sig_atomic_t *stop)
{
	struct native_stack_source *src =
		python_source_new(p, stats, r->o->no_lines);
	int ret = native_record_run(r, p, stats, stop, src);

	python_source_free(src);
	return ret;
}

static void mixed_discard(struct engine_run *r)
{
	native_record_discard(r->state);
	r->state = NULL;
}

const struct engine mixed_engine = {
	.name = "mixed",
	.summary = "--native: Python and native frames in one stack (perf_event + the Python reader)",
	.prepare = mixed_prepare,
	.take = mixed_take,
	.check = mixed_check,
	.run = mixed_run,
	.discard = mixed_discard,
};
