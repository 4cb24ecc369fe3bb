/*
 * test_snapshot.c - unit tests for python/snapshot.c: joining ranges,
 * finding bytes, faults part-way and the size limits, on this process's
 * own memory (process_vm_readv works on oneself).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "python/snapshot.h"
#include "test.h"

static unsigned char block[3 * 4096];

static uint64_t addr_of(const void *p)
{
	return (uint64_t)(uintptr_t)p;
}

static void fill_block(void)
{
	size_t i;

	for (i = 0; i < sizeof(block); i++)
		block[i] = (unsigned char)(i * 7 + 3);
}

static void test_snapshot_joins_close_ranges(void)
{
	struct snapshot s = { 0 };
	const unsigned char *p;

	fill_block();
	/* out of order, overlapping and close: one span */
	snapshot_want(&s, addr_of(block + 600), 100, SNAPSHOT_FIRST);
	snapshot_want(&s, addr_of(block + 100), 50, SNAPSHOT_FIRST);
	snapshot_want(&s, addr_of(block + 120), 100, SNAPSHOT_FIRST);
	CHECK(snapshot_read(&s, getpid()) == 600);
	CHECK(s.nr_spans[0] == 1);
	p = snapshot_find(&s, SNAPSHOT_FIRST, addr_of(block + 130), 16);
	CHECK(p && !memcmp(p, block + 130, 16));
	p = snapshot_find(&s, SNAPSHOT_FIRST, addr_of(block + 650), 50);
	CHECK(p && !memcmp(p, block + 650, 50));
	/* the joined gap is readable too; outside the span is not */
	CHECK(snapshot_find(&s, SNAPSHOT_FIRST, addr_of(block + 300), 8) != NULL);
	CHECK(snapshot_find(&s, SNAPSHOT_FIRST, addr_of(block + 90), 16) == NULL);
	CHECK(snapshot_find(&s, SNAPSHOT_FIRST, addr_of(block + 690), 16) == NULL);
	snapshot_release(&s);
}

static void test_snapshot_far_ranges_are_separate(void)
{
	struct snapshot s = { 0 };
	const unsigned char *p;

	fill_block();
	snapshot_want(&s, addr_of(block), 8, SNAPSHOT_FIRST);
	snapshot_want(&s, addr_of(block + 3 * 4096 - 8), 8, SNAPSHOT_FIRST);
	CHECK(snapshot_read(&s, getpid()) == 16);
	CHECK(s.nr_spans[0] == 2);
	p = snapshot_find(&s, SNAPSHOT_FIRST, addr_of(block + 3 * 4096 - 8), 8);
	CHECK(p && !memcmp(p, block + 3 * 4096 - 8, 8));
	CHECK(snapshot_find(&s, SNAPSHOT_FIRST, addr_of(block + 4096), 8) == NULL);
	snapshot_release(&s);
}

static void test_snapshot_fault_keeps_earlier_spans(void)
{
	struct snapshot s = { 0 };
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *map = mmap(NULL, (size_t)page * 2, PROT_READ | PROT_WRITE,
				  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	CHECK(map != MAP_FAILED);
	if (map == MAP_FAILED)
		return;
	memset(map, 0x5a, (size_t)page);
	CHECK(munmap(map + page, (size_t)page) == 0);
	snapshot_want(&s, addr_of(map + 16), 32, SNAPSHOT_FIRST);
	snapshot_want(&s, addr_of(map + page + 64), 32, SNAPSHOT_FIRST);	/* unmapped */
	CHECK(snapshot_read(&s, getpid()) == 32);
	CHECK(snapshot_find(&s, SNAPSHOT_FIRST, addr_of(map + 16), 32) != NULL);
	CHECK(snapshot_find(&s, SNAPSHOT_FIRST, addr_of(map + page + 64), 8) == NULL);
	/* only the unmapped range: nothing read, but no error */
	snapshot_reset(&s);
	snapshot_want(&s, addr_of(map + page + 64), 32, SNAPSHOT_FIRST);
	CHECK(snapshot_read(&s, getpid()) == 0);
	CHECK(snapshot_find(&s, SNAPSHOT_FIRST, addr_of(map + page + 64), 8) == NULL);
	munmap(map, (size_t)page);
	snapshot_release(&s);
}

static void test_snapshot_limits(void)
{
	struct snapshot s = { 0 };
	/* more spans than one system call takes: read in batches */
	size_t stride = 8192, n = 2 * SNAPSHOT_SPANS_PER_READ + 8, i;
	unsigned char *big = calloc(n, stride);

	CHECK(big != NULL);
	if (!big)
		return;
	for (i = 0; i < n; i++) {
		big[i * stride] = (unsigned char)i;
		snapshot_want(&s, addr_of(big + i * stride), 8, SNAPSHOT_FIRST);
	}
	snapshot_want(&s, 0, 0, SNAPSHOT_FIRST);	/* empty: ignored */
	CHECK(snapshot_read(&s, getpid()) == (ssize_t)(8 * n));
	CHECK(s.nr_spans[0] == n);
	for (i = 0; i < n; i++) {
		const unsigned char *p = snapshot_find(&s, SNAPSHOT_FIRST,
						       addr_of(big + i * stride), 8);

		CHECK(p && *p == (unsigned char)i);
	}
	/* wanted in reverse order, as a deep stack's frames are */
	snapshot_reset(&s);
	for (i = n; i-- > 0;)
		snapshot_want(&s, addr_of(big + i * stride), 8,
			      SNAPSHOT_FIRST | SNAPSHOT_LAST);
	CHECK(snapshot_read(&s, getpid()) == (ssize_t)(16 * n));
	CHECK(snapshot_find(&s, SNAPSHOT_LAST, addr_of(big + (n - 1) * stride), 8) != NULL);
	free(big);
	/* one range over the byte limit is dropped, not truncated */
	snapshot_reset(&s);
	snapshot_want(&s, addr_of(&s), SNAPSHOT_MAX_BYTES + 1, SNAPSHOT_FIRST);
	CHECK(snapshot_read(&s, getpid()) == 0);
	snapshot_release(&s);
}

static void test_snapshot_copies(void)
{
	struct snapshot s = { 0 };
	const unsigned char *first, *middle, *last;

	fill_block();
	snapshot_want(&s, addr_of(block + 64), 64, SNAPSHOT_FIRST | SNAPSHOT_LAST);
	snapshot_want(&s, addr_of(block + 256), 8, SNAPSHOT_FIRST);
	snapshot_want(&s, addr_of(block + 2 * 4096), 16, SNAPSHOT_MIDDLE);
	snapshot_want(&s, addr_of(block + 2 * 4096 + 64), 16,
		      SNAPSHOT_FIRST | SNAPSHOT_LAST);
	/* first copies: 256 alone (no last copy), then 64..128 and the far
	 * one; middle: the far 16 bytes; last: 64..128 and the far one */
	CHECK(snapshot_read(&s, getpid()) == 8 + (64 + 16) + 16 + (64 + 16));
	CHECK(s.nr_spans[0] == 1 && s.nr_spans[1] == 2);
	CHECK(s.nr_spans[2] == 1 && s.nr_spans[3] == 2);
	first = snapshot_find(&s, SNAPSHOT_FIRST, addr_of(block + 64), 64);
	last = snapshot_find(&s, SNAPSHOT_LAST, addr_of(block + 64), 64);
	CHECK(first && last && first != last);
	CHECK(first && last && !memcmp(first, last, 64) &&
	      !memcmp(first, block + 64, 64));
	middle = snapshot_find(&s, SNAPSHOT_MIDDLE, addr_of(block + 2 * 4096), 16);
	CHECK(middle && !memcmp(middle, block + 2 * 4096, 16));
	/* each copy holds only what was wanted in it */
	CHECK(snapshot_find(&s, SNAPSHOT_FIRST, addr_of(block + 256), 8) != NULL);
	CHECK(snapshot_find(&s, SNAPSHOT_LAST, addr_of(block + 256), 8) == NULL);
	CHECK(snapshot_find(&s, SNAPSHOT_FIRST, addr_of(block + 2 * 4096), 16) == NULL);
	CHECK(snapshot_find(&s, SNAPSHOT_MIDDLE, addr_of(block + 64), 8) == NULL);
	snapshot_release(&s);
}

static void test_snapshot_gone_process(void)
{
	struct snapshot s = { 0 };
	pid_t child = fork();

	if (child == 0)
		_exit(0);
	CHECK(child > 0);
	while (kill(child, 0) == 0 && waitpid(child, NULL, 0) != child)
		;
	snapshot_want(&s, addr_of(block), 8, SNAPSHOT_FIRST);
	CHECK(snapshot_read(&s, child) == -1 && errno == ESRCH);
	snapshot_release(&s);
}

/*
 * A pointer from a torn read may be anything, -1 too: a range past every
 * span, whose end wraps around 2^64, is not in the snapshot.
 */
static void test_snapshot_find_wrapping_range(void)
{
	struct snapshot s = { 0 };

	fill_block();
	snapshot_want(&s, addr_of(block), 256, SNAPSHOT_FIRST);
	CHECK(snapshot_read(&s, getpid()) == 256);
	CHECK(snapshot_find(&s, SNAPSHOT_FIRST, UINT64_MAX, 64) == NULL);
	CHECK(snapshot_find(&s, SNAPSHOT_FIRST, UINT64_MAX - 7, 16) == NULL);
	CHECK(snapshot_find(&s, SNAPSHOT_FIRST, addr_of(block) + 200, 64) == NULL);
	CHECK(snapshot_find(&s, SNAPSHOT_FIRST, addr_of(block) + 192, 64) != NULL);
	snapshot_release(&s);
}

int main(void)
{
	RUN(test_snapshot_joins_close_ranges);
	RUN(test_snapshot_far_ranges_are_separate);
	RUN(test_snapshot_fault_keeps_earlier_spans);
	RUN(test_snapshot_limits);
	RUN(test_snapshot_copies);
	RUN(test_snapshot_gone_process);
	RUN(test_snapshot_find_wrapping_range);
	TEST_EXIT();
}
