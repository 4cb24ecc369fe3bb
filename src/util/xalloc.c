/*
 * xalloc.c - allocation wrappers that exit cleanly on exhaustion.
 *
 * Blocks of HUGE_MIN bytes or more (the profile's big tables when a
 * million-line input is read) are advised to use transparent huge pages:
 * with 4 KiB pages, first-touch page faults cost as much as the hashing.
 * xalloc_heap_huge_pages gives malloc's heap the same advice at start-up.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/xalloc.h"

#define SMALL_PAGE 4096u
#define HUGE_MIN (8u << 20)
#define HUGE_PAGE (2u << 20)
/* how much malloc's heap grows at a time once xalloc_heap_huge_pages ran */
#define HEAP_PAD (64u << 20)

/*
 * Asks for huge pages over a large block; only advice, so failure (no
 * THP, old kernel) changes nothing.  The advice covers every page the
 * block touches, not only its 2 MiB-aligned inside: a large block is a
 * mapping of its own, and advice on part of a mapping splits it in
 * pieces, after which realloc can no longer move it with mremap and
 * copies it instead (a fifth of the time of a million-line render).
 */
static void advise_huge(void *p, size_t size)
{
	uintptr_t start = (uintptr_t)p & ~(uintptr_t)(SMALL_PAGE - 1);
	uintptr_t end = ((uintptr_t)p + size + SMALL_PAGE - 1) &
			~(uintptr_t)(SMALL_PAGE - 1);

	if (size < HUGE_MIN)
		return;
#ifdef MADV_HUGEPAGE
	madvise((void *)start, end - start, MADV_HUGEPAGE);
#endif
}

void xalloc_heap_huge_pages(void)
{
#if defined(MADV_HUGEPAGE) && defined(M_TOP_PAD)
	char *before, *first, *after;
	uintptr_t start;

	if (mallopt(M_TOP_PAD, (int)HEAP_PAD) != 1)
		return;
	before = sbrk(0);
	first = malloc(1);
	after = sbrk(0);
	if (first && before != (void *)-1 && after != (void *)-1 &&
	    first >= before && first < after &&
	    (size_t)(after - before) >= HEAP_PAD / 2) {
		start = ((uintptr_t)first + HUGE_PAGE - 1) &
			~(uintptr_t)(HUGE_PAGE - 1);
		if (start < (uintptr_t)after)
			madvise((void *)start, (uintptr_t)after - start,
				MADV_HUGEPAGE);
	}
	free(first);
#endif
}

static void out_of_memory(size_t size)
{
	fprintf(stderr, "scorch: out of memory (allocating %zu bytes)\n", size);
	exit(2);
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);
	if (!p)
		out_of_memory(size);
	advise_huge(p, size);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory(n * size);
	advise_huge(p, n * size);
	return p;
}

void *xcalloc_line(size_t size)
{
	size_t n = (size + CACHE_LINE - 1) / CACHE_LINE * CACHE_LINE;
	void *p = aligned_alloc(CACHE_LINE, n ? n : CACHE_LINE);

	if (!p)
		out_of_memory(n);
	memset(p, 0, n ? n : CACHE_LINE);
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);
	if (!p)
		out_of_memory(size);
	advise_huge(p, size);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void grow_array(void **array, size_t elem_size, size_t need, size_t *alloc)
{
	size_t n;

	if (need <= *alloc)
		return;
	n = *alloc ? *alloc : 16;
	while (n < need)
		n = n / 2 * 3 + 16;
	if (n > SIZE_MAX / elem_size)
		out_of_memory(SIZE_MAX);
	*array = xrealloc(*array, n * elem_size);
	*alloc = n;
}

void grow_array32(void **array, size_t elem_size, size_t need, uint32_t *alloc)
{
	size_t a = *alloc;

	if (need > UINT32_MAX)
		out_of_memory(need * elem_size);
	grow_array(array, elem_size, need, &a);
	*alloc = a > UINT32_MAX ? UINT32_MAX : (uint32_t)a;
}

/* Arrays move into a reservation when they would grow past this. */
#define RESERVE_MIN (4u << 20)
#define RESERVE_MAX ((size_t)64 << 30)

void grow_array_reserved(void **array, size_t elem_size, size_t need,
			 uint32_t *alloc, size_t *reserved)
{
	size_t max_items, size;
	void *p;

	if (need <= *alloc)
		return;
	if (*reserved) {
		if (need > *reserved / elem_size)
			out_of_memory(need * elem_size);
		/* pages are committed as they are touched */
		*alloc = (uint32_t)(*reserved / elem_size);
		return;
	}
	if (need * elem_size < RESERVE_MIN) {
		grow_array32(array, elem_size, need, alloc);
		return;
	}
	max_items = RESERVE_MAX / elem_size;
	if (max_items > UINT32_MAX)
		max_items = UINT32_MAX;
	size = (max_items * elem_size + SMALL_PAGE - 1) & ~(size_t)(SMALL_PAGE - 1);
	p = need <= max_items ?
		mmap(NULL, size, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0) :
		MAP_FAILED;
	if (p == MAP_FAILED) {
		/* no address space to spare (overcommit off): the heap */
		grow_array32(array, elem_size, need, alloc);
		return;
	}
#ifdef MADV_HUGEPAGE
	madvise(p, size, MADV_HUGEPAGE);
#endif
	if (*alloc)
		memcpy(p, *array, (size_t)*alloc * elem_size);
	free(*array);
	*array = p;
	*reserved = size;
	*alloc = (uint32_t)max_items;
}

void free_array_reserved(void *array, size_t reserved)
{
	if (reserved)
		munmap(array, reserved);
	else
		free(array);
}
