/*
 * input.h - streaming input from a file or stdin, gzip decoded on the fly.
 *
 * An input is read either line by line (text formats) or in blocks / whole
 * (binary formats).  The first bytes can be peeked for format detection
 * before any reading.  Gzip is detected by its magic; the caller sees the
 * decompressed bytes.  Memory is bounded by the longest line, not the input.
 */
#ifndef SCORCH_UTIL_INPUT_H
#define SCORCH_UTIL_INPUT_H

#include <stddef.h>
#include <stdint.h>

struct input;

/* Opens path ("-" = stdin).  On failure prints "scorch: PATH: why" and
 * returns NULL.  Directories and unreadable files fail here. */
struct input *input_open(const char *path);
/* Wraps a memory buffer (not copied; must outlive the input).  Used by
 * tests and fuzz targets. */
struct input *input_from_memory(const void *data, size_t len, const char *name);
void input_close(struct input *in);

/* Name for messages: the path, or "<stdin>". */
const char *input_name(const struct input *in);
/* Nonzero when the raw stream started with the gzip magic. */
int input_was_gzip(const struct input *in);

/* Makes up to n bytes available without consuming them; returns how many
 * are available (fewer at end of input).  *data points at them. */
size_t input_peek(struct input *in, const unsigned char **data, size_t n);

/* Next line without its "\n".  Returns 1 and sets *line and *len, or 0
 * at end of input, or -1
 * on a read or decompression error (already reported).  The line stays
 * valid until the next call.  input_line_number() is its 1-based number. */
int input_getline(struct input *in, const char **line, size_t *len);
unsigned long input_line_number(const struct input *in);

/* Reads up to n bytes; returns the count, 0 at end, -1 on error. */
long input_read(struct input *in, void *buf, size_t n);
/* Reads the rest of the input into a malloc'ed buffer (caller frees).
 * Returns 0, or -1 on error.  max bounds the size (0 = no bound). */
int input_read_all(struct input *in, unsigned char **data, size_t *len,
		   size_t max);

#endif
