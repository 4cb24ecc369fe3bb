/*
 * snapshot.c - joining wanted ranges into spans and reading them at once.
 *
 * Ranges closer than JOIN_GAP are joined: the gap then lies in pages
 * that the two ranges already touch, so joining never reads a page the
 * caller did not ask for.  Spans are read in address order; the
 * kernel stops at the first fault, so spans after it come back empty.
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
	s->nr_want = 0;
	s->nr_spans = 0;
}

void snapshot_want(struct snapshot *s, uint64_t addr, size_t len)
{
	if (!len || addr + len < addr)
		return;
	grow_array((void **)&s->want, sizeof(*s->want), s->nr_want + 1,
		   &s->alloc_want);
	s->want[s->nr_want].addr = addr;
	s->want[s->nr_want].len = len;
	s->nr_want++;
}

/* Insertion sort by address: a dozen ranges, mostly in order already. */
static void sort_wants(struct snapshot_range *w, size_t n)
{
	size_t i, j;

	for (i = 1; i < n; i++) {
		struct snapshot_range x = w[i];

		for (j = i; j > 0 && w[j - 1].addr > x.addr; j--)
			w[j] = w[j - 1];
		w[j] = x;
	}
}

/* Joins the sorted wants into spans within the size limits. */
static void plan_spans(struct snapshot *s)
{
	size_t i, bytes = 0;
	struct snapshot_span *cur = NULL;

	sort_wants(s->want, s->nr_want);
	s->nr_spans = 0;
	for (i = 0; i < s->nr_want; i++) {
		uint64_t addr = s->want[i].addr, end = addr + s->want[i].len;

		if (cur && addr <= cur->addr + cur->len + JOIN_GAP) {
			uint64_t cur_end = cur->addr + cur->len;

			if (end > cur_end) {
				if (bytes + (end - cur_end) > SNAPSHOT_MAX_BYTES)
					break;
				bytes += end - cur_end;
				cur->len += end - cur_end;
			}
			continue;
		}
		if (s->nr_spans == SNAPSHOT_MAX_SPANS ||
		    bytes + (end - addr) > SNAPSHOT_MAX_BYTES)
			break;
		cur = &s->spans[s->nr_spans++];
		cur->addr = addr;
		cur->len = end - addr;
		cur->at = bytes;
		cur->got = 0;
		bytes += cur->len;
	}
}

ssize_t snapshot_read(struct snapshot *s, pid_t pid)
{
	struct iovec local[SNAPSHOT_MAX_SPANS], remote[SNAPSHOT_MAX_SPANS];
	size_t i;
	ssize_t n, left;

	plan_spans(s);
	if (!s->nr_spans)
		return 0;
	if (!s->buf)
		s->buf = xmalloc(SNAPSHOT_MAX_BYTES);
	for (i = 0; i < s->nr_spans; i++) {
		local[i].iov_base = s->buf + s->spans[i].at;
		local[i].iov_len = s->spans[i].len;
		remote[i].iov_base = (void *)(uintptr_t)s->spans[i].addr;
		remote[i].iov_len = s->spans[i].len;
	}
	n = process_vm_readv(pid, local, s->nr_spans, remote, s->nr_spans, 0);
	if (n < 0) {
		/* the first span faulted: nothing read, but the process is there */
		if (errno == EFAULT)
			n = 0;
		else
			return -1;
	}
	for (i = 0, left = n; i < s->nr_spans; i++) {
		size_t got = left >= (ssize_t)s->spans[i].len ?
			s->spans[i].len : (size_t)(left > 0 ? left : 0);

		s->spans[i].got = got;
		left -= (ssize_t)got;
	}
	return n;
}

const unsigned char *snapshot_find(const struct snapshot *s, uint64_t addr,
				   size_t len)
{
	size_t lo = 0, hi = s->nr_spans;

	/* the last span starting at or below addr */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->spans[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	lo--;
	if (addr + len > s->spans[lo].addr + s->spans[lo].got)
		return NULL;
	return s->buf + s->spans[lo].at + (addr - s->spans[lo].addr);
}

void snapshot_release(struct snapshot *s)
{
	free(s->want);
	free(s->buf);
	memset(s, 0, sizeof(*s));
}
