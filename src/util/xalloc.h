/*
 * xalloc.h - allocation that never returns NULL.
 *
 * On exhaustion these print "scorch: out of memory" and exit(2): the only
 * place outside cmd/ allowed to exit, because no caller can recover.
 */
#ifndef SCORCH_UTIL_XALLOC_H
#define SCORCH_UTIL_XALLOC_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t size);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *ptr, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Make *array (of elem_size items, *alloc allocated) hold at least need
 * items, growing geometrically.  *array may be NULL with *alloc == 0. */
void grow_array(void **array, size_t elem_size, size_t need, size_t *alloc);
/* Same, for uint32_t allocation counters. */
void grow_array32(void **array, size_t elem_size, size_t need, uint32_t *alloc);

#endif
