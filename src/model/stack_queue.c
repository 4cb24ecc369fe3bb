/*
 * stack_queue.c - samples as frame ids, added to a profile in batches by
 * a worker thread (or by the caller).  See stack_queue.h.
 *
 * The caller fills one batch while the worker adds the ones before it;
 * NR_BATCHES batches circulate, so neither side waits unless it is
 * ahead by more than that.  Small inputs never start the thread.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "model/profile.h"
#include "model/stack_queue.h"
#include "util/xalloc.h"

#define NR_BATCHES 4
#define BATCH_SAMPLES 4096
#define BATCH_FRAMES (64 * 1024)

struct queued_sample {
	uint32_t keep, nr_frames, thread;
	int64_t time_ns;
	double value[PROFILE_MAX_VALUES];
};

struct batch {
	struct queued_sample *samples;
	uint32_t *frames;
	size_t nr_samples, nr_frames, alloc_frames;
};

struct stack_queue {
	struct profile *p;
	int nr_values;

	/* worker side: the stack id after each frame of the last sample */
	uint32_t *levels;
	size_t nr_levels, alloc_levels;

	struct batch batch[NR_BATCHES];
	int fill;		/* the batch the caller fills */

	int threaded;		/* the worker runs */
	int may_thread;		/* start it when a batch is full */
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int head, queued;	/* batches handed to the worker, in order */
	int closing;		/* no more batches will come */
};

static void add_batch(struct stack_queue *q, struct batch *b)
{
	struct profile *p = q->p;
	const uint32_t *frames = b->frames;
	size_t i;

	for (i = 0; i < b->nr_samples; i++) {
		const struct queued_sample *s = &b->samples[i];
		size_t keep = s->keep < q->nr_levels ? s->keep : q->nr_levels;
		size_t depth = keep + s->nr_frames;
		uint32_t stack = keep ? q->levels[keep - 1] : 0;

		if (s->nr_frames) {
			grow_array((void **)&q->levels, sizeof(*q->levels),
				   depth, &q->alloc_levels);
			stack = profile_stack_extend(p, stack, frames,
						     s->nr_frames,
						     q->levels + keep);
			frames += s->nr_frames;
		}
		q->nr_levels = depth;
		profile_add(p, stack, s->thread, s->time_ns, s->value);
	}
	b->nr_samples = 0;
	b->nr_frames = 0;
}

static void *worker(void *arg)
{
	struct stack_queue *q = arg;

	pthread_mutex_lock(&q->lock);
	for (;;) {
		struct batch *b;

		while (!q->queued && !q->closing)
			pthread_cond_wait(&q->cond, &q->lock);
		if (!q->queued)
			break;
		b = &q->batch[q->head];
		pthread_mutex_unlock(&q->lock);
		add_batch(q, b);
		pthread_mutex_lock(&q->lock);
		q->head = (q->head + 1) % NR_BATCHES;
		q->queued--;
		pthread_cond_broadcast(&q->cond);
	}
	pthread_mutex_unlock(&q->lock);
	return NULL;
}

/*
 * A second thread pays only with a CPU to itself: on a machine already
 * busy (load average above CPUs - 1) the two halves wait for each other
 * whenever one is descheduled, and a 1M-line render took more wall and
 * more CPU time than on one thread.  SCORCH_THREADS=1 or 2 decides.
 */
static int want_thread(void)
{
	const char *env = getenv("SCORCH_THREADS");
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	double load;

	if (env && *env)
		return atoi(env) > 1;
	if (cpus < 2)
		return 0;
	return getloadavg(&load, 1) == 1 && load <= (double)cpus - 1;
}

struct stack_queue *stack_queue_new(struct profile *p)
{
	struct stack_queue *q = xcalloc(1, sizeof(*q));
	int i;

	q->p = p;
	q->nr_values = p->nr_values;
	for (i = 0; i < NR_BATCHES; i++)
		q->batch[i].samples = xmalloc(BATCH_SAMPLES *
					      sizeof(*q->batch[i].samples));
	q->may_thread = want_thread();
	return q;
}

/* The caller's batch is full (or the input ended): hand it over, and
 * wait for a free one to fill next. */
static void flush(struct stack_queue *q)
{
	struct batch *b = &q->batch[q->fill];

	if (!b->nr_samples)
		return;
	if (!q->threaded && q->may_thread) {
		pthread_mutex_init(&q->lock, NULL);
		pthread_cond_init(&q->cond, NULL);
		q->threaded = !pthread_create(&q->thread, NULL, worker, q);
		if (!q->threaded) {
			pthread_mutex_destroy(&q->lock);
			pthread_cond_destroy(&q->cond);
		}
		q->may_thread = 0;
	}
	if (!q->threaded) {
		add_batch(q, b);
		return;
	}
	pthread_mutex_lock(&q->lock);
	q->queued++;
	pthread_cond_broadcast(&q->cond);
	while (q->queued == NR_BATCHES)
		pthread_cond_wait(&q->cond, &q->lock);
	pthread_mutex_unlock(&q->lock);
	q->fill = (q->fill + 1) % NR_BATCHES;
}

void stack_queue_add(struct stack_queue *q, uint32_t keep,
		     const uint32_t *frames, size_t n, uint32_t thread,
		     int64_t time_ns, const double *values)
{
	struct batch *b = &q->batch[q->fill];
	struct queued_sample *s;

	grow_array((void **)&b->frames, sizeof(*b->frames), b->nr_frames + n,
		   &b->alloc_frames);
	if (n)
		memcpy(b->frames + b->nr_frames, frames, n * sizeof(*frames));
	b->nr_frames += n;
	s = &b->samples[b->nr_samples++];
	s->keep = keep;
	s->nr_frames = (uint32_t)n;
	s->thread = thread;
	s->time_ns = time_ns;
	memset(s->value, 0, sizeof(s->value));
	memcpy(s->value, values, (size_t)q->nr_values * sizeof(*values));
	if (b->nr_samples == BATCH_SAMPLES || b->nr_frames >= BATCH_FRAMES)
		flush(q);
}

void stack_queue_finish(struct stack_queue *q)
{
	int i;

	q->may_thread = 0;
	flush(q);
	if (q->threaded) {
		pthread_mutex_lock(&q->lock);
		q->closing = 1;
		pthread_cond_broadcast(&q->cond);
		pthread_mutex_unlock(&q->lock);
		pthread_join(q->thread, NULL);
		pthread_mutex_destroy(&q->lock);
		pthread_cond_destroy(&q->cond);
	}
	for (i = 0; i < NR_BATCHES; i++) {
		free(q->batch[i].samples);
		free(q->batch[i].frames);
	}
	free(q->levels);
	free(q);
}
