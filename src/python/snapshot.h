/*
 * snapshot.h - many small pieces of another process's memory, read in one
 * system call.
 *
 * The caller lists the ranges it wants and in which copies: the first
 * copy, the middle copy (taken after every first copy) and the last copy
 * (after every middle copy).  snapshot_read sorts the ranges, joins close
 * ones (copying a short gap is cheaper than one more iovec, which costs
 * the kernel a page lookup), and reads all copies with a single
 * process_vm_readv (more for a very deep stack), in that order; first copies of ranges that also get a
 * last copy go at the end of the first ones, so little time passes
 * between a range's two copies.  A value copied in the middle, and
 * memory whose first and last copies agree, were read while that memory
 * held still.  The snapshot owns its buffers; pointers stay valid until
 * the next snapshot_reset.  Never stops or writes to the target.
 */
#ifndef SCORCH_PYTHON_SNAPSHOT_H
#define SCORCH_PYTHON_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

/*
 * Largest snapshot, in bytes and in spans (one iovec each) per copy: room
 * for a stack 10 000 frames deep read twice.  A normal stack takes one
 * system call; every SNAPSHOT_SPANS_PER_READ spans (the kernel's IOV_MAX)
 * take one more.
 */
#define SNAPSHOT_MAX_BYTES (32 * 1024 * 1024)
#define SNAPSHOT_MAX_SPANS 65536
#define SNAPSHOT_SPANS_PER_READ 1024

/* Which copies of a range to take (a bit mask), or to look in (one). */
#define SNAPSHOT_FIRST 1u
#define SNAPSHOT_MIDDLE 2u
#define SNAPSHOT_LAST 4u
/* spans are planned in groups, read in this order: first copies of
 * ranges without a last copy, first copies of the others, middle, last */
#define SNAPSHOT_GROUPS 4

struct snapshot_range {
	uint64_t addr;
	size_t len;
	unsigned copies;	/* SNAPSHOT_* bits */
};

struct snapshot_span {
	uint64_t addr;
	size_t len;		/* asked for */
	size_t got;		/* read: len, or less after a fault */
	size_t at;		/* offset in buf */
};

struct snapshot {
	struct snapshot_range *want;
	size_t nr_want, alloc_want;
	struct snapshot_span *spans[SNAPSHOT_GROUPS];
	size_t nr_spans[SNAPSHOT_GROUPS], alloc_spans[SNAPSHOT_GROUPS];
	unsigned char *buf;	/* grown as needed, up to SNAPSHOT_MAX_BYTES */
	size_t alloc_buf;
	struct iovec *iov;	/* local, then remote, per span */
	size_t alloc_iov;
};

/* Forgets the wanted ranges and what was read. */
void snapshot_reset(struct snapshot *s);
/* Adds a range to read in the given copies; empty ranges are ignored. */
void snapshot_want(struct snapshot *s, uint64_t addr, size_t len,
		   unsigned copies);
/*
 * Reads the wanted ranges (those beyond the size limits are dropped).
 * Returns the number of bytes read, 0 when nothing was wanted, or -1 with
 * errno set (ESRCH: the process is gone).  A fault part-way leaves the
 * spans before it usable.
 */
ssize_t snapshot_read(struct snapshot *s, pid_t pid);
/* Pointer to [addr, addr+len) in one copy (SNAPSHOT_FIRST, _MIDDLE or
 * _LAST) when it was read, else NULL. */
const unsigned char *snapshot_find(const struct snapshot *s, unsigned copy,
				   uint64_t addr, size_t len);
void snapshot_release(struct snapshot *s);

#endif
