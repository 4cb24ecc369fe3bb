/*
 * bpf_load.c - loads the embedded BPF program (bpf_load.h): the libbpf
 * skeleton bpftool generated from sampler.bpf.c at build time, one
 * cpu-clock perf event per online CPU (or per thread of the one target)
 * with the program attached, the
 * ring buffer the samples arrive on.  libbpf's messages are kept, not
 * printed, so a refusal becomes one line with its reason.
 */
#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "engines/bpf/bpf_load.h"
#include "engines/bpf/kernel_types.h"
#include "engines/bpf/sampler.h"
#include "engines/bpf/verifier_log.h"
#include "util/hash.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#ifdef SCORCH_NO_BPF_PROGRAM
/* built where the kernel had no BTF (Makefile): no program to load */
struct sampler;
#else
#include "sampler.skel.h"
#endif

struct bpf_sampler {
	struct sampler *skel;
	struct ring_buffer *ring;
	int *events;			/* perf event fds (per CPU, or per
					   thread of one process), -1 for
					   offline CPUs */
	struct bpf_link **links;
	int nr_events;
	struct bpf_link *fork_link, *switch_link;
	int nr_cpus;
	bpf_sample_fn fn;
	void *fn_ctx;
	int handled;
	int watch_fd;			/* bpf_sampler_watch, -1 = none */
};

/* libbpf's last warning line: the kernel's reason; and the verifier's,
 * out of the load log libbpf prints when it refused a program */
static char last_message[256];
static char verifier_reason[256];

static int keep_message(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char line[sizeof(last_message)];
	size_t n;

	if (getenv("SCORCH_BPF_LOG")) {	/* the verifier's whole log */
		va_list copy;

		va_copy(copy, ap);
		vfprintf(stderr, fmt, copy);
		va_end(copy);
	}
	if (level == LIBBPF_DEBUG)
		return 0;
	if (strstr(fmt, "PROG LOAD LOG")) {
		va_list copy;
		char *text;

		va_copy(copy, ap);
		if (vasprintf(&text, fmt, copy) >= 0) {
			bpf_verifier_reason(text, verifier_reason,
					    sizeof(verifier_reason));
			free(text);
		}
		va_end(copy);
	}
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strcspn(line, "\n");
	line[n] = '\0';
	if (n)
		memcpy(last_message, line, n + 1);
	return 0;
}

/* A cpu-clock event on cpu (tid -1), or following thread tid wherever
 * it runs (cpu -1), inherited by the threads and processes it starts. */
static int open_cpu_clock(double rate_hz, pid_t tid, int cpu)
{
	struct perf_event_attr attr;

	memset(&attr, 0, sizeof(attr));
	attr.size = sizeof(attr);
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_CPU_CLOCK;
	attr.sample_period = (uint64_t)(1e9 / rate_hz);
	attr.inherit = tid > 0;
	return (int)syscall(SYS_perf_event_open, &attr, tid, cpu, -1,
			    PERF_FLAG_FD_CLOEXEC);
}

int bpf_sampler_denied(int e)
{
	return e == EPERM;	/* (the verifier refuses with EACCES) */
}

static int last_errno;

/* why for errno e during step */
static void say_why(struct strbuf *why, const char *step, int e)
{
	last_errno = e;
	strbuf_addf(why, "%s: %s", step, strerror(e));
	if (last_message[0] && e != EPERM)
		strbuf_addf(why, " (%s)", last_message);
}

/* Is the record whole: a switch-in up to its frames, a Python thread's
 * (no user part) up to its Python frames, any other up to the end of
 * its stack copy (sampler.h), with its counts in bounds? */
static int record_whole(const struct bpf_sample *s, size_t size)
{
	if (size < BPF_SAMPLE_SWITCH_SIZE)
		return 0;
	if (s->kind == BPF_SAMPLE_SWITCH_IN)
		return 1;
	if (s->kernel_nr > BPF_SAMPLER_MAX_FRAMES ||
	    s->user_nr > BPF_SAMPLER_MAX_FRAMES ||
	    s->python_nr > BPF_SAMPLER_MAX_PYTHON)
		return 0;
	if (s->python_nr && !s->user_nr && !s->stack_len)
		return size >= BPF_SAMPLE_PYTHON_SIZE(s->kernel_nr, s->python_nr);
	return size >= BPF_SAMPLE_HEADER_SIZE &&
	       s->stack_len <= size - BPF_SAMPLE_HEADER_SIZE;
}

static int ring_sample(void *ctx, void *data, size_t size)
{
	struct bpf_sampler *s = ctx;
	const struct bpf_sample *sample = data;

	if (record_whole(sample, size)) {
		s->fn(s->fn_ctx, sample);
		s->handled++;
	}
	return 0;
}

#ifdef SCORCH_NO_BPF_PROGRAM
struct bpf_sampler *bpf_sampler_open(const struct bpf_sampler_options *o,
				     struct strbuf *why, int *e)
{
	(void)o;
	(void)ring_sample;
	(void)keep_message;
	(void)verifier_reason;
	(void)open_cpu_clock;
	(void)say_why;
	strbuf_addstr(why, "this scorch was built without its BPF program: its build machine's kernel had no BTF");
	if (e)
		*e = ENOSYS;
	return NULL;
}

void bpf_sampler_close(struct bpf_sampler *s)
{
	free(s);
}

int bpf_sampler_add_target(struct bpf_sampler *s, pid_t pid)
{
	(void)s;
	(void)pid;
	return -1;
}

int bpf_sampler_set_python(struct bpf_sampler *s, pid_t pid,
			   const struct bpf_python_config *cfg)
{
	(void)s;
	(void)pid;
	(void)cfg;
	return -1;
}

void bpf_sampler_know_code(struct bpf_sampler *s, uint64_t code,
			   uint64_t ident)
{
	(void)s;
	(void)code;
	(void)ident;
}

void bpf_sampler_watch(struct bpf_sampler *s, int fd)
{
	(void)s;
	(void)fd;
}

int bpf_sampler_read(struct bpf_sampler *s, int timeout_ms, bpf_sample_fn fn,
		     void *ctx)
{
	(void)s;
	(void)timeout_ms;
	(void)fn;
	(void)ctx;
	errno = ENOSYS;
	return -1;
}

int bpf_sampler_read_counts(struct bpf_sampler *s, bpf_count_fn fn,
			    void *ctx)
{
	(void)s;
	(void)fn;
	(void)ctx;
	errno = ENOSYS;
	return -1;
}

int bpf_sampler_count_of(struct bpf_sampler *s, uint64_t key,
			 uint64_t *count)
{
	(void)s;
	(void)key;
	(void)count;
	return 0;
}

uint64_t bpf_sampler_counter(struct bpf_sampler *s, unsigned which)
{
	(void)s;
	(void)which;
	return 0;
}

int bpf_sampler_run_time(struct bpf_sampler *s, uint64_t *runs, uint64_t *ns)
{
	(void)s;
	*runs = *ns = 0;
	return -1;
}
#else
/* The program on event fd, as s's next event; -1 (why said) if it
 * cannot be attached. */
static int attach_event(struct bpf_sampler *s, int fd, struct strbuf *why)
{
	struct bpf_link *link = bpf_program__attach_perf_event(
		s->skel->progs.sample, fd);

	if (!link) {
		say_why(why, "cannot attach to the cpu-clock event", errno);
		close(fd);
		return -1;
	}
	s->events = xrealloc(s->events, (s->nr_events + 1) * sizeof(*s->events));
	s->links = xrealloc(s->links, (s->nr_events + 1) * sizeof(*s->links));
	s->events[s->nr_events] = fd;
	s->links[s->nr_events++] = link;
	return 0;
}

/* An event on every online CPU: how many, or -1 (why said). */
static int attach_cpus(struct bpf_sampler *s,
		       const struct bpf_sampler_options *o, struct strbuf *why)
{
	int attached = 0;

	for (int cpu = 0; cpu < s->nr_cpus; cpu++) {
		int fd = open_cpu_clock(o->rate_hz, -1, cpu);

		if (fd < 0) {
			if (errno == ENODEV)	/* offline */
				continue;
			say_why(why, "perf_event_open (cpu-clock)", errno);
			return -1;
		}
		if (attach_event(s, fd, why) < 0)
			return -1;
		attached++;
	}
	return attached;
}

/*
 * An event on every thread of o->process, inherited by the threads and
 * processes they start: only the target's ticks run the program, not
 * every CPU's.  The threads are listed again until a listing finds none
 * new (one started during the first by a thread not yet followed).
 * How many, or -1 (why said).
 */
static int attach_threads(struct bpf_sampler *s,
			  const struct bpf_sampler_options *o,
			  struct strbuf *why)
{
	char path[64];
	pid_t *seen = NULL;
	size_t nr_seen = 0;
	int added = 1;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)o->process);
	for (int pass = 0; added && pass < 4; pass++) {
		DIR *dir = opendir(path);
		struct dirent *d;

		if (!dir) {
			say_why(why, "cannot list the target's threads", errno);
			free(seen);
			return -1;
		}
		added = 0;
		while ((d = readdir(dir))) {
			pid_t tid = (pid_t)atoi(d->d_name);
			size_t i;
			int fd;

			for (i = 0; i < nr_seen && seen[i] != tid; i++)
				;
			if (tid <= 0 || i < nr_seen)
				continue;
			seen = xrealloc(seen, (nr_seen + 1) * sizeof(*seen));
			seen[nr_seen++] = tid;
			fd = open_cpu_clock(o->rate_hz, tid, -1);
			if (fd < 0) {
				if (errno == ESRCH)	/* it ended */
					continue;
				say_why(why, "perf_event_open (cpu-clock)", errno);
				closedir(dir);
				free(seen);
				return -1;
			}
			if (attach_event(s, fd, why) < 0) {
				closedir(dir);
				free(seen);
				return -1;
			}
			added++;
		}
		closedir(dir);
	}
	free(seen);
	return s->nr_events;
}

/* Where the program's kernel types came from, for SCORCH_BPF_STATS. */
static const char *types_source;

/* The program opened with the kernel's types: this boot's cut of them
 * (kernel_types.h) when there is one or one can be made, *types_fd its
 * descriptor (-1: libbpf reads the kernel's whole BTF). */
static struct sampler *open_program(int *types_fd)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts);
	char path[64];
	size_t size;
	const void *elf = sampler__elf_bytes(&size);
	uint64_t key = hash_bytes(elf, size, 0);
	struct sampler *skel;
	int fd = kernel_types_cached(key);

	*types_fd = -1;
	types_source = "the cache";
	if (fd < 0) {	/* cut them from the program's own types */
		skel = sampler__open();
		if (!skel)
			return NULL;
		fd = kernel_types_make(bpf_object__btf(skel->obj), key);
		types_source = "a new cut";
		if (fd < 0) {
			types_source = "the kernel's BTF";
			return skel;
		}
		sampler__destroy(skel);
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	opts.btf_custom_path = path;
	skel = sampler__open_opts(&opts);
	if (skel)
		*types_fd = fd;
	else
		close(fd);
	return skel;
}

/* The program opened, set up for o and loaded (*err: libbpf's error, 0
 * when loaded); NULL when it cannot even be opened.  A load with the
 * cut of the kernel's types that fails is tried once more with the
 * kernel's own, and the cut is dropped. */
static struct sampler *load_program(const struct bpf_sampler_options *o,
				    int *err)
{
	struct sampler *skel;
	int types_fd = -1;

	for (int tries = 0; tries < 2; tries++) {
		last_message[0] = '\0';
		verifier_reason[0] = '\0';
		last_errno = 0;
		if (tries)
			types_source = "the kernel's BTF";
		skel = tries ? sampler__open() : open_program(&types_fd);
		if (!skel)
			return NULL;
		skel->rodata->every_process = !!o->every_process;
		skel->rodata->follow_children = !!o->follow_children;
		skel->rodata->skip_kernel = !!o->no_kernel;
		skel->rodata->python_native = !!o->python_native;
		skel->rodata->count_stacks = !!o->count_stacks;
		/* the hooks not asked for are not even loaded */
		bpf_program__set_autoload(skel->progs.fork, !!o->follow_children);
		bpf_program__set_autoload(skel->progs.switch_task, !!o->idle);
		*err = sampler__load(skel);
		if (tries || types_fd < 0)
			break;
		close(types_fd);
		if (!*err)
			break;
		kernel_types_forget();
		sampler__destroy(skel);
	}
	if (getenv("SCORCH_BPF_STATS"))
		fprintf(stderr, "scorch: bpf: kernel types from %s (SCORCH_CACHE_DIR= reads the kernel's own every run)\n",
			types_source);
	return skel;
}

struct bpf_sampler *bpf_sampler_open(const struct bpf_sampler_options *o,
				     struct strbuf *why, int *e)
{
	struct bpf_sampler *s = xcalloc(1, sizeof(*s));
	int err, attached = 0;

	s->watch_fd = -1;
	libbpf_set_print(keep_message);
	s->skel = load_program(o, &err);
	if (!s->skel) {
		say_why(why, "cannot open the BPF program", errno);
		goto fail;
	}
	if (err && verifier_reason[0]) {
		last_errno = -err;
		strbuf_addf(why, "the kernel's verifier refused the BPF program: %s",
			    verifier_reason);
		goto fail;
	}
	if (err) {
		say_why(why, "the kernel refused the BPF program", -err);
		goto fail;
	}
	if (o->follow_children) {
		s->fork_link = bpf_program__attach(s->skel->progs.fork);
		if (!s->fork_link) {
			say_why(why, "cannot attach the fork hook", errno);
			goto fail;
		}
	}
	if (o->idle) {
		s->switch_link = bpf_program__attach(s->skel->progs.switch_task);
		if (!s->switch_link) {
			say_why(why, "cannot attach to sched_switch", errno);
			goto fail;
		}
	}
	s->nr_cpus = libbpf_num_possible_cpus();
	if (s->nr_cpus <= 0) {
		say_why(why, "cannot count the CPUs", -s->nr_cpus);
		goto fail;
	}
	attached = o->process > 0 ? attach_threads(s, o, why) :
				    attach_cpus(s, o, why);
	if (attached <= 0) {
		if (!attached)
			strbuf_addstr(why, o->process > 0 ?
				      "the process has no thread to sample" :
				      "no CPU to sample");
		goto fail;
	}
	s->ring = ring_buffer__new(bpf_map__fd(s->skel->maps.samples),
				   ring_sample, s, NULL);
	if (!s->ring ||
	    ring_buffer__add(s->ring, bpf_map__fd(s->skel->maps.python_samples),
			     ring_sample, s) < 0) {
		say_why(why, "cannot map the ring buffer", errno);
		goto fail;
	}
	return s;
fail:
	if (e)
		*e = last_errno;
	bpf_sampler_close(s);
	return NULL;
}

void bpf_sampler_close(struct bpf_sampler *s)
{
	if (!s)
		return;
	ring_buffer__free(s->ring);
	bpf_link__destroy(s->switch_link);
	bpf_link__destroy(s->fork_link);
	for (int i = 0; i < s->nr_events; i++) {
		bpf_link__destroy(s->links[i]);
		close(s->events[i]);
	}
	sampler__destroy(s->skel);
	free(s->links);
	free(s->events);
	free(s);
}

int bpf_sampler_add_target(struct bpf_sampler *s, pid_t pid)
{
	__u32 key = (__u32)pid;
	__u8 one = 1;

	return bpf_map__update_elem(s->skel->maps.targets, &key, sizeof(key),
				    &one, sizeof(one), BPF_ANY) ? -1 : 0;
}

int bpf_sampler_set_python(struct bpf_sampler *s, pid_t pid,
			   const struct bpf_python_config *cfg)
{
	__u32 key = (__u32)pid;

	return bpf_map__update_elem(s->skel->maps.pythons, &key, sizeof(key),
				    cfg, sizeof(*cfg), BPF_ANY) ? -1 : 0;
}

void bpf_sampler_know_code(struct bpf_sampler *s, uint64_t code,
			   uint64_t ident)
{
	__u64 key = code, value = ident;

	/* (a full table: the kernel wakes scorch for that code's stacks) */
	bpf_map__update_elem(s->skel->maps.known_code, &key, sizeof(key),
			     &value, sizeof(value), BPF_ANY);
}

void bpf_sampler_watch(struct bpf_sampler *s, int fd)
{
	s->watch_fd = fd;
}

int bpf_sampler_read(struct bpf_sampler *s, int timeout_ms, bpf_sample_fn fn,
		     void *ctx)
{
	struct pollfd fds[2] = {
		{ .fd = ring_buffer__epoll_fd(s->ring), .events = POLLIN },
		{ .fd = s->watch_fd, .events = POLLIN },
	};
	int err;

	s->fn = fn;
	s->fn_ctx = ctx;
	s->handled = 0;
	/* the program wakes the reader only when the ring fills up
	 * (sampler.bpf.c), so the ring is read whatever ended the wait */
	err = poll(fds, s->watch_fd >= 0 ? 2 : 1, timeout_ms) < 0 ? -errno : 0;
	if (err >= 0 || err == -EINTR)
		err = ring_buffer__consume(s->ring);
	if (err < 0 && err != -EINTR) {
		errno = -err;
		return -1;
	}
	return s->handled;
}

int bpf_sampler_read_counts(struct bpf_sampler *s, bpf_count_fn fn,
			    void *ctx)
{
	const struct bpf_counted_slot *slots;
	int total = 0;

	/* the program's .bss, mapped here by the skeleton: read in place,
	 * each word whole (the program adds to the counts meanwhile) */
	if (!s->skel->bss) {
		errno = ENOTSUP;
		return -1;
	}
	slots = s->skel->bss->stack_counts;
	for (int i = 0; i < BPF_SAMPLER_COUNT_SLOTS; i++) {
		uint64_t key = __atomic_load_n(&slots[i].key, __ATOMIC_ACQUIRE);

		if (!key)
			continue;
		fn(ctx, key, __atomic_load_n(&slots[i].count,
					     __ATOMIC_RELAXED));
		total++;
	}
	return total;
}

int bpf_sampler_count_of(struct bpf_sampler *s, uint64_t key,
			 uint64_t *count)
{
	const struct bpf_counted_slot *line;

	if (!s->skel->bss || !key)
		return 0;
	line = &s->skel->bss->stack_counts[bpf_counted_line(key)];
	for (int i = 0; i < BPF_SAMPLER_COUNT_WAYS; i++)
		if (__atomic_load_n(&line[i].key, __ATOMIC_ACQUIRE) == key) {
			*count = __atomic_load_n(&line[i].count,
						 __ATOMIC_RELAXED);
			return 1;
		}
	return 0;
}

uint64_t bpf_sampler_counter(struct bpf_sampler *s, unsigned which)
{
	uint64_t *values, sum = 0;
	__u32 key = which;
	int fd = bpf_map__fd(s->skel->maps.counters);

	values = xcalloc((size_t)s->nr_cpus, sizeof(*values));
	if (!bpf_map_lookup_elem(fd, &key, values))
		for (int cpu = 0; cpu < s->nr_cpus; cpu++)
			sum += values[cpu];
	free(values);
	return sum;
}

int bpf_sampler_run_time(struct bpf_sampler *s, uint64_t *runs, uint64_t *ns)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(s->skel->progs.sample),
				   &info, &len))
		return -1;
	*runs = info.run_cnt;
	*ns = info.run_time_ns;
	return 0;
}
#endif
