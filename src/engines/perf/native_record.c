/*
 * native_record.c - the perf_event engine's recording loop: opens events
 * on the target (perf_event.c), keeps every process's maps current from
 * MMAP2/COMM/FORK/EXIT records (symbols/), turns each sample into its
 * native stack with the builder the perf.data reader shares (perf/stack.c:
 * DWARF unwinding, cached symbols, scorch's names) and, when an engine
 * plugs in a stack source (engines/mixed/: the Python frames of
 * --native), lets it read at each sample and merge into the native
 * stack.  With --idle, switch-out samples and switch-in records go to
 * offcpu.c, which charges the time off CPU.  When to stop and the live
 * view are engines/loop.c's.  Never exits and never writes output: the
 * session (session/) owns the target and the output.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "model/profile.h"
#include "perf/stack.h"
#include "engines/loop.h"
#include "engines/perf/native_record.h"
#include "engines/offcpu.h"
#include "engines/perf/perf_event.h"
#include "proc/target.h"
#include "proc/timer.h"
#include "symbols/symbols.h"
#include "unwind/unwind.h"
#include "util/error.h"
#include "util/pidtable.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* native frames of one sample: user PCs (each with up to
 * SYMBOLS_MAX_INLINE inlined frames) and kernel PCs, capped */
#define MAX_FRAMES NATIVE_RECORD_MAX_FRAMES
#define DEFAULT_STACK_SIZE (32 * 1024)
/* how often the loop asks whether the target still runs */
#define ALIVE_CHECK_NS (10 * 1000000LL)
/* the most reader wake-ups a second a stack source asks for */
#define WAKEUP_SPAN_HZ 250

struct native_process {
	pid_t pid;
	int maps_reloaded;		/* /proc/PID/maps read after a miss */
};

struct native_thread_name {
	pid_t tid, pid;
	char name[32];
};

struct native_state {
	const struct record_options *opts;
	struct profile *p;
	struct record_stats *stats;
	struct symbols *sym;
	struct unwinder *unwinder;
	struct perf_stack *stack;	/* perf/stack.h */
	struct pid_table proc_ids;	/* pid -> procs[id - 1] */
	struct native_process *procs;
	size_t alloc_procs;
	struct pid_table name_ids;	/* tid -> names[id - 1] */
	struct native_thread_name *names;
	size_t alloc_names;
	pid_t target_pid;
	uint64_t sample_type;		/* of the engine's events */
	/* scratch for one sample */
	uint32_t frames[MAX_FRAMES];		/* native, root first */
	unsigned char is_eval[MAX_FRAMES];
	struct native_stack_source *src;	/* NULL = none */
	struct offcpu *offcpu;		/* --idle */
};

static int64_t now_ns(void)
{
	return ticker_now();
}

/* ---- processes and thread names ------------------------------------ */

/* pid's entry, added when new: one hash probe per sample */
static struct native_process *native_process(struct native_state *st,
					     pid_t pid)
{
	int added;
	uint32_t id = pid_table_add(&st->proc_ids, pid, &added);

	if (added) {
		grow_array((void **)&st->procs, sizeof(*st->procs), id,
			   &st->alloc_procs);
		memset(&st->procs[id - 1], 0, sizeof(*st->procs));
		st->procs[id - 1].pid = pid;
	}
	return &st->procs[id - 1];
}

static void native_process_reset(struct native_state *st, pid_t pid)
{
	struct native_process *np = native_process(st, pid);

	np->maps_reloaded = 0;
	if (st->src && st->src->reset)
		st->src->reset(st->src->ctx, pid);
}

static void set_thread_name(struct native_state *st, pid_t pid, pid_t tid,
			    const char *name)
{
	char copy[sizeof(st->names[0].name)];
	int added;
	uint32_t id;

	/* name may be another thread's entry, which growing would free */
	snprintf(copy, sizeof(copy), "%s", name);
	id = pid_table_add(&st->name_ids, tid, &added);
	if (added)
		grow_array((void **)&st->names, sizeof(*st->names), id,
			   &st->alloc_names);
	st->names[id - 1].tid = tid;
	st->names[id - 1].pid = pid;
	memcpy(st->names[id - 1].name, copy, sizeof(copy));
}

/* tid's name; "" (remembered when /proc had none) and unknown are NULL */
static const char *thread_name(struct native_state *st, pid_t tid)
{
	uint32_t id = pid_table_find(&st->name_ids, tid);

	return id && st->names[id - 1].name[0] ? st->names[id - 1].name : NULL;
}

/* Name of a thread that existed before recording (no COMM record):
 * read once from /proc; "" is remembered when that fails. */
static const char *thread_name_or_proc(struct native_state *st, pid_t pid,
				       pid_t tid)
{
	char path[64], name[32] = "";
	FILE *fp;

	if (pid_table_find(&st->name_ids, tid))
		return thread_name(st, tid);
	snprintf(path, sizeof(path), "/proc/%d/task/%d/comm", (int)pid,
		 (int)tid);
	fp = fopen(path, "r");
	if (fp) {
		if (fgets(name, sizeof(name), fp))
			name[strcspn(name, "\n")] = '\0';
		fclose(fp);
	}
	set_thread_name(st, pid, tid, name);
	return name[0] ? thread_name(st, tid) : NULL;
}

/* ---- frames -------------------------------------------------------- */

/* A stack source gives every Python frame, so CPython's perf trampoline
 * frames (one per Python call under -X perf) would show each function
 * twice; they go.  Returns the new number of frames. */
static size_t drop_trampolines(struct native_state *st, size_t nf)
{
	size_t i, n = 0;

	for (i = 0; i < nf; i++) {
		if (st->is_eval[i] == PERF_FRAME_TRAMPOLINE)
			continue;
		st->frames[n] = st->frames[i];
		st->is_eval[n++] = st->is_eval[i];
	}
	return n;
}

/* ---- samples ------------------------------------------------------- */

static void handle_sample(struct native_state *st, const struct perf_record *r)
{
	struct perf_stack_info info;
	size_t nf;
	uint32_t thread, stack;
	unsigned long unmerged;
	const uint32_t *final = st->frames;
	size_t nfinal;

	/* first thing (the thread keeps running): the source reads it */
	if (st->src)
		st->src->begin(st->src->ctx, r->pid, r->tid, r->time);

	/* a sample in code we have no map for: re-read the maps once */
	{
		uint64_t uip = r->sample.regs_abi ?
			perf_sample_reg(&r->sample, UNWIND_REG_IP) :
			(r->user_mode ? r->sample.ip : 0);
		struct symbols_process *proc =
			symbols_find_process(st->sym, r->pid);
		struct native_process *np = native_process(st, r->pid);
		if (uip && (!proc || !symbols_find_map(proc, uip)) &&
		    !np->maps_reloaded) {
			np->maps_reloaded = 1;
			symbols_load_proc_maps(st->sym, r->pid);
		}
	}
	/* root first: user frames outermost first, then kernel (the
	 * builder shared with the perf.data reader, scorch's names) */
	nf = perf_stack_build(st->stack, r, st->sample_type, NULL, st->frames,
			      st->is_eval, MAX_FRAMES, &info);
	if (!nf) {
		record_stats_error(st->stats, RECORD_ERROR_NO_FRAMES);
		return;
	}
	if (st->src)
		nf = drop_trampolines(st, nf);
	else
		for (size_t i = 0; i < nf; i++)
			if (st->is_eval[i] == PERF_FRAME_TRAMPOLINE)
				st->is_eval[i] = 0;
	nfinal = nf;
	unmerged = st->stats->unmerged;
	if (st->src)
		final = st->src->merge(st->src->ctx, st->frames, st->is_eval,
				       nf, info.cut, &nfinal);
	thread = profile_thread(st->p, r->pid, r->tid,
				thread_name_or_proc(st, r->pid, r->tid));
	/* --threads roots are the writers' job (thread table); the levels'
	 * table lookups overlap (profile_stack_extend) */
	stack = profile_stack_extend(st->p, 0, final, nfinal, NULL);
	if (r->switch_out) {	/* --idle: charged when it runs again, */
		int marked = st->stats->unmerged != unmerged;
		st->stats->unmerged = unmerged;	/* and counted then */
		offcpu_switched_out(st->offcpu, r->tid, r->time, stack, thread,
				    marked);
		return;
	}
	profile_add1(st->p, stack, thread, (int64_t)r->time, 1.0);
	st->stats->samples++;
}

static void handle_record(void *ctx, const struct perf_record *r)
{
	struct native_state *st = ctx;

	switch (r->kind) {
	case PERF_REC_SAMPLE:
		/* children inherit the events; keep them with --subprocesses */
		if (st->opts->subprocesses || (pid_t)r->pid == st->target_pid)
			handle_sample(st, r);
		break;
	case PERF_REC_MMAP:
		if (r->prot & 4)	/* PROT_EXEC */
			symbols_add_map(st->sym, r->pid, r->addr, r->len,
					r->pgoff, r->prot, r->filename);
		break;
	case PERF_REC_COMM:
		if (r->comm_exec && r->pid == r->tid) {
			symbols_forget(st->sym, r->pid);
			unwinder_forget(st->unwinder, r->pid);
			native_process_reset(st, r->pid);
		}
		set_thread_name(st, r->pid, r->tid, r->comm);
		break;
	case PERF_REC_FORK:
		if (r->pid != r->ppid) {	/* a new process */
			symbols_fork(st->sym, r->ppid, r->pid);
			native_process_reset(st, r->pid);
		}
		{
			const char *name = thread_name(st, r->ptid);
			if (name)	/* set_thread_name copies it first */
				set_thread_name(st, r->pid, r->tid, name);
		}
		break;
	case PERF_REC_SWITCH:
		if (!r->switch_out && st->offcpu &&
		    (st->opts->subprocesses || (pid_t)r->pid == st->target_pid))
			offcpu_switched_in(st->offcpu, r->tid, r->time);
		break;
	case PERF_REC_EXIT:
		break;	/* late samples of the process may still follow */
	case PERF_REC_THROTTLE:
	case PERF_REC_OTHER:
		break;
	case PERF_REC_LOST:
		st->stats->lost += r->lost;
		break;
	}
}

/* ---- the recording loop -------------------------------------------- */

static void fill_meta(struct native_state *st, struct perf_engine *e,
		      struct target *t)
{
	const struct record_options *o = st->opts;
	struct profile *p = st->p;
	struct timespec wall;
	struct strbuf cmd;

	strbuf_init(&cmd);
	if (o->argv)
		for (const char *const *a = o->argv; *a; a++) {
			if (a != o->argv)
				strbuf_addch(&cmd, ' ');
			strbuf_addstr(&cmd, *a);
		}
	else
		strbuf_addf(&cmd, "-p %d", (int)t->pid);
	p->meta.command = profile_intern(p, strbuf_str(&cmd));
	strbuf_release(&cmd);
	p->meta.event = profile_intern(p, perf_engine_event_name(e));
	p->meta.pid = t->pid;
	clock_gettime(CLOCK_REALTIME, &wall);
	p->meta.start_ns = (int64_t)wall.tv_sec * 1000000000 + wall.tv_nsec;
	p->meta.rate_hz = o->rate_hz > 0 ? o->rate_hz : 100;
	if (o->idle) {	/* cpu-clock samples and off-CPU time (offcpu.c) */
		p->meta.event = profile_intern(p, "wall");
		p->meta.period = (int64_t)(1e9 / p->meta.rate_hz);
		p->meta.period_type.type = profile_intern(p, "wall");
		p->meta.period_type.unit = profile_intern(p, "nanoseconds");
	} else if (!strcmp(perf_engine_event_name(e), "cpu-clock") ||
	    !strcmp(perf_engine_event_name(e), "task-clock")) {
		p->meta.period = (int64_t)(1e9 / p->meta.rate_hz);
		p->meta.period_type.type = profile_intern(p, "cpu");
		p->meta.period_type.unit = profile_intern(p, "nanoseconds");
	}
}

struct native_session {
	const struct record_options *opts;
	struct perf_engine *engine;
	int kernel_dropped;
	int spawn;
};

int native_record_prepare(const struct record_options *opts,
			  struct target *t, unsigned flags,
			  struct native_session **out)
{
	struct perf_options po;
	struct perf_engine *e = NULL;
	struct strbuf why;
	enum perf_status status;
	int kernel_dropped = 0, spawn = t->spawned && t->go_fd >= 0;

	*out = NULL;
	memset(&po, 0, sizeof(po));
	po.rate_hz = opts->rate_hz > 0 ? opts->rate_hz : 100;
	po.event = opts->event;
	po.no_kernel = opts->no_kernel;
	po.stack_size = opts->stack_size ? opts->stack_size : DEFAULT_STACK_SIZE;
	if (po.stack_size > 65528)
		po.stack_size = 65528;	/* a record is at most 64 KiB */
	/* a source wants each sample while its thread still runs that
	 * code: at most WAKEUP_SPAN_HZ wake-ups a second, so at 1 kHz one
	 * per 4 samples, the oldest 3 ms old (a wake-up, not the sample,
	 * was most of the CPU --native cost per sample) */
	if (flags & NATIVE_RECORD_READ_PROMPTLY)
		po.wakeup_every = po.rate_hz > WAKEUP_SPAN_HZ ?
			(int)(po.rate_hz / WAKEUP_SPAN_HZ) : 1;
	po.switches = opts->idle;

	strbuf_init(&why);
	status = perf_engine_open(&e, t->pid, spawn, &po, &kernel_dropped,
				  &why);
	if (status == PERF_NOT_ALLOWED) {
		if (flags & NATIVE_RECORD_SAY_UNAVAILABLE)
			notice("perf_event engine unavailable: %s",
			       strbuf_str(&why));
		strbuf_release(&why);
		return NATIVE_RECORD_UNAVAILABLE;
	}
	if (status != PERF_OK) {
		error("perf_event: %s", strbuf_str(&why));
		strbuf_release(&why);
		return -1;
	}
	if (kernel_dropped)
		notice("recording user frames only: %s", strbuf_str(&why));
	strbuf_release(&why);
	*out = xcalloc(1, sizeof(**out));
	(*out)->opts = opts;
	(*out)->engine = e;
	(*out)->kernel_dropped = kernel_dropped;
	(*out)->spawn = spawn;
	return 0;
}

void native_record_discard(struct native_session *s)
{
	if (!s)
		return;
	perf_engine_close(s->engine);
	free(s);
}

int native_record_run(struct engine_run *r, struct profile *p,
		      struct record_stats *stats, volatile sig_atomic_t *stop,
		      struct native_stack_source *src)
{
	struct native_session *s = r->state;
	struct target *t = r->t;
	const struct record_options *opts = s->opts;
	struct native_state st;
	struct perf_engine *e = s->engine;
	struct engine_loop loop;
	int64_t run_start = now_ns(), start, last_alive;
	int ret = 0, alive;

	memset(stats, 0, sizeof(*stats));
	memset(&st, 0, sizeof(st));
	st.opts = opts;
	st.p = p;
	st.stats = stats;
	st.target_pid = t->pid;
	st.src = src;
	pid_table_init(&st.proc_ids);
	pid_table_init(&st.name_ids);
	st.sym = symbols_new(opts->no_kernel || s->kernel_dropped ?
			     SYMBOLS_NO_KERNEL : 0);
	st.unwinder = unwinder_new(st.sym);
	if (opts->idle)
		st.offcpu = offcpu_new(p, opts->rate_hz, &stats->samples,
				       &stats->unmerged);
	{
		struct perf_stack_options so;

		memset(&so, 0, sizeof(so));
		so.names = PERF_NAMES_SCORCH;
		so.inline_frames = opts->inline_frames;
		so.lines = !opts->no_lines;
		so.is_eval = src ? src->is_eval_symbol : NULL;
		st.stack = perf_stack_new(p, st.sym, st.unwinder, &so);
	}
	st.sample_type = perf_engine_sample_type(e);
	fill_meta(&st, e, t);

	/* maps of what already runs; a spawned child reports its own */
	symbols_load_proc_maps(st.sym, t->pid);
	/* attached: load its objects before sampling, not while the first
	 * samples wait (a source would read theirs too late to match) */
	if (!s->spawn) {
		perf_engine_set_enabled(e, 0);
		symbols_preload(st.sym, t->pid);
		if (src && src->attach)
			src->attach(src->ctx, t->pid);
		perf_engine_set_enabled(e, 1);
	}
	start = now_ns();
	/* -d, a stop, the live view and its keyboard: engines/loop.c */
	engine_loop_start(&loop, opts, stop, start);
	alive = target_alive(t);
	last_alive = now_ns();
	for (;;) {
		int64_t before_read, now;
		/* a program that already exited has written all it will */
		perf_engine_poll(e, !alive ? 0 : src ? 20 : 100);
		before_read = now_ns();
		perf_engine_read(e, handle_record, &st);
		if (st.offcpu)
			offcpu_flush(st.offcpu, (uint64_t)before_read);
		now = now_ns();
		if (engine_loop_done(&loop, p, now))
			break;
		/* with a source every sample wakes the loop: asking whether
		 * the target lives (kill + /proc/PID/stat) at each wake-up
		 * cost more system time than the sample itself */
		if (now - last_alive >= ALIVE_CHECK_NS) {
			alive = target_alive(t);
			last_alive = now_ns();
		}
		if (!alive)
			break;
	}
	{
		int64_t end = now_ns();
		perf_engine_read(e, handle_record, &st);	/* drain */
		if (st.offcpu)	/* threads still blocked: up to the end */
			offcpu_flush(st.offcpu, (uint64_t)end);
		p->meta.duration_ns = end - start;
	}
	{
		const struct unwind_stats *us = unwinder_stats(st.unwinder);
		if (getenv("SCORCH_NATIVE_STATS"))
			fprintf(stderr, "scorch: native: %lu samples, %lu "
				"unwound, %.2f us/unwind (median ~%.1f), "
				"%lu dwarf-failed, "
				"%lu fp-used, %lu truncated, %lu lost, "
				"%lu merged, %lu unmerged (%lu stale), %lu ring "
				"bytes\n",
				stats->samples, us->samples,
				us->samples ? us->total_ns / us->samples / 1e3 : 0,
				unwind_stats_median_us(us),
				us->dwarf_failed, us->fp_used, us->truncated,
				stats->lost, src ? src->merged : 0,
				stats->unmerged, src ? src->stale : 0,
				(unsigned long)perf_engine_bytes(e));
	}
	if (stats->lost)
		warning("perf_event: %lu records lost (ring buffer overrun; "
			"lower -F or --stack-size)", stats->lost);
	native_record_discard(s);
	r->state = NULL;
	offcpu_free(st.offcpu);
	free(st.procs);
	free(st.names);
	pid_table_release(&st.proc_ids);
	pid_table_release(&st.name_ids);
	perf_stack_free(st.stack);
	unwinder_free(st.unwinder);
	symbols_free(st.sym);
	/* its samples began at the exec, before the engine was chosen */
	if (r->exec_ns)
		p->meta.duration_ns += run_start - r->exec_ns;
	return ret;
}
