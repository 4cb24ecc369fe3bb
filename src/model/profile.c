/*
 * profile.c - the shared profile model: frames, stack prefix tree, threads,
 * totals and samples.  See profile.h for the contract.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/profile.h"
#include "util/hash.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

struct frame_key {
	const struct profile *p;
	const struct frame *f;
};

struct stack_key {
	const struct profile *p;
	uint32_t parent, frame;
};

struct total_key {
	const struct profile *p;
	uint32_t stack, thread;
};

static uint64_t frame_hash(const struct frame *f)
{
	uint64_t h = hash_mix(f->name, ((uint64_t)f->file << 32) | f->module);

	h = hash_mix(h, ((uint64_t)(uint32_t)f->line << 8) | f->kind);
	return hash_mix(h, f->address);
}

static int frame_equals(const void *ctx, uint32_t id)
{
	const struct frame_key *k = ctx;
	const struct frame *a = &k->p->frames[id], *b = k->f;

	return a->name == b->name && a->file == b->file &&
	       a->module == b->module && a->line == b->line &&
	       a->kind == b->kind && a->address == b->address;
}

static int stack_equals(const void *ctx, uint32_t id)
{
	const struct stack_key *k = ctx;
	const struct stack_node *n = &k->p->stacks[id];

	return n->parent == k->parent && n->frame == k->frame;
}

/* Totals are indexed from 1 in the hash (0 = empty), stored from 0. */
static int total_equals(const void *ctx, uint32_t id)
{
	const struct total_key *k = ctx;
	const struct stack_total *t = &k->p->totals[id - 1];

	return t->stack == k->stack && t->thread == k->thread;
}

void profile_init(struct profile *p)
{
	static const char *const types[] = { "samples" };
	static const char *const units[] = { "count" };

	memset(p, 0, sizeof(*p));
	strtab_init(&p->strings);

	grow_array32((void **)&p->frames, sizeof(*p->frames), 1, &p->alloc_frames);
	memset(&p->frames[0], 0, sizeof(p->frames[0]));
	p->nr_frames = 1;
	p->frame_index = hash_index_new();

	grow_array32((void **)&p->stacks, sizeof(*p->stacks), 1, &p->alloc_stacks);
	memset(&p->stacks[0], 0, sizeof(p->stacks[0]));
	p->nr_stacks = 1;
	p->stack_index = hash_index_new();

	grow_array32((void **)&p->threads, sizeof(*p->threads), 1,
		     &p->alloc_threads);
	memset(&p->threads[0], 0, sizeof(p->threads[0]));
	p->threads[0].pid = -1;
	p->threads[0].tid = -1;
	p->nr_threads = 1;

	p->total_index = hash_index_new();
	profile_set_value_types(p, 1, types, units);
}

void profile_release(struct profile *p)
{
	strtab_release(&p->strings);
	free(p->frames);
	hash_index_free(p->frame_index);
	free(p->stacks);
	hash_index_free(p->stack_index);
	free(p->threads);
	free(p->totals);
	hash_index_free(p->total_index);
	free(p->samples);
	free(p->build_ids);
	memset(p, 0, sizeof(*p));
}

void profile_set_value_types(struct profile *p, int n, const char *const *types,
			     const char *const *units)
{
	int i;

	if (n < 1)
		n = 1;
	if (n > PROFILE_MAX_VALUES)
		n = PROFILE_MAX_VALUES;
	p->nr_values = n;
	for (i = 0; i < n; i++) {
		p->value_types[i].type = profile_intern(p, types[i]);
		p->value_types[i].unit = profile_intern(p, units[i]);
	}
}

uint32_t profile_intern(struct profile *p, const char *s)
{
	return strtab_intern(&p->strings, s, strlen(s));
}

uint32_t profile_intern_len(struct profile *p, const char *s, size_t len)
{
	return strtab_intern(&p->strings, s, len);
}

uint32_t profile_frame(struct profile *p, const struct frame *f)
{
	struct frame_key k = { p, f };
	uint64_t h = frame_hash(f);
	uint32_t id = hash_index_find(p->frame_index, h, frame_equals, &k);

	if (id)
		return id;
	grow_array32((void **)&p->frames, sizeof(*p->frames), p->nr_frames + 1,
		     &p->alloc_frames);
	id = p->nr_frames++;
	p->frames[id] = *f;
	hash_index_insert(p->frame_index, h, id);
	return id;
}

uint32_t profile_frame_named(struct profile *p, const char *name, size_t len,
			     enum frame_kind kind)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.name = profile_intern_len(p, name, len);
	f.kind = (uint8_t)kind;
	return profile_frame(p, &f);
}

uint32_t profile_stack_push(struct profile *p, uint32_t parent, uint32_t frame)
{
	struct stack_key k = { p, parent, frame };
	uint64_t h = hash_mix(parent, frame);
	uint32_t id = hash_index_find(p->stack_index, h, stack_equals, &k);

	if (id)
		return id;
	grow_array32((void **)&p->stacks, sizeof(*p->stacks), p->nr_stacks + 1,
		     &p->alloc_stacks);
	id = p->nr_stacks++;
	p->stacks[id].parent = parent;
	p->stacks[id].frame = frame;
	p->stacks[id].depth = p->stacks[parent].depth + 1;
	hash_index_insert(p->stack_index, h, id);
	return id;
}

uint32_t profile_stack_from_frames(struct profile *p, const uint32_t *frames,
				   size_t n)
{
	uint32_t stack = 0;
	size_t i;

	for (i = 0; i < n; i++)
		stack = profile_stack_push(p, stack, frames[i]);
	return stack;
}

uint32_t profile_stack_frames(const struct profile *p, uint32_t stack,
			      uint32_t *out)
{
	uint32_t depth = p->stacks[stack].depth, i = depth;

	while (stack) {
		out[--i] = p->stacks[stack].frame;
		stack = p->stacks[stack].parent;
	}
	return depth;
}

uint32_t profile_thread(struct profile *p, int64_t pid, int64_t tid,
			const char *name)
{
	uint32_t i;

	/* Thread counts are small; a linear scan from the newest is enough. */
	for (i = p->nr_threads; i-- > 1;) {
		if (p->threads[i].pid == pid && p->threads[i].tid == tid) {
			if (name)
				p->threads[i].name = profile_intern(p, name);
			return i;
		}
	}
	grow_array32((void **)&p->threads, sizeof(*p->threads),
		     p->nr_threads + 1, &p->alloc_threads);
	i = p->nr_threads++;
	p->threads[i].pid = pid;
	p->threads[i].tid = tid;
	p->threads[i].name = name ? profile_intern(p, name) : 0;
	return i;
}

void profile_add(struct profile *p, uint32_t stack, uint32_t thread,
		 int64_t time_ns, const double *values)
{
	struct total_key k = { p, stack, thread };
	uint64_t h = hash_mix(stack, thread);
	uint32_t id = hash_index_find(p->total_index, h, total_equals, &k);
	struct stack_total *t;
	int v;

	if (!id) {
		grow_array32((void **)&p->totals, sizeof(*p->totals),
			     p->nr_totals + 1, &p->alloc_totals);
		t = &p->totals[p->nr_totals++];
		memset(t, 0, sizeof(*t));
		t->stack = stack;
		t->thread = thread;
		hash_index_insert(p->total_index, h, p->nr_totals);
	} else {
		t = &p->totals[id - 1];
	}
	for (v = 0; v < p->nr_values; v++)
		t->value[v] += values[v];

	if (p->keep_samples) {
		struct sample *s;

		grow_array((void **)&p->samples, sizeof(*p->samples),
			   p->nr_samples + 1, &p->alloc_samples);
		s = &p->samples[p->nr_samples++];
		memset(s, 0, sizeof(*s));
		s->stack = stack;
		s->thread = thread;
		s->time_ns = time_ns;
		for (v = 0; v < p->nr_values; v++)
			s->value[v] = values[v];
	}
}

void profile_add1(struct profile *p, uint32_t stack, uint32_t thread,
		  int64_t time_ns, double value)
{
	double values[PROFILE_MAX_VALUES] = { value };

	profile_add(p, stack, thread, time_ns, values);
}

double profile_sum(const struct profile *p, int v)
{
	double sum = 0;
	uint32_t i;

	for (i = 0; i < p->nr_totals; i++)
		sum += p->totals[i].value[v];
	return sum;
}

void profile_frame_label(const struct profile *p, uint32_t frame,
			 struct strbuf *out)
{
	const struct frame *f = &p->frames[frame];

	strbuf_add(out, profile_str(p, f->name), strtab_len(&p->strings, f->name));
	if (!f->file)
		return;
	strbuf_addstr(out, " (");
	strbuf_addstr(out, profile_str(p, f->file));
	if (f->line > 0)
		strbuf_addf(out, ":%d", (int)f->line);
	strbuf_addch(out, ')');
}

const char *frame_kind_name(enum frame_kind kind)
{
	static const char *const names[FRAME_KIND_COUNT] = {
		"native", "python", "kernel", "jit", "inlined", "process",
		"marker",
	};

	return (unsigned)kind < FRAME_KIND_COUNT ? names[kind] : "unknown";
}

void profile_set_build_id(struct profile *p, uint32_t module, const char *hex)
{
	uint32_t i;

	for (i = 0; i < p->nr_build_ids; i++)
		if (p->build_ids[i].module == module)
			break;
	if (i == p->nr_build_ids) {
		grow_array32((void **)&p->build_ids, sizeof(*p->build_ids),
			     p->nr_build_ids + 1, &p->alloc_build_ids);
		p->nr_build_ids++;
	}
	p->build_ids[i].module = module;
	p->build_ids[i].build_id = profile_intern(p, hex);
}

uint32_t profile_build_id(const struct profile *p, uint32_t module)
{
	uint32_t i;

	/* modules are few: a linear scan is enough */
	for (i = 0; i < p->nr_build_ids; i++)
		if (p->build_ids[i].module == module)
			return p->build_ids[i].build_id;
	return 0;
}
