/*
 * perf_engine.c - the perf_event engine's row in the engine table:
 * "native" (programs that are not Python, asked last).  It is
 * native_record.c without a stack source (engines/mixed/ is the same
 * recorder with the Python reader plugged in); the events are opened
 * before a spawned program runs (enabled at its exec), so its samples
 * count from there.  The state is the native_session.
 */
#include "engines/engine.h"
#include "proc/target.h"
#include "engines/perf/native_record.h"
#include "util/error.h"
#include "util/strbuf.h"

static int perf_prepare(struct engine_run *r)
{
	struct native_session *s = NULL;

	if (native_record_prepare(r->o, r->t, 0, &s) < 0)
		return -1;
	r->state = s;	/* NULL when perf_event is not available here */
	return 0;
}

static int perf_run(struct engine_run *r, struct profile *p,
		    struct record_stats *stats, volatile sig_atomic_t *stop)
{
	return native_record_run(r, p, stats, stop, NULL);
}

static int perf_check(struct engine_run *r)
{
	if (engine_refuse_python_modes(r->o) < 0)
		return -1;
	engine_warn_python_options(r->o);
	return 0;
}

static void perf_discard(struct engine_run *r)
{
	native_record_discard(r->state);
	r->state = NULL;
}

/* a program scorch starts may turn out not to be Python: be ready to
 * record it from its exec (an attached one is prepared in native_take) */
static int native_prepare(struct engine_run *r)
{
	return r->t->spawned && !r->o->native ? perf_prepare(r) : 0;
}

static enum engine_verdict native_take(struct engine_run *r,
				       struct strbuf *why)
{
	/* exited before the Python reader could tell: what perf recorded
	 * from its exec is the recording */
	if (r->target_gone)
		return r->t->spawned && r->state ? ENGINE_TAKE : ENGINE_PASS;
	if (!r->state && !r->t->spawned && perf_prepare(r) < 0)
		return ENGINE_FAIL;
	if (r->state)
		return ENGINE_TAKE;
	if (r->o->idle)	/* its scheduler events sample the kernel */
		error("%s (native programs with --idle need perf_event_open with kernel sampling: run as root or set kernel.perf_event_paranoid <= 1)",
		      strbuf_str(why));
	else
		error("%s (native programs need perf_event_open: run as root or set kernel.perf_event_paranoid <= 2)",
		      strbuf_str(why));
	return ENGINE_FAIL;
}

const struct engine native_engine = {
	.name = "native",
	.summary = "programs that are not Python: user and kernel stacks (perf_event + DWARF unwinding)",
	.prepare = native_prepare,
	.take = native_take,
	.check = perf_check,
	.run = perf_run,
	.discard = perf_discard,
};
