/*
 * stack.h - reading one thread's stack for the reader (reader.c); not for
 * other callers.  A sample starts with pystack_begin (the snapshot); the
 * thread state and interpreter words are read with pystack_bytes and
 * pystack_u64 (so the next snapshot has them too); pystack_read walks a
 * thread's frames into r->frames.
 */
#ifndef SCORCH_PYTHON_STACK_H
#define SCORCH_PYTHON_STACK_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct pyreader;
struct pywalked;
struct snapshot_range;

/*
 * A thread's last stack that was known to be live, for pystack_read:
 * a stack read the same as it needs no second copy.  trusted: it was
 * the same twice in a row, so this sample's snapshot read its frames
 * once only.
 */
struct pystack_prev {
	const struct pywalked *walked;
	size_t nr_walked;
	int trusted;
};

/* Size of the reader's scratch window of frame memory (r->window). */
#define PYSTACK_WINDOW 4096

/* Starts a sample: reads again, in one system call, what the last one
 * read.  Returns -1 when the process is gone. */
int pystack_begin(struct pyreader *r);
/*
 * len bytes of target memory at addr as of this sample: from the
 * snapshot's copy (one SNAPSHOT_* bit), else read into buf; noted for the
 * next snapshot.  r->from_snapshot tells which.  NULL (errno set) when
 * unreadable.
 */
const unsigned char *pystack_bytes(struct pyreader *r, unsigned copy,
				   uint64_t addr, size_t len, void *buf);
int pystack_u64(struct pyreader *r, uint64_t addr, uint64_t *value);
/* Notes ranges for the next snapshot without reading them now (a thread
 * skipped this sample keeps its memory in the snapshot). */
void pystack_note(struct pyreader *r, const struct snapshot_range *ranges,
		  size_t n);
/*
 * Reads the stack of the thread whose state ts was read at tstate
 * (ts_middle: from the snapshot's middle copy; mark: r->nr_touched before
 * it was read) into r->frames, innermost first, and its frames into
 * r->walked.  *moving is set when the stack kept changing and only its
 * steady callers were kept; *same when it is prev's stack.  Returns the
 * number of frames or -1.
 */
ssize_t pystack_read(struct pyreader *r, uint64_t tstate,
		     const unsigned char *ts, int ts_middle, size_t mark,
		     const struct pystack_prev *prev, int *moving, int *same);

#endif
