/*
 * pyrecord.c - the Python sampling loop: ticks, readers, stacks, children.
 *
 * Each tick samples every followed process once (cpu mode: only threads
 * in state R; --idle: all, idle ones get an "[idle]" leaf; --gil: only the
 * GIL holder; --mode exception: only threads handling an exception).  A
 * sample in the cyclic GC ends in "[gc]"; with --opcodes, in the leaf's
 * instruction "[@OFFSET NAME]".  A thread whose stack did not change
 * since the last tick reuses its stack id, so the steady-state cost is
 * the reads alone.
 * Never stops the target; a process that vanishes just stops being
 * sampled.  When to stop and when the live view is due: engines/loop.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engines/loop.h"
#include "engines/python/pyrecord.h"
#include "model/profile.h"
#include "proc/children.h"
#include "proc/exec_watch.h"
#include "proc/timer.h"
#include "python/asyncio.h"
#include "python/opcodes.h"
#include "python/threadnames.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/pidtable.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define OPEN_NOT_PYTHON_MS 2000		/* exec chains (env, shells) settle */
#define OPEN_NOT_READY_MS 15000		/* interpreter start-up */
#define CHILD_SCAN_MS 50
#define CHILD_GIVE_UP_MS 2000
#define NAMES_EVERY_MS 5000
#define NAMES_RETRY_MS 50
#define NAMES_RETRIES 10
#define ALIVE_EVERY_MS 10

struct pyrec_thread {
	pid_t pid;
	long tid;
	uint64_t thread_id;
	uint32_t thread;		/* profile thread id */
	unsigned name_serial;		/* reader's name serial last time */
	/* the last stack, to skip rebuilding an unchanged one */
	struct pyframe *last;
	size_t nr_last, alloc_last;
	int last_marker, last_cut;
	int last_opcode, last_offset;	/* --opcodes: the leaf's, -1 = none */
	uint32_t last_stack;
	unsigned long last_epoch;
};

struct pyrec_process {
	pid_t pid;
	struct pyreader *reader;	/* NULL until opened */
	struct pyasync *async;		/* --async: task chains, NULL = none */
	int async_unsupported;		/* --async: this version has no row */
	int64_t first_seen_ns;
	int gone, gave_up;
	uint32_t root_frame;		/* "python3 (1234)", 0 = none */
};

struct pyrec {
	const struct record_options *o;
	struct profile *p;
	struct record_stats *stats;
	struct pyrec_process *procs;	/* [id - 1] of proc_ids */
	size_t nr_procs, alloc_procs;
	struct pid_table proc_ids;	/* pid -> procs */
	struct pyrec_thread *threads;
	size_t nr_threads, alloc_threads;
	struct hash_index *thread_index;	/* (pid, tid, thread id) ->
						   threads index + 1 */
	struct pyrec_process *current;
	int64_t now_ns;
	uint32_t idle_frame, moving_frame, gc_frame, cut_frame;
	uint32_t *scratch;
	size_t alloc_scratch;
};

static int64_t ms(int64_t n)
{
	return n * 1000000;
}

enum pyread_status pyrecord_open(struct target *t, struct pyreader **out,
				 struct strbuf *why)
{
	int64_t start = ticker_now();
	int delay_us = 200, settled = 0;
	enum pyread_status last = PYREAD_NOT_READY;
	struct exec_watch watch = { 0 };

	for (;;) {
		enum pyread_status st;
		int64_t waited;

		strbuf_reset(why);
		st = pyreader_open(t->pid, out, why);
		if (st == PYREAD_OK || st == PYREAD_UNSUPPORTED ||
		    st == PYREAD_NO_PERMISSION)
			return st;
		if (st == PYREAD_NOT_PYTHON)
			settled = pyreader_settled_not_python(t->pid, &watch,
							      ticker_now());
		if (!target_alive(t) || st == PYREAD_GONE) {
			target_alive(t);
			/* it ran and exited without ever looking like Python */
			if (last == PYREAD_NOT_PYTHON && settled) {
				strbuf_reset(why);
				strbuf_addf(why, "pid %d did not run CPython (it exited)",
					    (int)t->pid);
				return PYREAD_NOT_PYTHON;
			}
			strbuf_reset(why);
			strbuf_addf(why, "pid %d exited before its Python runtime could be read",
				    (int)t->pid);
			return PYREAD_GONE;
		}
		last = st;
		waited = ticker_now() - start;
		/* a spawned target that exec'd again gets its time anew */
		if (st == PYREAD_NOT_PYTHON && watch.seen)
			waited = ticker_now() - watch.since_ns;
		/* an attached process is what it is; a spawned one may still
		 * be loading libpython or exec'ing through a wrapper */
		if (st == PYREAD_NOT_PYTHON && (!t->spawned || settled ||
						waited > ms(OPEN_NOT_PYTHON_MS)))
			return st;
		if (waited > ms(OPEN_NOT_READY_MS))
			return st;
		usleep((useconds_t)delay_us);
		if (delay_us < 10000)
			delay_us *= 2;
	}
}

static struct pyrec_process *add_process(struct pyrec *rec, pid_t pid,
					 struct pyreader *reader)
{
	struct pyrec_process *pr;

	grow_array((void **)&rec->procs, sizeof(*pr), rec->nr_procs + 1,
		   &rec->alloc_procs);
	pr = &rec->procs[rec->nr_procs++];
	pid_table_add(&rec->proc_ids, pid, NULL);
	memset(pr, 0, sizeof(*pr));
	pr->pid = pid;
	pr->reader = reader;
	pr->first_seen_ns = ticker_now();
	return pr;
}

static void name_process(struct pyrec *rec, struct pyrec_process *pr)
{
	char path[64], comm[64] = "python";
	struct strbuf sb = { 0 };
	FILE *fp;

	if (!rec->o->subprocesses)
		return;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pr->pid);
	fp = fopen(path, "re");
	if (fp) {
		if (fgets(comm, sizeof(comm), fp))
			comm[strcspn(comm, "\n")] = '\0';
		fclose(fp);
	}
	strbuf_addf(&sb, "%s (%d)", comm, (int)pr->pid);
	pr->root_frame = profile_frame_named(rec->p, sb.buf, sb.len,
					     FRAME_PROCESS);
	strbuf_release(&sb);
}

struct thread_key {
	const struct pyrec *rec;
	pid_t pid;
	long tid;
	uint64_t thread_id;
};

static int thread_equals(const void *ctx, uint32_t id)
{
	const struct thread_key *k = ctx;
	const struct pyrec_thread *t = &k->rec->threads[id - 1];

	return t->pid == k->pid && t->tid == k->tid &&
	       t->thread_id == k->thread_id;
}

/* The thread's record, made on its first sample: one hash probe per
 * sample however many threads came and went. */
static struct pyrec_thread *find_thread(struct pyrec *rec, pid_t pid,
					const struct pythread_sample *s)
{
	struct thread_key k = { rec, pid, s->tid, s->thread_id };
	uint64_t h = hash_mix(hash_u64((uint64_t)pid),
			      hash_mix((uint64_t)s->tid, s->thread_id));
	struct pyrec_thread *t;
	uint32_t id = hash_index_find(rec->thread_index, h, thread_equals, &k);

	if (id)
		return &rec->threads[id - 1];
	grow_array((void **)&rec->threads, sizeof(*t), rec->nr_threads + 1,
		   &rec->alloc_threads);
	t = &rec->threads[rec->nr_threads++];
	memset(t, 0, sizeof(*t));
	t->pid = pid;
	t->tid = s->tid;
	t->thread_id = s->thread_id;
	hash_index_insert(rec->thread_index, h, (uint32_t)rec->nr_threads);
	return t;
}

static uint32_t frame_id(struct pyrec *rec, const struct pyframe *pf)
{
	struct pycode *c = pf->code;
	struct frame f;

	if (!c->name_id)
		c->name_id = profile_intern(rec->p, c->name);
	if (!c->file_id)
		c->file_id = profile_intern(rec->p, c->file);
	memset(&f, 0, sizeof(f));
	f.name = c->name_id;
	f.file = c->file_id;
	f.line = rec->o->no_lines ? 0 : pf->line;
	f.kind = FRAME_PYTHON;
	return profile_frame(rec->p, &f);
}

/* --async: the thread's stack as its task's await chain (asyncio.h). */
static const struct pythread_sample *async_stack(struct pyrec *rec,
						 const struct pythread_sample *s,
						 struct pythread_sample *copy)
{
	struct pyrec_process *pr = rec->current;

	if (!rec->o->async_tasks)
		return s;
	if (!pr->async && !pr->async_unsupported) {
		pr->async = pyasync_open(pr->reader);
		pr->async_unsupported = !pr->async;
		if (!pr->async)
			warning("--async: cannot read asyncio tasks of Python %s in pid %d (scorch reads them on 3.11 to 3.15); plain stacks recorded",
				pr->reader->version, (int)pr->pid);
	}
	*copy = *s;
	if (!pr->async || !pyasync_rewrite(pr->async, pr->reader, copy))
		return s;
	return copy;
}

struct waiting_ctx {
	struct pyrec *rec;
	struct pyrec_thread *t;
};

/* --async --idle: one sample for a task waiting, ending in [idle]. */
static void on_waiting_task(void *ctx, const struct pyframe *frames, size_t n)
{
	struct waiting_ctx *w = ctx;
	struct pyrec *rec = w->rec;
	uint32_t stack;
	size_t i;

	stack = rec->current->root_frame ?
		profile_stack_push(rec->p, 0, rec->current->root_frame) : 0;
	for (i = n; i-- > 0;)
		stack = profile_stack_push(rec->p, stack, frame_id(rec, &frames[i]));
	if (!rec->idle_frame)
		rec->idle_frame = profile_frame_named(rec->p, "[idle]", 6,
						      FRAME_MARKER);
	stack = profile_stack_push(rec->p, stack, rec->idle_frame);
	profile_add1(rec->p, stack, w->t->thread, rec->now_ns, 1);
	rec->stats->samples++;
}

/*
 * --opcodes: the leaf's instruction as a frame "[@OFFSET NAME]" under it
 * (annotate lists them under their source line); the line is the leaf's.
 */
static uint32_t opcode_frame(struct pyrec *rec, const struct pythread_sample *s)
{
	const struct py_layout *l = &rec->current->reader->layout;
	const char *const *names = py_opcode_names(l->major, l->minor);
	const char *name = names ? names[s->leaf_opcode] : NULL;
	char text[96];
	int len;

	/* a child process (--subprocesses) may run another version */
	if (name)
		len = snprintf(text, sizeof(text), "[@%d %s]", s->leaf_offset, name);
	else
		len = snprintf(text, sizeof(text), "[@%d opcode %d]",
			       s->leaf_offset, s->leaf_opcode);
	return profile_frame_named(rec->p, text, (size_t)len, FRAME_MARKER);
}

static void on_thread(void *ctx, const struct pythread_sample *orig)
{
	struct pyrec *rec = ctx;
	struct pythread_sample copy;
	const struct pythread_sample *s = async_stack(rec, orig, &copy);
	struct pyrec_process *pr = rec->current;
	struct pyrec_thread *t;
	/* a leaf marker: [gc] (in the cyclic garbage collector), [idle]
	 * (--idle, did not run) or [moving] (the callees changed faster
	 * than they could be read) */
	int marker = s->in_gc == 1 ? 3 : s->moving ? 2 :
		rec->o->idle && s->running == 0;
	uint32_t stack;
	size_t i;

	if (!s->nr_frames)
		return;
	/* --mode exception: only threads handling one */
	if (rec->o->exception && s->in_exception != 1)
		return;
	t = find_thread(rec, pr->pid, s);
	if (!t->thread || t->name_serial != s->name_serial) {
		t->thread = profile_thread(rec->p, pr->pid, s->tid, s->name);
		t->name_serial = s->name_serial;
	}
	if (t->last_stack && t->last_epoch == pr->reader->codes.epoch &&
	    t->nr_last == s->nr_frames && t->last_marker == marker &&
	    t->last_opcode == s->leaf_opcode && t->last_offset == s->leaf_offset &&
	    t->last_cut == s->cut &&
	    !memcmp(t->last, s->frames, s->nr_frames * sizeof(*s->frames))) {
		stack = t->last_stack;
	} else {
		stack = pr->root_frame ?
			profile_stack_push(rec->p, 0, pr->root_frame) : 0;
		/* a stack deeper than the reader reads: its outermost
		 * frames are missing, said at the root */
		if (s->cut) {
			if (!rec->cut_frame)
				rec->cut_frame = profile_frame_named(
					rec->p, "[truncated]", 11, FRAME_MARKER);
			stack = profile_stack_push(rec->p, stack, rec->cut_frame);
		}
		for (i = s->nr_frames; i-- > 0;)
			stack = profile_stack_push(rec->p, stack,
						   frame_id(rec, &s->frames[i]));
		if (rec->o->opcodes && s->leaf_opcode >= 0)
			stack = profile_stack_push(rec->p, stack,
						   opcode_frame(rec, s));
		if (marker == 1) {
			if (!rec->idle_frame)
				rec->idle_frame = profile_frame_named(
					rec->p, "[idle]", 6, FRAME_MARKER);
			stack = profile_stack_push(rec->p, stack, rec->idle_frame);
		} else if (marker == 3) {
			if (!rec->gc_frame)
				rec->gc_frame = profile_frame_named(
					rec->p, "[gc]", 4, FRAME_MARKER);
			stack = profile_stack_push(rec->p, stack, rec->gc_frame);
		} else if (marker == 2) {
			if (!rec->moving_frame)
				rec->moving_frame = profile_frame_named(
					rec->p, "[moving]", 8, FRAME_MARKER);
			stack = profile_stack_push(rec->p, stack, rec->moving_frame);
		}
		grow_array((void **)&t->last, sizeof(*t->last), s->nr_frames,
			   &t->alloc_last);
		memcpy(t->last, s->frames, s->nr_frames * sizeof(*s->frames));
		t->nr_last = s->nr_frames;
		t->last_marker = marker;
		t->last_opcode = s->leaf_opcode;
		t->last_offset = s->leaf_offset;
		t->last_cut = s->cut;
		t->last_stack = stack;
		t->last_epoch = pr->reader->codes.epoch;
	}
	profile_add1(rec->p, stack, t->thread, rec->now_ns, 1);
	rec->stats->samples++;
	if (rec->o->async_tasks && rec->o->idle && pr->async) {
		struct waiting_ctx w = { rec, t };

		pyasync_waiting(pr->async, pr->reader, orig, on_waiting_task, &w);
	}
}

static unsigned sample_flags(const struct record_options *o)
{
	unsigned flags = 0;

	if (!o->idle)
		flags |= PYREAD_RUNNING_ONLY;
	else
		flags |= PYREAD_WANT_STATE;
	if (o->gil)
		flags |= PYREAD_GIL_ONLY;
	if (o->exception)
		flags |= PYREAD_WANT_EXC;
	if (o->opcodes)
		flags |= PYREAD_WANT_OPCODES;
	/* [gc] frames always, as CPython's own profiler shows them */
	flags |= PYREAD_WANT_GC;
	return flags;
}

/* ---- following children ---- */

static int known_pid(const struct pyrec *rec, pid_t pid)
{
	return pid_table_find(&rec->proc_ids, pid) != 0;
}

static void scan_children(struct pyrec *rec, pid_t root)
{
	pid_t *pids;
	size_t nr = proc_descendants(root, &pids);

	for (size_t i = 0; i < nr; i++)
		if (!known_pid(rec, pids[i]))
			add_process(rec, pids[i], NULL);
	free(pids);
}

static void try_open_children(struct pyrec *rec)
{
	size_t i;

	for (i = 0; i < rec->nr_procs; i++) {
		struct pyrec_process *pr = &rec->procs[i];
		enum pyread_status st;

		if (pr->reader || pr->gone || pr->gave_up)
			continue;
		st = pyreader_open(pr->pid, &pr->reader, NULL);
		if (st == PYREAD_OK) {
			name_process(rec, pr);
		} else if (st == PYREAD_GONE) {
			pr->gone = 1;
		} else if (st != PYREAD_NOT_READY && st != PYREAD_NOT_PYTHON) {
			pr->gave_up = 1;
		} else if (ticker_now() - pr->first_seen_ns > ms(CHILD_GIVE_UP_MS)) {
			pr->gave_up = 1;
		}
	}
}

int pyrecord_run(const struct record_options *o, struct target *t,
		 struct pyreader *reader, struct profile *p,
		 struct record_stats *stats, volatile sig_atomic_t *stop)
{
	struct pyrec rec;
	struct ticker tk;
	struct engine_loop loop;
	unsigned flags = sample_flags(o);
	int64_t start, last_scan = 0, last_names = 0, last_alive = 0;
	int names_pending = 0;
	size_t i;

	memset(&rec, 0, sizeof(rec));
	pid_table_init(&rec.proc_ids);
	rec.thread_index = hash_index_new();
	rec.o = o;
	rec.p = p;
	rec.stats = stats;
	add_process(&rec, t->pid, reader);
	name_process(&rec, &rec.procs[0]);
	ticker_start(&tk, o->rate_hz);
	start = tk.start_ns;
	engine_loop_start(&loop, o, stop, start);
	while (!*stop) {
		int live = 0;
		unsigned long before, list_before, list;

		if (ticker_wait(&tk) < 0)
			continue;
		rec.now_ns = ticker_now();
		for (i = 0; i < rec.nr_procs; i++) {
			struct pyrec_process *pr = &rec.procs[i];

			if (!pr->reader || pr->gone)
				continue;
			rec.current = pr;
			if (!pr->reader->period_ns)
				pyreader_set_period(pr->reader, o->rate_hz);
			before = stats->errors;
			list_before = pr->reader->list_errors;
			if (pyreader_sample(pr->reader, flags, on_thread, &rec,
					    &stats->errors) < 0)
				pr->gone = 1;
			list = pr->reader->list_errors - list_before;
			stats->error_kinds[RECORD_ERROR_THREAD_LIST] += list;
			stats->error_kinds[RECORD_ERROR_STACK] +=
				stats->errors - before - list;
		}
		/* a child that exited fails its reads (ESRCH) anyway */
		if (t->spawned && rec.now_ns - last_alive > ms(ALIVE_EVERY_MS)) {
			if (!target_alive(t))
				rec.procs[0].gone = 1;
			last_alive = rec.now_ns;
		}
		if (o->subprocesses && rec.now_ns - last_scan > ms(CHILD_SCAN_MS)) {
			for (i = 0; i < rec.nr_procs; i++)
				if (!rec.procs[i].gone)
					scan_children(&rec, rec.procs[i].pid);
			try_open_children(&rec);
			last_scan = rec.now_ns;
		}
		/* new threads register in threading._active a little after
		 * they appear: retry their names for a while */
		for (i = 0; i < rec.nr_procs; i++) {
			struct pyreader *pr = rec.procs[i].reader;

			if (!pr || rec.procs[i].gone)
				continue;
			if (pyreader_take_new_threads(pr))
				names_pending = NAMES_RETRIES;
			if ((names_pending && rec.now_ns - last_names > ms(NAMES_RETRY_MS)) ||
			    rec.now_ns - last_names > ms(NAMES_EVERY_MS)) {
				pythread_names_update(pr);
				last_names = rec.now_ns;
				if (names_pending)
					names_pending--;
			}
		}
		for (i = 0; i < rec.nr_procs; i++)
			live += !rec.procs[i].gone &&
				(rec.procs[i].reader || !rec.procs[i].gave_up);
		if (!live)
			break;
		if (engine_loop_done(&loop, p, rec.now_ns))
			break;
	}
	stats->late += tk.late;
	p->meta.duration_ns = ticker_now() - start;
	for (i = 0; i < rec.nr_procs; i++) {
		pyasync_close(rec.procs[i].async);
		pyreader_close(rec.procs[i].reader);
	}
	for (i = 0; i < rec.nr_threads; i++)
		free(rec.threads[i].last);
	free(rec.threads);
	hash_index_free(rec.thread_index);
	free(rec.procs);
	pid_table_release(&rec.proc_ids);
	free(rec.scratch);
	return 0;
}
