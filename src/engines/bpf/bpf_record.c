/*
 * bpf_record.c - BPF samples into profile stacks (bpf_record.h).  Each
 * sample becomes the perf SAMPLE it would have been (kernel callchain,
 * user registers and stack copy, or the frame-pointer user chain when
 * there is no copy) for perf_stack_build, so the unwinding (unwind/) and
 * the names are exactly those of the perf_event engine; each process is
 * named once, from /proc while it lives, from the sample's comm after.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engines/bpf/bpf_python.h"
#include "engines/bpf/bpf_record.h"
#include "engines/bpf/bpf_stack_counts.h"
#include "engines/bpf/sampler.h"
#include "engines/mixed/merge.h"
#include "engines/offcpu.h"
#include "model/profile.h"
#include "perf/record.h"
#include "perf/stack.h"
#include "proc/container.h"
#include "proc/timer.h"
#include "symbols/symbols.h"
#include "unwind/unwind.h"
#include "util/hash.h"
#include "util/pidtable.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define MAX_FRAMES 2048
/* a user address in no known map: the maps are read again, at most
 * this often per process (it exec'd or mapped a library) */
#define MAPS_RELOAD_NS (100 * 1000000LL)

/* ask a process that is a CPython not ready yet again after this; one
 * that is not a CPython, when it has exec'd (looked at this often) */
#define PYTHON_RETRY_NS (50 * 1000000LL)
#define PYTHON_EXEC_CHECK_NS (200 * 1000000LL)
/* a python* that never shows a runtime stops being asked after this */
#define PYTHON_MAX_RETRIES 100

struct bpf_process {
	uint32_t root;			/* root frame, 0 = none yet */
	enum bpf_python_setup python;	/* what setup said; NO = unasked */
	int python_asked;
	uint64_t python_asked_ns;
	uint64_t exe_hash;		/* of /proc/PID/exe when asked */
	char comm[16];			/* its main thread's, when its maps
					   were read: a new one is an exec */
	unsigned python_retries;
	uint64_t maps_read_ns;		/* when /proc/PID/maps was read */
	int maps_read;
};

struct bpf_record {
	struct profile *p;
	const struct record_options *o;
	struct record_stats *stats;
	struct symbols *sym;
	struct unwinder *unwinder;
	struct perf_stack *stack;
	struct bpf_python *python;
	struct offcpu *offcpu;		/* --idle */
	struct bpf_stack_counts *counts;	/* stacks the kernel counts */
	uint64_t unlearnt;		/* counted, first sample lost */
	uint64_t counted;		/* samples added from the counts */
	const struct bpf_record_kernel *kernel;
	unsigned long python_unknown;	/* code objects not read */
	struct pid_table pids;
	struct bpf_process *procs;	/* [id - 1] */
	size_t alloc;
	int roots;			/* a root frame per process */
	uint64_t chain[2 * BPF_SAMPLER_MAX_FRAMES + 2];
	uint32_t frames[MAX_FRAMES];
	unsigned char flags[MAX_FRAMES];	/* PERF_FRAME_* (--native) */
	uint32_t merged[MAX_FRAMES + BPF_SAMPLER_MAX_PYTHON + 1];
	uint32_t pyframes[BPF_SAMPLER_MAX_PYTHON];
	unsigned char pyentry[BPF_SAMPLER_MAX_PYTHON];
};

struct bpf_record *bpf_record_new(struct profile *p,
				  const struct record_options *o,
				  struct record_stats *stats,
				  const struct bpf_record_kernel *k)
{
	struct bpf_record *rec = xcalloc(1, sizeof(*rec));
	struct perf_stack_options so;

	rec->p = p;
	rec->o = o;
	rec->stats = stats;
	rec->roots = o->system_wide || o->subprocesses;
	rec->sym = symbols_new(o->no_kernel ? SYMBOLS_NO_KERNEL : 0);
	symbols_preload_kernel(rec->sym);
	memset(&so, 0, sizeof(so));
	so.names = PERF_NAMES_SCORCH;
	so.inline_frames = o->inline_frames;
	so.lines = !o->no_lines;
	/* --native: the Python frames go where the eval loop's are */
	so.is_eval = o->native ? mixed_is_eval_symbol : NULL;
	rec->unwinder = unwinder_new(rec->sym);
	rec->stack = perf_stack_new(p, rec->sym, rec->unwinder, &so);
	rec->python = bpf_python_new(p, o->no_lines, k->know_code, k->ctx);
	rec->counts = bpf_stack_counts_new();
	if (o->idle)
		rec->offcpu = offcpu_new(p, o->rate_hz, &stats->samples, NULL);
	rec->kernel = k;
	pid_table_init(&rec->pids);
	return rec;
}

void bpf_record_free(struct bpf_record *rec)
{
	if (!rec)
		return;
	offcpu_free(rec->offcpu);
	bpf_stack_counts_free(rec->counts);
	perf_stack_free(rec->stack);
	bpf_python_free(rec->python);
	unwinder_free(rec->unwinder);
	symbols_free(rec->sym);
	pid_table_release(&rec->pids);
	free(rec->procs);
	free(rec);
}

static struct bpf_process *process(struct bpf_record *rec, pid_t pid)
{
	int added;
	uint32_t id = pid_table_add(&rec->pids, pid, &added);

	if (added) {
		grow_array((void **)&rec->procs, sizeof(*rec->procs), id,
			   &rec->alloc);
		memset(&rec->procs[id - 1], 0, sizeof(*rec->procs));
	}
	return &rec->procs[id - 1];
}

/* "name (PID)" or "name (PID) [CONTAINER]"; the name from /proc, else
 * the sampled thread's */
static void name_root(struct bpf_record *rec, struct bpf_process *pr,
		      pid_t pid, const char *comm)
{
	char path[64], name[64], label[80];
	struct strbuf sb = { 0 };
	FILE *fp;

	snprintf(name, sizeof(name), "%.16s", comm);
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	fp = fopen(path, "re");
	if (fp) {
		if (fgets(name, sizeof(name), fp))
			name[strcspn(name, "\n")] = '\0';
		fclose(fp);
	}
	strbuf_addf(&sb, "%s (%d)", name, (int)pid);
	if (container_label(pid, label, sizeof(label)))
		strbuf_addf(&sb, " [%s]", label);
	pr->root = profile_frame_named(rec->p, strbuf_str(&sb), sb.len,
				       FRAME_PROCESS);
	strbuf_release(&sb);
}

static void read_maps(struct bpf_record *rec, struct bpf_process *pr,
		      pid_t pid, uint64_t now)
{
	pr->maps_read = 1;
	pr->maps_read_ns = now;
	symbols_load_proc_maps(rec->sym, pid);
}

/* the maps again when the leaf user address is in none of them (an
 * exec, a new library); the root is named again with them */
static void check_maps(struct bpf_record *rec, struct bpf_process *pr,
		       const struct bpf_sample *s)
{
	struct symbols_process *proc;
	/* (a Python thread's sample has neither: user[] is left over) */
	uint64_t ip = s->stack_len ? s->regs[UNWIND_REG_IP] :
		s->user_nr ? s->user[0] : 0;

	if (!pr->maps_read) {
		read_maps(rec, pr, (pid_t)s->pid, s->time_ns);
		if (s->pid == s->tid)
			memcpy(pr->comm, s->comm, sizeof(pr->comm));
		return;
	}
	/* the main thread's name changed: it exec'd (or renamed itself) */
	if (s->pid == s->tid && memcmp(pr->comm, s->comm, sizeof(pr->comm))) {
		memcpy(pr->comm, s->comm, sizeof(pr->comm));
		read_maps(rec, pr, (pid_t)s->pid, s->time_ns);
		unwinder_forget(rec->unwinder, (pid_t)s->pid);
		pr->root = 0;
		return;
	}
	if (!ip || s->time_ns - pr->maps_read_ns < MAPS_RELOAD_NS)
		return;
	proc = symbols_find_process(rec->sym, (pid_t)s->pid);
	if (proc && symbols_find_map(proc, ip))
		return;
	read_maps(rec, pr, (pid_t)s->pid, s->time_ns);
	unwinder_forget(rec->unwinder, (pid_t)s->pid);
	pr->root = 0;
}

/* what /proc/PID/exe names, hashed (0 when gone) */
static uint64_t exe_hash(pid_t pid)
{
	char path[64], exe[4096];
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof(exe));
	return n > 0 ? hash_bytes(exe, (size_t)n, 0) | 1 : 0;
}

/* a CPython 3.11+ process gets its layout into the kernel, once; a
 * process that was not one yet (a spawned target sampled before its
 * exec, a launcher) is asked again once it has exec'd */
static void check_python(struct bpf_record *rec, struct bpf_process *pr,
			 pid_t pid, uint64_t now)
{
	struct bpf_python_config cfg;
	uint64_t h;

	if (pr->python == BPF_PYTHON_YES)
		return;
	if (pr->python_asked) {
		uint64_t since = now - pr->python_asked_ns;

		if (since < (pr->python == BPF_PYTHON_LATER ?
			     PYTHON_RETRY_NS : PYTHON_EXEC_CHECK_NS))
			return;
		pr->python_asked_ns = now;
		if (pr->python == BPF_PYTHON_NO) {
			h = exe_hash(pid);
			if (h == pr->exe_hash)
				return;
			pr->exe_hash = h;
		}
	} else {
		pr->exe_hash = exe_hash(pid);
	}
	pr->python_asked = 1;
	pr->python_asked_ns = now;
	pr->python = bpf_python_setup(rec->python, pid, &cfg);
	if (pr->python == BPF_PYTHON_LATER &&
	    ++pr->python_retries > PYTHON_MAX_RETRIES)
		pr->python = BPF_PYTHON_NO;
	if (pr->python == BPF_PYTHON_YES &&
	    rec->kernel->set_python(rec->kernel->ctx, pid, &cfg) < 0)
		pr->python = BPF_PYTHON_NO;
}

void bpf_record_preload(struct bpf_record *rec, pid_t pid)
{
	struct bpf_process *pr = process(rec, pid);

	read_maps(rec, pr, pid, 0);
	/* a CPython's frames walked from its first sample on (the clock
	 * is the BPF program's, CLOCK_MONOTONIC) */
	check_python(rec, pr, pid, (uint64_t)ticker_now());
}

/* A switch-out's kernel stack is taken inside the tracepoint: its leaf
 * frames are the BPF program and the kernel's call into it, which the
 * thread did not run.  Returns how many frames are left. */
static size_t drop_bpf_frames(const struct profile *p, const uint32_t *frames,
			      size_t nf)
{
	while (nf) {
		const char *name = profile_str(p, p->frames[frames[nf - 1]].name);

		if (strncmp(name, "bpf_prog_", 9) &&
		    strncmp(name, "bpf_trace_run", 13) &&
		    strncmp(name, "__bpf_trace_", 12))
			break;
		nf--;
	}
	return nf;
}

/*
 * --native: the sample's native frames (rec->frames[0..nf), root first,
 * their PERF_FRAME_* in rec->flags) with its np kernel-walked Python
 * frames (rec->pyframes, outermost first) in place of the eval loop's,
 * by the --native engine's rule (engines/mixed/merge.c).  A stack the
 * rule does not fit keeps its native frames under an [unmerged] frame.
 * Returns the number of frames in rec->merged.
 */
static size_t merge_python(struct bpf_record *rec, size_t nf, size_t np,
			   int cut)
{
	uint32_t innermost_first[BPF_SAMPLER_MAX_PYTHON];
	unsigned char entry[BPF_SAMPLER_MAX_PYTHON];
	size_t n = 0;
	long m;

	/* perf trampolines (-X perf) name Python frames the kernel walked
	 * already; the flags become is_eval marks */
	for (size_t i = 0; i < nf; i++) {
		if (rec->flags[i] == PERF_FRAME_TRAMPOLINE)
			continue;
		rec->frames[n] = rec->frames[i];
		rec->flags[n++] = rec->flags[i] == PERF_FRAME_EVAL;
	}
	for (size_t i = 0; i < np; i++) {
		innermost_first[i] = rec->pyframes[np - 1 - i];
		entry[i] = rec->pyentry[np - 1 - i];
	}
	m = mixed_merge_best(rec->frames, rec->flags, n, innermost_first,
			     entry, np, cut, rec->merged);
	if (m >= 0)
		return (size_t)m;
	rec->stats->unmerged++;
	rec->merged[0] = profile_frame_named(rec->p, "[unmerged]", 10,
					     FRAME_MARKER);
	memcpy(&rec->merged[1], rec->frames, n * sizeof(*rec->frames));
	return n + 1;
}

void bpf_record_sample(void *ctx, const struct bpf_sample *s)
{
	struct bpf_record *rec = ctx;
	struct bpf_process *pr;
	struct perf_record r;
	uint64_t sample_type = PERFDATA_S_TID | PERFDATA_S_TIME |
		PERFDATA_S_CALLCHAIN;
	uint32_t kn = s->kernel_nr, un = s->user_nr, stack = 0, thread;
	char comm[sizeof(s->comm) + 1];
	size_t n = 0, nf, np = 0;
	struct perf_stack_info info;
	const uint32_t *frames;		/* root first, after any Python frames */
	int merge;

	if (s->kind == BPF_SAMPLE_SWITCH_IN) {
		if (rec->offcpu)
			offcpu_switched_in(rec->offcpu, (pid_t)s->tid,
					   s->time_ns);
		return;
	}
	pr = process(rec, (pid_t)s->pid);
	if (kn > BPF_SAMPLER_MAX_FRAMES)
		kn = BPF_SAMPLER_MAX_FRAMES;
	if (un > BPF_SAMPLER_MAX_FRAMES)
		un = BPF_SAMPLER_MAX_FRAMES;
	memcpy(comm, s->comm, sizeof(s->comm));
	comm[sizeof(s->comm)] = '\0';
	check_maps(rec, pr, s);
	check_python(rec, pr, (pid_t)s->pid, s->time_ns);
	if (rec->roots && !pr->root)
		name_root(rec, pr, (pid_t)s->pid, comm);
	/* a Python thread: its Python frames stand for its user stack */
	if (s->python_nr)
		np = bpf_python_frames(rec->python, s, rec->pyframes,
				       rec->pyentry, BPF_SAMPLER_MAX_PYTHON,
				       &rec->python_unknown);

	/* --native: the native user stack came too, to merge them with */
	merge = np && rec->o->native && (s->stack_len || un);

	/* leaf first, as the kernel gives a callchain */
	if (kn) {
		rec->chain[n++] = PERFDATA_CONTEXT_KERNEL;
		memcpy(rec->chain + n, s->frames, kn * sizeof(uint64_t));
		n += kn;
	}
	if (np && !merge) {
		/* no user part: the Python frames are */
	} else if (s->stack_len) {	/* the user part from the stack copy */
		rec->chain[n++] = PERFDATA_CONTEXT_USER;
		sample_type |= PERFDATA_S_REGS_USER | PERFDATA_S_STACK_USER;
	} else if (un) {
		rec->chain[n++] = PERFDATA_CONTEXT_USER;
		memcpy(rec->chain + n, s->user, un * sizeof(uint64_t));
		n += un;
	}
	memset(&r, 0, sizeof(r));
	r.kind = PERF_REC_SAMPLE;
	r.type = PERFDATA_SAMPLE;
	r.pid = s->pid;
	r.tid = s->tid;
	r.time = s->time_ns;
	r.has_time = 1;
	r.kernel_mode = kn > 0;
	r.user_mode = !kn;
	r.sample.pid = s->pid;
	r.sample.tid = s->tid;
	r.sample.time = s->time_ns;
	r.sample.ip = kn ? s->frames[0] : un ? s->user[0] : 0;
	r.sample.callchain = (const unsigned char *)rec->chain;
	r.sample.nr_callchain = n;
	if (s->stack_len && (!np || merge)) {
		r.sample.regs_abi = 2;	/* PERF_SAMPLE_REGS_ABI_64 */
		r.sample.regs = (const unsigned char *)s->regs;
		r.sample.regs_mask = (1ULL << BPF_SAMPLER_REGS) - 1;
		r.sample.stack = s->stack;
		r.sample.stack_size = r.sample.dyn_size =
			s->stack_len <= sizeof(s->stack) ? s->stack_len :
			sizeof(s->stack);
	}
	memset(&info, 0, sizeof(info));
	nf = n ? perf_stack_build(rec->stack, &r, sample_type, comm,
				  rec->frames, rec->flags, MAX_FRAMES,
				  &info) : 0;
	if (s->kind == BPF_SAMPLE_SWITCH_OUT)
		nf = drop_bpf_frames(rec->p, rec->frames, nf);
	if (!nf && !np && !rec->roots) {
		record_stats_error(rec->stats, RECORD_ERROR_NO_FRAMES);
		if (s->stack_key)	/* and so will its later ones be */
			bpf_stack_counts_learn(rec->counts, s->stack_key,
					       BPF_COUNTED_NO_STACK, 0);
		return;
	}
	if (rec->roots)
		stack = profile_stack_push(rec->p, stack, pr->root);
	/* --native: an eval loop whose Python frames the kernel did not
	 * walk (the process not known as a CPython yet) is marked, as
	 * the --native engine marks it, not passed off as native only */
	if (!merge && rec->o->native && !np)
		for (size_t i = 0; i < nf && !merge; i++)
			merge = rec->flags[i] == PERF_FRAME_EVAL;
	if (merge) {
		nf = merge_python(rec, nf, np, info.cut);
		np = 0;
		frames = rec->merged;
	} else {
		frames = rec->frames;
	}
	for (size_t i = 0; i < np; i++)
		stack = profile_stack_push(rec->p, stack, rec->pyframes[i]);
	for (size_t i = 0; i < nf; i++)
		stack = profile_stack_push(rec->p, stack, frames[i]);
	thread = profile_thread(rec->p, s->pid, s->tid, comm);
	if (s->kind == BPF_SAMPLE_SWITCH_OUT) {	/* charged when back */
		if (rec->offcpu)
			offcpu_switched_out(rec->offcpu, (pid_t)s->tid,
					    s->time_ns, stack, thread, 0);
		return;
	}
	profile_add1(rec->p, stack, thread, (int64_t)s->time_ns, 1.0);
	rec->stats->samples++;
	/* the kernel counts the later samples of this stack */
	if (s->stack_key)
		bpf_stack_counts_learn(rec->counts, s->stack_key, stack,
				       thread);
}

void bpf_record_count(void *ctx, uint64_t key, uint64_t count)
{
	struct bpf_record *rec = ctx;
	uint64_t more;
	uint32_t stack, thread;

	if (!bpf_stack_counts_grow(rec->counts, key, count, &more, &stack,
				   &thread)) {
		rec->unlearnt += count;
		return;
	}
	if (!more)
		return;
	if (stack == BPF_COUNTED_NO_STACK) {
		rec->stats->errors += more;
		rec->stats->error_kinds[RECORD_ERROR_NO_FRAMES] += more;
		return;
	}
	profile_add1(rec->p, stack, thread, -1, (double)more);
	rec->stats->samples += more;
	rec->counted += more;
}

void bpf_record_count_learnt(struct bpf_record *rec)
{
	size_t nr = bpf_stack_counts_nr(rec->counts);
	uint64_t key, count;

	for (size_t i = 0; i < nr; i++) {
		key = bpf_stack_counts_key(rec->counts, i);
		if (rec->kernel->count_of(rec->kernel->ctx, key, &count))
			bpf_record_count(rec, key, count);
	}
}

uint64_t bpf_record_counted(const struct bpf_record *rec)
{
	return rec->counted;
}

uint64_t bpf_record_take_unlearnt(struct bpf_record *rec)
{
	uint64_t n = rec->unlearnt;

	rec->unlearnt = 0;
	return n;
}

void bpf_record_flush(struct bpf_record *rec, uint64_t now)
{
	if (rec->offcpu)
		offcpu_flush(rec->offcpu, now);
}
