/*
 * bpf_stack_counts.c - the kernel-counted stacks by key, and what of
 * each count is in the profile already (bpf_stack_counts.h).
 */
#include <stdlib.h>

#include "engines/bpf/bpf_stack_counts.h"
#include "util/hash.h"
#include "util/xalloc.h"

struct counted_stack {
	uint64_t key;
	uint32_t stack, thread;
	uint64_t added;		/* of the kernel's count */
};

struct bpf_stack_counts {
	struct hash_index *index;	/* hash_u64(key) -> id */
	struct counted_stack *items;	/* [id - 1] */
	size_t nr, alloc;
};

struct bpf_stack_counts *bpf_stack_counts_new(void)
{
	struct bpf_stack_counts *c = xcalloc(1, sizeof(*c));

	c->index = hash_index_new();
	return c;
}

void bpf_stack_counts_free(struct bpf_stack_counts *c)
{
	if (!c)
		return;
	hash_index_free(c->index);
	free(c->items);
	free(c);
}

/* key's item, or NULL with pr left where it would go */
static struct counted_stack *find(struct bpf_stack_counts *c, uint64_t key,
				  struct hash_probe *pr)
{
	uint32_t id;

	hash_probe_start(c->index, hash_u64(key), pr);
	while ((id = hash_probe_next(c->index, pr)))
		if (c->items[id - 1].key == key)
			return &c->items[id - 1];
	return NULL;
}

void bpf_stack_counts_learn(struct bpf_stack_counts *c, uint64_t key,
			    uint32_t stack, uint32_t thread)
{
	struct counted_stack *it;
	struct hash_probe pr;

	if (find(c, key, &pr))	/* the kernel sends a key once */
		return;
	grow_array((void **)&c->items, sizeof(*c->items), c->nr + 1,
		   &c->alloc);
	it = &c->items[c->nr++];
	it->key = key;
	it->stack = stack;
	it->thread = thread;
	it->added = 0;
	hash_index_insert_at(c->index, &pr, (uint32_t)c->nr);
}

size_t bpf_stack_counts_nr(const struct bpf_stack_counts *c)
{
	return c->nr;
}

uint64_t bpf_stack_counts_key(const struct bpf_stack_counts *c, size_t i)
{
	return c->items[i].key;
}

int bpf_stack_counts_grow(struct bpf_stack_counts *c, uint64_t key,
			  uint64_t count, uint64_t *more, uint32_t *stack,
			  uint32_t *thread)
{
	struct hash_probe pr;
	struct counted_stack *it = find(c, key, &pr);

	if (!it)
		return 0;
	*more = count > it->added ? count - it->added : 0;
	it->added += *more;
	*stack = it->stack;
	*thread = it->thread;
	return 1;
}
