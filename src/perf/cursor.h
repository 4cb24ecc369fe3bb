/*
 * cursor.h - a bounded reader over the bytes of a perf record or a
 * perf.data section: every read checks what is left, and a read past the
 * end marks the cursor bad and returns 0 or NULL instead.  Shared by the
 * record decoder (perf/record.c) and the perf.data header parser
 * (formats/perfdata_parse.c).  Values are read in the host's byte order,
 * as perf writes them.
 */
#ifndef SCORCH_PERF_CURSOR_H
#define SCORCH_PERF_CURSOR_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct perf_cursor {
	const unsigned char *p, *end;
	int bad;		/* a read went past end */
};

/* 1 when n more bytes can be read; otherwise marks c bad and returns 0. */
static inline int perf_cursor_need(struct perf_cursor *c, uint64_t n)
{
	if (c->bad || n > (uint64_t)(c->end - c->p)) {
		c->bad = 1;
		return 0;
	}
	return 1;
}

/* Steps over n bytes, returning where they start (NULL past the end). */
static inline const unsigned char *perf_cursor_skip(struct perf_cursor *c,
						    uint64_t n)
{
	const unsigned char *at = c->p;

	if (!perf_cursor_need(c, n))
		return NULL;
	c->p += n;
	return at;
}

static inline uint64_t perf_cursor_u64(struct perf_cursor *c)
{
	uint64_t v = 0;

	if (perf_cursor_need(c, 8)) {
		memcpy(&v, c->p, 8);
		c->p += 8;
	}
	return v;
}

static inline uint32_t perf_cursor_u32(struct perf_cursor *c)
{
	uint32_t v = 0;

	if (perf_cursor_need(c, 4)) {
		memcpy(&v, c->p, 4);
		c->p += 4;
	}
	return v;
}

#endif
