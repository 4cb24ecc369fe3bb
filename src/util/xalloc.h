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
/* A zeroed block alone on its cache line(s) (CACHE_LINE-aligned, size
 * rounded up), for a small struct one thread writes often while another
 * reads its neighbours; free it with free(). */
#define CACHE_LINE 64
void *xcalloc_line(size_t size);
/*
 * Called once, first thing in main: malloc's heap grows 64 MiB at a time
 * and its first stretch is advised to use transparent huge pages, so the
 * many small blocks scorch and libdw allocate while reading DWARF and
 * perf.data cost one page fault per 2 MiB instead of per 4 KiB (the
 * faults of a CPython perf.data read: 9 500 -> 2 000, its CPU a third
 * less).  Only advice: nothing changes where there is no THP, or where
 * malloc does not use the heap (sanitizers).
 */
void xalloc_heap_huge_pages(void);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Make *array (of elem_size items, *alloc allocated) hold at least need
 * items, growing geometrically.  *array may be NULL with *alloc == 0. */
void grow_array(void **array, size_t elem_size, size_t need, size_t *alloc);
/* Same, for uint32_t allocation counters. */
void grow_array32(void **array, size_t elem_size, size_t need, uint32_t *alloc);

/*
 * For the few tables that reach hundreds of megabytes (a profile's stacks
 * and totals): like grow_array32, but once the array passes a few
 * megabytes it moves, once, into a reservation of address space for
 * UINT32_MAX items (at most 64 GiB), where growing only touches new pages:
 * no copy, no move, and its huge pages stay.  *reserved is the
 * reservation's size in bytes, 0 while the array is on the heap (also
 * when no reservation could be made: then it grows as grow_array32).
 * Free such an array with free_array_reserved.
 */
void grow_array_reserved(void **array, size_t elem_size, size_t need,
			 uint32_t *alloc, size_t *reserved);
void free_array_reserved(void *array, size_t reserved);

#endif
