/*
 * snapshot.h - many small pieces of another process's memory, read in one
 * system call.
 *
 * The caller lists the ranges it wants; snapshot_read sorts them, joins
 * ranges that are close (copying a short gap is cheaper than one more
 * iovec, which costs the kernel a page lookup), and reads the joined
 * spans with a single process_vm_readv.  snapshot_find then returns a
 * pointer to any range that lies inside a span read completely.  The
 * snapshot owns its buffers; pointers stay valid until the next
 * snapshot_reset.  Never stops or writes to the target.
 */
#ifndef SCORCH_PYTHON_SNAPSHOT_H
#define SCORCH_PYTHON_SNAPSHOT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Largest snapshot, in bytes and in spans (one iovec each). */
#define SNAPSHOT_MAX_BYTES (64 * 1024)
#define SNAPSHOT_MAX_SPANS 64

struct snapshot_range {
	uint64_t addr;
	size_t len;
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
	struct snapshot_span spans[SNAPSHOT_MAX_SPANS];
	size_t nr_spans;
	unsigned char *buf;	/* SNAPSHOT_MAX_BYTES, allocated on first read */
};

/* Forgets the wanted ranges and what was read. */
void snapshot_reset(struct snapshot *s);
/* Adds a range to read; empty ranges are ignored. */
void snapshot_want(struct snapshot *s, uint64_t addr, size_t len);
/*
 * Reads the wanted ranges (those beyond the size limits are dropped).
 * Returns the number of bytes read, 0 when nothing was wanted, or -1 with
 * errno set (ESRCH: the process is gone).  A fault part-way leaves the
 * spans before it usable.
 */
ssize_t snapshot_read(struct snapshot *s, pid_t pid);
/* Pointer to [addr, addr+len) when read, else NULL. */
const unsigned char *snapshot_find(const struct snapshot *s, uint64_t addr,
				   size_t len);
void snapshot_release(struct snapshot *s);

#endif
