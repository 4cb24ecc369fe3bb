/*
 * text.h - tests on byte strings that are not NUL-terminated (a pointer and
 * a length), shared by the text readers and writers.  Pure functions.
 */
#ifndef SCORCH_UTIL_TEXT_H
#define SCORCH_UTIL_TEXT_H

#include <stddef.h>
#include <string.h>

/* Nonzero when s[0..len) ends with the NUL-terminated suffix. */
static inline int text_ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/* Nonzero when s[0..len) contains the NUL-terminated needle. */
static inline int text_contains(const char *s, size_t len, const char *needle)
{
	return memmem(s, len, needle, strlen(needle)) != NULL;
}

#endif
