/*
 * folded.h - helpers of the folded-stack format shared with other formats.
 */
#ifndef SCORCH_FORMATS_FOLDED_H
#define SCORCH_FORMATS_FOLDED_H

#include <stddef.h>
#include <stdint.h>

struct profile;

/*
 * Splits one folded line into stack text and counts, as flamegraph.pl
 * does: the count is the last whitespace-separated number (\d+(\.\d*)?);
 * a second number before it makes the line differential.  Returns the
 * number of counts found (1 or 2), or 0 for an invalid line, and sets
 * *stack_len to the length of the stack text.
 */
int folded_split_line(const char *line, size_t len, size_t *stack_len,
		      double counts[2]);

/* Interns one folded frame name: annotation suffixes (_[k] _[j] _[i]
 * _[w]) set the kind, and "name (file.py:LINE)" is split into fields. */
uint32_t folded_frame(struct profile *p, const char *name, size_t len);

struct strbuf;
struct write_options;

/* Appends the folded text of one stack, root first (and the thread as a
 * root frame when o->with_threads).  *scratch and *alloc are a reusable frame
 * buffer the caller frees. */
void folded_append_stack(const struct profile *p, uint32_t stack,
			 uint32_t thread, const struct write_options *o,
			 struct strbuf *sb, uint32_t **scratch, size_t *alloc);

#endif
