/*
 * perfdata.c - the "perfdata" reader: perf.data files (file and pipe
 * mode) into a profile, with the same frame names and weights as
 * `perf script | scorch collapse` on the same file.
 *
 * Owns the record loop: perf-tool records (attrs, features) at once,
 * records inside zstd-compressed blocks (`perf record -z`, through
 * perfdata_zstd.c) like the others, kernel records sorted by time as perf
 * does, build ids into the profile, threads from COMM/FORK,
 * address spaces from MMAP/MMAP2 (handed to symbols/).  Records are
 * decoded by perf/record.c and samples become stacks in perf/stack.c
 * (perf script's names), both shared with the live engine; the file's
 * own layout lives in perfdata_parse.c.  Never writes output; never
 * trusts a size field.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "formats/formats.h"
#include "formats/perfdata.h"
#include "formats/perfdata_buildid.h"
#include "formats/perfdata_zstd.h"
#include "model/profile.h"
#include "perf/record.h"
#include "perf/stack.h"
#include "symbols/symbols.h"
#include "unwind/unwind.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/pidtable.h"
#include "util/input.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define MAX_FRAMES 1024

struct pd_thread {
	int32_t tid;
	int32_t pid;
	char *comm;		/* owned */
	uint32_t profile_thread;
	uint32_t root_frame;	/* 0 until needed */
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
	struct perf_stack *stack;		/* perf/stack.h */
	const struct perfdata_attr *filter;	/* NULL until chosen */
	int filter_warned;

	struct pid_table thread_ids;	/* tid -> threads[id - 1] */
	struct pd_thread *threads;
	size_t alloc_threads;

	struct pd_binary *binaries;
	size_t nr_binaries, alloc_binaries;
	struct hash_index *binary_paths;	/* path -> binaries[id - 1] */
	struct hash_index *binary_uses;		/* use -> binaries[id - 1] */
	unsigned long binaries_cached, binaries_changed;

	struct strbuf label;
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

/* tid's thread, added (named ":TID", "swapper" for 0) when new; the
 * pointer lasts until the next thread is added */
static struct pd_thread *thread_slot(struct pd_state *st, int32_t tid)
{
	int added;
	uint32_t id = pid_table_add(&st->thread_ids, tid, &added);
	struct pd_thread *t;

	if (!added)
		return &st->threads[id - 1];
	grow_array((void **)&st->threads, sizeof(*st->threads), id,
		   &st->alloc_threads);
	t = &st->threads[id - 1];
	t->tid = tid;
	t->pid = -1;
	if (tid == 0) {
		t->comm = xstrdup("swapper");
	} else {
		char buf[32];

		snprintf(buf, sizeof(buf), ":%d", tid);
		t->comm = xstrdup(buf);
	}
	t->profile_thread = 0;
	t->root_frame = 0;
	return t;
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

struct binary_key {
	const struct pd_state *st;
	const char *path;
};

static int binary_path_eq(const void *ctx, uint32_t id)
{
	const struct binary_key *k = ctx;

	return !strcmp(k->st->binaries[id - 1].path, k->path);
}

static int binary_use_eq(const void *ctx, uint32_t id)
{
	const struct binary_key *k = ctx;
	const char *use = k->st->binaries[id - 1].use;

	return use && !strcmp(use, k->path);
}

static uint64_t path_hash(const char *path)
{
	return hash_bytes(path, strlen(path), 0);
}

/* The file to read for a recorded path (see perfdata_buildid.h). */
static const char *binary_for(struct pd_state *st, const char *path)
{
	struct binary_key k = { st, path };
	struct pd_binary *b;
	char cached[4096];
	uint64_t h;
	uint32_t id;

	if (path[0] != '/')
		return path;
	if (!st->binary_paths) {
		st->binary_paths = hash_index_new();
		st->binary_uses = hash_index_new();
	}
	h = path_hash(path);
	id = hash_index_find(st->binary_paths, h, binary_path_eq, &k);
	if (id)
		return st->binaries[id - 1].use ? st->binaries[id - 1].use : path;
	grow_array((void **)&st->binaries, sizeof(*st->binaries),
		   st->nr_binaries + 1, &st->alloc_binaries);
	b = &st->binaries[st->nr_binaries++];
	id = (uint32_t)st->nr_binaries;
	b->path = xstrdup(path);
	b->use = NULL;
	hash_index_insert(st->binary_paths, h, id);
	b->state = perfdata_resolve_binary(&st->h, path, cached, sizeof(cached));
	if (b->state > 0) {
		b->use = xstrdup(cached);
		st->binaries_cached++;
		/* the first path cached as this file names it (recorded_path) */
		k.path = b->use;
		if (!hash_index_find(st->binary_uses, path_hash(b->use),
				     binary_use_eq, &k))
			hash_index_insert(st->binary_uses, path_hash(b->use), id);
	} else if (b->state < 0) {
		st->binaries_changed++;
	}
	return b->use ? b->use : path;
}

/* The recorded path for a file binary_for() chose (perf script names
 * binaries by their recorded path, not the cache copy). */
static const char *recorded_path(void *ctx, const char *file)
{
	const struct pd_state *st = ctx;
	struct binary_key k = { st, file };
	uint32_t id;

	if (!st->binary_uses)
		return file;
	id = hash_index_find(st->binary_uses, path_hash(file), binary_use_eq,
			     &k);
	return id ? st->binaries[id - 1].path : file;
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

/*
 * A frame-pointer callchain's user part is cut short when it has at most
 * two frames or its outermost frame has no name ("[unknown]", "[dso]"):
 * code built without frame pointers (Debian's python3, most distro
 * libraries) stops the kernel's walk.  Counted for the hint in
 * report_counts.
 */
static void note_cut_stack(struct pd_state *st,
			   const struct perf_stack_info *info, uint32_t outer)
{
	if (!info->nr_user)
		return;
	st->fp_user_samples++;
	if (info->nr_user <= 2 ||
	    profile_str(st->p, st->p->frames[outer].name)[0] == '[')
		st->fp_cut_samples++;
}

static void take_sample(struct pd_state *st, const struct perfdata_attr *a,
			const struct perf_record *r)
{
	const struct perf_sample *s = &r->sample;
	struct perf_stack_info info;
	struct pd_thread *t;
	size_t depth = 0;
	uint32_t stack;

	if (!keep_attr(st, a))
		return;
	t = thread_slot(st, (int32_t)s->tid);
	if (t->pid < 0)
		t->pid = (int32_t)s->pid;
	if (!t->profile_thread)
		t->profile_thread = profile_thread(st->p, s->pid, s->tid, t->comm);
	st->frames[depth++] = root_frame(st, t, s);
	depth += perf_stack_build(st->stack, r, a->sample_type, t->comm,
				  st->frames + depth, NULL,
				  sizeof(st->frames) / sizeof(*st->frames) - depth,
				  &info);
	if (!(a->sample_type & PERFDATA_S_STACK_USER) && s->callchain &&
	    info.outer_user >= 0 && (size_t)info.outer_user + 1 < depth)
		note_cut_stack(st, &info, st->frames[info.outer_user + 1]);
	stack = profile_stack_from_frames(st->p, st->frames, depth);
	profile_add_period(st->p, stack, t->profile_thread,
			   (a->sample_type & PERFDATA_S_TIME) ? (int64_t)s->time : -1,
			   (a->sample_type & PERFDATA_S_PERIOD) && s->period ?
			   (double)s->period : 1.0);
	if (a->sample_type & PERFDATA_S_TIME) {
		if (!st->samples || (int64_t)s->time < st->first_time)
			st->first_time = (int64_t)s->time;
		if ((int64_t)s->time > st->last_time)
			st->last_time = (int64_t)s->time;
	}
	if (!st->p->meta.pid)
		st->p->meta.pid = s->pid;
	st->samples++;
}

/* ---- other kernel records ------------------------------------------ */

static void take_record(struct pd_state *st, const unsigned char *rec)
{
	uint32_t type = perfdata_u32(rec);
	size_t size = perfdata_u32(rec + 4) >> 16;
	const struct perfdata_attr *a = &st->h.attrs[0];
	struct perf_record r;
	const char *path;

	if (type == PERFDATA_SAMPLE) {
		a = perfdata_record_attr(&st->h, rec + 8, size - 8, 1);
		if (!a) {
			st->no_attr++;
			return;
		}
	}
	if (perf_record_decode(&a->layout, rec, size, &r)) {
		if (type == PERFDATA_SAMPLE)
			st->bad_samples++;
		return;
	}
	switch (r.kind) {
	case PERF_REC_SAMPLE:
		take_sample(st, a, &r);
		break;
	case PERF_REC_MMAP:
		if ((int32_t)r.pid == -1)
			break;
		path = binary_for(st, r.filename);
		if (path)
			symbols_add_map(st->sym, (pid_t)r.pid, r.addr, r.len,
					r.pgoff, r.prot, path);
		break;
	case PERF_REC_COMM:
		if (r.comm_exec) {
			symbols_forget(st->sym, (pid_t)r.pid);
			if (st->unwinder)
				unwinder_forget(st->unwinder, (pid_t)r.pid);
		}
		thread_set_comm(st, (int32_t)r.pid, (int32_t)r.tid, r.comm,
				strlen(r.comm));
		break;
	case PERF_REC_FORK: {
		struct pd_thread *parent;
		char *comm;

		if (r.pid != r.ppid && (int32_t)r.pid > 0 && (int32_t)r.ppid > 0)
			symbols_fork(st->sym, (pid_t)r.ppid, (pid_t)r.pid);
		parent = thread_slot(st, (int32_t)r.ptid);
		comm = xstrdup(parent->comm);
		thread_set_comm(st, (int32_t)r.pid, (int32_t)r.tid, comm,
				strlen(comm));
		free(comm);
		break;
	}
	case PERF_REC_LOST:
		st->lost += r.lost;
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

	for (i = 0; i < pid_table_count(&st->thread_ids); i++)
		free(st->threads[i].comm);
	free(st->threads);
	pid_table_release(&st->thread_ids);
	hash_index_free(st->binary_paths);
	hash_index_free(st->binary_uses);
	perf_stack_free(st->stack);
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
	pid_table_init(&st.thread_ids);	/* release_state from here on */
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
	{
		struct perf_stack_options so;

		memset(&so, 0, sizeof(so));
		so.names = PERF_NAMES_SCRIPT;
		so.addrs = st.o->addrs;
		so.perf_names = st.o->perf_names;
		so.module_name = recorded_path;
		so.module_ctx = &st;
		st.stack = perf_stack_new(p, st.sym, st.unwinder, &so);
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
