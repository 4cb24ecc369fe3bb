/*
 * perf_event.c - perf_event_open(2) sampling for the perf_event engine:
 * event selection (-e), the attribute (callchain, user regs, user stack),
 * one ring buffer per opened event, read in order and handed to the one
 * record decoder (perf/record.c, shared with the perf.data reader).  Never
 * symbolises or prints; see perf_event.h for the contract.
 *
 * --idle (opts->switches) adds, per thread and CPU, a context-switches
 * software event with sample_period 1 and context_switch set, writing into
 * the same ring: the kernel takes its sample as the thread switches out
 * (callchain, user registers and stack of where it blocked) and writes a
 * SWITCH record as it switches back in.  Its sample_type equals the main
 * event's, so one layout decodes both; its samples are told apart by their
 * period, 1, which a clock event (period >= 1000 ns) never has.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "engines/perf/perf_event.h"
#include "unwind/unwind.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define PERF_SAMPLE_BITS (PERF_SAMPLE_IP | PERF_SAMPLE_TID | \
	PERF_SAMPLE_TIME | PERF_SAMPLE_PERIOD)

struct perf_ring {
	int fd;
	void *base;			/* metadata page + data */
	size_t data_size;		/* power of two */
};

struct perf_engine {
	struct perf_event_attr attr;
	struct perf_layout layout;		/* of attr, for the decoder */
	struct perf_event_attr switch_attr;	/* --idle, see the top */
	int switches;
	struct perf_ring *rings;
	size_t nr_rings;
	struct pollfd *pollfds;
	unsigned char *scratch;		/* one record across the wrap */
	size_t scratch_size;
	int *extra_fds;			/* events writing into rings[] */
	size_t nr_extra, alloc_extra;
	char event_name[64];
	uint64_t bytes;
};

static void layout_of(const struct perf_event_attr *a, struct perf_layout *l);

struct event_name {
	const char *name;
	uint32_t type;
	uint64_t config;
};

static const struct event_name event_names[] = {
	{ "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS },
	{ "minor-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MIN },
	{ "major-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS_MAJ },
	{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cs", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS },
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "cpu-cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-references", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_REFERENCES },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
};

int perf_paranoid(void)
{
	FILE *fp = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int v = -100;

	if (fp) {
		if (fscanf(fp, "%d", &v) != 1)
			v = -100;
		fclose(fp);
	}
	return v;
}

static int attr_setup(struct perf_event_attr *a, const struct perf_options *o,
		      char *name, size_t name_size)
{
	const char *ev = o->event && *o->event ? o->event : "cpu-clock";
	size_t i;
	double rate = o->rate_hz > 0 ? o->rate_hz : 100;

	memset(a, 0, sizeof(*a));
	a->size = sizeof(*a);
	for (i = 0; i < sizeof(event_names) / sizeof(event_names[0]); i++)
		if (!strcmp(ev, event_names[i].name))
			break;
	if (i == sizeof(event_names) / sizeof(event_names[0]))
		return -1;
	snprintf(name, name_size, "%s", event_names[i].name);
	a->type = event_names[i].type;
	a->config = event_names[i].config;
	if (a->type == PERF_TYPE_SOFTWARE &&
	    (a->config == PERF_COUNT_SW_CPU_CLOCK ||
	     a->config == PERF_COUNT_SW_TASK_CLOCK)) {
		a->sample_period = (uint64_t)(1e9 / rate);	/* ns */
	} else if (a->type == PERF_TYPE_HARDWARE) {
		a->freq = 1;
		a->sample_freq = (uint64_t)rate;
	} else {
		a->sample_period = 1;	/* every fault / switch */
	}
	a->sample_type = PERF_SAMPLE_BITS;
	if (!o->no_kernel) {
		a->sample_type |= PERF_SAMPLE_CALLCHAIN;
		a->exclude_callchain_user = 1;	/* we unwind user stacks */
	} else {
		a->exclude_kernel = 1;
	}
	a->exclude_hv = 1;
	if (o->stack_size) {
		a->sample_type |= PERF_SAMPLE_REGS_USER | PERF_SAMPLE_STACK_USER;
		a->sample_regs_user = UNWIND_REGS_MASK;
		a->sample_stack_user = (o->stack_size + 7) & ~7u;
	}
	a->disabled = 1;
	a->inherit = 1;
	a->mmap = 1;
	a->mmap2 = 1;
	a->comm = 1;
	a->comm_exec = 1;
	a->task = 1;
	a->sample_id_all = 1;
	/* timestamps on CLOCK_MONOTONIC: the consumer can tell a sample's
	 * age (--native reads Python frames only for fresh samples) */
	a->use_clockid = 1;
	a->clockid = CLOCK_MONOTONIC;
	if (o->wakeup_every)
		a->wakeup_events = (uint32_t)o->wakeup_every;
	else {
		a->watermark = 1;
		a->wakeup_watermark = 64 * 1024;
	}
	return 0;
}

/* The --idle scheduler event: the main event's sample layout, a sample
 * at every switch-out, SWITCH records, and no side-band records (the main
 * event already reports MMAP, COMM and FORK).  Needs kernel sampling: the
 * kernel drops a software event fired in kernel mode when exclude_kernel
 * is set, and every switch happens in the kernel. */
static void switch_attr_setup(struct perf_event_attr *s,
			      const struct perf_event_attr *main_attr)
{
	*s = *main_attr;
	s->type = PERF_TYPE_SOFTWARE;
	s->config = PERF_COUNT_SW_CONTEXT_SWITCHES;
	s->freq = 0;
	s->sample_period = 1;
	s->exclude_kernel = 0;
	s->context_switch = 1;
	s->mmap = 0;
	s->mmap2 = 0;
	s->comm = 0;
	s->comm_exec = 0;
	s->task = 0;
}

static int is_clock_event(const struct perf_event_attr *a)
{
	return a->type == PERF_TYPE_SOFTWARE &&
		(a->config == PERF_COUNT_SW_CPU_CLOCK ||
		 a->config == PERF_COUNT_SW_TASK_CLOCK);
}

static int ring_map(struct perf_ring *r, int fd, size_t data_size)
{
	long page = sysconf(_SC_PAGESIZE);

	r->fd = fd;
	r->data_size = data_size;
	r->base = mmap(NULL, page + data_size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, fd, 0);
	if (r->base == MAP_FAILED) {
		r->base = NULL;
		return -1;
	}
	return 0;
}

static void explain_errno(int err, int kernel, struct strbuf *why)
{
	int paranoid = perf_paranoid();

	if (err == EACCES || err == EPERM) {
		if (paranoid > 2)
			strbuf_addf(why, "perf_event_open is not allowed "
				    "(kernel.perf_event_paranoid=%d) (run as "
				    "root or: sysctl kernel.perf_event_paranoid=1)",
				    paranoid);
		else if (kernel && paranoid > 1)
			strbuf_addf(why, "kernel samples are not allowed "
				    "(kernel.perf_event_paranoid=%d) (run as "
				    "root, use --no-kernel, or: sysctl "
				    "kernel.perf_event_paranoid=1)", paranoid);
		else
			strbuf_addf(why, "perf_event_open is not allowed: %s "
				    "(a container or seccomp policy blocks it: "
				    "allow perf_event_open or add CAP_PERFMON)",
				    strerror(err));
	} else if (err == ENOSYS) {
		strbuf_addstr(why, "perf_event_open is not available "
			      "(kernel without CONFIG_PERF_EVENTS or seccomp "
			      "blocks it: allow the syscall)");
	} else if (err == ENOENT || err == EOPNOTSUPP) {
		strbuf_addstr(why, "this event is not supported here (no "
			      "hardware PMU: use -e cpu-clock)");
	} else if (err == ESRCH) {
		strbuf_addstr(why, "no such process (check the pid)");
	} else {
		strbuf_addf(why, "perf_event_open failed: %s (check "
			    "kernel.perf_event_paranoid and ulimit -l)",
			    strerror(err));
	}
}

/* Redirects a new event on (tid, cpu) into ring_fd; adds it to extra_fds.
 * Returns 0, 1 when the thread ended, -1 (errno) on failure. */
static int open_into(struct perf_engine *e, struct perf_event_attr *attr,
		     pid_t tid, int cpu, int ring_fd)
{
	int fd = (int)syscall(SYS_perf_event_open, attr, tid, cpu, -1,
			      PERF_FLAG_FD_CLOEXEC);

	if (fd < 0)
		return errno == ESRCH ? 1 : -1;
	if (ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, ring_fd)) {
		int err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	grow_array((void **)&e->extra_fds, sizeof(*e->extra_fds),
		   e->nr_extra + 1, &e->alloc_extra);
	e->extra_fds[e->nr_extra++] = fd;
	return 0;
}

static enum perf_status status_of(int err)
{
	if (err == EACCES || err == EPERM || err == ENOSYS)
		return PERF_NOT_ALLOWED;
	if (err == ENOENT || err == EOPNOTSUPP || err == EINVAL)
		return PERF_NO_EVENT;
	if (err == ESRCH)
		return PERF_GONE;
	return PERF_FAILED;
}

/* Thread ids of pid (or just pid when its task dir is unreadable). */
static size_t list_threads(pid_t pid, pid_t **out)
{
	char path[64];
	DIR *dir;
	struct dirent *d;
	size_t n = 0, alloc = 0;

	*out = NULL;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	if (dir) {
		while ((d = readdir(dir))) {
			int tid = atoi(d->d_name);
			if (tid <= 0)
				continue;
			grow_array((void **)out, sizeof(**out), n + 1, &alloc);
			(*out)[n++] = tid;
		}
		closedir(dir);
	}
	if (!n) {
		*out = xmalloc(sizeof(**out));
		(*out)[n++] = pid;
	}
	return n;
}

/* Online CPUs from /sys/devices/system/cpu/online ("0-3,6"). */
static size_t online_cpus(int **out)
{
	FILE *fp = fopen("/sys/devices/system/cpu/online", "r");
	char buf[1024];
	size_t n = 0, alloc = 0;
	char *p;

	*out = NULL;
	if (fp && fgets(buf, sizeof(buf), fp)) {
		for (p = buf; *p && *p != '\n';) {
			char *end;
			long lo = strtol(p, &end, 10), hi = lo;
			if (end == p)
				break;
			if (*end == '-')
				hi = strtol(end + 1, &end, 10);
			for (long c = lo; c <= hi && c < 4096; c++) {
				grow_array((void **)out, sizeof(**out), n + 1,
					   &alloc);
				(*out)[n++] = (int)c;
			}
			p = *end == ',' ? end + 1 : end;
		}
	}
	if (fp)
		fclose(fp);
	if (!n) {
		long conf = sysconf(_SC_NPROCESSORS_CONF);
		for (long c = 0; c < (conf > 0 ? conf : 1); c++) {
			grow_array((void **)out, sizeof(**out), n + 1, &alloc);
			(*out)[n++] = (int)c;
		}
	}
	return n;
}

/*
 * The kernel refuses to mmap an inherited per-task (cpu -1) event, so
 * every thread gets one inherited event per CPU; the first thread's
 * events own the ring buffers and the others' write into them
 * (PERF_EVENT_IOC_SET_OUTPUT needs the same CPU).
 */
static int open_all(struct perf_engine *e, pid_t pid, int spawn,
		    size_t data_size, int *err)
{
	pid_t *tids;
	int *cpus;
	size_t nr, nr_cpus;

	if (spawn) {
		tids = xmalloc(sizeof(*tids));
		tids[0] = pid;
		nr = 1;
		e->attr.enable_on_exec = 1;
		e->switch_attr.enable_on_exec = 1;
	} else {
		nr = list_threads(pid, &tids);
	}
	nr_cpus = online_cpus(&cpus);
	e->rings = xcalloc(nr_cpus, sizeof(*e->rings));
	for (size_t c = 0; c < nr_cpus; c++) {
		int fd = -1;
		size_t t;
		for (t = 0; t < nr && fd < 0; t++) {
			fd = (int)syscall(SYS_perf_event_open, &e->attr,
					  tids[t], cpus[c], -1,
					  PERF_FLAG_FD_CLOEXEC);
			if (fd < 0 && !(errno == ESRCH && !spawn))
				break;
		}
		if (fd < 0) {
			*err = errno;
			goto fail;
		}
		if (ring_map(&e->rings[e->nr_rings], fd, data_size)) {
			*err = errno;
			close(fd);
			goto fail;
		}
		e->nr_rings++;
		for (; t < nr; t++) {
			int extra = (int)syscall(SYS_perf_event_open, &e->attr,
						 tids[t], cpus[c], -1,
						 PERF_FLAG_FD_CLOEXEC);
			if (extra < 0)
				continue;	/* the thread ended */
			if (ioctl(extra, PERF_EVENT_IOC_SET_OUTPUT, fd)) {
				close(extra);
				continue;
			}
			grow_array((void **)&e->extra_fds,
				   sizeof(*e->extra_fds), e->nr_extra + 1,
				   &e->alloc_extra);
			e->extra_fds[e->nr_extra++] = extra;
		}
		/* --idle: every thread's switches on this CPU, same ring */
		for (t = 0; e->switches && t < nr; t++) {
			int ret = open_into(e, &e->switch_attr, tids[t],
					    cpus[c], fd);
			if (ret < 0 && (spawn || errno != ESRCH)) {
				*err = errno;
				goto fail;
			}
		}
	}
	free(tids);
	free(cpus);
	return 0;
fail:
	free(tids);
	free(cpus);
	return -1;
}

static void close_rings(struct perf_engine *e)
{
	long page = sysconf(_SC_PAGESIZE);

	for (size_t i = 0; i < e->nr_rings; i++) {
		if (e->rings[i].base)
			munmap(e->rings[i].base, page + e->rings[i].data_size);
		close(e->rings[i].fd);
	}
	for (size_t i = 0; i < e->nr_extra; i++)
		close(e->extra_fds[i]);
	free(e->extra_fds);
	e->extra_fds = NULL;
	e->nr_extra = 0;
	free(e->rings);
	e->rings = NULL;
	e->nr_rings = 0;
}

enum perf_status perf_engine_open(struct perf_engine **out, pid_t pid,
				  int spawn, const struct perf_options *opts,
				  int *kernel_dropped, struct strbuf *why)
{
	struct perf_engine *e = xcalloc(1, sizeof(*e));
	struct perf_options o = *opts;
	size_t data_size;
	int err = 0;
	long page = sysconf(_SC_PAGESIZE);

	*out = NULL;
	*kernel_dropped = 0;
	if (attr_setup(&e->attr, &o, e->event_name, sizeof(e->event_name))) {
		strbuf_addf(why, "unknown event '%s' (use cpu-clock, "
			    "task-clock, cycles, instructions, cache-misses, "
			    "page-faults or context-switches)", o.event);
		free(e);
		return PERF_NO_EVENT;
	}
	if (o.switches && !is_clock_event(&e->attr)) {
		strbuf_addf(why, "--idle charges off-CPU time, which needs a "
			    "clock event, not '%s' (use -e cpu-clock or "
			    "task-clock)", e->event_name);
		free(e);
		return PERF_NO_EVENT;
	}
	e->switches = o.switches;
	if (e->switches)
		switch_attr_setup(&e->switch_attr, &e->attr);
	/* room for ~64 stack-carrying samples, at least 512 KiB */
	data_size = 512 * 1024;
	while (data_size < 64 * ((size_t)o.stack_size + 512) &&
	       data_size < 64u << 20)
		data_size *= 2;
	if (data_size < (size_t)page)
		data_size = page;
	if (open_all(e, pid, spawn, data_size, &err) &&
	    (err == EACCES || err == EPERM) && !o.no_kernel && !o.switches) {
		struct strbuf tmp;
		strbuf_init(&tmp);
		explain_errno(err, 1, &tmp);
		close_rings(e);
		o.no_kernel = 1;
		attr_setup(&e->attr, &o, e->event_name, sizeof(e->event_name));
		if (!open_all(e, pid, spawn, data_size, &err)) {
			*kernel_dropped = 1;
			strbuf_addstr(why, strbuf_str(&tmp));
		}
		strbuf_release(&tmp);
	}
	if (err && !*kernel_dropped) {
		enum perf_status st = status_of(err);
		if (o.switches && (err == EACCES || err == EPERM) &&
		    perf_paranoid() > 1)
			strbuf_addf(why, "--idle on a native program samples "
				    "the scheduler in the kernel, which is not "
				    "allowed (kernel.perf_event_paranoid=%d) "
				    "(run as root or: sysctl "
				    "kernel.perf_event_paranoid=1)",
				    perf_paranoid());
		else
			explain_errno(err, !o.no_kernel || o.switches, why);
		close_rings(e);
		free(e);
		return st;
	}
	layout_of(&e->attr, &e->layout);
	e->pollfds = xcalloc(e->nr_rings, sizeof(*e->pollfds));
	for (size_t i = 0; i < e->nr_rings; i++) {
		e->pollfds[i].fd = e->rings[i].fd;
		e->pollfds[i].events = POLLIN;
		if (!spawn)
			ioctl(e->rings[i].fd, PERF_EVENT_IOC_ENABLE, 0);
	}
	for (size_t i = 0; i < e->nr_extra && !spawn; i++)
		ioctl(e->extra_fds[i], PERF_EVENT_IOC_ENABLE, 0);
	*out = e;
	return PERF_OK;
}

void perf_engine_close(struct perf_engine *e)
{
	if (!e)
		return;
	close_rings(e);
	free(e->pollfds);
	free(e->scratch);
	free(e);
}

int perf_engine_poll(struct perf_engine *e, int timeout_ms)
{
	int n = poll(e->pollfds, e->nr_rings, timeout_ms);

	if (n < 0)
		return errno == EINTR ? -1 : 0;
	return n > 0;
}

const char *perf_engine_event_name(const struct perf_engine *e)
{
	return e->event_name;
}

uint64_t perf_engine_sample_type(const struct perf_engine *e)
{
	return e->attr.sample_type;
}

uint64_t perf_engine_bytes(const struct perf_engine *e)
{
	return e->bytes;
}

/* ---- records: decoded by perf/record.c ------------------------ */

static void layout_of(const struct perf_event_attr *a, struct perf_layout *l)
{
	memset(l, 0, sizeof(*l));
	l->sample_type = a->sample_type;
	l->read_format = a->read_format;
	l->branch_sample_type = a->branch_sample_type;
	l->regs_user_mask = a->sample_regs_user;
	l->regs_intr_mask = a->sample_regs_intr;
	l->sample_id_all = a->sample_id_all;
}

static void parse_record(struct perf_engine *e, const unsigned char *rec,
			 size_t size, perf_record_fn fn, void *ctx)
{
	struct perf_record r;

	if (perf_record_decode(&e->layout, rec, size, &r))
		return;		/* malformed, or a type nobody reads */
	if (r.kind == PERF_REC_SAMPLE)
		r.switch_out = e->switches && r.sample.period == 1;
	fn(ctx, &r);
}

static uint64_t ring_head(const struct perf_ring *ring)
{
	struct perf_event_mmap_page *meta = ring->base;

	return meta ? __atomic_load_n(&meta->data_head, __ATOMIC_ACQUIRE) : 0;
}

/* Hands over the records up to head (from ring_head). */
static size_t ring_read(struct perf_engine *e, struct perf_ring *ring,
			uint64_t head, perf_record_fn fn, void *ctx)
{
	struct perf_event_mmap_page *meta = ring->base;
	const unsigned char *data;
	uint64_t tail;
	size_t handled = 0;
	long page = sysconf(_SC_PAGESIZE);

	if (!meta)
		return 0;
	data = (const unsigned char *)ring->base + page;
	tail = meta->data_tail;
	while (tail + 8 <= head) {
		struct perf_event_header hdr;
		size_t off = tail & (ring->data_size - 1);
		const unsigned char *rec;

		if (off + sizeof(hdr) <= ring->data_size) {
			memcpy(&hdr, data + off, sizeof(hdr));
		} else {
			size_t first = ring->data_size - off;
			memcpy(&hdr, data + off, first);
			memcpy((char *)&hdr + first, data, sizeof(hdr) - first);
		}
		if (hdr.size < sizeof(hdr) || tail + hdr.size > head)
			break;
		if (off + hdr.size <= ring->data_size) {
			rec = data + off;
		} else {
			size_t first = ring->data_size - off;
			if (e->scratch_size < hdr.size) {
				e->scratch = xrealloc(e->scratch, 65536);
				e->scratch_size = 65536;
			}
			memcpy(e->scratch, data + off, first);
			memcpy(e->scratch + first, data, hdr.size - first);
			rec = e->scratch;
		}
		parse_record(e, rec, hdr.size, fn, ctx);
		tail += hdr.size;
		e->bytes += hdr.size;
		handled++;
		/* free the space at once so the kernel can keep writing */
		__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&meta->data_tail, tail, __ATOMIC_RELEASE);
	return handled;
}

/*
 * One pass reads every ring up to where it stood at the start of the
 * pass, not up to where it stands when its turn comes: handling a ring's
 * records can take long (the first unwinds load DWARF), and a later ring
 * read further would hand over a thread's switch-in on one CPU before
 * its switch-out on another.  So a pass holds everything written before
 * it began (offcpu.c relies on it).
 */
size_t perf_engine_read(struct perf_engine *e, perf_record_fn fn, void *ctx)
{
	uint64_t heads_stack[16], *heads = heads_stack;
	size_t n = 0;

	if (e->nr_rings > 16)
		heads = xcalloc(e->nr_rings, sizeof(*heads));
	for (size_t i = 0; i < e->nr_rings; i++)
		heads[i] = ring_head(&e->rings[i]);
	for (size_t i = 0; i < e->nr_rings; i++)
		n += ring_read(e, &e->rings[i], heads[i], fn, ctx);
	if (heads != heads_stack)
		free(heads);
	return n;
}

void perf_engine_set_enabled(struct perf_engine *e, int on)
{
	unsigned long req = on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE;

	for (size_t i = 0; i < e->nr_rings; i++)
		ioctl(e->rings[i].fd, req, 0);
	for (size_t i = 0; i < e->nr_extra; i++)
		ioctl(e->extra_fds[i], req, 0);
}
