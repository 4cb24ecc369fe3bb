/*
 * strbuf.h - a growable, always NUL-terminated byte buffer.
 *
 * The buffer owns buf; strbuf_release frees it.  A zeroed struct (or
 * STRBUF_INIT-style {0}) is an empty buffer whose buf is "".
 */
#ifndef SCORCH_UTIL_STRBUF_H
#define SCORCH_UTIL_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char *buf;
	size_t len;
	size_t alloc;
};

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb);
void strbuf_reset(struct strbuf *sb);
void strbuf_grow(struct strbuf *sb, size_t extra);
void strbuf_add(struct strbuf *sb, const void *data, size_t len);
void strbuf_addstr(struct strbuf *sb, const char *s);
void strbuf_addch(struct strbuf *sb, int c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void strbuf_vaddf(struct strbuf *sb, const char *fmt, va_list ap);
void strbuf_setlen(struct strbuf *sb, size_t len);
/* Returns sb's contents; the caller owns it and sb is emptied. */
char *strbuf_detach(struct strbuf *sb);
/* Appends a number the way the folded format prints counts (and Perl
 * prints numbers): integers without a decimal point, others as %.15g. */
void strbuf_add_number(struct strbuf *sb, double value);
/* Appends len bytes as lower-case hex digits, two per byte (build ids). */
void strbuf_add_hex(struct strbuf *sb, const unsigned char *bytes,
		    size_t len);

/* Safe accessor: sb->buf, or "" for a never-grown buffer. */
static inline const char *strbuf_str(const struct strbuf *sb)
{
	return sb->buf ? sb->buf : "";
}

#endif
