/*
 * pidtable.c - pids to dense ids over util/hash.h's index.
 */
#include <stdlib.h>

#include "util/hash.h"
#include "util/pidtable.h"
#include "util/xalloc.h"

struct pid_key {
	const struct pid_table *t;
	int64_t pid;
};

static int pid_equals(const void *ctx, uint32_t id)
{
	const struct pid_key *k = ctx;

	return k->t->pids[id - 1] == k->pid;
}

void pid_table_init(struct pid_table *t)
{
	t->index = hash_index_new();
	t->pids = NULL;
	t->nr = t->alloc = 0;
}

void pid_table_release(struct pid_table *t)
{
	hash_index_free(t->index);
	free(t->pids);
	t->index = NULL;
	t->pids = NULL;
	t->nr = t->alloc = 0;
}

void pid_table_clear(struct pid_table *t)
{
	hash_index_clear(t->index);
	t->nr = 0;
}

uint32_t pid_table_find(const struct pid_table *t, int64_t pid)
{
	struct pid_key k = { t, pid };

	return hash_index_find(t->index, hash_u64((uint64_t)pid), pid_equals,
			       &k);
}

uint32_t pid_table_add(struct pid_table *t, int64_t pid, int *added)
{
	uint32_t id = pid_table_find(t, pid);

	if (added)
		*added = !id;
	if (id)
		return id;
	grow_array((void **)&t->pids, sizeof(*t->pids), t->nr + 1, &t->alloc);
	t->pids[t->nr++] = pid;
	id = (uint32_t)t->nr;
	hash_index_insert(t->index, hash_u64((uint64_t)pid), id);
	return id;
}
