/*
 * loop.c - when an engine's sampling loop ends and when its live view is
 * due (loop.h).
 */
#include "engines/engine.h"
#include "engines/loop.h"

void engine_loop_start(struct engine_loop *l, const struct record_options *o,
		       volatile sig_atomic_t *stop, int64_t start_ns)
{
	l->o = o;
	l->stop = stop;
	l->start_ns = start_ns;
	l->deadline_ns = o->duration_s > 0 ?
		start_ns + (int64_t)(o->duration_s * 1e9) : 0;
	l->last_view_ns = 0;
	l->last_poll_ns = 0;
}

int engine_loop_view_due(const struct engine_loop *l, int64_t now_ns)
{
	const struct record_options *o = l->o;

	return o->view &&
	       now_ns - l->start_ns - l->last_view_ns >= o->view_every_ns;
}

int engine_loop_done(struct engine_loop *l, const struct profile *p,
		     int64_t now_ns)
{
	const struct record_options *o = l->o;

	if (l->stop && *l->stop)
		return 1;
	if (l->deadline_ns && now_ns >= l->deadline_ns)
		return 1;
	if (engine_loop_view_due(l, now_ns)) {
		l->last_view_ns = now_ns - l->start_ns;
		o->view(o->view_ctx, p, l->last_view_ns);
	}
	if (o->view_poll && now_ns - l->last_poll_ns >= VIEW_POLL_NS) {
		l->last_poll_ns = now_ns;
		if (o->view_poll(o->view_ctx, p, now_ns - l->start_ns))
			return 1;
	}
	return 0;
}

/* a later due time than now_ns shortens *wait_ns to it */
static void due_at(int64_t due_ns, int64_t now_ns, int64_t *wait_ns)
{
	int64_t left = due_ns > now_ns ? due_ns - now_ns : 0;

	if (left < *wait_ns)
		*wait_ns = left;
}

int engine_loop_idle_ms(const struct engine_loop *l, int64_t now_ns,
			int max_ms)
{
	const struct record_options *o = l->o;
	int64_t wait_ns = (int64_t)max_ms * 1000000;

	if (l->deadline_ns)
		due_at(l->deadline_ns, now_ns, &wait_ns);
	if (o->view)
		due_at(l->start_ns + l->last_view_ns + o->view_every_ns,
		       now_ns, &wait_ns);
	if (o->view_poll)
		due_at(l->last_poll_ns + VIEW_POLL_NS, now_ns, &wait_ns);
	/* rounded up: a wait that ends early only makes another pass */
	return (int)((wait_ns + 999999) / 1000000);
}
