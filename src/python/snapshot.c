/*
 * snapshot.c - joining wanted ranges into spans and reading them at once.
 *
 * Each copy is planned on its own from the sorted wants; ranges closer
 * than JOIN_GAP are joined: the gap then lies in pages
 * that the two ranges already touch, so joining never reads a page the
 * caller did not ask for.  Spans are read in address order, up to
 * SNAPSHOT_SPANS_PER_READ per system call; the kernel stops at the first
 * fault, so spans after it in the same call come back empty.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "python/snapshot.h"
#include "util/xalloc.h"

/*
 * Under a page, so the gap lies in pages the two ranges touch anyway.  An
 * iovec costs the kernel about as much as copying 4 KB (page lookup and
 * pinning per iovec), so joining up to a page never loses.
 */
#define JOIN_GAP 4095

void snapshot_reset(struct snapshot *s)
{
	int c;

	s->nr_want = 0;
	for (c = 0; c < SNAPSHOT_GROUPS; c++)
		s->nr_spans[c] = 0;
}

void snapshot_want(struct snapshot *s, uint64_t addr, size_t len,
		   unsigned copies)
{
	if (!len || addr + len < addr || !copies)
		return;
	grow_array((void **)&s->want, sizeof(*s->want), s->nr_want + 1,
		   &s->alloc_want);
	s->want[s->nr_want].addr = addr;
	s->want[s->nr_want].len = len;
	s->want[s->nr_want].copies = copies;
	s->nr_want++;
}

static int cmp_range(const void *a, const void *b)
{
	const struct snapshot_range *x = a, *y = b;

	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

/*
 * By address.  Usually a dozen ranges, mostly in order already: an
 * insertion sort; a deep stack's thousands of frames come in reverse.
 */
static void sort_wants(struct snapshot_range *w, size_t n)
{
	size_t i, j;

	if (n > 64) {
		qsort(w, n, sizeof(*w), cmp_range);
		return;
	}
	for (i = 1; i < n; i++) {
		struct snapshot_range x = w[i];

		for (j = i; j > 0 && w[j - 1].addr > x.addr; j--)
			w[j] = w[j - 1];
		w[j] = x;
	}
}

/* Does a range with these copies belong in span group g? */
static int in_group(unsigned copies, int g)
{
	switch (g) {
	case 0:
		return (copies & SNAPSHOT_FIRST) && !(copies & SNAPSHOT_LAST);
	case 1:
		return (copies & SNAPSHOT_FIRST) && (copies & SNAPSHOT_LAST);
	case 2:
		return (copies & SNAPSHOT_MIDDLE) != 0;
	default:
		return (copies & SNAPSHOT_LAST) != 0;
	}
}

/*
 * Joins the sorted wants of span group g into spans[] within the limits;
 * bytes is the buffer space used so far.  Returns how many spans.
 */
static size_t plan_spans(struct snapshot *s, int g, size_t *bytes)
{
	size_t i, nr = 0;
	struct snapshot_span *cur = NULL;

	for (i = 0; i < s->nr_want; i++) {
		uint64_t addr = s->want[i].addr, end = addr + s->want[i].len;

		if (!in_group(s->want[i].copies, g))
			continue;
		if (cur && addr <= cur->addr + cur->len + JOIN_GAP) {
			uint64_t cur_end = cur->addr + cur->len;

			if (end > cur_end) {
				if (*bytes + (end - cur_end) > SNAPSHOT_MAX_BYTES)
					break;
				*bytes += end - cur_end;
				cur->len += end - cur_end;
			}
			continue;
		}
		if (nr == SNAPSHOT_MAX_SPANS ||
		    *bytes + (end - addr) > SNAPSHOT_MAX_BYTES)
			break;
		grow_array((void **)&s->spans[g], sizeof(*s->spans[g]), nr + 1,
			   &s->alloc_spans[g]);
		cur = &s->spans[g][nr++];
		cur->addr = addr;
		cur->len = end - addr;
		cur->at = *bytes;
		cur->got = 0;
		*bytes += cur->len;
	}
	return nr;
}

/* Hands out the n bytes read, in order, to the spans of one call. */
static void fill_spans(struct snapshot_span **spans, size_t nr, ssize_t n)
{
	size_t i;

	for (i = 0; i < nr; i++) {
		size_t got = n >= (ssize_t)spans[i]->len ?
			spans[i]->len : (size_t)(n > 0 ? n : 0);

		spans[i]->got = got;
		n -= (ssize_t)got;
	}
}

ssize_t snapshot_read(struct snapshot *s, pid_t pid)
{
	struct snapshot_span *batch[SNAPSHOT_SPANS_PER_READ];
	size_t i, nr, bytes = 0, total;
	ssize_t n, read_bytes = 0;
	int c;

	sort_wants(s->want, s->nr_want);
	for (c = 0; c < SNAPSHOT_GROUPS; c++)
		s->nr_spans[c] = plan_spans(s, c, &bytes);
	if (!bytes)
		return 0;
	if (bytes > s->alloc_buf) {
		size_t want = s->alloc_buf ? s->alloc_buf : 64 * 1024;

		while (want < bytes)
			want *= 2;
		free(s->buf);
		s->buf = xmalloc(want);
		s->alloc_buf = want;
	}
	total = 0;
	for (c = 0; c < SNAPSHOT_GROUPS; c++)
		total += s->nr_spans[c];
	grow_array((void **)&s->iov, sizeof(*s->iov), 2 * total, &s->alloc_iov);
	/* all copies in order: first, middle, last; a batch per call */
	nr = 0;
	for (c = 0; c < SNAPSHOT_GROUPS; c++) {
		for (i = 0; i < s->nr_spans[c]; i++) {
			struct snapshot_span *sp = &s->spans[c][i];
			struct iovec *local = s->iov, *remote = s->iov + total;

			local[nr].iov_base = s->buf + sp->at;
			local[nr].iov_len = sp->len;
			remote[nr].iov_base = (void *)(uintptr_t)sp->addr;
			remote[nr].iov_len = sp->len;
			batch[nr % SNAPSHOT_SPANS_PER_READ] = sp;
			nr++;
			if (nr % SNAPSHOT_SPANS_PER_READ && nr < total)
				continue;
			{
				size_t k = (nr - 1) % SNAPSHOT_SPANS_PER_READ + 1;
				size_t at = nr - k;

				n = process_vm_readv(pid, local + at, k,
						     remote + at, k, 0);
				if (n < 0) {
					/* the first span faulted: nothing
					 * read, but the process is there */
					if (errno != EFAULT)
						return -1;
					n = 0;
				}
				fill_spans(batch, k, n);
				read_bytes += n;
			}
		}
	}
	return read_bytes;
}

static const unsigned char *find_in(const struct snapshot *s,
				    const struct snapshot_span *spans,
				    size_t nr, uint64_t addr, size_t len)
{
	size_t lo = 0, hi = nr;

	/* the last span starting at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (spans[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	lo--;
	/* no sums that can wrap: a torn pointer may be near 2^64 */
	if (addr - spans[lo].addr > spans[lo].got ||
	    len > spans[lo].got - (addr - spans[lo].addr))
		return NULL;
	return s->buf + spans[lo].at + (addr - spans[lo].addr);
}

const unsigned char *snapshot_find(const struct snapshot *s, unsigned copy,
				   uint64_t addr, size_t len)
{
	const unsigned char *p;

	if (copy == SNAPSHOT_LAST)
		return find_in(s, s->spans[3], s->nr_spans[3], addr, len);
	if (copy == SNAPSHOT_MIDDLE)
		return find_in(s, s->spans[2], s->nr_spans[2], addr, len);
	p = find_in(s, s->spans[1], s->nr_spans[1], addr, len);
	return p ? p : find_in(s, s->spans[0], s->nr_spans[0], addr, len);
}

void snapshot_release(struct snapshot *s)
{
	int c;

	free(s->want);
	free(s->buf);
	free(s->iov);
	for (c = 0; c < SNAPSHOT_GROUPS; c++)
		free(s->spans[c]);
	memset(s, 0, sizeof(*s));
}
