/*
 * speedscope.h - speedscope JSON decoding from memory (unit tests, fuzz
 * targets); the reader and writer rows are in formats.h.
 */
#ifndef SCORCH_FORMATS_SPEEDSCOPE_H
#define SCORCH_FORMATS_SPEEDSCOPE_H

#include <stddef.h>

struct profile;
struct read_options;

/* Reads a speedscope document into p.  Returns 0 or -1 (one error line). */
int speedscope_read_buffer(const char *data, size_t len, const char *name,
			   struct profile *p, const struct read_options *o);

#endif
