/*
 * pprof_write.c - the pprof writer: the profile model as gzip-compressed
 * profile.proto, the saved profile format.
 *
 * Encoding goes through protobuf-c code generated at build time from our
 * own formats/profile.proto (../shared/reference/formats.md section 3).
 * Frames become functions and locations (a location is one physical frame
 * and the frames inlined into it), modules become mappings with their
 * build ids, and metadata with no field of its own goes into comments.
 * Only reads the profile.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/formats.h"
#include "formats/pprof_proto.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/xalloc.h"
#include "version.h"

/* ------------------------------------------------------------------ */
/* Writing.                                                           */

struct pprof_writer {
	const struct profile *p;

	ProtobufCBinaryData *strings;	/* profile strings, then extras */
	size_t nr_strings, alloc_strings;
	uint8_t **cleaned;		/* copies of strings with a NUL */
	size_t nr_cleaned, alloc_cleaned;

	pb_function *functions;
	size_t nr_functions, alloc_functions;
	struct hash_index *function_index;
	uint64_t *frame_function;	/* frame id -> function id, 0 = unset */

	pb_mapping *mappings;
	size_t nr_mappings, alloc_mappings;
	uint32_t *module_mapping;	/* string id -> mapping id */

	/* a location is a run of frames: one physical, then inlined ones */
	uint32_t *segment_frames;
	size_t nr_segment_frames, alloc_segment_frames;
	uint32_t *location_start, *location_len;
	size_t nr_locations, alloc_location_start, alloc_location_len;
	struct hash_index *location_index;
	uint32_t *node_location;	/* stack id -> location id ending there */
	uint32_t *node_next;		/* stack id -> stack above that location */

	uint64_t *stack_locations;	/* flat, per stack: leaf first */
	size_t nr_stack_locations, alloc_stack_locations;
	uint32_t *stack_start, *stack_count;	/* per stack id; count 0 = unset */
};

static int64_t extra_string(struct pprof_writer *w, const char *s)
{
	size_t i, n = strlen(s);
	uint32_t id = strtab_lookup(&w->p->strings, s, n);

	if (id || !n)
		return id;
	for (i = w->p->strings.nr; i < w->nr_strings; i++)
		if (w->strings[i].len == n && !memcmp(w->strings[i].data, s, n))
			return (int64_t)i;
	grow_array((void **)&w->strings, sizeof(*w->strings), w->nr_strings + 1,
		   &w->alloc_strings);
	w->strings[w->nr_strings].data = (uint8_t *)xstrdup(s);
	w->strings[w->nr_strings].len = n;
	return (int64_t)w->nr_strings++;
}

struct function_key {
	const struct pprof_writer *w;
	uint32_t name, file;
};

static int function_equals(const void *ctx, uint32_t id)
{
	const struct function_key *k = ctx;
	const pb_function *f = &k->w->functions[id - 1];

	return f->name == k->name && f->filename == k->file;
}

static uint64_t frame_function(struct pprof_writer *w, uint32_t frame)
{
	const struct frame *fr = &w->p->frames[frame];
	struct function_key k = { w, fr->name, fr->file };
	uint64_t h = hash_mix(fr->name, fr->file);
	uint32_t id;
	pb_function *f;

	if (w->frame_function[frame])
		return w->frame_function[frame];
	id = hash_index_find(w->function_index, h, function_equals, &k);
	if (!id) {
		grow_array((void **)&w->functions, sizeof(*w->functions),
			   w->nr_functions + 1, &w->alloc_functions);
		f = &w->functions[w->nr_functions];
		perftools__profiles__function__init(f);
		id = (uint32_t)++w->nr_functions;
		f->id = id;
		f->name = fr->name;
		f->system_name = fr->name;
		f->filename = fr->file;
		hash_index_insert(w->function_index, h, id);
	}
	w->frame_function[frame] = id;
	return id;
}

static uint64_t module_mapping(struct pprof_writer *w, const struct frame *f)
{
	pb_mapping *m;
	uint32_t id;

	if (!f->module)
		return 0;
	id = w->module_mapping[f->module];
	if (!id) {
		grow_array((void **)&w->mappings, sizeof(*w->mappings),
			   w->nr_mappings + 1, &w->alloc_mappings);
		m = &w->mappings[w->nr_mappings];
		perftools__profiles__mapping__init(m);
		id = (uint32_t)++w->nr_mappings;
		m->id = id;
		m->filename = f->module;
		m->build_id = profile_build_id(w->p, f->module);
		m->has_functions = 1;
		w->module_mapping[f->module] = id;
	}
	m = &w->mappings[id - 1];
	if (f->address >= m->memory_limit)
		m->memory_limit = f->address + 1;
	if (f->file)
		m->has_filenames = 1;
	if (f->line > 0)
		m->has_line_numbers = 1;
	return id;
}

struct location_key {
	const struct pprof_writer *w;
	const uint32_t *frames;
	uint32_t len;
};

static int location_equals(const void *ctx, uint32_t id)
{
	const struct location_key *k = ctx;
	const struct pprof_writer *w = k->w;

	return w->location_len[id - 1] == k->len &&
	       !memcmp(w->segment_frames + w->location_start[id - 1], k->frames,
		       k->len * sizeof(uint32_t));
}

/* The location whose innermost frame is stack node `node`; sets
 * node_next[node] to the stack above it. */
static uint32_t node_location(struct pprof_writer *w, uint32_t node)
{
	const struct profile *p = w->p;
	uint32_t frames[64], len = 0, n = node, i;
	struct location_key k;
	uint64_t h = 0;
	uint32_t id;

	if (w->node_location[node])
		return w->node_location[node];
	/* walk up through inlined frames to the physical one */
	for (;;) {
		frames[len++] = p->stacks[n].frame;
		if (p->frames[p->stacks[n].frame].kind != FRAME_INLINED ||
		    !p->stacks[n].parent || len == 64) {
			n = p->stacks[n].parent;
			break;
		}
		n = p->stacks[n].parent;
	}
	/* root first: physical, then inlined outer to inner */
	for (i = 0; i < len / 2; i++) {
		uint32_t t = frames[i];

		frames[i] = frames[len - 1 - i];
		frames[len - 1 - i] = t;
	}
	for (i = 0; i < len; i++)
		h = hash_mix(h, frames[i]);
	k.w = w;
	k.frames = frames;
	k.len = len;
	id = hash_index_find(w->location_index, h, location_equals, &k);
	if (!id) {
		grow_array((void **)&w->segment_frames, sizeof(uint32_t),
			   w->nr_segment_frames + len, &w->alloc_segment_frames);
		memcpy(w->segment_frames + w->nr_segment_frames, frames,
		       len * sizeof(uint32_t));
		grow_array((void **)&w->location_start, sizeof(uint32_t),
			   w->nr_locations + 1, &w->alloc_location_start);
		grow_array((void **)&w->location_len, sizeof(uint32_t),
			   w->nr_locations + 1, &w->alloc_location_len);
		w->location_start[w->nr_locations] = (uint32_t)w->nr_segment_frames;
		w->location_len[w->nr_locations] = len;
		w->nr_segment_frames += len;
		id = (uint32_t)++w->nr_locations;
		hash_index_insert(w->location_index, h, id);
	}
	w->node_location[node] = id;
	w->node_next[node] = n;
	return id;
}

/* Leaf-first location ids of a stack, computed once per stack id. */
static size_t stack_locations(struct pprof_writer *w, uint32_t stack)
{
	if (!w->stack_count[stack] && stack) {
		uint32_t node = stack, count = 0;

		w->stack_start[stack] = (uint32_t)w->nr_stack_locations;
		while (node) {
			uint32_t loc = node_location(w, node);

			grow_array((void **)&w->stack_locations, sizeof(uint64_t),
				   w->nr_stack_locations + 1,
				   &w->alloc_stack_locations);
			w->stack_locations[w->nr_stack_locations++] = loc;
			count++;
			node = w->node_next[node];
		}
		w->stack_count[stack] = count;
	}
	return w->stack_count[stack];
}

/* The caller frees the result, *lines and *line_ptrs. */
static pb_location *build_locations(struct pprof_writer *w, pb_line **lines_out,
				    pb_line ***line_ptrs_out)
{
	pb_location *locs = xcalloc(w->nr_locations + 1, sizeof(*locs));
	size_t i, j, nr_lines = 0;
	pb_line *lines;
	pb_line **line_ptrs;

	for (i = 0; i < w->nr_locations; i++)
		nr_lines += w->location_len[i];
	lines = xcalloc(nr_lines + 1, sizeof(*lines));
	line_ptrs = xcalloc(nr_lines + 1, sizeof(*line_ptrs));
	nr_lines = 0;
	for (i = 0; i < w->nr_locations; i++) {
		const uint32_t *frames = w->segment_frames + w->location_start[i];
		uint32_t len = w->location_len[i];
		const struct frame *phys = &w->p->frames[frames[0]];
		pb_location *l = &locs[i];

		perftools__profiles__location__init(l);
		l->id = i + 1;
		l->address = phys->address;
		l->mapping_id = module_mapping(w, phys);
		l->line = line_ptrs + nr_lines;
		l->n_line = len;
		/* Line[0] is the innermost (inlined) function */
		for (j = 0; j < len; j++) {
			pb_line *ln = &lines[nr_lines];
			uint32_t frame = frames[len - 1 - j];

			perftools__profiles__line__init(ln);
			ln->function_id = frame_function(w, frame);
			ln->line = w->p->frames[frame].line;
			line_ptrs[nr_lines++] = ln;
		}
		if (len > 1 && l->mapping_id)
			w->mappings[l->mapping_id - 1].has_inline_frames = 1;
	}
	*lines_out = lines;
	*line_ptrs_out = line_ptrs;
	return locs;
}

static const char *base_name(const char *path, size_t len, size_t *out_len)
{
	size_t i = len;

	while (i > 0 && path[i - 1] != '/')
		i--;
	*out_len = len - i;
	return path + i;
}

/* pprof shows mapping[0] as the main binary: move the mapping of the
 * recorded command's program there when there is one. */
static void main_binary_first(struct pprof_writer *w, pb_location *locs)
{
	const char *cmd = profile_str(w->p, w->p->meta.command), *prog;
	size_t cmd_len = strcspn(cmd, " "), prog_len, i, k;
	pb_mapping tmp;

	if (!cmd_len || w->nr_mappings < 2)
		return;
	prog = base_name(cmd, cmd_len, &prog_len);
	for (k = 0; k < w->nr_mappings; k++) {
		const char *file = profile_str(w->p, (uint32_t)w->mappings[k].filename);
		size_t n;

		file = base_name(file, strlen(file), &n);
		if (n == prog_len && !memcmp(file, prog, n))
			break;
	}
	if (k == 0 || k == w->nr_mappings)
		return;
	tmp = w->mappings[0];
	w->mappings[0] = w->mappings[k];
	w->mappings[k] = tmp;
	w->mappings[0].id = 1;
	w->mappings[k].id = k + 1;
	for (i = 0; i < w->nr_locations; i++) {
		if (locs[i].mapping_id == 1)
			locs[i].mapping_id = k + 1;
		else if (locs[i].mapping_id == k + 1)
			locs[i].mapping_id = 1;
	}
}

/*
 * pprof strings may not hold NUL bytes (our reader and pprof's reject
 * them), but a name read from folded text can: each NUL becomes U+FFFD,
 * as the JSON reader does for "\u0000", so the profile reads back.
 */
static void set_string(struct pprof_writer *w, size_t i, const char *s,
		       size_t len)
{
	const char *nul = memchr(s, '\0', len);
	uint8_t *copy, *q;
	size_t j;

	w->strings[i].data = (uint8_t *)s;
	w->strings[i].len = len;
	if (!nul)
		return;
	q = copy = xmalloc(len * 3 + 1);
	for (j = 0; j < len; j++) {
		if (s[j]) {
			*q++ = (uint8_t)s[j];
		} else {
			*q++ = 0xef;
			*q++ = 0xbf;
			*q++ = 0xbd;
		}
	}
	grow_array((void **)&w->cleaned, sizeof(*w->cleaned), w->nr_cleaned + 1,
		   &w->alloc_cleaned);
	w->cleaned[w->nr_cleaned++] = copy;
	w->strings[i].data = copy;
	w->strings[i].len = (size_t)(q - copy);
}

static void writer_release(struct pprof_writer *w)
{
	size_t i;

	for (i = 0; i < w->nr_cleaned; i++)
		free(w->cleaned[i]);
	free(w->cleaned);

	for (i = w->p->strings.nr; i < w->nr_strings; i++)
		free(w->strings[i].data);
	free(w->strings);
	free(w->functions);
	hash_index_free(w->function_index);
	free(w->frame_function);
	free(w->mappings);
	free(w->module_mapping);
	free(w->segment_frames);
	free(w->location_start);
	free(w->location_len);
	hash_index_free(w->location_index);
	free(w->node_location);
	free(w->node_next);
	free(w->stack_locations);
	free(w->stack_start);
	free(w->stack_count);
}

/* A gzip stream to a FILE, fed piece by piece. */
struct gzip_out {
	z_stream z;
	FILE *out;
	int failed;
	unsigned char buf[64 * 1024];
};

static int gzip_begin(struct gzip_out *g, FILE *out)
{
	memset(&g->z, 0, sizeof(g->z));
	g->out = out;
	g->failed = 0;
	if (deflateInit2(&g->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8,
			 Z_DEFAULT_STRATEGY) != Z_OK)
		return error("pprof: cannot start the gzip compressor (free some memory and retry)");
	return 0;
}

static void gzip_deflate(struct gzip_out *g, const void *data, size_t len,
			 int flush)
{
	g->z.next_in = (unsigned char *)data;
	do {
		size_t chunk = len > (1u << 30) ? (1u << 30) : len;
		int r;

		g->z.avail_in = (uInt)chunk;
		len -= chunk;
		do {
			g->z.next_out = g->buf;
			g->z.avail_out = sizeof(g->buf);
			r = deflate(&g->z, len || !flush ? Z_NO_FLUSH : Z_FINISH);
			if (r == Z_STREAM_ERROR)
				g->failed = 1;
			if (fwrite(g->buf, 1, sizeof(g->buf) - g->z.avail_out,
				   g->out) != sizeof(g->buf) - g->z.avail_out)
				g->failed = 1;
		} while (g->z.avail_out == 0 || g->z.avail_in);
	} while (len);
}

static int gzip_end(struct gzip_out *g)
{
	gzip_deflate(g, "", 0, 1);
	deflateEnd(&g->z);
	return g->failed || ferror(g->out) ? -1 : 0;
}

/* Appends one Sample (field 2 of Profile) to the stream: tag, length,
 * message.  *buf is a reusable packing buffer the caller frees. */
static void write_sample(struct gzip_out *g, const pb_sample *s, uint8_t **buf,
			 size_t *alloc)
{
	size_t len = perftools__profiles__sample__get_packed_size(s), n = 0;
	uint8_t head[11];
	uint64_t v = len;

	head[n++] = 0x12;	/* field 2, length-delimited */
	do {
		head[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
		v >>= 7;
	} while (v);
	grow_array((void **)buf, 1, len + 1, alloc);
	perftools__profiles__sample__pack(s, *buf);
	gzip_deflate(g, head, n, 0);
	gzip_deflate(g, *buf, len, 0);
}

struct thread_labels {
	pb_label label[3];
	pb_label *ptr[3];
	size_t n;
};

static void add_comment(struct pprof_writer *w, int64_t *comments, size_t *n,
			const char *prefix, const char *text)
{
	size_t len = strlen(prefix) + strlen(text) + 1;
	char *c = xmalloc(len);

	snprintf(c, len, "%s%s", prefix, text);
	comments[(*n)++] = extra_string(w, c);
	free(c);
}

/*
 * The profile is written in two parts: every table (strings, functions,
 * locations, mappings, types, metadata) packed as one Profile message, then
 * each sample packed on its own and appended as another field 2.  Protobuf
 * messages concatenate, so readers see one Profile; a million samples
 * never exist as a million message structs.
 */
/* Every value must fit pprof's int64 after rounding: a count near 1e308
 * would otherwise be written as a negative number.  0 when they all do. */
static int check_values(const struct profile *p)
{
	size_t i, j;

	for (i = 0; i < p->nr_totals; i++)
		for (j = 0; j < (size_t)p->nr_values; j++) {
			double v = p->totals[i].value[j];

			if (!(v > -9.2233720368547748e18 && v < 9.2233720368547748e18))
				return error("pprof: a count of %g does not fit a 64-bit integer (scale the counts down)",
					     v);
		}
	return 0;
}

static int pprof_write(const struct profile *p, FILE *out,
		       const struct write_options *o)
{
	struct pprof_writer w;
	pb_profile pb = PERFTOOLS__PROFILES__PROFILE__INIT;
	pb_value_type types[PROFILE_MAX_VALUES], *type_ptrs[PROFILE_MAX_VALUES];
	pb_value_type period_type = PERFTOOLS__PROFILES__VALUE_TYPE__INIT;
	struct thread_labels *tl;
	pb_function **function_ptrs;
	pb_mapping **mapping_ptrs;
	pb_location *locations, **location_ptrs;
	pb_line *lines, **line_ptrs;
	int64_t comments[8], key_time, unit_ns;
	size_t i, nr, nv = (size_t)p->nr_values, nr_comments = 0, alloc = 0;
	int per_sample = 0, ret;
	uint8_t *packed = NULL;
	size_t packed_len;
	struct gzip_out *g;

	(void)o;
	if (check_values(p))
		return -1;
	memset(&w, 0, sizeof(w));
	w.p = p;
	w.nr_strings = w.alloc_strings = p->strings.nr;
	w.strings = xcalloc(w.alloc_strings + 1, sizeof(*w.strings));
	for (i = 0; i < p->strings.nr; i++)
		set_string(&w, i, p->strings.ptr[i], p->strings.len[i]);
	w.function_index = hash_index_new();
	w.frame_function = xcalloc(p->nr_frames + 1, sizeof(uint64_t));
	w.module_mapping = xcalloc(p->strings.nr + 1, sizeof(uint32_t));
	w.location_index = hash_index_new();
	w.node_location = xcalloc(p->nr_stacks + 1, sizeof(uint32_t));
	w.node_next = xcalloc(p->nr_stacks + 1, sizeof(uint32_t));
	w.stack_start = xcalloc(p->nr_stacks + 1, sizeof(uint32_t));
	w.stack_count = xcalloc(p->nr_stacks + 1, sizeof(uint32_t));

	/* per-sample output only when there are timestamps to keep */
	for (i = 0; i < p->nr_samples && !per_sample; i++)
		per_sample = p->samples[i].time_ns >= 0;
	nr = per_sample ? p->nr_samples : p->nr_totals;

	for (i = 0; i < nv; i++) {
		perftools__profiles__value_type__init(&types[i]);
		types[i].type = p->value_types[i].type;
		types[i].unit = p->value_types[i].unit;
		type_ptrs[i] = &types[i];
	}
	pb.n_sample_type = nv;
	pb.sample_type = type_ptrs;

	/* every string must be known before the table is packed */
	tl = xcalloc(p->nr_threads + 1, sizeof(*tl));
	for (i = 1; i < p->nr_threads; i++) {
		const struct thread_info *t = &p->threads[i];
		pb_label *l = tl[i].label;

		perftools__profiles__label__init(&l[0]);
		perftools__profiles__label__init(&l[1]);
		perftools__profiles__label__init(&l[2]);
		l[0].key = extra_string(&w, "thread");
		l[0].str = t->name;
		l[1].key = extra_string(&w, "tid");
		l[1].num = t->tid;
		l[2].key = extra_string(&w, "pid");
		l[2].num = t->pid;
		tl[i].ptr[0] = &l[0];
		tl[i].ptr[1] = &l[1];
		tl[i].ptr[2] = &l[2];
		tl[i].n = 3;
	}
	key_time = per_sample ? extra_string(&w, "timestamp_ns") : 0;
	unit_ns = per_sample ? extra_string(&w, "nanoseconds") : 0;

	/* every stack's locations, so the location table is complete */
	for (i = 0; i < nr; i++)
		stack_locations(&w, per_sample ? p->samples[i].stack :
				p->totals[i].stack);

	locations = build_locations(&w, &lines, &line_ptrs);
	main_binary_first(&w, locations);
	location_ptrs = xcalloc(w.nr_locations + 1, sizeof(*location_ptrs));
	for (i = 0; i < w.nr_locations; i++)
		location_ptrs[i] = &locations[i];
	pb.n_location = w.nr_locations;
	pb.location = location_ptrs;
	/* build_locations may have added functions and mappings */
	function_ptrs = xcalloc(w.nr_functions + 1, sizeof(*function_ptrs));
	for (i = 0; i < w.nr_functions; i++)
		function_ptrs[i] = &w.functions[i];
	pb.n_function = w.nr_functions;
	pb.function = function_ptrs;
	mapping_ptrs = xcalloc(w.nr_mappings + 1, sizeof(*mapping_ptrs));
	for (i = 0; i < w.nr_mappings; i++)
		mapping_ptrs[i] = &w.mappings[i];
	pb.n_mapping = w.nr_mappings;
	pb.mapping = mapping_ptrs;

	pb.time_nanos = p->meta.start_ns;
	pb.duration_nanos = p->meta.duration_ns;
	pb.period = p->meta.period;
	if (p->meta.period_type.type || p->meta.period_type.unit) {
		period_type.type = p->meta.period_type.type;
		period_type.unit = p->meta.period_type.unit;
		pb.period_type = &period_type;
	}
	comments[nr_comments++] = extra_string(&w, "scorch@" SCORCH_VERSION);
	if (p->meta.command)
		add_comment(&w, comments, &nr_comments, META_COMMAND,
			    profile_str(p, p->meta.command));
	if (p->meta.event)
		add_comment(&w, comments, &nr_comments, META_EVENT,
			    profile_str(p, p->meta.event));
	if (p->meta.pid) {
		char buf[32];

		snprintf(buf, sizeof(buf), "%lld", (long long)p->meta.pid);
		add_comment(&w, comments, &nr_comments, META_PID, buf);
	}
	if (p->meta.rate_hz) {
		char buf[64];

		snprintf(buf, sizeof(buf), "%.17g", p->meta.rate_hz);
		add_comment(&w, comments, &nr_comments, META_RATE, buf);
	}
	pb.n_comment = nr_comments;
	pb.comment = comments;
	pb.n_string_table = w.nr_strings;
	pb.string_table = w.strings;

	g = xmalloc(sizeof(*g));
	ret = gzip_begin(g, out);
	if (!ret) {
		packed_len = perftools__profiles__profile__get_packed_size(&pb);
		grow_array((void **)&packed, 1, packed_len + 1, &alloc);
		perftools__profiles__profile__pack(&pb, packed);
		gzip_deflate(g, packed, packed_len, 0);

		for (i = 0; i < nr && !g->failed; i++) {
			int64_t values[PROFILE_MAX_VALUES];
			pb_label time_label, *labels[4];
			pb_sample s;
			uint32_t stack, thread;
			const double *v;
			size_t j, k;

			if (per_sample) {
				stack = p->samples[i].stack;
				thread = p->samples[i].thread;
				v = p->samples[i].value;
			} else {
				stack = p->totals[i].stack;
				thread = p->totals[i].thread;
				v = p->totals[i].value;
			}
			perftools__profiles__sample__init(&s);
			s.n_location_id = w.stack_count[stack];
			s.location_id = w.stack_locations + w.stack_start[stack];
			for (j = 0; j < nv; j++)
				values[j] = (int64_t)llround(v[j]);
			s.n_value = nv;
			s.value = values;
			for (k = 0; k < tl[thread].n; k++)
				labels[k] = tl[thread].ptr[k];
			if (per_sample && p->samples[i].time_ns >= 0) {
				perftools__profiles__label__init(&time_label);
				time_label.key = key_time;
				time_label.num = p->samples[i].time_ns;
				time_label.num_unit = unit_ns;
				labels[k++] = &time_label;
			}
			s.n_label = k;
			s.label = labels;
			write_sample(g, &s, &packed, &alloc);
		}
		ret = gzip_end(g);
		/* a failed write is the output's to report (util/output.c) */
		if (ret < 0 && !ferror(g->out))
			error("pprof: compressing the profile failed (free some memory and retry, or write another format)");
	}

	free(g);
	free(packed);
	free(lines);
	free(line_ptrs);
	free(locations);
	free(location_ptrs);
	free(function_ptrs);
	free(mapping_ptrs);
	free(tl);
	writer_release(&w);
	return ret;
}

const struct format_writer pprof_writer = {
	.name = "pprof",
	.extensions = ".pb.gz .pprof .pb",
	.write = pprof_write,
};
