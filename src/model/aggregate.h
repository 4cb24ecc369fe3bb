/*
 * aggregate.h - self and total weight per function (or line, file,
 * module, thread): the numbers behind `report` and `diff` tables.
 *
 * A key is a label string interned in the aggregate's own table, so two
 * aggregates (before/after) can be compared by label.  "Total" counts a
 * key once per stack even when it recurses.  Only reads profiles; the
 * aggregate owns its arrays and strings until aggregate_release.
 */
#ifndef SCORCH_MODEL_AGGREGATE_H
#define SCORCH_MODEL_AGGREGATE_H

#include <stdint.h>

#include "model/strings.h"

struct profile;
struct strbuf;

enum aggregate_by {
	AGGREGATE_FUNCTION = 0,	/* "name" or "name (file)" */
	AGGREGATE_LINE,		/* "name (file:line)" */
	AGGREGATE_FILE,		/* source file, else module, else "[unknown]" */
	AGGREGATE_MODULE,	/* binary / DSO, else "[unknown]" */
	AGGREGATE_THREAD,	/* "name-tid" */
	AGGREGATE_NAME,		/* the bare function name, whatever its file */
};

struct aggregate {
	enum aggregate_by by;
	struct strtab keys;	/* key id -> label; id 0 unused */
	double *self, *total;	/* indexed by key id */
	uint32_t *frame;	/* per key: a frame that carries it, in the
				   first profile added that had it (frame ids
				   are that profile's); 0 for thread keys */
	uint32_t *stamp;	/* per key: last stack counted (internal) */
	uint32_t alloc;
	double sum;		/* sum of all counted weights */
};

void aggregate_init(struct aggregate *a, enum aggregate_by by);
void aggregate_release(struct aggregate *a);
/* Parses "function", "line", "file", "module", "thread", "name"; -1 if
 * unknown. */
int aggregate_by_parse(const char *name);
/* The name aggregate_by_parse takes ("file"), and a table heading for
 * the keys ("File"). */
const char *aggregate_by_name(enum aggregate_by by);
const char *aggregate_by_heading(enum aggregate_by by);

/* Appends the key label of a frame (or, for AGGREGATE_THREAD, of the
 * thread) to out. */
void aggregate_label(const struct profile *p, enum aggregate_by by,
		     uint32_t frame, uint32_t thread, struct strbuf *out);

/* Adds value[value] of every total of p whose stack passes keep (NULL =
 * all; one flag per stack id) and, when thread_only is nonzero, whose
 * thread is thread. */
void aggregate_add(struct aggregate *a, const struct profile *p, int value,
		   const uint8_t *keep, int thread_only, uint32_t thread);

/* Key ids 1..nr-1 sorted by total (or self when by_self), largest first;
 * caller frees.  *n receives the count. */
uint32_t *aggregate_sorted(const struct aggregate *a, int by_self, uint32_t *n);

#endif
