/*
 * reader.h - the Python reader: finds a CPython runtime in another process
 * and copies out every thread's Python stack, without stopping it.
 *
 * pyreader_open locates _PyRuntime (on 3.6, the static interp_head),
 * detects the version from the binary (debug-offsets cookie, Py_Version,
 * version string, file name), picks the layout and checks it against
 * the live thread list.  pyreader_sample walks all threads once and hands
 * each thread's frames to a callback.  The reader owns its code cache and
 * per-thread state; it never prints (callers get a status and a reason)
 * and never writes to the target.
 */
#ifndef SCORCH_PYTHON_READER_H
#define SCORCH_PYTHON_READER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "python/codecache.h"
#include "python/layouts.h"
#include "python/snapshot.h"

struct strbuf;

enum pyread_status {
	PYREAD_OK = 0,
	PYREAD_NOT_READY,	/* a runtime, not initialised yet: retry */
	PYREAD_NOT_PYTHON,	/* no CPython runtime in the process */
	PYREAD_UNSUPPORTED,	/* a CPython this scorch cannot read */
	PYREAD_NO_PERMISSION,	/* cannot read its memory */
	PYREAD_GONE,		/* the process no longer exists */
};

/*
 * Deepest stack read: a deeper one (or a cycle in a torn read) keeps its
 * innermost PYREAD_MAX_DEPTH frames and is marked cut.  Room for
 * sys.setrecursionlimit(10000) and more.
 */
#define PYREAD_MAX_DEPTH 16384

/*
 * Stacks not read (each also one of pyreader_sample's *errors; the
 * others are list_errors), and stacks handed over incomplete; kept for
 * the reader's whole life, for summaries.
 */
struct pyread_counts {
	unsigned long torn;	/* a stack that never held still long
				   enough to be read (error) */
	unsigned long moving;	/* handed over with only its steady callers */
	unsigned long cut;	/* deeper than PYREAD_MAX_DEPTH: outermost
				   frames left out */
};

struct pyframe {
	struct pycode *code;	/* owned by the reader's cache */
	int line;		/* 0 when unknown */
	int entry;		/* the outermost frame of one eval-loop call
				   (3.11 is_entry; 3.12+ a skipped C-stack
				   frame comes next; every frame before
				   3.11): --native merges by it */
};

/* One thread's stack at one tick, handed to the callback. */
struct pythread_sample {
	long tid;		/* kernel thread id, 0 if unknown */
	uint64_t thread_id;	/* pthread_t, threading.get_ident() */
	uint64_t tstate;	/* its PyThreadState in the target */
	const char *name;	/* thread name, never NULL */
	unsigned name_serial;	/* changes whenever name changes */
	int holds_gil;		/* 1 / 0, -1 when not computed */
	int running;		/* on CPU: a period's worth of CPU time used
				   since its last sample (with
				   PYREAD_INSTANT_STATE: OS state R now);
				   1 / 0, -1 when not known */
	int moving;		/* 3.11+: the stack kept changing while it
				   was read; frames are the part that held
				   still (the callers), its callees unknown */
	int in_gc;		/* PYREAD_WANT_GC: in the cyclic GC, 1 / 0,
				   -1 when this version does not say */
	int in_exception;	/* PYREAD_WANT_EXC: handling an exception
				   (sys.exc_info() is set), 1 / 0, -1 when
				   this version does not say */
	int leaf_opcode;	/* PYREAD_WANT_OPCODES (3.11+): the innermost
				   frame's instruction (its byte, the
				   specialized one), -1 when unknown */
	int leaf_offset;	/* and its offset in bytes, as dis shows it */
	int cut;		/* deeper than PYREAD_MAX_DEPTH: these are its
				   innermost frames, the outermost are left
				   out */
	size_t nr_frames;
	const struct pyframe *frames;	/* innermost first */
};

/* pyreader_sample flags */
#define PYREAD_RUNNING_ONLY 1	/* skip threads not on a CPU (state R) */
#define PYREAD_WANT_GIL 2	/* compute holds_gil */
#define PYREAD_GIL_ONLY 4	/* skip threads not holding the GIL */
#define PYREAD_WANT_STATE 8	/* compute running for every thread */
#define PYREAD_INSTANT_STATE 16	/* running = OS state R now, not "used
				   CPU since the last sample" */
#define PYREAD_WANT_GC 32	/* compute in_gc (the GIL holder while the
				   interpreter's GC is collecting) */
#define PYREAD_WANT_EXC 64	/* compute in_exception */
#define PYREAD_WANT_OPCODES 128	/* compute leaf_opcode, leaf_offset */

typedef void (*pyread_thread_fn)(void *ctx, const struct pythread_sample *t);

struct pyreader_thread;

/* A frame as the walk read it: what a second look must find again. */
struct pywalked {
	uint64_t addr, back, code;
	int from_snapshot;	/* its bytes came from the current snapshot */
	ssize_t frame;		/* its index in frames[], -1 for none */
};

struct pyreader {
	pid_t pid;
	char exe[4096];
	char version[32];		/* "3.12.1" */
	struct py_layout layout;
	uint64_t runtime;		/* address of _PyRuntime (3.6:
					   of interp_head, layouts.h) */
	uint64_t py_none;		/* Py_None in the target, 0 = unknown */
	uint64_t tstate_current;	/* address of the current thread
					   pointer (<= 3.11), 0 = none */
	uint64_t head_interp;		/* interpreters.head, 0 = read it */
	int64_t head_read_ns;		/* when it was read */
	/*
	 * head_interp's next interpreter and first thread state, read with
	 * it; 0 = read them.  A thread put in front of that first one sets
	 * its prev (and freeing it clobbers prev), so a zero prev says the
	 * list still starts there: the words cost no read per sample.
	 */
	uint64_t head_next, head_threads;
	struct pycode_cache codes;
	struct pyreader_thread *threads;
	size_t nr_threads, alloc_threads;
	unsigned generation;
	int tid_offset;			/* struct pthread.tid (<= 3.10) */
	int own_pid_ns;			/* 1: in a pid namespace of its own
					   (thread ids need turning into
					   ours), -1: in ours, 0: unknown */
	struct pyframe *frames;		/* scratch for one thread's stack */
	size_t alloc_frames;
	struct pywalked *walked;	/* every frame the walk visited */
	size_t nr_walked, alloc_walked;
	struct pycode **frame_codes;	/* scratch for pycode_validate */
	size_t alloc_frame_codes;
	unsigned char *window;		/* scratch copy of frame memory */
	uint64_t window_base;
	size_t window_len;
	/*
	 * Steady state costs one system call per sample: everything the last
	 * sample read (runtime and interpreter words, thread states, frame
	 * memory) is read again in one snapshot at the start of the next,
	 * and the walk reads from it; only what moved is read on its own.
	 */
	struct snapshot snap;
	struct snapshot_range *touched;	/* what this sample read */
	size_t nr_touched, alloc_touched;
	struct snapshot retry;		/* one thread's memory, read again */
	struct snapshot *cur;		/* the snapshot reads come from */
	int from_snapshot;		/* the last frame_bytes found it there */
	size_t frame_room;		/* room it read above that frame */
	unsigned frame_copies;		/* snapshot copies to note frames for */
	unsigned walk_copy;		/* the copy frames are walked in */
	uint64_t root_entry_hint;	/* the thread's outermost entry frame
					   last time, 0 = none */
	uint64_t root_entry_seen;	/* and this time */
	int64_t now_ns;			/* CLOCK_MONOTONIC at this sample */
	int suspect_code;		/* a frame's position was outside its
					   code object: check the cache */
	int cut;			/* this walk stopped at PYREAD_MAX_DEPTH */
	struct pyread_counts counts;
	int64_t period_ns;		/* sampling period, for CPU credit */
	int new_threads;		/* threads appeared since names were read */
	unsigned name_serials;
	unsigned long list_errors;	/* of pyreader_sample's *errors: the
					   interpreter or thread list changed
					   while read (the rest: stacks) */
};

/*
 * Opens a reader on pid.  On anything but PYREAD_OK, *out is NULL and why
 * (if non-NULL) holds a one-line reason without the "scorch: " prefix.
 */
enum pyread_status pyreader_open(pid_t pid, struct pyreader **out,
				 struct strbuf *why);
void pyreader_close(struct pyreader *r);

/*
 * Samples every thread once.  Returns the number of threads handed to fn,
 * or -1 when the process is gone.  *errors counts threads dropped because
 * their memory could not be read consistently (torn reads).
 */
int pyreader_sample(struct pyreader *r, unsigned flags, pyread_thread_fn fn,
		    void *ctx, unsigned long *errors);

/* Names the thread with this pthread id (threading.get_ident()); the
 * name is copied.  Returns 1 when such a thread is known. */
int pyreader_set_thread_name(struct pyreader *r, uint64_t thread_id,
			     const char *name);
/* Nonzero when threads appeared since the last call (names to fetch). */
int pyreader_take_new_threads(struct pyreader *r);

/*
 * For a process that is not (yet) Python, looked at again and again with
 * the same zeroed watch: nonzero once it has stopped exec'ing (the same
 * executable, not a wrapper such as env, chroot or a shell, nothing named
 * python*, for a while: proc/exec_watch.h) and finished loading, so
 * waiting longer is pointless.
 */
struct exec_watch;
int pyreader_settled_not_python(pid_t pid, struct exec_watch *w, int64_t now_ns);

/* Sets the sampling period used to turn CPU time into samples. */
static inline void pyreader_set_period(struct pyreader *r, double hz)
{
	r->period_ns = hz > 0 ? (int64_t)(1e9 / hz) : 0;
}

/* Nonzero when this reader can tell whether a thread handles an
 * exception (PYREAD_WANT_EXC gives in_exception 0 or 1). */
static inline int pyreader_knows_exceptions(const struct pyreader *r)
{
	return r->layout.tstate_exc && r->py_none;
}

/* Explains a permission failure on pid: cause and fix, one line. */
void pyreader_permission_hint(pid_t pid, struct strbuf *why);

#endif
