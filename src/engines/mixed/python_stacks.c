/*
 * python_stacks.c - the Python half of --native: one pyreader per Python
 * process (opened lazily, retried while the interpreter starts), and the
 * frames of one thread turned into FRAME_PYTHON ids of the profile.
 * Never merges with native frames (merge.c) and never writes output.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "model/profile.h"
#include "python/reader.h"
#include "engines/mixed/python_stacks.h"
#include "proc/timer.h"
#include "util/error.h"
#include "util/pidtable.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* pyreader_open attempts while a runtime is not initialised yet */
/* A process that is not (yet) readable is tried again, at most every
 * RETRY_NS: a starting interpreter for NOT_READY_NS, and one that does
 * not look like Python yet for NOT_PYTHON_NS (right at its exec, before
 * its maps settle, it may not), as pyrecord_open waits.  By time, not by
 * count: --idle brings many samples during start-up. */
#define RETRY_NS (5 * 1000 * 1000LL)
#define NOT_READY_NS (15 * 1000 * 1000 * 1000LL)
#define NOT_PYTHON_NS (2 * 1000 * 1000 * 1000LL)

enum py_state { PY_UNKNOWN = 0, PY_OPEN, PY_NOT_PYTHON };

struct python_process {
	pid_t pid;
	enum py_state state;
	struct pyreader *reader;
	int64_t first_try_ns, last_try_ns;	/* while not readable */
};

/* One thread's stack in the last read: read.frames[first, first + nr). */
struct read_thread {
	pid_t tid;
	size_t first, nr;
};

/*
 * The last read of one process: every thread's frames as the reader gave
 * them (their code objects live until its next read).  A sample taken
 * before the read began uses it rather than a read of its own: the
 * samples of one wake-up (4 at 1 kHz) were each read apart, ~6 us of
 * system time apiece, and a read made after a sample is as close to it
 * as a later read would be (closer).
 */
struct python_read {
	pid_t pid;			/* 0: none */
	uint64_t serial;		/* changes with every read */
	int64_t start_ns;		/* CLOCK_MONOTONIC, as samples' times */
	unsigned long errors;		/* threads it could not read */
	struct read_thread *threads;
	size_t nr_threads, alloc_threads;
	struct pyframe *frames;
	size_t nr_frames, alloc_frames;
};

struct python_stacks {
	struct profile *p;
	int no_lines;
	struct pid_table pids;		/* process pid -> procs[id - 1] */
	struct python_process *procs;
	size_t nr_procs, alloc_procs;
	struct python_read read;
	uint32_t *frames;		/* scratch: one thread's stack */
	unsigned char *entry;		/* and its eval-loop entry marks */
	size_t alloc_frames, alloc_entry;
	/* what frames holds: read.threads[thread] of read serial */
	uint64_t frames_serial;
	size_t frames_thread, nr_frames;
};

struct python_stacks *python_stacks_new(struct profile *p, int no_lines)
{
	struct python_stacks *pp = xcalloc(1, sizeof(*pp));

	pp->p = p;
	pp->no_lines = no_lines;
	pid_table_init(&pp->pids);
	return pp;
}

void python_stacks_free(struct python_stacks *pp)
{
	if (!pp)
		return;
	for (size_t i = 0; i < pp->nr_procs; i++)
		if (pp->procs[i].reader)
			pyreader_close(pp->procs[i].reader);
	free(pp->procs);
	pid_table_release(&pp->pids);
	free(pp->read.threads);
	free(pp->read.frames);
	free(pp->frames);
	free(pp->entry);
	free(pp);
}

/* pid's entry, added when new: one hash probe per sample */
static struct python_process *python_process(struct python_stacks *pp,
					     pid_t pid)
{
	int added;
	uint32_t id = pid_table_add(&pp->pids, pid, &added);

	if (added) {
		grow_array((void **)&pp->procs, sizeof(*pp->procs), id,
			   &pp->alloc_procs);
		memset(&pp->procs[id - 1], 0, sizeof(*pp->procs));
		pp->procs[id - 1].pid = pid;
		pp->nr_procs = id;
	}
	return &pp->procs[id - 1];
}

void python_stacks_reset(struct python_stacks *pp, pid_t pid)
{
	struct python_process *proc = python_process(pp, pid);

	if (proc->reader)
		pyreader_close(proc->reader);
	proc->reader = NULL;
	proc->state = PY_UNKNOWN;
	proc->first_try_ns = 0;
	proc->last_try_ns = 0;
	if (pp->read.pid == pid)
		pp->read.pid = 0;
}

int python_stacks_known(struct python_stacks *pp, pid_t pid)
{
	return python_process(pp, pid)->state == PY_OPEN;
}

static void thread_cb(void *ctx, const struct pythread_sample *t)
{
	struct python_read *rd = ctx;
	struct read_thread *rt;

	grow_array((void **)&rd->threads, sizeof(*rd->threads),
		   rd->nr_threads + 1, &rd->alloc_threads);
	grow_array((void **)&rd->frames, sizeof(*rd->frames),
		   rd->nr_frames + t->nr_frames, &rd->alloc_frames);
	rt = &rd->threads[rd->nr_threads++];
	rt->tid = (pid_t)t->tid;
	rt->first = rd->nr_frames;
	rt->nr = t->nr_frames;
	if (t->nr_frames)	/* none: rd->frames may still be NULL */
		memcpy(&rd->frames[rd->nr_frames], t->frames,
		       t->nr_frames * sizeof(*t->frames));
	rd->nr_frames += t->nr_frames;
}

/* rt's frames into pp->frames / pp->entry as profile frame ids */
static size_t thread_frames(struct python_stacks *pp,
			    const struct read_thread *rt)
{
	const struct pyframe *fr = rt->nr ? &pp->read.frames[rt->first] : NULL;

	grow_array((void **)&pp->frames, sizeof(*pp->frames), rt->nr + 1,
		   &pp->alloc_frames);
	grow_array((void **)&pp->entry, sizeof(*pp->entry), rt->nr + 1,
		   &pp->alloc_entry);
	for (size_t i = 0; i < rt->nr; i++) {
		struct pycode *code = fr[i].code;
		struct frame f;

		memset(&f, 0, sizeof(f));
		f.kind = FRAME_PYTHON;
		f.name = profile_intern(pp->p, code->name ? code->name : "?");
		f.file = profile_intern(pp->p, code->file ? code->file : "");
		f.line = pp->no_lines ? 0 : fr[i].line;
		pp->entry[i] = (unsigned char)fr[i].entry;
		pp->frames[i] = profile_frame(pp->p, &f);
	}
	return rt->nr;
}

/* Opens the reader on first use; returns 0 when pid is not Python (yet). */
static int python_open(struct python_process *proc)
{
	struct strbuf why;
	enum pyread_status s;
	struct timespec ts;
	int64_t now, waited;

	if (proc->state == PY_OPEN)
		return 1;
	if (proc->state == PY_NOT_PYTHON)
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (proc->last_try_ns && now - proc->last_try_ns < RETRY_NS)
		return 0;
	if (!proc->first_try_ns)
		proc->first_try_ns = now;
	proc->last_try_ns = now;
	waited = now - proc->first_try_ns;
	strbuf_init(&why);
	s = pyreader_open(proc->pid, &proc->reader, &why);
	if (s == PYREAD_OK) {
		proc->state = PY_OPEN;
	} else if ((s == PYREAD_NOT_READY && waited < NOT_READY_NS) ||
		   (s == PYREAD_NOT_PYTHON && waited < NOT_PYTHON_NS)) {
		/* starting or still exec'ing: try again soon */
	} else {
		proc->state = PY_NOT_PYTHON;
		if (s != PYREAD_NOT_PYTHON && s != PYREAD_NOT_READY)
			warning("--native: process %d: %s", (int)proc->pid,
				strbuf_str(&why));
	}
	strbuf_release(&why);
	return proc->state == PY_OPEN;
}

int python_stacks_read(struct python_stacks *pp, pid_t pid, pid_t tid,
		       uint64_t time_ns, const uint32_t **frames,
		       const unsigned char **entry, size_t *nr)
{
	struct python_process *proc = python_process(pp, pid);
	struct python_read *rd = &pp->read;
	size_t i;

	*frames = NULL;
	*entry = NULL;
	*nr = 0;
	if (!python_open(proc))
		return 0;
	if (rd->pid != pid || !time_ns || (int64_t)time_ns > rd->start_ns) {
		rd->pid = 0;
		rd->nr_threads = rd->nr_frames = 0;
		rd->errors = 0;
		rd->start_ns = ticker_now();
		rd->serial++;
		if (pyreader_sample(proc->reader, 0, thread_cb, rd,
				    &rd->errors) < 0)
			return -1;
		rd->pid = pid;
	}
	for (i = 0; i < rd->nr_threads && rd->threads[i].tid != tid; i++)
		;
	if (i == rd->nr_threads) {
		if (rd->errors)
			return -1;	/* the thread may be among the torn ones */
		*frames = pp->frames;
		*entry = pp->entry;
		return 1;		/* no Python frames */
	}
	/* the samples sharing a read mostly are one thread's: its frames
	 * are already in pp->frames after the first */
	if (pp->frames_serial != rd->serial || pp->frames_thread != i) {
		pp->nr_frames = thread_frames(pp, &rd->threads[i]);
		pp->frames_serial = rd->serial;
		pp->frames_thread = i;
	}
	*nr = pp->nr_frames;
	*frames = pp->frames;
	*entry = pp->entry;
	return 1;
}

void python_stacks_prepare(struct python_stacks *pp, pid_t pid)
{
	python_open(python_process(pp, pid));
}
