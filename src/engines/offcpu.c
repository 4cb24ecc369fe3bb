/*
 * offcpu.c - off-CPU time for `record --idle`, shared by the perf_event
 * engine (engines/perf/) and the BPF engine (engines/bpf/) (see offcpu.h).
 *
 * Why this design: on-CPU time is sampled by the clock event at the
 * sampling rate; a blocked thread gets no clock sample, so its wait is
 * charged from the scheduler's two sides of the gap.  A sample taken as
 * it switches out gives the stack it blocked in (kernel frames down to
 * schedule(), then the user stack); the SWITCH record written as it
 * switches in gives the end.  The interval [out, in) is charged one
 * sample per multiple of the sampling period inside it, as a wall-clock
 * sampler ticking at that rate would have: the totals stay unbiased and
 * every sample has a true timestamp.  Preemption (runnable, waiting for a
 * CPU) is off-CPU time too, as it is for the Python reader's "[idle]".
 */
#include <stdlib.h>
#include <string.h>

#include "model/profile.h"
#include "engines/offcpu.h"
#include "util/xalloc.h"

enum { EVENT_IN, EVENT_OUT };

struct offcpu_event {
	pid_t tid;
	int kind;
	uint64_t time;
	uint32_t stack, thread;
	int marked;
	size_t seq;			/* arrival order, for a stable sort */
};

/* A thread that is off CPU: where, and charged up to when. */
struct offcpu_thread {
	pid_t tid;
	int off;
	uint64_t from;
	uint32_t stack, thread;
	int marked;
};

struct offcpu {
	struct profile *p;
	uint64_t period;
	unsigned long *samples, *marked;
	uint32_t idle_frame;
	struct offcpu_event *events;
	size_t nr_events, alloc_events;
	struct offcpu_thread *threads;	/* sorted by tid */
	size_t nr_threads, alloc_threads;
};

struct offcpu *offcpu_new(struct profile *p, double rate_hz,
			  unsigned long *samples, unsigned long *marked)
{
	struct offcpu *o = xcalloc(1, sizeof(*o));

	o->p = p;
	o->period = (uint64_t)(1e9 / (rate_hz > 0 ? rate_hz : 100));
	if (!o->period)
		o->period = 1;
	o->samples = samples;
	o->marked = marked;
	o->idle_frame = profile_frame_named(p, "[idle]", 6, FRAME_MARKER);
	return o;
}

void offcpu_free(struct offcpu *o)
{
	if (!o)
		return;
	free(o->events);
	free(o->threads);
	free(o);
}

static void add_event(struct offcpu *o, pid_t tid, int kind, uint64_t time,
		      uint32_t stack, uint32_t thread, int marked)
{
	struct offcpu_event *e;

	grow_array((void **)&o->events, sizeof(*o->events), o->nr_events + 1,
		   &o->alloc_events);
	e = &o->events[o->nr_events];
	e->tid = tid;
	e->kind = kind;
	e->time = time;
	e->stack = stack;
	e->thread = thread;
	e->marked = marked;
	e->seq = o->nr_events++;
}

void offcpu_switched_out(struct offcpu *o, pid_t tid, uint64_t time,
			 uint32_t stack, uint32_t thread, int marked)
{
	add_event(o, tid, EVENT_OUT, time,
		  profile_stack_push(o->p, stack, o->idle_frame), thread,
		  marked);
}

void offcpu_switched_in(struct offcpu *o, pid_t tid, uint64_t time)
{
	add_event(o, tid, EVENT_IN, time, 0, 0, 0);
}

static int event_order(const void *a, const void *b)
{
	const struct offcpu_event *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* The thread's state, added (not off CPU) when new. */
static struct offcpu_thread *thread_state(struct offcpu *o, pid_t tid)
{
	size_t lo = 0, hi = o->nr_threads;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (o->threads[mid].tid == tid)
			return &o->threads[mid];
		if (o->threads[mid].tid < tid)
			lo = mid + 1;
		else
			hi = mid;
	}
	grow_array((void **)&o->threads, sizeof(*o->threads),
		   o->nr_threads + 1, &o->alloc_threads);
	memmove(&o->threads[lo + 1], &o->threads[lo],
		(o->nr_threads - lo) * sizeof(*o->threads));
	o->nr_threads++;
	memset(&o->threads[lo], 0, sizeof(*o->threads));
	o->threads[lo].tid = tid;
	return &o->threads[lo];
}

/* One sample per multiple of the period in [t->from, to). */
static void charge(struct offcpu *o, struct offcpu_thread *t, uint64_t to)
{
	uint64_t tick;

	if (to <= t->from)
		return;
	tick = (t->from + o->period - 1) / o->period * o->period;
	for (; tick < to; tick += o->period) {
		profile_add1(o->p, t->stack, t->thread, (int64_t)tick, 1.0);
		(*o->samples)++;
		if (t->marked && o->marked)
			(*o->marked)++;
	}
	t->from = to;
}

void offcpu_flush(struct offcpu *o, uint64_t now)
{
	if (o->nr_events)	/* events is NULL until the first one */
		qsort(o->events, o->nr_events, sizeof(*o->events),
		      event_order);
	for (size_t i = 0; i < o->nr_events; i++) {
		const struct offcpu_event *e = &o->events[i];
		struct offcpu_thread *t = thread_state(o, e->tid);

		/* time already charged is never charged again: an event
		 * written as a pass began can come a pass late */
		if (e->time < t->from) {
			if (e->kind == EVENT_IN)
				t->off = 0;
			continue;
		}
		if (e->kind == EVENT_OUT) {
			t->off = 1;
			t->from = e->time;
			t->stack = e->stack;
			t->thread = e->thread;
			t->marked = e->marked;
		} else if (t->off) {
			charge(o, t, e->time);
			t->off = 0;
		}
		/* a switch-in with no switch-out before it: the thread was
		 * off CPU when recording began, where we cannot know */
	}
	o->nr_events = 0;
	for (size_t i = 0; i < o->nr_threads; i++)
		if (o->threads[i].off)
			charge(o, &o->threads[i], now);
}
