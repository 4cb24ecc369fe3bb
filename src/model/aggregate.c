/*
 * aggregate.c - per-key self/total sums over a profile (aggregate.h).
 *
 * Frame keys are computed once per frame id and cached for the profile
 * being added; totals avoid double counting recursion with a per-key
 * stamp.  Never modifies the profile.
 */
#include <stdlib.h>
#include <string.h>

#include "model/aggregate.h"
#include "model/profile.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

void aggregate_init(struct aggregate *a, enum aggregate_by by)
{
	memset(a, 0, sizeof(*a));
	a->by = by;
	strtab_init(&a->keys);
}

void aggregate_release(struct aggregate *a)
{
	strtab_release(&a->keys);
	free(a->self);
	free(a->total);
	free(a->frame);
	free(a->stamp);
	memset(a, 0, sizeof(*a));
}

/* Indexed by enum aggregate_by. */
static const char *const by_names[] = {
	"function", "line", "file", "module", "thread", "name",
};
static const char *const by_headings[] = {
	"Function", "Line", "File", "Module", "Thread", "Name",
};

int aggregate_by_parse(const char *name)
{
	int i;

	for (i = 0; i < (int)(sizeof(by_names) / sizeof(by_names[0])); i++)
		if (!strcmp(name, by_names[i]))
			return i;
	return -1;
}

const char *aggregate_by_name(enum aggregate_by by)
{
	return by_names[by];
}

const char *aggregate_by_heading(enum aggregate_by by)
{
	return by_headings[by];
}

void aggregate_label(const struct profile *p, enum aggregate_by by,
		     uint32_t frame, uint32_t thread, struct strbuf *out)
{
	const struct frame *f = &p->frames[frame];

	switch (by) {
	case AGGREGATE_FUNCTION:
		strbuf_addstr(out, profile_str(p, f->name));
		if (f->file) {
			strbuf_addstr(out, " (");
			strbuf_addstr(out, profile_str(p, f->file));
			strbuf_addch(out, ')');
		}
		break;
	case AGGREGATE_LINE:
		profile_frame_label(p, frame, out);
		break;
	case AGGREGATE_NAME:
		strbuf_addstr(out, profile_str(p, f->name));
		break;
	case AGGREGATE_FILE:
		strbuf_addstr(out, f->file ? profile_str(p, f->file) :
			      f->module ? profile_str(p, f->module) : "[unknown]");
		break;
	case AGGREGATE_MODULE:
		strbuf_addstr(out, f->module ? profile_str(p, f->module) :
			      "[unknown]");
		break;
	case AGGREGATE_THREAD: {
		const struct thread_info *t = &p->threads[thread];

		if (!thread)
			strbuf_addstr(out, "[all threads]");
		else
			strbuf_addf(out, "%s-%lld",
				    t->name ? profile_str(p, t->name) : "thread",
				    (long long)t->tid);
		break;
	}
	}
}

static uint32_t intern_key(struct aggregate *a, const char *s, size_t len)
{
	uint32_t id = strtab_intern(&a->keys, s, len);

	if (id >= a->alloc) {
		uint32_t old = a->alloc, n = old ? old : 64;

		while (n <= id)
			n *= 2;
		a->self = xrealloc(a->self, n * sizeof(*a->self));
		a->total = xrealloc(a->total, n * sizeof(*a->total));
		a->frame = xrealloc(a->frame, n * sizeof(*a->frame));
		a->stamp = xrealloc(a->stamp, n * sizeof(*a->stamp));
		memset(a->self + old, 0, (n - old) * sizeof(*a->self));
		memset(a->total + old, 0, (n - old) * sizeof(*a->total));
		memset(a->frame + old, 0, (n - old) * sizeof(*a->frame));
		memset(a->stamp + old, 0, (n - old) * sizeof(*a->stamp));
		a->alloc = n;
	}
	return id;
}

void aggregate_add(struct aggregate *a, const struct profile *p, int value,
		   const uint8_t *keep, int thread_only, uint32_t thread)
{
	uint32_t *frame_key = xcalloc(p->nr_frames + 1, sizeof(uint32_t));
	uint32_t *scratch = NULL, i, stamp = 0;
	size_t alloc = 0;
	struct strbuf label;

	strbuf_init(&label);
	/* a fresh stamp range per call: reset the stamps first */
	if (a->stamp)
		memset(a->stamp, 0, a->alloc * sizeof(*a->stamp));
	for (i = 0; i < p->nr_totals; i++) {
		const struct stack_total *t = &p->totals[i];
		double v = t->value[value];
		uint32_t depth, d, key;

		if ((keep && !keep[t->stack]) ||
		    (thread_only && t->thread != thread))
			continue;
		a->sum += v;
		stamp++;
		if (a->by == AGGREGATE_THREAD) {
			strbuf_reset(&label);
			aggregate_label(p, a->by, 0, t->thread, &label);
			key = intern_key(a, label.buf, label.len);
			a->self[key] += v;
			a->total[key] += v;
			continue;
		}
		depth = p->stacks[t->stack].depth;
		grow_array((void **)&scratch, sizeof(*scratch), depth + 1, &alloc);
		profile_stack_frames(p, t->stack, scratch);
		for (d = 0; d < depth; d++) {
			uint32_t f = scratch[d];

			if (!frame_key[f]) {
				strbuf_reset(&label);
				aggregate_label(p, a->by, f, 0, &label);
				frame_key[f] = intern_key(a, strbuf_str(&label),
							  label.len);
				if (!a->frame[frame_key[f]])
					a->frame[frame_key[f]] = f;
			}
			key = frame_key[f];
			if (a->stamp[key] != stamp) {
				a->stamp[key] = stamp;
				a->total[key] += v;
			}
			if (d == depth - 1)
				a->self[key] += v;
		}
	}
	strbuf_release(&label);
	free(scratch);
	free(frame_key);
}

static const struct aggregate *sort_aggregate;
static int sort_by_self;

static int compare_keys(const void *x, const void *y)
{
	const struct aggregate *a = sort_aggregate;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
	double vi = sort_by_self ? a->self[i] : a->total[i];
	double vj = sort_by_self ? a->self[j] : a->total[j];
	double wi = sort_by_self ? a->total[i] : a->self[i];
	double wj = sort_by_self ? a->total[j] : a->self[j];

	if (vi != vj)
		return vi > vj ? -1 : 1;
	if (wi != wj)
		return wi > wj ? -1 : 1;
	return strcmp(strtab_get(&a->keys, i), strtab_get(&a->keys, j));
}

uint32_t *aggregate_sorted(const struct aggregate *a, int by_self, uint32_t *n)
{
	uint32_t *ids = xmalloc((a->keys.nr + 1) * sizeof(*ids)), i, k = 0;

	for (i = 1; i < a->keys.nr; i++)
		ids[k++] = i;
	sort_aggregate = a;
	sort_by_self = by_self;
	qsort(ids, k, sizeof(*ids), compare_keys);
	*n = k;
	return ids;
}
