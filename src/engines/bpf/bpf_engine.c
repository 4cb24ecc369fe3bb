/*
 * bpf_engine.c - the BPF engine's row in the engine table: "bpf", asked
 * first but only when --engine bpf or -a chose it.  It loads the program
 * (bpf_load.c) before a spawned target runs, samples the target (and its
 * children with --subprocesses) or every process (-a), and turns the
 * samples into the profile (bpf_record.c).  Without BPF (no permission,
 * no BTF, a verifier refusal) one line says so and the next rows record
 * the target; -a has no other engine and fails with that line.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "engines/bpf/bpf_load.h"
#include "engines/bpf/bpf_record.h"
#include "engines/bpf/sampler.h"
#include "engines/engine.h"
#include "engines/loop.h"
#include "model/profile.h"
#include "proc/children.h"
#include "proc/target.h"
#include "proc/timer.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* the target is asked whether it lives at most this often */
#define ALIVE_CHECK_NS (50 * 1000000LL)
/* the ring is read at least this often: a process seen for the first
 * time has its maps read while it still lives */
#define READ_TIMEOUT_MS 50
/* ... or, for an attached target whose maps were read before the run
 * and whose exit a pidfd tells, this often, or when the live view is
 * due (the program wakes scorch when a ring fills up, and for a code
 * object it has not read, at most once a second, anyway): a wakeup
 * finds scorch's memory cold, 300-600 us of CPU on this kind of
 * machine for the dozen first samples (interrupts over known stacks)
 * five seconds bring, where reading them warm costs about 1 us each */
#define ATTACHED_TIMEOUT_MS 30000

#define PERMISSION_FIX "run as root, or give scorch CAP_BPF and CAP_PERFMON"

struct bpf_state {
	struct bpf_sampler *sampler;	/* NULL: BPF is not usable here */
	struct strbuf why;		/* ... and why */
	int sampler_errno;		/* ... and its errno */
};

static void free_state(struct engine_run *r)
{
	struct bpf_state *st = r->state;

	if (!st)
		return;
	bpf_sampler_close(st->sampler);
	strbuf_release(&st->why);
	free(st);
	r->state = NULL;
}

/* the fix for what bpf_sampler_open's errno e says */
static const char *fix_for(int e)
{
	if (bpf_sampler_denied(e))
		return PERMISSION_FIX;
	if (e == ENOSYS)	/* built without the program */
		return "rebuild scorch where /sys/kernel/btf/vmlinux exists";
	if (e == EACCES)	/* the verifier */
		return "this kernel does not take this scorch's program: report it with what SCORCH_BPF_LOG=1 prints";
	return "the bpf engine needs a kernel with BTF and BPF";
}

static int chosen(const struct record_options *o)
{
	return o->engine && !strcmp(o->engine, "bpf");
}

static void add_descendants(struct bpf_sampler *sampler, pid_t pid)
{
	pid_t *pids;
	size_t nr = proc_descendants(pid, &pids), added = 0;

	for (size_t i = 0; i < nr; i++)
		added += bpf_sampler_add_target(sampler, pids[i]) == 0;
	if (added < nr)
		warning("bpf: %zu of pid %d's %zu running descendants not followed (the program's table is full)",
			nr - added, (int)pid, nr);
	free(pids);
}

/* The target into the program's table, and with --subprocesses the
 * children of an attached one that already run (the program follows
 * those started from then on). */
static int add_target(struct engine_run *r)
{
	struct bpf_state *st = r->state;

	if (bpf_sampler_add_target(st->sampler, r->t->pid) < 0)
		return error("bpf: cannot add pid %d to the program's table (%s)",
			     (int)r->t->pid, "use another --engine");
	if (r->o->subprocesses && !r->t->spawned)
		add_descendants(st->sampler, r->t->pid);
	return 0;
}

/* Does the kernel count a Python thread's repeated ticks?  Not with
 * --idle (the off-CPU grid needs each tick's time), nor with --native
 * (each tick's stack copy is unwound). */
static int counts_stacks(const struct record_options *o)
{
	return !o->idle && !o->native;
}

static int bpf_prepare(struct engine_run *r)
{
	const struct record_options *o = r->o;
	struct bpf_sampler_options so;
	struct bpf_state *st;

	if (!chosen(o))
		return 0;
	st = xcalloc(1, sizeof(*st));
	strbuf_init(&st->why);
	memset(&so, 0, sizeof(so));
	so.rate_hz = o->rate_hz;
	so.every_process = o->system_wide;
	so.follow_children = o->subprocesses;
	so.no_kernel = o->no_kernel;
	so.idle = o->idle;
	so.python_native = o->native;
	so.count_stacks = counts_stacks(o);
	/* one target: events on its threads, inherited by what they
	 * start (not for children of an attached process that already
	 * run: those are followed by the table, on every CPU) */
	if (!o->system_wide && (r->t->spawned || !o->subprocesses))
		so.process = r->t->pid;
	st->sampler = bpf_sampler_open(&so, &st->why, &st->sampler_errno);
	r->state = st;
	/* a spawned target is in the table before its exec (an attached
	 * one once the run knows what it is: bpf_run) */
	if (st->sampler && !o->system_wide && r->t->spawned &&
	    add_target(r) < 0) {
		free_state(r);
		return -1;
	}
	return 0;
}

static enum engine_verdict bpf_take(struct engine_run *r, struct strbuf *why)
{
	struct bpf_state *st = r->state;

	(void)why;
	if (!st)
		return ENGINE_PASS;
	if (st->sampler)
		return ENGINE_TAKE;
	if (r->o->system_wide) {
		error("-a: the bpf engine cannot run: %s (%s)",
		      strbuf_str(&st->why), fix_for(st->sampler_errno));
		free_state(r);
		return ENGINE_FAIL;
	}
	warning("bpf engine: %s (%s; recording with the other engines)",
		strbuf_str(&st->why), fix_for(st->sampler_errno));
	free_state(r);
	return ENGINE_PASS;
}

static int bpf_check(struct engine_run *r)
{
	const struct record_options *o = r->o;

	if (engine_refuse_python_modes(o) < 0)
		return -1;
	engine_warn_python_options(o);
	return 0;
}

static int set_python(void *ctx, pid_t pid,
		      const struct bpf_python_config *cfg)
{
	return bpf_sampler_set_python(ctx, pid, cfg);
}

static void know_code(void *ctx, uint64_t code, uint64_t ident)
{
	bpf_sampler_know_code(ctx, code, ident);
}

static int count_of(void *ctx, uint64_t key, uint64_t *count)
{
	return bpf_sampler_count_of(ctx, key, count);
}

/* What the kernel counted, into the profile, at the end (the live view
 * looks up only the stacks learnt: bpf_record_count_learnt); -1 (said)
 * when the table cannot be read. */
static int read_counts(struct bpf_state *st, struct bpf_record *rec)
{
	if (bpf_sampler_read_counts(st->sampler, bpf_record_count, rec) < 0)
		return error("bpf: reading the program's stack counts failed: %s (record again; --idle records without them)",
			     strerror(errno));
	return 0;
}

/* Has the process of pidfd fd exited? */
static int exited(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	return poll(&pfd, 1, 0) > 0;
}

static int bpf_run(struct engine_run *r, struct profile *p,
		   struct record_stats *stats, volatile sig_atomic_t *stop)
{
	struct bpf_state *st = r->state;
	const struct record_options *o = r->o;
	struct bpf_record_kernel kernel = {
		/* (known code matters only to the first of counted ticks) */
		set_python, counts_stacks(o) ? know_code : NULL, count_of,
		st->sampler
	};
	struct bpf_record *rec;
	struct engine_loop loop;
	int64_t start, last_alive, end;
	uint64_t truncated;
	int ret = 0, alive = 1, exit_fd = -1;

	memset(stats, 0, sizeof(*stats));
	rec = bpf_record_new(p, o, stats, &kernel);
	/* an attached target: its maps read and its CPython found before
	 * its first sample */
	if (!o->system_wide && !r->t->spawned) {
		bpf_record_preload(rec, r->t->pid);
		if (add_target(r) < 0) {
			bpf_record_free(rec);
			free_state(r);
			return -1;
		}
		if (!o->subprocesses)
			exit_fd = (int)syscall(SYS_pidfd_open, r->t->pid, 0);
		bpf_sampler_watch(st->sampler, exit_fd);
	}
	start = ticker_now();
	engine_loop_start(&loop, o, stop, start);
	last_alive = start;
	for (;;) {
		int64_t now, before_read;
		int wait_ms = !alive ? 0 : exit_fd < 0 ? READ_TIMEOUT_MS :
			engine_loop_idle_ms(&loop, ticker_now(),
					    ATTACHED_TIMEOUT_MS);

		if (bpf_sampler_read(st->sampler, wait_ms, bpf_record_sample,
				     rec) < 0) {
			ret = error("bpf: reading the ring buffer failed: %s (record again)",
				    strerror(errno));
			break;
		}
		/* --idle: the switch-ins before this are all read */
		if (o->idle) {
			before_read = ticker_now();
			bpf_sampler_read(st->sampler, 0, bpf_record_sample, rec);
			bpf_record_flush(rec, (uint64_t)before_read);
		}
		now = ticker_now();
		/* the kernel's stack counts: for the live view (top, the
		 * progress line) when it is due, those of the stacks in the
		 * profile; the whole table (half a millisecond to scan, cold)
		 * only at the end */
		if (engine_loop_view_due(&loop, now))
			bpf_record_count_learnt(rec);
		if (engine_loop_done(&loop, p, now) || !alive)
			break;
		if (exit_fd >= 0 ? exited(exit_fd) :
		    !o->system_wide && now - last_alive >= ALIVE_CHECK_NS) {
			alive = target_alive(r->t);	/* one more read */
			last_alive = now;
		}
	}
	if (exit_fd >= 0)
		close(exit_fd);
	end = ticker_now();
	bpf_sampler_read(st->sampler, 0, bpf_record_sample, rec);	/* drain */
	bpf_record_flush(rec, (uint64_t)end);	/* threads still blocked */
	/* after the ring: a count's stack came through it first */
	if (read_counts(st, rec) < 0)
		ret = -1;
	p->meta.duration_ns = end - start;
	if (r->exec_ns)	/* its samples began at the exec */
		p->meta.duration_ns += start - r->exec_ns;
	/* the later samples of a stack whose first was lost are too */
	stats->lost = bpf_sampler_counter(st->sampler, BPF_SAMPLER_COUNT_LOST) +
		bpf_record_take_unlearnt(rec);
	truncated = bpf_sampler_counter(st->sampler,
					BPF_SAMPLER_COUNT_TRUNCATED);
	if (stats->lost)
		warning("bpf: %lu samples lost (ring buffer full; lower -F)",
			stats->lost);
	if (truncated)
		warning("bpf: %llu user stacks cut at %d frames (their roots are missing; nothing to do)",
			(unsigned long long)truncated, BPF_SAMPLER_MAX_FRAMES);
	truncated = bpf_sampler_counter(st->sampler, BPF_SAMPLER_COUNT_PY_CUT);
	if (truncated)
		warning("bpf: %llu Python stacks cut at %d frames (their outermost frames are missing; nothing to do)",
			(unsigned long long)truncated, BPF_SAMPLER_MAX_PYTHON);
	if (bpf_sampler_counter(st->sampler, BPF_SAMPLER_COUNT_UNFOLLOWED))
		warning("bpf: children not followed, the table of %d processes is full (record fewer processes)",
			BPF_SAMPLER_MAX_TARGETS);
	if (getenv("SCORCH_BPF_STATS")) {	/* bench/bpf.sh */
		uint64_t runs = 0, ns = 0;

		bpf_sampler_run_time(st->sampler, &runs, &ns);
		fprintf(stderr, "scorch: bpf: %lu samples (%llu counted in the kernel), program ran %llu times for %llu ns (kernel.bpf_stats_enabled=1 to count)\n",
			stats->samples,
			(unsigned long long)bpf_record_counted(rec),
			(unsigned long long)runs, (unsigned long long)ns);
	}
	bpf_record_free(rec);
	free_state(r);
	return ret;
}

static void bpf_discard(struct engine_run *r)
{
	free_state(r);
}

const struct engine bpf_engine = {
	.name = "bpf",
	.summary = "every process (-a) or the target, sampled by a BPF program: kernel stacks, Python 3.6+ frames walked in the kernel, native stacks from a stack copy",
	.prepare = bpf_prepare,
	.take = bpf_take,
	.check = bpf_check,
	.run = bpf_run,
	.discard = bpf_discard,
};
