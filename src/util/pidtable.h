/*
 * pidtable.h - processes (or threads) by pid, found in constant time.
 *
 * The table numbers the pids it is given 1, 2, 3... in the order they
 * are added; the owner keeps what it knows of each process in its own
 * array at [id - 1], so looking up the process of a sample is one hash
 * probe rather than a walk over every process seen.  Ids stay valid
 * until pid_table_clear or pid_table_release.
 */
#ifndef SCORCH_UTIL_PIDTABLE_H
#define SCORCH_UTIL_PIDTABLE_H

#include <stddef.h>
#include <stdint.h>

struct hash_index;

struct pid_table {
	struct hash_index *index;
	int64_t *pids;		/* [id - 1] */
	size_t nr, alloc;
};

void pid_table_init(struct pid_table *t);
void pid_table_release(struct pid_table *t);
/* Forgets every pid: the next one added gets id 1 again. */
void pid_table_clear(struct pid_table *t);

/* The id of pid, or 0 when it was never added. */
uint32_t pid_table_find(const struct pid_table *t, int64_t pid);
/* The id of pid, adding it (as id nr + 1) when new; *added (if not
 * NULL) says which. */
uint32_t pid_table_add(struct pid_table *t, int64_t pid, int *added);
/* How many pids the table holds (the highest id). */
static inline size_t pid_table_count(const struct pid_table *t)
{
	return t->nr;
}

#endif
