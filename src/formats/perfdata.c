/*
 * perfdata.c - the "perfdata" reader: perf.data files (file and pipe
 * mode) into a profile, with the same frame names and weights as
 * `perf script | scorch collapse` on the same file.
 *
 * Owns the record loop: perf-tool records (attrs, features) at once,
 * records inside zstd-compressed blocks (`perf record -z`, through
 * perfdata_zstd.c) like the others, kernel records sorted by time as perf
 * does, build ids into the profile, threads from COMM/FORK,
 * address spaces from MMAP/MMAP2 (handed to symbols/), callchains and
 * DWARF user stacks (handed to unwind/).  Byte layouts live in
 * perfdata_parse.c.  Never writes output; never trusts a size field.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <libiberty/demangle.h>

#include "formats/formats.h"
#include "formats/perfdata.h"
#include "formats/perfdata_buildid.h"
#include "formats/perfdata_zstd.h"
#include "formats/perfscript.h"
#include "model/profile.h"
#include "symbols/symbols.h"
#include "unwind/unwind.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/input.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define MAX_FRAMES 1024

struct pd_thread {
	int32_t tid;		/* -2 = empty slot */
	int32_t pid;
	char *comm;		/* owned */
	uint32_t profile_thread;
	uint32_t root_frame;	/* 0 until needed */
};

/* Cache of symbolized addresses: one frame id per key. */
struct pd_frame_key {
	uint64_t addr;
	int32_t pid;
	uint32_t generation;	/* maps generation << 4 | flags */
	uint32_t frame;		/* 0 = empty slot */
	uint32_t chain, nr_chain; /* inlined frames: chain[] in pd_state */
};

/* A binary named by MMAP records and the file read for it. */
struct pd_binary {
	char *path;		/* as recorded; owned */
	char *use;		/* build-id cache copy, or NULL; owned */
	int state;		/* perfdata_resolve_binary() result */
};

/* A kernel record: offset in the file, or (with PD_DECOMPRESSED) in the
 * decompressed stream of the COMPRESSED records; seq is the reading order
 * (perf's tie-break among equal times). */
struct pd_record {
	int64_t time;
	uint64_t offset;
	uint64_t seq;
};

#define PD_DECOMPRESSED (1ULL << 63)
/* Decompressing stops at 64 MB + 100 times the file's size (perf's
 * records compress 3-30 times; a corrupt or hostile zstd stream can
 * claim far more), and never above 64 GB. */
#define PD_DECOMPRESS_RATIO 100
#define PD_MAX_DECOMPRESSED ((size_t)1 << 36)

struct pd_state {
	struct profile *p;
	const struct read_options *o;
	const char *name;
	struct perfdata_header h;
	struct symbols *sym;
	struct unwinder *unwinder;
	const struct perfdata_attr *filter;	/* NULL until chosen */
	int filter_warned;

	struct pd_thread *threads;
	size_t threads_mask, nr_threads;

	struct pd_frame_key *cache;
	size_t cache_mask, cache_used;

	struct pd_binary *binaries;
	size_t nr_binaries, alloc_binaries;
	unsigned long binaries_cached, binaries_changed;

	uint32_t *chain;	/* frame ids of cached inline expansions */
	size_t nr_chain, alloc_chain;

	struct strbuf label, tidy, addr;
	uint64_t pcs[MAX_FRAMES];
	uint8_t pc_kernel[MAX_FRAMES];
	uint8_t pc_return[MAX_FRAMES];
	uint32_t frames[MAX_FRAMES * 4 + 1];

	/* records of `perf record -z` (PERF_RECORD_COMPRESSED) */
	struct perfdata_zstd *zstd;
	unsigned char *decomp;		/* the decompressed stream; owned */
	size_t decomp_len, decomp_alloc;
	size_t decomp_done;		/* bytes split into records so far */
	size_t decomp_max;		/* see PD_DECOMPRESS_RATIO */
	int decomp_failed;
	unsigned long compressed;	/* COMPRESSED records read */
	uint64_t seq;

	unsigned long samples, bad_samples, unknown_types;
	/* frame-pointer callchains: samples with a user part, and those
	 * whose user part is cut short (see note_cut_stack) */
	unsigned long fp_user_samples, fp_cut_samples;
	unsigned long lost, no_attr;
	int64_t first_time, last_time;
};

/* ---- threads ------------------------------------------------------ */

static struct pd_thread *thread_slot(struct pd_state *st, int32_t tid)
{
	size_t i;

	if ((st->nr_threads + 1) * 2 > st->threads_mask + 1) {
		struct pd_thread *old = st->threads;
		size_t old_n = st->threads ? st->threads_mask + 1 : 0, j;
		size_t n = old_n ? old_n * 2 : 256;

		st->threads = xmalloc(n * sizeof(*st->threads));
		for (j = 0; j < n; j++)
			st->threads[j].tid = -2;
		st->threads_mask = n - 1;
		for (j = 0; j < old_n; j++) {
			if (old[j].tid == -2)
				continue;
			i = hash_mix((uint64_t)(uint32_t)old[j].tid, 7) & st->threads_mask;
			while (st->threads[i].tid != -2)
				i = (i + 1) & st->threads_mask;
			st->threads[i] = old[j];
		}
		free(old);
	}
	i = hash_mix((uint64_t)(uint32_t)tid, 7) & st->threads_mask;
	while (st->threads[i].tid != -2 && st->threads[i].tid != tid)
		i = (i + 1) & st->threads_mask;
	if (st->threads[i].tid == -2) {
		struct pd_thread *t = &st->threads[i];
		char buf[32];

		t->tid = tid;
		t->pid = -1;
		if (tid == 0)
			t->comm = xstrdup("swapper");
		else {
			snprintf(buf, sizeof(buf), ":%d", tid);
			t->comm = xstrdup(buf);
		}
		t->profile_thread = 0;
		t->root_frame = 0;
		st->nr_threads++;
	}
	return &st->threads[i];
}

static void thread_set_comm(struct pd_state *st, int32_t pid, int32_t tid,
			    const char *comm, size_t len)
{
	struct pd_thread *t = thread_slot(st, tid);

	free(t->comm);
	t->comm = xstrndup(comm, len);
	t->pid = pid;
	t->profile_thread = 0;
	t->root_frame = 0;
}

/* ---- binaries --------------------------------------------------- */

/* The file to read for a recorded path (see perfdata_buildid.h). */
static const char *binary_for(struct pd_state *st, const char *path)
{
	struct pd_binary *b;
	char cached[4096];
	size_t i;

	if (path[0] != '/')
		return path;
	for (i = 0; i < st->nr_binaries; i++)
		if (!strcmp(st->binaries[i].path, path))
			return st->binaries[i].use ? st->binaries[i].use : path;
	grow_array((void **)&st->binaries, sizeof(*st->binaries),
		   st->nr_binaries + 1, &st->alloc_binaries);
	b = &st->binaries[st->nr_binaries++];
	b->path = xstrdup(path);
	b->use = NULL;
	b->state = perfdata_resolve_binary(&st->h, path, cached, sizeof(cached));
	if (b->state > 0) {
		b->use = xstrdup(cached);
		st->binaries_cached++;
	} else if (b->state < 0) {
		st->binaries_changed++;
	}
	return b->use ? b->use : path;
}

/* The recorded path for a file binary_for() chose (perf script names
 * binaries by their recorded path, not the cache copy). */
static const char *recorded_path(const struct pd_state *st, const char *file)
{
	size_t i;

	for (i = 0; i < st->nr_binaries; i++)
		if (st->binaries[i].use && !strcmp(st->binaries[i].use, file))
			return st->binaries[i].path;
	return file;
}

/* ---- symbolization ------------------------------------------------- */

static struct pd_frame_key *cached_frame(struct pd_state *st, int32_t pid,
					 uint64_t addr, uint32_t gen,
					 struct pd_frame_key **slot)
{
	size_t i;

	if ((st->cache_used + 1) * 2 > st->cache_mask + 1) {
		struct pd_frame_key *old = st->cache;
		size_t old_n = old ? st->cache_mask + 1 : 0, j;
		size_t n = old_n ? old_n * 2 : 4096;

		st->cache = xcalloc(n, sizeof(*st->cache));
		st->cache_mask = n - 1;
		for (j = 0; j < old_n; j++) {
			struct pd_frame_key *k = &old[j];

			if (!k->frame)
				continue;
			i = hash_mix(hash_mix(k->addr, (uint64_t)(uint32_t)k->pid),
				     k->generation) & st->cache_mask;
			while (st->cache[i].frame)
				i = (i + 1) & st->cache_mask;
			st->cache[i] = *k;
		}
		free(old);
	}
	i = hash_mix(hash_mix(addr, (uint64_t)(uint32_t)pid), gen) & st->cache_mask;
	while (st->cache[i].frame) {
		struct pd_frame_key *k = &st->cache[i];

		if (k->addr == addr && k->pid == pid && k->generation == gen)
			return k;
		i = (i + 1) & st->cache_mask;
	}
	*slot = &st->cache[i];
	return NULL;
}

static int is_java(const char *comm)
{
	return !strncmp(comm, "java", 4);
}

/* One frame named like perf script names it; see symbolize().  perf 6.1
 * demangles C++/Rust symbols without parameters or return types
 * (DMGL_NO_OPTS), so scorch asks symbols/ for raw names and does the
 * same here. */
static uint32_t make_frame(struct pd_state *st, const char *name,
			   const struct perfscript_frame_line *fl, int addrs,
			   int java, enum frame_kind kind, uint32_t module,
			   uint64_t address)
{
	struct frame f;
	char *demangled = NULL;
	const char *file;
	size_t func_len, file_len;

	if (kind != FRAME_KERNEL && name[0] == '_' &&
	    (name[1] == 'Z' || name[1] == 'R'))
		demangled = cplus_demangle(name, DMGL_NO_OPTS);
	if (demangled)
		name = demangled;
	perfscript_tidy_name(name, strlen(name), fl, addrs, java, &st->tidy);
	free(demangled);
	memset(&f, 0, sizeof(f));
	if (kind != FRAME_KERNEL && !st->o->perf_names &&
	    perfscript_python_trampoline(st->tidy.buf, st->tidy.len, &func_len,
					 &file, &file_len)) {
		/* CPython's perf trampoline: the Python function it runs */
		f.name = profile_intern_len(st->p, st->tidy.buf + 4, func_len);
		f.file = profile_intern_len(st->p, file, file_len);
		f.kind = FRAME_PYTHON;
		return profile_frame(st->p, &f);
	}
	f.name = profile_intern_len(st->p, st->tidy.buf, st->tidy.len);
	f.module = module;
	f.kind = (uint8_t)kind;
	f.address = address;
	return profile_frame(st->p, &f);
}

/*
 * The frames of one address, root first, into out (at most
 * 1 + SYMBOLS_MAX_INLINE); returns how many.  With inlines (DWARF
 * unwinding, as perf script does there) functions inlined at addr come
 * after the real one, each as a FRAME_INLINED frame.
 */
static int symbolize(struct pd_state *st, int32_t pid, uint64_t addr,
		     int kernel, int leaf, int ret, int inlines,
		     const char *comm, uint32_t *out)
{
	struct pd_frame_key *slot = NULL, *hit;
	struct symbols_process *proc;
	struct symbols_result r;
	struct perfscript_frame_line fl;
	uint32_t gen, id, module;
	const char *dso;
	enum perfscript_frame_kind pkind;
	enum frame_kind kind;
	uint64_t address = 0;
	int n = 0, k;

	if (kernel)
		pid = -1;
	proc = kernel ? NULL : symbols_find_process(st->sym, pid);
	inlines = inlines && !kernel;
	gen = ((proc ? proc->generation : 0) << 4) | (uint32_t)leaf << 1 |
		(uint32_t)ret | (uint32_t)is_java(comm) << 2 |
		(uint32_t)inlines << 3;
	hit = cached_frame(st, pid, addr, gen, &slot);
	if (hit && !hit->nr_chain) {
		out[0] = hit->frame;
		return 1;
	}
	if (hit) {
		memcpy(out, st->chain + hit->chain, hit->nr_chain * sizeof(*out));
		return (int)hit->nr_chain;
	}

	symbols_lookup(st->sym, kernel ? 0 : pid, addr,
		       (ret ? SYMBOLS_LOOKUP_RETURN : 0) |
		       (inlines ? SYMBOLS_LOOKUP_INLINE : 0), &r);
	dso = r.module && r.module[0] ? recorded_path(st, r.module) :
		"[unknown]";
	strbuf_reset(&st->addr);
	strbuf_addf(&st->addr, "%llx", (unsigned long long)
		    (r.kind == SYMBOLS_NATIVE && r.module[0] ? r.address : addr));
	memset(&fl, 0, sizeof(fl));
	fl.address = st->addr.buf;
	fl.address_len = st->addr.len;
	fl.dso = dso;
	fl.dso_len = strlen(dso);
	module = strcmp(dso, "[unknown]") ? profile_intern(st->p, dso) : 0;
	pkind = perfscript_dso_kind(fl.dso, fl.dso_len);
	if (r.kind == SYMBOLS_KERNEL || pkind == PERFSCRIPT_KERNEL)
		kind = FRAME_KERNEL;
	else if (r.kind == SYMBOLS_JIT || pkind == PERFSCRIPT_JIT)
		kind = FRAME_JIT;
	else
		kind = FRAME_NATIVE;
	/* the sampled instruction for leaves (annotate), the function
	 * start for callers so one function stays one frame */
	if (r.kind != SYMBOLS_UNKNOWN)
		address = leaf ? r.address : r.address - r.symbol_offset;
	/* with inlines (DWARF call graphs) perf script names the function
	 * as DWARF does (through addr2line), the symbol table only when
	 * DWARF has no function there */
	id = make_frame(st, !r.known ? "[unknown]" :
			inlines && r.function ? r.function : r.name, &fl,
			st->o->addrs,
			is_java(comm), kind, module, address);
	out[n++] = id;
	for (k = r.nr_inlined; k-- > 0 && n <= SYMBOLS_MAX_INLINE;) {
		/* perf script prints these with the dso "(inlined)" */
		fl.dso = "inlined";
		fl.dso_len = 7;
		out[n++] = make_frame(st, r.inlined[k].name, &fl, st->o->addrs,
				      is_java(comm), FRAME_INLINED, module, 0);
	}
	slot->addr = addr;
	slot->pid = pid;
	slot->generation = gen;
	slot->frame = id;
	slot->nr_chain = 0;
	if (n > 1) {
		grow_array((void **)&st->chain, sizeof(*st->chain),
			   st->nr_chain + (size_t)n, &st->alloc_chain);
		slot->chain = (uint32_t)st->nr_chain;
		slot->nr_chain = (uint32_t)n;
		memcpy(st->chain + st->nr_chain, out, (size_t)n * sizeof(*out));
		st->nr_chain += (size_t)n;
	}
	st->cache_used++;
	return n;
}

/* ---- samples ------------------------------------------------------- */

static int attr_matches(const struct perfdata_attr *a, const char *want)
{
	size_t n = strcspn(a->name, ":");

	return !strcmp(a->name, want) ||
		(strlen(want) == n && !strncmp(a->name, want, n));
}

static int keep_attr(struct pd_state *st, const struct perfdata_attr *a)
{
	const char *want = st->o->event_filter;

	if (want && *want)
		return attr_matches(a, want);
	if (!st->filter) {
		st->filter = a;
		st->p->meta.event = profile_intern(st->p, a->name);
		if (a->flags & (1ULL << 10))
			st->p->meta.rate_hz = (double)a->sample_period;
		else
			st->p->meta.period = (int64_t)a->sample_period;
		if (a->sample_type & PERFDATA_S_PERIOD)
			profile_weight_by_period(st->p);
	}
	if (a == st->filter)
		return 1;
	if (!st->filter_warned) {
		warning("%s: several event types; keeping only '%s' samples (choose one with --event-filter)",
			st->name, st->filter->name);
		st->filter_warned = 1;
	}
	return 0;
}

static uint32_t root_frame(struct pd_state *st, struct pd_thread *t,
			   const struct perfdata_sample *s)
{
	struct strbuf *sb = &st->label;
	size_t i, n;

	if (t->root_frame)
		return t->root_frame;
	strbuf_reset(sb);
	strbuf_addstr(sb, t->comm);
	n = sb->len;
	if (st->o->with_tid)
		strbuf_addf(sb, "-%u/%u", s->pid, s->tid);
	else if (st->o->with_pid)
		strbuf_addf(sb, "-%u", s->pid);
	for (i = 0; i < n; i++)
		if (sb->buf[i] == ' ')
			sb->buf[i] = '_';
	t->root_frame = profile_frame_named(st->p, sb->buf, sb->len,
					    FRAME_PROCESS);
	return t->root_frame;
}

/* Appends the DWARF-unwound user frames of s after n entries. */
static int unwind_user(struct pd_state *st, const struct perfdata_sample *s,
		       int n)
{
	struct unwind_sample us;
	uint64_t pcs[MAX_FRAMES];
	int bit, k = 0, got, i;

	/*
	 * No stack copied (dyn_size 0): nothing to unwind, not even the
	 * registers' IP, as perf script does.  The kernel copies none when
	 * the user registers are not the task's current image, e.g. a
	 * sample taken inside execve after the old mm is gone, whose IP
	 * belongs to the program being replaced.
	 */
	if (!st->unwinder || !s->regs_abi || !s->regs || !s->stack ||
	    !s->dyn_size)
		return n;
	memset(&us, 0, sizeof(us));
	us.pid = (pid_t)s->pid;
	us.tid = (pid_t)s->tid;
	for (bit = 0; bit < 64; bit++) {
		if (!(s->regs_mask & (1ULL << bit)))
			continue;
		if (bit < UNWIND_REG_COUNT) {
			us.regs[bit] = perfdata_u64(s->regs + 8 * k);
			us.regs_mask |= 1ULL << bit;
		}
		k++;
	}
	us.stack = s->stack;
	us.stack_size = s->dyn_size;
	got = unwind_sample(st->unwinder, &us, pcs, MAX_FRAMES - n);
	for (i = 0; i < got && n < MAX_FRAMES; i++, n++) {
		st->pcs[n] = pcs[i];
		st->pc_kernel[n] = 0;
		st->pc_return[n] = i > 0;
	}
	return n;
}

/*
 * A frame-pointer callchain's user part is cut short when it has at most
 * two frames or its outermost frame has no name ("[unknown]", "[dso]"):
 * code built without frame pointers (Debian's python3, most distro
 * libraries) stops the kernel's walk.  Counted for the hint in
 * report_counts.
 */
static void note_cut_stack(struct pd_state *st, int n, uint32_t outer)
{
	int user = 0;

	for (int i = 0; i < n; i++)
		user += !st->pc_kernel[i];
	if (!user)
		return;
	st->fp_user_samples++;
	if (user <= 2 || profile_str(st->p, st->p->frames[outer].name)[0] == '[')
		st->fp_cut_samples++;
}

static void take_sample(struct pd_state *st, const unsigned char *body,
			size_t len, uint16_t misc)
{
	const struct perfdata_attr *a;
	struct perfdata_sample s;
	struct pd_thread *t;
	int n = 0, kernel = (misc & 7) == 1, i, depth = 0, outer_user;
	uint64_t k;
	int dwarf;
	uint32_t stack;

	a = perfdata_record_attr(&st->h, body, len, 1);
	if (!a) {
		st->no_attr++;
		return;
	}
	if (perfdata_parse_sample(a, body, len, &s)) {
		st->bad_samples++;
		return;
	}
	if (!keep_attr(st, a))
		return;
	dwarf = (a->sample_type & PERFDATA_S_STACK_USER) != 0;

	if (s.callchain && s.nr_callchain) {
		for (k = 0; k < s.nr_callchain && n < MAX_FRAMES; k++) {
			uint64_t ip = perfdata_u64(s.callchain + 8 * k);

			if (ip >= PERFDATA_CONTEXT_MAX) {
				kernel = ip == PERFDATA_CONTEXT_KERNEL;
				if (ip == PERFDATA_CONTEXT_USER && dwarf)
					break;
				continue;
			}
			st->pcs[n] = ip;
			st->pc_kernel[n] = (uint8_t)kernel;
			st->pc_return[n] = 0;
			n++;
		}
	} else if (!dwarf || kernel) {
		st->pcs[0] = s.ip;
		st->pc_kernel[0] = (uint8_t)kernel;
		st->pc_return[0] = 0;
		n = 1;
	}
	if (dwarf)
		n = unwind_user(st, &s, n);
	if (!n && (a->sample_type & PERFDATA_S_IP)) {	/* unwinding gave nothing */
		st->pcs[0] = s.ip;
		st->pc_kernel[0] = (misc & 7) == 1;
		st->pc_return[0] = 0;
		n = 1;
	}

	t = thread_slot(st, (int32_t)s.tid);
	if (t->pid < 0)
		t->pid = (int32_t)s.pid;
	if (!t->profile_thread)
		t->profile_thread = profile_thread(st->p, s.pid, s.tid, t->comm);
	st->frames[depth++] = root_frame(st, t, &s);
	outer_user = -1;
	for (i = n; i-- > 0;) {
		if (outer_user < 0 && !st->pc_kernel[i])
			outer_user = depth;
		size_t room = sizeof(st->frames) / sizeof(*st->frames) -
			(size_t)depth;

		if (room < 1 + SYMBOLS_MAX_INLINE)	/* no room: no inlines */
			dwarf = 0;
		if (room < 1)
			break;
		depth += symbolize(st, (int32_t)s.pid, st->pcs[i],
				   st->pc_kernel[i], i == 0, st->pc_return[i],
				   dwarf, t->comm, st->frames + depth);
	}
	if (!dwarf && s.callchain && outer_user >= 0 && outer_user < depth)
		note_cut_stack(st, n, st->frames[outer_user]);
	stack = profile_stack_from_frames(st->p, st->frames, (size_t)depth);
	profile_add_period(st->p, stack, t->profile_thread,
			   (a->sample_type & PERFDATA_S_TIME) ? (int64_t)s.time : -1,
			   (a->sample_type & PERFDATA_S_PERIOD) && s.period ?
			   (double)s.period : 1.0);
	if (a->sample_type & PERFDATA_S_TIME) {
		if (!st->samples || (int64_t)s.time < st->first_time)
			st->first_time = (int64_t)s.time;
		if ((int64_t)s.time > st->last_time)
			st->last_time = (int64_t)s.time;
	}
	if (!st->p->meta.pid)
		st->p->meta.pid = s.pid;
	st->samples++;
}

/* ---- other kernel records ------------------------------------------ */

static const char *record_string(const unsigned char *p, size_t avail)
{
	return memchr(p, 0, avail) ? (const char *)p : NULL;
}

static void take_record(struct pd_state *st, const unsigned char *rec)
{
	uint32_t type = perfdata_u32(rec);
	uint16_t misc = (uint16_t)perfdata_u32(rec + 4);
	size_t size = perfdata_u32(rec + 4) >> 16, blen = size - 8;
	const unsigned char *b = rec + 8;
	const char *path;

	switch (type) {
	case PERFDATA_SAMPLE:
		take_sample(st, b, blen, misc);
		break;
	case PERFDATA_MMAP:
		if (blen < 33 || (int32_t)perfdata_u32(b) == -1)
			break;
		path = record_string(b + 32, blen - 32);
		if (path)
			path = binary_for(st, path);
		if (path)
			symbols_add_map(st->sym, (pid_t)perfdata_u32(b),
					perfdata_u64(b + 8), perfdata_u64(b + 16),
					perfdata_u64(b + 24),
					PROT_READ | PROT_EXEC, path);
		break;
	case PERFDATA_MMAP2:
		if (blen < 65 || (int32_t)perfdata_u32(b) == -1)
			break;
		path = record_string(b + 64, blen - 64);
		if (path)
			path = binary_for(st, path);
		if (path)
			symbols_add_map(st->sym, (pid_t)perfdata_u32(b),
					perfdata_u64(b + 8), perfdata_u64(b + 16),
					perfdata_u64(b + 24), perfdata_u32(b + 56),
					path);
		break;
	case PERFDATA_COMM:
		if (blen < 9)
			break;
		path = record_string(b + 8, blen - 8);
		if (!path)
			break;
		if (misc & 0x2000) {
			symbols_forget(st->sym, (pid_t)perfdata_u32(b));
			if (st->unwinder)
				unwinder_forget(st->unwinder,
						(pid_t)perfdata_u32(b));
		}
		thread_set_comm(st, (int32_t)perfdata_u32(b),
				(int32_t)perfdata_u32(b + 4), path,
				strlen(path));
		break;
	case PERFDATA_FORK: {
		int32_t pid, ppid, tid, ptid;
		struct pd_thread *parent;
		char *comm;

		if (blen < 16)
			break;
		pid = (int32_t)perfdata_u32(b);
		ppid = (int32_t)perfdata_u32(b + 4);
		tid = (int32_t)perfdata_u32(b + 8);
		ptid = (int32_t)perfdata_u32(b + 12);
		if (pid != ppid && pid > 0 && ppid > 0)
			symbols_fork(st->sym, ppid, pid);
		parent = thread_slot(st, ptid);
		comm = xstrdup(parent->comm);
		thread_set_comm(st, pid, tid, comm, strlen(comm));
		free(comm);
		break;
	}
	case PERFDATA_LOST:
		if (blen >= 16)
			st->lost += perfdata_u64(b + 8);
		break;
	case PERFDATA_LOST_SAMPLES:
		if (blen >= 8)
			st->lost += perfdata_u64(b);
		break;
	default:
		break;
	}
}

/* ---- perf-tool records (handled in file order) --------------------- */

static void take_tool_record(struct pd_state *st, const unsigned char *rec,
			     size_t size)
{
	uint32_t type = perfdata_u32(rec);
	const unsigned char *b = rec + 8;
	size_t blen = size - 8;

	switch (type) {
	case PERFDATA_HEADER_ATTR: {
		uint32_t alen = blen >= 8 ? perfdata_u32(b + 4) : 0;

		if (alen < 64 || alen > blen ||
		    perfdata_add_attr(&st->h, b, alen, b + alen,
				      (blen - alen) / 8))
			st->bad_samples++;
		break;
	}
	case PERFDATA_HEADER_FEATURE:
		if (blen >= 8)
			perfdata_parse_feature(&st->h, (int)perfdata_u64(b),
					       b + 8, blen - 8);
		break;
	case PERFDATA_HEADER_BUILD_ID:
		perfdata_parse_feature(&st->h, 2, rec, size);
		break;
	default:
		break;
	}
}

static int compare_records(const void *x, const void *y)
{
	const struct pd_record *a = x, *b = y;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int any_time(const struct perfdata_header *h)
{
	size_t i;

	for (i = 0; i < h->nr_attrs; i++)
		if (h->attrs[i].sample_type & PERFDATA_S_TIME)
			return 1;
	return 0;
}

/* The bytes of a record found by scan_records(). */
static const unsigned char *record_bytes(const struct pd_state *st,
					 const unsigned char *buf,
					 const struct pd_record *r)
{
	if (r->offset & PD_DECOMPRESSED)
		return st->decomp + (r->offset & ~PD_DECOMPRESSED);
	return buf + r->offset;
}

/* One whole record at rec (at position where, see pd_record): perf-tool
 * records at once, kernel records into *out. */
static void take_or_queue(struct pd_state *st, const unsigned char *rec,
			  size_t size, uint64_t where, struct pd_record **out,
			  size_t *nr, size_t *alloc)
{
	uint32_t type = perfdata_u32(rec);

	if (type >= 64) {
		take_tool_record(st, rec, size);
	} else if (type == PERFDATA_SAMPLE || type == PERFDATA_MMAP ||
		   type == PERFDATA_MMAP2 || type == PERFDATA_COMM ||
		   type == PERFDATA_FORK || type == PERFDATA_EXIT ||
		   type == PERFDATA_LOST || type == PERFDATA_LOST_SAMPLES ||
		   (type >= 5 && type <= 20)) {
		grow_array((void **)out, sizeof(**out), *nr + 1, alloc);
		(*out)[*nr].offset = where;
		(*out)[*nr].time = 0;
		(*out)[*nr].seq = st->seq++;
		(*nr)++;
	} else {
		st->unknown_types++;
	}
}

/*
 * A PERF_RECORD_COMPRESSED record: its zstd payload continues one stream
 * of records over the whole file; every record completed by this payload
 * is taken or queued, a record cut at its end waits for the next one.
 */
static void take_compressed(struct pd_state *st, const unsigned char *rec,
			    size_t size, uint64_t off, struct pd_record **out,
			    size_t *nr, size_t *alloc)
{
	const char *why = NULL;

	st->compressed++;
	if (st->decomp_failed)
		return;
	if (!st->zstd)
		st->zstd = perfdata_zstd_new();
	if (!st->zstd)
		why = "cannot set up the zstd decompressor";
	else if (perfdata_zstd_append(st->zstd, rec + 8, size - 8, &st->decomp,
				      &st->decomp_len, &st->decomp_alloc,
				      st->decomp_max, &why))
		st->decomp_failed = 1;
	if (why) {
		warning("%s: compressed records at offset %llu: %s; ignoring the compressed data from there (file corrupted?)",
			st->name, (unsigned long long)off, why);
		st->decomp_failed = 1;
	}
	while (st->decomp_len - st->decomp_done >= 8) {
		const unsigned char *r = st->decomp + st->decomp_done;
		size_t rsize = perfdata_u32(r + 4) >> 16;

		if (rsize < 8) {
			warning("%s: a decompressed record has size %zu: ignoring the compressed data from there (file corrupted?)",
				st->name, rsize);
			st->decomp_failed = 1;
			st->decomp_done = st->decomp_len;
			return;
		}
		if (rsize > st->decomp_len - st->decomp_done)
			return;		/* continues in the next block */
		if (perfdata_u32(r) == PERFDATA_COMPRESSED)
			st->unknown_types++;	/* not nested */
		else
			take_or_queue(st, r, rsize,
				      st->decomp_done | PD_DECOMPRESSED, out, nr,
				      alloc);
		st->decomp_done += rsize;
	}
}

/*
 * Walks the records of buf[off, end): perf-tool records at once, kernel
 * records into *out.  Stops with a warning at the first record that does
 * not fit.
 */
static void scan_records(struct pd_state *st, const unsigned char *buf,
			 uint64_t off, uint64_t end, struct pd_record **out,
			 size_t *nr, size_t *alloc)
{
	while (off < end) {
		uint32_t type;
		size_t size;

		if (end - off < 8) {
			warning("%s: %llu stray bytes at the end of the data (file truncated?)",
				st->name, (unsigned long long)(end - off));
			return;
		}
		type = perfdata_u32(buf + off);
		size = perfdata_u32(buf + off + 4) >> 16;
		if (size < 8) {
			warning("%s: record at offset %llu has size %zu: stopping there (file corrupted?)",
				st->name, (unsigned long long)off, size);
			return;
		}
		if (size > end - off) {
			warning("%s: record at offset %llu is cut off (%zu of %zu bytes): file truncated, reading what came before",
				st->name, (unsigned long long)off,
				(size_t)(end - off), size);
			return;
		}
		if (type == PERFDATA_COMPRESSED)
			take_compressed(st, buf + off, size, off, out, nr, alloc);
		else
			take_or_queue(st, buf + off, size, off, out, nr, alloc);
		off += size;
	}
}

/* The recorded build ids, for writers that name them (pprof mappings):
 * module names are the recorded paths, as in the frames. */
static void set_build_ids(struct pd_state *st)
{
	char hex[2 * sizeof(st->h.buildids[0].id) + 1];
	size_t i, k;

	for (i = 0; i < st->h.nr_buildids; i++) {
		const struct perfdata_buildid *b = &st->h.buildids[i];

		if (!b->filename || !b->filename[0] || !b->size ||
		    b->size > sizeof(b->id))
			continue;
		for (k = 0; k < b->size; k++)
			snprintf(hex + 2 * k, 3, "%02x", b->id[k]);
		profile_set_build_id(st->p, profile_intern(st->p, b->filename),
				     hex);
	}
}

static void set_metadata(struct pd_state *st)
{
	struct profile *p = st->p;

	set_build_ids(st);
	if (st->h.cmdline)
		p->meta.command = profile_intern(p, st->h.cmdline);
	if (st->samples && st->last_time > st->first_time)
		p->meta.duration_ns = st->last_time - st->first_time;
	else if (st->h.last_sample_time > st->h.first_sample_time)
		p->meta.duration_ns = (int64_t)(st->h.last_sample_time -
						st->h.first_sample_time);
}

static void report_counts(struct pd_state *st)
{
	const struct unwind_stats *us;

	if (st->bad_samples)
		warning("%s: %lu malformed records skipped", st->name,
			st->bad_samples);
	if (st->no_attr)
		warning("%s: %lu samples of no known event skipped", st->name,
			st->no_attr);
	if (st->unknown_types)
		warning("%s: %lu records of unknown type skipped", st->name,
			st->unknown_types);
	if (st->decomp_done < st->decomp_len && !st->decomp_failed)
		warning("%s: the compressed data ends inside a record (%zu bytes left over; file truncated?)",
			st->name, st->decomp_len - st->decomp_done);
	if (st->lost)
		warning("%s: the kernel lost %lu events while recording",
			st->name, st->lost);
	if (!st->o->leaf_only && st->fp_user_samples >= 10 &&
	    st->fp_cut_samples * 2 > st->fp_user_samples)
		notice("%s: %lu of %lu samples have their user stack cut short (frame-pointer call graphs stop in code built without frame pointers) (record with 'perf record --call-graph dwarf', or use 'scorch record --native')",
		       st->name, st->fp_cut_samples, st->fp_user_samples);
	if (st->binaries_changed)
		warning("%s: %lu recorded binaries changed or vanished since recording and have no copy in ~/.debug; their names may be wrong (keep perf's build-id cache)",
			st->name, st->binaries_changed);
	if (st->binaries_cached)
		notice("%s: %lu binaries read from perf's build-id cache (~/.debug): the recorded files changed",
		       st->name, st->binaries_cached);
	if (st->h.bad_features)
		warning("%s: %lu malformed header feature sections ignored",
			st->name, st->h.bad_features);
	if (st->unwinder) {
		us = unwinder_stats(st->unwinder);
		if (us->samples && us->dwarf_failed * 2 > us->samples)
			warning("%s: DWARF unwinding failed for %lu of %lu samples (missing binaries or debug info?)",
				st->name, us->dwarf_failed, us->samples);
	}
}

static void release_state(struct pd_state *st)
{
	size_t i;

	if (st->threads)
		for (i = 0; i <= st->threads_mask; i++)
			if (st->threads[i].tid != -2)
				free(st->threads[i].comm);
	free(st->threads);
	free(st->cache);
	free(st->chain);
	for (i = 0; i < st->nr_binaries; i++) {
		free(st->binaries[i].path);
		free(st->binaries[i].use);
	}
	free(st->binaries);
	perfdata_zstd_free(st->zstd);
	free(st->decomp);
	if (st->unwinder)
		unwinder_free(st->unwinder);
	if (st->sym)
		symbols_free(st->sym);
	perfdata_header_release(&st->h);
	strbuf_release(&st->label);
	strbuf_release(&st->tidy);
	strbuf_release(&st->addr);
}

/* Whether some event may have sampled the kernel (exclude_kernel, bit 5
 * of the attr flags, clear). */
static int samples_kernel(const struct perfdata_header *h)
{
	size_t i;

	for (i = 0; i < h->nr_attrs; i++)
		if (!(h->attrs[i].flags & (1u << 5)))
			return 1;
	return 0;
}

/* Kernel symbols come from this machine's /proc/kallsyms: only right when
 * the file was recorded on the running kernel. */
static int same_kernel(struct pd_state *st)
{
	struct utsname u;

	if (!st->h.osrelease || uname(&u) || !strcmp(u.release, st->h.osrelease))
		return 1;
	warning("%s: recorded on kernel %s, this is %s: kernel frames stay unnamed (run scorch on the recording machine)",
		st->name, st->h.osrelease, u.release);
	return 0;
}

int perfdata_read_buffer(const unsigned char *buf, size_t len,
			 const char *name, struct profile *p,
			 const struct read_options *o)
{
	static const struct read_options defaults;
	struct pd_state st;
	struct pd_record *recs = NULL;
	size_t nr = 0, alloc = 0, i;
	const char *why = NULL;
	int truncated, need_unwind = 0;

	memset(&st, 0, sizeof(st));
	st.decomp_max = len < (PD_MAX_DECOMPRESSED >> 7) ?
		len * PD_DECOMPRESS_RATIO + ((size_t)64 << 20) :
		PD_MAX_DECOMPRESSED;
	st.p = p;
	st.o = o ? o : &defaults;
	st.name = name;
	if (perfdata_parse_header(buf, len, &st.h, &truncated, &why)) {
		perfdata_header_release(&st.h);
		return error("%s: %s (record it again with 'perf record')",
			     name, why);
	}
	if (truncated)
		warning("%s: file is shorter than its header says (truncated copy?); reading what is there",
			name);
	scan_records(&st, buf, st.h.data_offset,
		     st.h.data_offset + st.h.data_size, &recs, &nr, &alloc);
	if (!st.h.nr_attrs) {
		free(recs);
		release_state(&st);
		return error("%s: no event attributes in the stream (is it a complete 'perf record -o -' output?)",
			     name);
	}
	perfdata_name_attrs(&st.h);
	if (o && o->event_filter && *o->event_filter) {
		for (i = 0; i < st.h.nr_attrs; i++)
			if (attr_matches(&st.h.attrs[i], o->event_filter))
				break;
		if (i == st.h.nr_attrs)
			warning("%s: no event named '%s' (events: %s%s%s)", name,
				o->event_filter, st.h.attrs[0].name,
				st.h.nr_attrs > 1 ? " " : "",
				st.h.nr_attrs > 1 ? st.h.attrs[1].name : "");
		p->meta.event = profile_intern(p, o->event_filter);
	}
	for (i = 0; i < st.h.nr_attrs; i++)
		if (st.h.attrs[i].sample_type & PERFDATA_S_STACK_USER)
			need_unwind = 1;

	if (nr && any_time(&st.h)) {
		for (i = 0; i < nr; i++) {
			const unsigned char *rec = record_bytes(&st, buf, &recs[i]);
			size_t size = perfdata_u32(rec + 4) >> 16;
			int64_t t = perfdata_record_time(&st.h, perfdata_u32(rec),
							 rec + 8, size - 8);

			recs[i].time = t < 0 ? 0 : t;
		}
		qsort(recs, nr, sizeof(*recs), compare_records);
	}

	st.sym = symbols_new(SYMBOLS_NO_DEMANGLE | SYMBOLS_KEEP_VERSIONS |
			     (same_kernel(&st) ? 0 : SYMBOLS_NO_KERNEL));
	if (samples_kernel(&st.h))
		symbols_preload_kernel(st.sym);	/* overlaps the unwinding */
	if (need_unwind) {
		st.unwinder = unwinder_new(st.sym);
		if (!st.unwinder)
			warning("%s: cannot set up the DWARF unwinder; user stacks of --call-graph dwarf samples are lost",
				name);
	}
	p->keep_samples = st.o->keep_samples;
	for (i = 0; i < nr; i++)
		take_record(&st, record_bytes(&st, buf, &recs[i]));
	free(recs);

	set_metadata(&st);
	report_counts(&st);
	if (!st.samples) {
		warning("%s: no samples%s", name,
			st.o->event_filter ? " of that event" : "");
	}
	release_state(&st);
	return 0;
}

static int perfdata_probe(const unsigned char *head, size_t len)
{
	if (len >= 8 && (!memcmp(head, "PERFILE2", 8) ||
			 !memcmp(head, "2ELIFREP", 8) ||
			 !memcmp(head, "PERFFILE", 8)))
		return 100;
	return 0;
}

/* Maps a plain (not gzip) regular file read-only; NULL when it is not
 * one (stdin, a pipe, a compressed file) so the caller copies instead. */
static unsigned char *map_file(struct input *in, size_t *len)
{
	struct stat st;
	void *map;
	int fd;

	if (input_was_gzip(in) || !strcmp(input_name(in), "<stdin>"))
		return NULL;
	fd = open(input_name(in), O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		close(fd);
		return NULL;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return NULL;
	madvise(map, (size_t)st.st_size, MADV_SEQUENTIAL);
	*len = (size_t)st.st_size;
	return map;
}

static int perfdata_read(struct input *in, struct profile *p,
			 const struct read_options *o)
{
	unsigned char *buf = NULL;
	size_t len = 0;
	int ret;

	buf = map_file(in, &len);
	if (buf) {
		ret = perfdata_read_buffer(buf, len, input_name(in), p, o);
		munmap(buf, len);
		return ret;
	}
	if (input_read_all(in, &buf, &len, 0))
		return -1;
	ret = perfdata_read_buffer(buf, len, input_name(in), p, o);
	free(buf);
	return ret;
}

const struct format_reader perfdata_reader = {
	.name = "perfdata",
	.probe = perfdata_probe,
	.read = perfdata_read,
};
