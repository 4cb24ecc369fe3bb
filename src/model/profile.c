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

/*
 * The (a, b) -> id tables for stacks and totals: linear probing over slots
 * that hold the key, kept at most half full, so a lookup usually reads one
 * cache line and never the stacks or totals arrays.  The home slot comes
 * from a caller-given 32-bit hash: for totals hash(stack, thread), for
 * stacks the hash of the whole frame path (see path_hash), which can be
 * computed for every level of a stack before any lookup, so that
 * profile_stack_extend can prefetch all levels' slots at once.
 */
static void pair_index_init(struct profile_pair_index *x)
{
	x->mask = 63;
	x->count = 0;
	x->slots = xcalloc(x->mask + 1, sizeof(*x->slots));
}

static inline uint32_t pair_hash(uint32_t a, uint32_t b)
{
	return (uint32_t)(hash_mix(a, b) >> 32);
}

/* The hash of a stack: that of its parent mixed with its frame id. */
static inline uint32_t path_hash(uint32_t parent_hash, uint32_t frame)
{
	return (uint32_t)(hash_mix(parent_hash, frame) >> 32);
}

/* Returns the id stored for (a, b), or 0 with *pos set to the empty slot
 * where it belongs. */
static inline uint32_t pair_index_find(const struct profile_pair_index *x,
				       uint32_t a, uint32_t b, uint32_t hash,
				       size_t *pos)
{
	size_t i = hash & x->mask;

	for (;;) {
		const struct profile_pair_slot *s = &x->slots[i];

		if (!s->id) {
			*pos = i;
			return 0;
		}
		if (s->a == a && s->b == b)
			return s->id;
		i = (i + 1) & x->mask;
	}
}

static inline int pair_index_full(const struct profile_pair_index *x)
{
	return (x->count + 1) * 2 > x->mask + 1;
}

/* Returns the empty slot where an entry with this hash goes. */
static size_t pair_index_free_slot(const struct profile_pair_index *x,
				   uint32_t hash)
{
	size_t j = hash & x->mask;

	while (x->slots[j].id)
		j = (j + 1) & x->mask;
	return j;
}

static void pair_index_place(struct profile_pair_index *x,
			     const struct profile_pair_slot *s, uint32_t hash)
{
	size_t j = hash & x->mask;

	while (x->slots[j].id)
		j = (j + 1) & x->mask;
	x->slots[j] = *s;
}

/* Doubles the totals table (hash = pair_hash(a, b)). */
static void pair_index_grow(struct profile_pair_index *x)
{
	struct profile_pair_slot *old = x->slots;
	size_t oldn = x->mask + 1, i;

	x->mask = x->mask * 2 + 1;
	x->slots = xcalloc(x->mask + 1, sizeof(*x->slots));
	for (i = 0; i < oldn; i++) {
		if (!old[i].id)
			continue;
		pair_index_place(x, &old[i], pair_hash(old[i].a, old[i].b));
	}
	free(old);
}

/* Adds (a, b) -> id under hash; pos is what pair_index_find returned for
 * it.  The caller has made room (pair_index_full). */
static void pair_index_insert(struct profile_pair_index *x, uint32_t a,
			      uint32_t b, uint32_t id, size_t pos)
{
	struct profile_pair_slot *s;

	s = &x->slots[pos];
	s->a = a;
	s->b = b;
	s->id = id;
	x->count++;
}

/* The stack table is kept at most STACK_LOAD_NUM/STACK_LOAD_DEN full:
 * fuller than the pair tables, as its slots are smaller. */
#define STACK_LOAD_NUM 3
#define STACK_LOAD_DEN 4

static void stack_index_init(struct profile_stack_index *x)
{
	x->mask = 63;
	x->count = 0;
	x->slots = xcalloc(x->mask + 1, sizeof(*x->slots));
}

static inline void stack_index_place(struct profile_stack_index *x,
				     uint32_t hash, uint32_t id)
{
	size_t j = hash & x->mask;

	while (x->slots[j].id)
		j = (j + 1) & x->mask;
	x->slots[j].hash = hash;
	x->slots[j].id = id;
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
	grow_array32((void **)&p->stack_hash, sizeof(*p->stack_hash), 1,
		     &p->alloc_stack_hash);
	p->stack_hash[0] = 0x5eed;
	p->nr_stacks = 1;
	stack_index_init(&p->stack_index);

	grow_array32((void **)&p->threads, sizeof(*p->threads), 1,
		     &p->alloc_threads);
	memset(&p->threads[0], 0, sizeof(p->threads[0]));
	p->threads[0].pid = -1;
	p->threads[0].tid = -1;
	p->nr_threads = 1;

	pair_index_init(&p->total_index);
	profile_set_value_types(p, 1, types, units);
}

void profile_release(struct profile *p)
{
	int k;

	strtab_release(&p->strings);
	free(p->frames);
	hash_index_free(p->frame_index);
	for (k = 0; k < FRAME_KIND_COUNT; k++)
		free(p->plain_frames[k]);
	free_array_reserved(p->stacks, p->stacks_reserved);
	free(p->stack_index.slots);
	free_array_reserved(p->stack_hash, p->stack_hash_reserved);
	free(p->threads);
	free_array_reserved(p->totals, p->totals_reserved);
	free(p->total_index.slots);
	free_array_reserved(p->total0, p->total0_reserved);
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

static uint32_t add_frame(struct profile *p, const struct frame *f)
{
	grow_array32((void **)&p->frames, sizeof(*p->frames), p->nr_frames + 1,
		     &p->alloc_frames);
	p->frames[p->nr_frames] = *f;
	return p->nr_frames++;
}

/* Frames with only a name and a kind (most of them) are found by name id
 * in plain_frames[kind], without hashing the whole frame. */
static uint32_t plain_frame(struct profile *p, const struct frame *f)
{
	uint32_t *alloc = &p->alloc_plain_frames[f->kind], old = *alloc, id;

	if (f->name < old && p->plain_frames[f->kind][f->name])
		return p->plain_frames[f->kind][f->name];
	if (f->name >= old) {
		grow_array32((void **)&p->plain_frames[f->kind],
			     sizeof(uint32_t), (size_t)f->name + 1, alloc);
		memset(p->plain_frames[f->kind] + old, 0,
		       (*alloc - old) * sizeof(uint32_t));
	}
	id = add_frame(p, f);
	p->plain_frames[f->kind][f->name] = id;
	return id;
}

uint32_t profile_frame(struct profile *p, const struct frame *f)
{
	struct frame_key k = { p, f };
	uint64_t h;
	uint32_t id;

	if (!f->file && !f->module && !f->line && !f->address &&
	    f->kind < FRAME_KIND_COUNT)
		return plain_frame(p, f);
	h = frame_hash(f);
	id = hash_index_find(p->frame_index, h, frame_equals, &k);
	if (id)
		return id;
	id = add_frame(p, f);
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

/* Doubles the stack table, refilling it from the stacks array in id order
 * (sequential reads, unlike walking the old slots). */
static void stack_index_grow(struct profile *p)
{
	struct profile_stack_index *x = &p->stack_index;
	uint32_t id;

	free(x->slots);
	x->mask = x->mask * 2 + 1;
	x->slots = xcalloc(x->mask + 1, sizeof(*x->slots));
	for (id = 1; id < p->nr_stacks; id++)
		stack_index_place(x, p->stack_hash[id], id);
}

/* After profile_trim: the stack table again, sized for the stacks. */
static void stack_index_rebuild(struct profile *p)
{
	struct profile_stack_index *x = &p->stack_index;
	uint32_t id;

	x->mask = 63;
	while ((size_t)p->nr_stacks * STACK_LOAD_DEN >
	       (x->mask + 1) * STACK_LOAD_NUM)
		x->mask = x->mask * 2 + 1;
	x->count = p->nr_stacks - 1;
	x->slots = xcalloc(x->mask + 1, sizeof(*x->slots));
	for (id = 1; id < p->nr_stacks; id++)
		stack_index_place(x, p->stack_hash[id], id);
}

/* After profile_trim: the totals table again (totals of thread 0 are
 * found through total0 instead). */
static void total_index_rebuild(struct profile *p)
{
	struct profile_pair_index *x = &p->total_index;
	struct profile_pair_slot s;
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < p->nr_totals; i++)
		n += p->totals[i].thread != 0;
	x->mask = 63;
	while ((n + 1) * 2 > x->mask + 1)
		x->mask = x->mask * 2 + 1;
	x->count = n;
	x->slots = xcalloc(x->mask + 1, sizeof(*x->slots));
	for (i = 0; i < p->nr_totals; i++) {
		if (!p->totals[i].thread)
			continue;
		s.a = p->totals[i].stack;
		s.b = p->totals[i].thread;
		s.id = i + 1;
		pair_index_place(x, &s, pair_hash(s.a, s.b));
	}
}

/* Makes total0 cover stack ids up to stack (new entries 0 = no total). */
static void total0_cover(struct profile *p, uint32_t stack)
{
	uint32_t old = p->alloc_total0;

	if (stack < old)
		return;
	grow_array_reserved((void **)&p->total0, sizeof(*p->total0),
			    (size_t)stack + 1, &p->alloc_total0,
			    &p->total0_reserved);
	/* a reservation's new pages are zero already */
	if (!p->total0_reserved)
		memset(p->total0 + old, 0,
		       (size_t)(p->alloc_total0 - old) * sizeof(*p->total0));
}

/* After profile_trim: total0 again. */
static void total0_rebuild(struct profile *p)
{
	uint32_t i;

	p->total0_built = 1;
	for (i = 0; i < p->nr_totals; i++) {
		if (p->totals[i].thread)
			continue;
		total0_cover(p, p->totals[i].stack);
		p->total0[p->totals[i].stack] = i + 1;
	}
}

void profile_trim(struct profile *p)
{
	free(p->stack_index.slots);
	p->stack_index.slots = NULL;
	free(p->total_index.slots);
	p->total_index.slots = NULL;
	free_array_reserved(p->total0, p->total0_reserved);
	p->total0 = NULL;
	p->alloc_total0 = 0;
	p->total0_reserved = 0;
	p->total0_built = 0;
}

/* Finds or adds the stack (parent, frame) whose path hash is hash; depth
 * is the parent's depth + 1 (given, to spare reading the parent).  When
 * parent_is_new (the parent was added by the same call of
 * profile_stack_extend), the stack cannot exist yet: no slot's key is
 * compared, which spares reading the stacks array for every frame below
 * the first new one. */
static uint32_t stack_push_hashed(struct profile *p, uint32_t parent,
				  uint32_t frame, uint32_t hash,
				  uint32_t depth, int parent_is_new)
{
	struct profile_stack_index *x = &p->stack_index;
	size_t i = hash & x->mask;
	uint32_t id;

	for (;;) {
		const struct profile_stack_slot *s = &x->slots[i];

		if (!s->id)
			break;
		if (!parent_is_new && s->hash == hash &&
		    p->stacks[s->id].parent == parent &&
		    p->stacks[s->id].frame == frame)
			return s->id;
		i = (i + 1) & x->mask;
	}
	if (p->nr_stacks == p->alloc_stacks)
		grow_array_reserved((void **)&p->stacks, sizeof(*p->stacks),
				    p->nr_stacks + 1, &p->alloc_stacks,
				    &p->stacks_reserved);
	if (p->nr_stacks == p->alloc_stack_hash)
		grow_array_reserved((void **)&p->stack_hash,
				    sizeof(*p->stack_hash), p->nr_stacks + 1,
				    &p->alloc_stack_hash,
				    &p->stack_hash_reserved);
	id = p->nr_stacks++;
	p->stacks[id].parent = parent;
	p->stacks[id].frame = frame;
	p->stacks[id].depth = depth;
	p->stack_hash[id] = hash;
	if ((x->count + 1) * STACK_LOAD_DEN > (x->mask + 1) * STACK_LOAD_NUM) {
		stack_index_grow(p);
	} else {
		x->slots[i].hash = hash;
		x->slots[i].id = id;
	}
	x->count++;
	return id;
}

uint32_t profile_stack_push(struct profile *p, uint32_t parent, uint32_t frame)
{
	if (!p->stack_index.slots)
		stack_index_rebuild(p);
	return stack_push_hashed(p, parent, frame,
				 path_hash(p->stack_hash[parent], frame),
				 p->stacks[parent].depth + 1, 0);
}

/* Levels whose slots are prefetched ahead of the lookups. */
#define EXTEND_BATCH 32

uint32_t profile_stack_extend(struct profile *p, uint32_t parent,
			      const uint32_t *frames, size_t n,
			      uint32_t *stacks)
{
	uint32_t hashes[EXTEND_BATCH], h = p->stack_hash[parent];
	uint32_t depth = p->stacks[parent].depth;
	size_t done = 0, i, m;
	int is_new = 0;

	if (!p->stack_index.slots)
		stack_index_rebuild(p);

	while (done < n) {
		m = n - done < EXTEND_BATCH ? n - done : EXTEND_BATCH;
		for (i = 0; i < m; i++) {
			h = path_hash(h, frames[done + i]);
			hashes[i] = h;
			__builtin_prefetch(&p->stack_index.slots[h &
						p->stack_index.mask]);
		}
		for (i = 0; i < m; i++) {
			uint32_t before = p->nr_stacks;

			parent = stack_push_hashed(p, parent, frames[done + i],
						   hashes[i], ++depth, is_new);
			is_new = parent == before;
			if (stacks)
				stacks[done + i] = parent;
		}
		done += m;
	}
	return parent;
}

uint32_t profile_stack_from_frames(struct profile *p, const uint32_t *frames,
				   size_t n)
{
	return profile_stack_extend(p, 0, frames, n, NULL);
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

/* The total of (stack, thread), or 0 with *pos set where the pair index
 * takes it.  Totals of thread 0 (folded input, merged profiles) are
 * found by stack id in total0, with no hashing: a new stack's entry is
 * next to the previous new stack's. */
static uint32_t find_total(struct profile *p, uint32_t stack,
			   uint32_t thread, uint32_t hash, size_t *pos)
{
	if (!thread) {
		if (!p->total0_built)
			total0_rebuild(p);
		total0_cover(p, stack);
		return p->total0[stack];
	}
	if (!p->total_index.slots)
		total_index_rebuild(p);
	return pair_index_find(&p->total_index, stack, thread, hash, pos);
}

void profile_add(struct profile *p, uint32_t stack, uint32_t thread,
		 int64_t time_ns, const double *values)
{
	size_t pos = 0;
	uint32_t hash = pair_hash(stack, thread);
	uint32_t id = find_total(p, stack, thread, hash, &pos);
	struct stack_total *t;
	int v;

	if (!id) {
		grow_array_reserved((void **)&p->totals, sizeof(*p->totals),
				    p->nr_totals + 1, &p->alloc_totals,
				    &p->totals_reserved);
		t = &p->totals[p->nr_totals++];
		memset(t, 0, sizeof(*t));
		t->stack = stack;
		t->thread = thread;
		if (!thread) {
			p->total0[stack] = p->nr_totals;
		} else {
			if (pair_index_full(&p->total_index)) {
				pair_index_grow(&p->total_index);
				pos = pair_index_free_slot(&p->total_index,
							   hash);
			}
			pair_index_insert(&p->total_index, stack, thread,
					  p->nr_totals, pos);
		}
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

void profile_weight_by_period(struct profile *p)
{
	static const char *const units[] = { "nanoseconds", "count" };
	static const char *const events_units[] = { "events", "count" };
	const char *event = profile_str(p, p->meta.event);
	size_t len = strcspn(event, ":");
	char name[128];
	const char *types[2] = { name, "samples" };

	if (p->nr_totals || p->nr_values != 1 || !len)
		return;
	if ((len == 9 && !strncmp(event, "cpu-clock", 9)) ||
	    (len == 10 && !strncmp(event, "task-clock", 10))) {
		types[0] = "cpu";
		profile_set_value_types(p, 2, types, units);
		return;
	}
	if (len >= sizeof(name))
		len = sizeof(name) - 1;
	memcpy(name, event, len);
	name[len] = '\0';
	profile_set_value_types(p, 2, types, events_units);
}

void profile_add_period(struct profile *p, uint32_t stack, uint32_t thread,
			int64_t time_ns, double period)
{
	double values[PROFILE_MAX_VALUES] = { period, 1 };

	if (p->nr_values < 2)
		values[1] = 0;
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
