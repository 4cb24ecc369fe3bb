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
 * The stack and totals tables are util/hash.h indexes whose keys are
 * compared inline here (hash_probe), on the items themselves: stacks by
 * (parent, frame), totals by (stack, thread).  A stack's hash is the
 * hash of its whole frame path (see path_hash), which can be computed for
 * every level of a stack before any lookup, so that profile_stack_extend
 * can prefetch all levels' slots at once; the stack table may fill to
 * STACK_FILL percent, as it grows to tens of millions of stacks.
 */
#define STACK_FILL 75

static inline uint64_t total_hash(uint32_t stack, uint32_t thread)
{
	return hash_mix(stack, thread);
}

/* The hash of a stack: that of its parent mixed with its frame id.  It
 * is kept in 32 bits (stack_hash[]), the index's tag. */
static inline uint32_t path_hash(uint32_t parent_hash, uint32_t frame)
{
	return (uint32_t)(hash_mix(parent_hash, frame) >> 32);
}

static inline uint64_t stack_index_hash(uint32_t path)
{
	return (uint64_t)path << 32;
}

static inline uint64_t thread_hash(int64_t pid, int64_t tid)
{
	return hash_mix((uint64_t)pid, (uint64_t)tid);
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
	p->stack_index = hash_index_new_fill(STACK_FILL);

	grow_array32((void **)&p->threads, sizeof(*p->threads), 1,
		     &p->alloc_threads);
	memset(&p->threads[0], 0, sizeof(p->threads[0]));
	p->threads[0].pid = -1;
	p->threads[0].tid = -1;
	p->nr_threads = 1;
	p->thread_index = hash_index_new();

	p->total_index = hash_index_new();
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
	hash_index_free(p->stack_index);
	free_array_reserved(p->stack_hash, p->stack_hash_reserved);
	free(p->threads);
	hash_index_free(p->thread_index);
	free_array_reserved(p->totals, p->totals_reserved);
	hash_index_free(p->total_index);
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

/* Makes room in the stack table for n stacks, refilling it from
 * stack_hash in id order: the old slots are freed first, so the table
 * never exists twice. */
static void stack_index_refill(struct profile *p, size_t n)
{
	struct hash_index *x = p->stack_index;
	uint32_t id;

	hash_index_clear_for(x, n);
	for (id = 1; id < p->nr_stacks; id++)
		hash_index_insert(x, stack_index_hash(p->stack_hash[id]), id);
}

/* After profile_trim: the stack table again, sized for the stacks. */
static void stack_index_rebuild(struct profile *p)
{
	p->stack_index = hash_index_new_fill(STACK_FILL);
	stack_index_refill(p, p->nr_stacks);
}

/* After profile_trim: the totals table again (totals of thread 0 are
 * found through total0 instead). */
static void total_index_rebuild(struct profile *p)
{
	struct hash_index *x = hash_index_new();
	size_t n = 0;
	uint32_t i;

	for (i = 0; i < p->nr_totals; i++)
		n += p->totals[i].thread != 0;
	hash_index_clear_for(x, n);
	for (i = 0; i < p->nr_totals; i++)
		if (p->totals[i].thread)
			hash_index_insert(x, total_hash(p->totals[i].stack,
							p->totals[i].thread),
					  i + 1);
	p->total_index = x;
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
	hash_index_free(p->stack_index);
	p->stack_index = NULL;
	hash_index_free(p->total_index);
	p->total_index = NULL;
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
	struct hash_index *x = p->stack_index;
	struct hash_probe pr;
	uint32_t id;

	hash_probe_start(x, stack_index_hash(hash), &pr);
	if (parent_is_new) {
		hash_probe_skip(x, &pr);
	} else {
		while ((id = hash_probe_next(x, &pr)))
			if (p->stacks[id].parent == parent &&
			    p->stacks[id].frame == frame)
				return id;
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
	if (hash_index_full(x)) {
		/* refilled with every stack, this one included */
		stack_index_refill(p, hash_index_count(x) + 1);
		return id;
	}
	hash_index_insert_at(x, &pr, id);
	return id;
}

uint32_t profile_stack_push(struct profile *p, uint32_t parent, uint32_t frame)
{
	if (!p->stack_index)
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

	if (!p->stack_index)
		stack_index_rebuild(p);

	while (done < n) {
		m = n - done < EXTEND_BATCH ? n - done : EXTEND_BATCH;
		for (i = 0; i < m; i++) {
			h = path_hash(h, frames[done + i]);
			hashes[i] = h;
			hash_index_prefetch(p->stack_index,
					    stack_index_hash(h));
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
	struct hash_probe pr;
	uint32_t i;

	hash_probe_start(p->thread_index, thread_hash(pid, tid), &pr);
	while ((i = hash_probe_next(p->thread_index, &pr))) {
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
	hash_index_insert_at(p->thread_index, &pr, i);
	return i;
}

/* The total of (stack, thread) (its id + 1), or 0 with *pr ending
 * where the totals table takes it.  Totals of thread 0 (folded input,
 * merged profiles) are found by stack id in total0, with no hashing: a
 * new stack's entry is next to the previous new stack's. */
static uint32_t find_total(struct profile *p, uint32_t stack,
			   uint32_t thread, struct hash_probe *pr)
{
	uint32_t id;

	if (!thread) {
		if (!p->total0_built)
			total0_rebuild(p);
		total0_cover(p, stack);
		return p->total0[stack];
	}
	if (!p->total_index)
		total_index_rebuild(p);
	hash_probe_start(p->total_index, total_hash(stack, thread), pr);
	while ((id = hash_probe_next(p->total_index, pr)))
		if (p->totals[id - 1].stack == stack &&
		    p->totals[id - 1].thread == thread)
			return id;
	return 0;
}

void profile_add(struct profile *p, uint32_t stack, uint32_t thread,
		 int64_t time_ns, const double *values)
{
	struct hash_probe pr;
	uint32_t id = find_total(p, stack, thread, &pr);
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
		if (!thread)
			p->total0[stack] = p->nr_totals;
		else
			hash_index_insert_at(p->total_index, &pr,
					     p->nr_totals);
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
