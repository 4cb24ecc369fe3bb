/*
 * perfscript.c - the "perfscript" reader: `perf script` text to a profile.
 *
 * Streams the input line by line and replays stackcollapse-perf.pl's state
 * machine (a header opens a sample, frame lines stack up, a blank line
 * ends it; only the first event type is kept), so `scorch collapse` prints
 * the same folded bytes (one deliberate difference: CRLF line ends are
 * read like LF ones, where the Perl script prints nothing).  Memory grows
 * with distinct frame lines and stacks, never with the input size.  It
 * never writes output; the line grammar lives in perfscript_line.c.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/folded.h"
#include "formats/formats.h"
#include "formats/perfscript.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/input.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define MAX_WARNINGS 10

/* A frame line already seen: the frame ids it produced, root-most first. */
struct line_entry {
	uint64_t hash;
	size_t key;		/* offset of the line's bytes in keys */
	uint32_t key_len;
	uint32_t ids;		/* offset of its frame ids in ids */
	uint16_t nr_ids;
	uint8_t java;		/* Java tidying applied */
};

/* A whole sample's frames already seen: root frame + frame ids -> stack. */
struct stack_entry {
	uint64_t hash;
	size_t ids;		/* offset of root frame + frames in ids */
	uint32_t nr_ids;
	uint32_t stack;
};

/* Sample frame sequence -> stack id, so repeated stacks skip the tree. */
struct stack_cache {
	struct hash_index *index;	/* entry index + 1, NULL until used */
	struct stack_entry *entries;
	size_t nr_entries, alloc_entries;
	uint32_t *ids;
	size_t nr_ids, alloc_ids;
};

/* Frame line text -> frame ids, so repeated lines skip all parsing. */
struct line_cache {
	struct hash_index *index;	/* entry index + 1, NULL until used */
	struct line_entry *entries;
	size_t nr_entries, alloc_entries;
	char *keys;
	size_t keys_len, keys_alloc;
	uint32_t *ids;
	size_t nr_ids, alloc_ids;
};

struct perfscript_state {
	struct profile *p;
	const struct read_options *o;
	struct input *in;

	/* the current sample, as stackcollapse-perf.pl keeps it */
	int have_pname;
	uint32_t pname_frame;
	int java;
	double period;
	uint32_t thread;
	int64_t time_ns;
	uint32_t *stack;	/* [0] for the root frame, then leaf first */
	size_t nr_stack, alloc_stack;

	struct strbuf event_filter;
	int filter_set, filter_defaulted, filter_warned;

	/* the last header's root frame and thread, reused when unchanged */
	struct strbuf pname, last_pname, thread_key;
	uint32_t last_pname_frame;

	struct line_cache cache;
	struct stack_cache stacks;
	struct strbuf name;
	uint32_t *ids;		/* scratch for one line's frame ids */
	size_t alloc_ids;
	unsigned long bad, lines, samples;
};

static inline uint64_t read64(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* 64x64->128 multiply folded to 64 bits. */
static inline uint64_t fold_multiply(uint64_t a, uint64_t b)
{
	unsigned __int128 r = (unsigned __int128)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

/*
 * The line hash: 16 bytes per multiply, which keeps hashing every frame
 * line cheap (it dominates the reader's time otherwise).
 */
static uint64_t line_hash(const char *p, size_t len, uint64_t seed)
{
	const uint64_t k0 = 0xa0761d6478bd642fULL, k1 = 0xe7037ed1a0b428dbULL;
	uint64_t h = seed ^ k0 ^ (len * k1);

	while (len >= 16) {
		h = fold_multiply(read64(p) ^ k1, read64(p + 8) ^ h);
		p += 16;
		len -= 16;
	}
	if (len >= 8) {
		h = fold_multiply(read64(p) ^ k1, read64(p + len - 8) ^ h);
	} else if (len) {
		uint64_t a = 0, b = 0;

		memcpy(&a, p, len < 4 ? len : 4);
		memcpy(&b, p + len - (len < 4 ? len : 4), len < 4 ? len : 4);
		h = fold_multiply(a ^ k1, (b << 8 | len) ^ h);
	}
	return fold_multiply(h ^ k0, h ^ k1);
}

static void line_cache_release(struct line_cache *c)
{
	hash_index_free(c->index);
	free(c->entries);
	free(c->keys);
	free(c->ids);
}

struct line_key {
	const struct line_cache *c;
	const char *line;
	size_t len;
	uint64_t hash;
	int java;
};

static int line_equals(const void *ctx, uint32_t id)
{
	const struct line_key *k = ctx;
	const struct line_entry *e = &k->c->entries[id - 1];

	return e->hash == k->hash && e->key_len == k->len &&
	       e->java == k->java && !memcmp(k->c->keys + e->key, k->line, k->len);
}

static const struct line_entry *line_cache_find(const struct line_cache *c,
						const char *line, size_t len,
						uint64_t hash, int java)
{
	struct line_key k = { c, line, len, hash, java };
	uint32_t id;

	if (!c->index)
		return NULL;
	id = hash_index_find(c->index, hash, line_equals, &k);
	return id ? &c->entries[id - 1] : NULL;
}

static void line_cache_add(struct line_cache *c, const char *line, size_t len,
			   uint64_t hash, int java, const uint32_t *ids,
			   size_t nr_ids)
{
	struct line_entry *e;

	if (len > UINT32_MAX || nr_ids > UINT16_MAX)
		return;
	if (!c->index)
		c->index = hash_index_new();
	grow_array((void **)&c->entries, sizeof(*c->entries),
		   c->nr_entries + 1, &c->alloc_entries);
	grow_array((void **)&c->keys, 1, c->keys_len + len, &c->keys_alloc);
	grow_array((void **)&c->ids, sizeof(*c->ids), c->nr_ids + nr_ids,
		   &c->alloc_ids);
	e = &c->entries[c->nr_entries];
	e->hash = hash;
	e->key = c->keys_len;
	e->key_len = (uint32_t)len;
	e->ids = (uint32_t)c->nr_ids;
	e->nr_ids = (uint16_t)nr_ids;
	e->java = (uint8_t)java;
	memcpy(c->keys + c->keys_len, line, len);
	c->keys_len += len;
	if (nr_ids)
		memcpy(c->ids + c->nr_ids, ids, nr_ids * sizeof(*ids));
	c->nr_ids += nr_ids;
	c->nr_entries++;
	hash_index_insert(c->index, hash, (uint32_t)c->nr_entries);
}

static void bad_line(struct perfscript_state *st, const char *why)
{
	if (++st->bad <= MAX_WARNINGS)
		warning("%s:%lu: skipped line: %s", input_name(st->in),
			input_line_number(st->in), why);
}

static int equal(const char *a, size_t alen, const char *b, size_t blen)
{
	return alen == blen && !memcmp(a, b, alen);
}

static int64_t parse_int(const char *s, size_t len)
{
	int64_t v = 0;
	size_t i;

	for (i = 0; i < len && i < 18; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static double parse_count(const char *s, size_t len)
{
	double v = 0;
	size_t i;

	for (i = 0; i < len; i++)
		v = v * 10 + (s[i] - '0');
	return v;
}

static void take_header(struct perfscript_state *st,
			const struct perfscript_header *h)
{
	struct profile *p = st->p;
	const char *pid, *tid;
	size_t pid_len, tid_len, i;
	int64_t pid_value;

	if (h->event) {
		if (!st->filter_set) {
			strbuf_add(&st->event_filter, h->event, h->event_len);
			st->filter_set = 1;
			st->filter_defaulted = 1;
			p->meta.event = profile_intern_len(p, h->event,
							   h->event_len);
		} else if (!equal(h->event, h->event_len, st->event_filter.buf,
				  st->event_filter.len)) {
			if (st->filter_defaulted && !st->filter_warned) {
				warning("%s: several event types; keeping only '%s' samples (choose one with --event-filter)",
					input_name(st->in), st->event_filter.buf);
				st->filter_warned = 1;
			}
			return;
		}
	}
	if (h->period && !equal(h->period, h->period_len, "0", 1)) {
		st->period = parse_count(h->period, h->period_len);
		profile_weight_by_period(p);
	} else
		st->period = 1;

	/* one number is the tid; a zero tid counts as missing */
	if (!h->tid || equal(h->tid, h->tid_len, "0", 1)) {
		pid = "?";
		pid_len = 1;
		pid_value = -1;
		tid = h->first;
		tid_len = h->first_len;
	} else {
		pid = h->first;
		pid_len = h->first_len;
		pid_value = parse_int(pid, pid_len);
		tid = h->tid;
		tid_len = h->tid_len;
	}

	strbuf_reset(&st->pname);
	strbuf_add(&st->pname, h->comm, h->comm_len);
	if (st->o->with_tid || st->o->with_pid) {
		strbuf_addch(&st->pname, '-');
		strbuf_add(&st->pname, pid, pid_len);
		if (st->o->with_tid) {
			strbuf_addch(&st->pname, '/');
			strbuf_add(&st->pname, tid, tid_len);
		}
	}
	for (i = 0; i < h->comm_len; i++)
		if (st->pname.buf[i] == ' ')
			st->pname.buf[i] = '_';
	if (!st->last_pname_frame ||
	    !equal(st->pname.buf, st->pname.len, st->last_pname.buf,
		   st->last_pname.len)) {
		strbuf_reset(&st->last_pname);
		strbuf_add(&st->last_pname, st->pname.buf, st->pname.len);
		st->last_pname_frame = profile_frame_named(p, st->pname.buf,
							   st->pname.len,
							   FRAME_PROCESS);
	}
	st->pname_frame = st->last_pname_frame;
	st->java = st->pname.len >= 4 && !memcmp(st->pname.buf, "java", 4);
	st->have_pname = 1;
	st->time_ns = h->time_ns;

	/* thread key: comm NUL pid NUL tid */
	if (!st->thread ||
	    st->thread_key.len != h->comm_len + pid_len + tid_len + 2 ||
	    memcmp(st->thread_key.buf, h->comm, h->comm_len) ||
	    memcmp(st->thread_key.buf + h->comm_len + 1, pid, pid_len) ||
	    memcmp(st->thread_key.buf + h->comm_len + pid_len + 2, tid,
		   tid_len)) {
		char *comm = xstrndup(h->comm, h->comm_len);

		strbuf_reset(&st->thread_key);
		strbuf_add(&st->thread_key, h->comm, h->comm_len);
		strbuf_addch(&st->thread_key, '\0');
		strbuf_add(&st->thread_key, pid, pid_len);
		strbuf_addch(&st->thread_key, '\0');
		strbuf_add(&st->thread_key, tid, tid_len);
		st->thread = profile_thread(p, pid_value,
					    parse_int(tid, tid_len), comm);
		free(comm);
	}
}

/* The stack of ids[0] (root frame) + ids[1..n) leaf first, 0 if unseen. */
struct stack_key {
	const struct stack_cache *c;
	const uint32_t *ids;
	size_t n;
	uint64_t hash;
};

static int stack_equals(const void *ctx, uint32_t id)
{
	const struct stack_key *k = ctx;
	const struct stack_entry *e = &k->c->entries[id - 1];

	return e->hash == k->hash && e->nr_ids == k->n &&
	       !memcmp(k->c->ids + e->ids, k->ids, k->n * sizeof(*k->ids));
}

static uint32_t stack_cache_find(const struct stack_cache *c,
				 const uint32_t *ids, size_t n, uint64_t hash)
{
	struct stack_key k = { c, ids, n, hash };
	uint32_t id;

	if (!c->index)
		return 0;
	id = hash_index_find(c->index, hash, stack_equals, &k);
	return id ? c->entries[id - 1].stack : 0;
}

static void stack_cache_add(struct stack_cache *c, const uint32_t *ids,
			    size_t n, uint64_t hash, uint32_t stack)
{
	struct stack_entry *e;

	if (n > UINT32_MAX)
		return;
	if (!c->index)
		c->index = hash_index_new();
	grow_array((void **)&c->entries, sizeof(*c->entries),
		   c->nr_entries + 1, &c->alloc_entries);
	grow_array((void **)&c->ids, sizeof(*c->ids), c->nr_ids + n,
		   &c->alloc_ids);
	e = &c->entries[c->nr_entries++];
	e->hash = hash;
	e->ids = c->nr_ids;
	e->nr_ids = (uint32_t)n;
	e->stack = stack;
	memcpy(c->ids + c->nr_ids, ids, n * sizeof(*ids));
	c->nr_ids += n;
	hash_index_insert(c->index, hash, (uint32_t)c->nr_entries);
}

static void stack_cache_release(struct stack_cache *c)
{
	hash_index_free(c->index);
	free(c->entries);
	free(c->ids);
}

static void end_sample(struct perfscript_state *st)
{
	struct profile *p = st->p;
	uint64_t hash;
	uint32_t stack;
	size_t i;

	if (!st->have_pname)
		return;
	/* st->stack[0] holds the root frame, the rest leaf first */
	st->stack[0] = st->pname_frame;
	hash = line_hash((const char *)st->stack,
			 st->nr_stack * sizeof(*st->stack), 0);
	stack = stack_cache_find(&st->stacks, st->stack, st->nr_stack, hash);
	if (!stack) {
		uint32_t module = 0;

		stack = profile_stack_push(p, 0, st->pname_frame);
		for (i = st->nr_stack; i-- > 1;) {
			uint32_t id = st->stack[i];
			const struct frame *f = &p->frames[id];

			/* perf's "(inlined)" lines name no binary: they are in
			 * the one of the frame they are inlined into (next
			 * line), for report --by file/module */
			if (f->kind == FRAME_INLINED && !f->module && module &&
			    !st->o->perf_names) {
				struct frame copy = *f;

				copy.module = module;
				id = profile_frame(p, &copy);
			} else if (f->kind != FRAME_INLINED) {
				module = f->module;
			}
			stack = profile_stack_push(p, stack, id);
		}
		stack_cache_add(&st->stacks, st->stack, st->nr_stack, hash,
				stack);
	}
	profile_add_period(p, stack, st->thread, st->time_ns, st->period);
	st->nr_stack = 1;
	st->have_pname = 0;
	st->samples++;
}

static int is_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* A CPython perf trampoline name ("py::f:file") as the Python frame it
 * stands for; returns 0 when name is not one. */
static int python_trampoline_frame(struct profile *p, const char *name,
				   size_t len, struct frame *fr)
{
	size_t func_len, file_len;
	const char *file;

	if (!perfscript_python_trampoline(name, len, &func_len, &file,
					  &file_len))
		return 0;
	fr->name = profile_intern_len(p, name + 4, func_len);
	fr->file = profile_intern_len(p, file, file_len);
	fr->module = 0;
	fr->kind = FRAME_PYTHON;
	return 1;
}

/* Frame ids for one frame line, root-most first, into ids; returns count. */
static size_t frame_line_ids(struct perfscript_state *st,
			     const struct perfscript_frame_line *f,
			     uint32_t **ids, size_t *alloc)
{
	struct profile *p = st->p;
	const char *sym = f->symbol;
	size_t len = f->symbol_len, n = 0, k = 0, part;
	enum perfscript_frame_kind dso_kind;
	uint32_t module = 0;

	/* a trailing "+0xOFF" goes */
	part = len;
	while (part > 0 && is_hex(sym[part - 1]))
		part--;
	if (part < len && part >= 3 && !memcmp(sym + part - 3, "+0x", 3))
		len = part - 3;
	if (len && sym[0] == '(')
		return 0;
	/* split on "->", dropping trailing empty parts */
	while (len >= 2 && sym[len - 2] == '-' && sym[len - 1] == '>')
		len -= 2;
	if (!len)
		return 0;
	dso_kind = perfscript_dso_kind(f->dso, f->dso_len);
	if (dso_kind != PERFSCRIPT_DSO_INLINED &&
	    !equal(f->dso, f->dso_len, "[unknown]", 9))
		module = profile_intern_len(p, f->dso, f->dso_len);
	while (k <= len) {
		const char *arrow = k < len ?
			memmem(sym + k, len - k, "->", 2) : NULL;
		size_t end = arrow ? (size_t)(arrow - sym) : len;
		struct frame fr;

		perfscript_tidy_name(sym + k, end - k, f, st->o->addrs,
				     st->java, &st->name);
		memset(&fr, 0, sizeof(fr));
		fr.module = module;
		if (!st->o->perf_names && n == 0 &&
		    python_trampoline_frame(p, st->name.buf, st->name.len, &fr)) {
			;
		} else if (n > 0) {
			if (!memmem(st->name.buf, st->name.len, "_[i]", 4))
				strbuf_addstr(&st->name, "_[i]");
			fr.kind = FRAME_INLINED;
		} else if (dso_kind == PERFSCRIPT_KERNEL) {
			fr.kind = FRAME_KERNEL;
		} else if (dso_kind == PERFSCRIPT_JIT) {
			/* stackcollapse adds no "_[j]" to a name having one */
			const char *j = memmem(st->name.buf, st->name.len,
					       "_[j]", 4);

			fr.kind = !j || j + 4 == st->name.buf + st->name.len ?
				FRAME_JIT : FRAME_NATIVE;
		} else if (dso_kind == PERFSCRIPT_DSO_INLINED) {
			fr.kind = FRAME_INLINED;
		} else {
			fr.kind = FRAME_NATIVE;
		}
		if (!fr.name)
			fr.name = profile_intern_len(p, strbuf_str(&st->name),
						     st->name.len);
		grow_array((void **)ids, sizeof(**ids), n + 1, alloc);
		(*ids)[n++] = profile_frame(p, &fr);
		if (!arrow)
			break;
		k = end + 2;
	}
	return n;
}

static void push_ids(struct perfscript_state *st, const uint32_t *ids,
		     size_t n)
{
	grow_array((void **)&st->stack, sizeof(*st->stack), st->nr_stack + n,
		   &st->alloc_stack);
	while (n-- > 0)
		st->stack[st->nr_stack++] = ids[n];
}

static void take_frame_line(struct perfscript_state *st, const char *line,
			    size_t len)
{
	uint64_t hash = line_hash(line, len, (uint64_t)st->java);
	const struct line_entry *e;
	struct perfscript_frame_line f;
	size_t n;

	e = line_cache_find(&st->cache, line, len, hash, st->java);
	if (e) {
		if (st->have_pname)
			push_ids(st, st->cache.ids + e->ids, e->nr_ids);
		return;
	}
	if (memchr(line, '\0', len) ||
	    !perfscript_parse_frame_line(line, len, &f)) {
		bad_line(st, "neither a sample header nor a 'ADDRESS SYMBOL (DSO)' frame");
		return;
	}
	if (!st->have_pname)
		return;
	n = frame_line_ids(st, &f, &st->ids, &st->alloc_ids);
	line_cache_add(&st->cache, line, len, hash, st->java, st->ids, n);
	push_ids(st, st->ids, n);
}

static void take_line(struct perfscript_state *st, const char *line,
		      size_t len)
{
	struct perfscript_header h;

	/* CRLF files: the reference prints nothing for them (its blank-line
	 * test fails on "\r"); reading them as LF files is more useful */
	if (len && line[len - 1] == '\r')
		len--;
	if (len == 0) {
		end_sample(st);
		return;
	}
	if (line[0] == '#')
		return;
	if (line[0] != ' ' && line[0] != '\t' &&
	    perfscript_parse_header(line, len, &h)) {
		if (memchr(line, '\0', len))
			bad_line(st, "binary data in a sample header");
		else
			take_header(st, &h);
		return;
	}
	take_frame_line(st, line, len);
}

static int perfscript_read(struct input *in, struct profile *p,
			   const struct read_options *o)
{
	struct perfscript_state st;
	const char *line;
	size_t len;
	int r;

	memset(&st, 0, sizeof(st));
	st.p = p;
	st.o = o;
	st.in = in;
	/* slot 0 of the frame list is kept for the root frame */
	grow_array((void **)&st.stack, sizeof(*st.stack), 64, &st.alloc_stack);
	st.nr_stack = 1;
	if (o->keep_samples)
		p->keep_samples = 1;
	if (o->event_filter && *o->event_filter) {
		strbuf_addstr(&st.event_filter, o->event_filter);
		st.filter_set = 1;
		p->meta.event = profile_intern(p, o->event_filter);
	}
	while ((r = input_getline(in, &line, &len)) > 0) {
		st.lines++;
		take_line(&st, line, len);
	}
	/* like stackcollapse-perf.pl, a sample without its closing blank
	 * line (a truncated input) is dropped */
	if (st.bad)
		warning("%s: skipped %lu unrecognised line%s of %lu",
			input_name(in), st.bad, st.bad == 1 ? "" : "s",
			st.lines);
	if (r >= 0 && st.lines && !st.samples && !st.bad)
		warning("%s: no samples with call stacks found (record with 'perf record -g' and pass 'perf script' output)",
			input_name(in));
	line_cache_release(&st.cache);
	free(st.stack);
	free(st.ids);
	stack_cache_release(&st.stacks);
	strbuf_release(&st.event_filter);
	strbuf_release(&st.pname);
	strbuf_release(&st.last_pname);
	strbuf_release(&st.thread_key);
	strbuf_release(&st.name);
	return r < 0 ? -1 : 0;
}

static int is_text_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* Next line of head[*pos, len) that is neither blank nor a comment;
 * counts the comment lines passed on the way. */
static int next_content_line(const unsigned char *head, size_t len,
			     size_t *pos, size_t *start, size_t *end,
			     int *comments)
{
	while (*pos < len) {
		const unsigned char *nl = memchr(head + *pos, '\n', len - *pos);
		size_t e = nl ? (size_t)(nl - head) : len, j;

		for (j = *pos; j < e && is_text_blank(head[j]); j++)
			;
		*start = *pos;
		*end = e;
		*pos = e + 1;
		if (head[*start] == '#')
			(*comments)++;
		else if (j < e)
			return 1;
	}
	return 0;
}

/*
 * A header line with an event, or a header line followed by a frame line,
 * is surely perf script; so is text opening with '#' lines (`perf script
 * --header`) unless a folded line follows them (austin's folded files).  A header alone is only
 * maybe perf script (a folded line can look like one).
 */
static int perfscript_probe(const unsigned char *head, size_t len)
{
	struct perfscript_header h;
	struct perfscript_frame_line f;
	size_t pos = 0, start, end, stack_len;
	double counts[2];
	int comments = 0, header;

	if (len && memchr(head, '\0', len < 4096 ? len : 4096))
		return 0;
	if (!next_content_line(head, len, &pos, &start, &end, &comments))
		return comments ? 60 : 0;
	header = perfscript_parse_header((const char *)head + start,
					 end - start, &h);
	if (header && h.event)
		return 90;
	if (header && next_content_line(head, len, &pos, &start, &end,
					&comments) &&
	    is_text_blank(head[start]) &&
	    perfscript_parse_frame_line((const char *)head + start,
					end - start, &f))
		return 90;
	if (comments && !folded_split_line((const char *)head + start,
					   end - start, &stack_len, counts))
		return 60;
	return header ? 30 : 0;
}

const struct format_reader perfscript_reader = {
	.name = "perfscript",
	.probe = perfscript_probe,
	.read = perfscript_read,
};
