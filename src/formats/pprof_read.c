/*
 * pprof_read.c - the pprof reader: gzip-compressed (or raw) profile.proto
 * into the profile model.
 *
 * Decoding goes through protobuf-c code generated at build time from our
 * own formats/profile.proto; the layout and its rules are in
 * ../shared/reference/formats.md section 3.  The reader checks every index
 * and id before using it and rejects a corrupt file with one line that
 * names the first problem (a walk over the wire format); it never trusts
 * the input.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"
#include "formats/pprof.h"
#include "formats/pprof_proto.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/text.h"
#include "util/hash.h"
#include "util/input.h"
#include "util/xalloc.h"

/* ------------------------------------------------------------------ */
/* Wire walking: detection and precise error messages.                */

static int read_varint(const unsigned char *buf, size_t len, size_t *pos,
		       uint64_t *out)
{
	uint64_t v = 0;
	int shift;

	for (shift = 0; shift < 70; shift += 7) {
		unsigned char b;

		if (*pos >= len)
			return -1;		/* truncated */
		b = buf[(*pos)++];
		if (shift == 63 && b > 1)
			return -2;		/* overlong */
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -2;
}

/* Wire type of each top-level Profile field, -1 = unknown field number. */
static int profile_field_wire_type(uint64_t field)
{
	if ((field >= 1 && field <= 6) || field == 11)
		return 2;		/* messages, strings */
	if (field == 13)
		return -2;		/* packed (2) or not (0) */
	if (field >= 7 && field <= 15)
		return 0;
	return -1;
}

const char *pprof_check_wire(const unsigned char *buf, size_t len,
			     int partial, size_t *fields)
{
	size_t pos = 0;

	*fields = 0;
	while (pos < len) {
		uint64_t tag, v;
		int want, wire, r;

		r = read_varint(buf, len, &pos, &tag);
		if (r == -1)
			return partial ? NULL : "truncated field tag";
		if (r < 0)
			return "bad varint in a field tag";
		wire = (int)(tag & 7);
		if (!(tag >> 3))
			return "field number 0";
		want = profile_field_wire_type(tag >> 3);
		if (want == -1) {
			/* a newer field: skip it, as protobuf readers must */
			size_t skip = wire == 1 ? 8 : wire == 5 ? 4 : 0;

			if (wire == 3 || wire == 4 || wire > 5)
				return "unknown wire type";
			if (skip) {
				if (skip > len - pos)
					return partial ? NULL : "truncated fixed-size field";
				pos += skip;
				++*fields;
				continue;
			}
		} else if (want == -2 ? (wire != 0 && wire != 2) : wire != want) {
			return "field has the wrong wire type";
		}
		r = read_varint(buf, len, &pos, &v);
		if (r == -1)
			return partial ? NULL : "truncated varint";
		if (r < 0)
			return "bad varint";
		if (wire == 2) {
			if (v > len - pos) {
				if (partial)
					return ++*fields, NULL;
				return "a field's length runs past the end of the data";
			}
			pos += (size_t)v;
		}
		++*fields;
	}
	return NULL;
}

static int pprof_probe(const unsigned char *head, size_t len)
{
	size_t fields;

	if (len < 2)
		return 0;
	/* gzip that did not decode still looks like gzip: claim it so the
	 * reader can say what is wrong with it */
	if (head[0] == 0x1f && head[1] == 0x8b)
		return 90;
	if (profile_field_wire_type(head[0] >> 3) != -1 &&
	    !pprof_check_wire(head, len, 1, &fields) && fields >= 2)
		return 80;
	/* binary data that starts like a Profile field: claim it weakly so
	 * the reader, not "unrecognised format", says what is wrong */
	if (memchr(head, '\0', len < 4096 ? len : 4096) &&
	    profile_field_wire_type(head[0] >> 3) != -1)
		return 5;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reading.                                                           */

/* id -> index maps for functions, mappings and locations. */
struct id_map {
	const uint64_t *ids;
	struct hash_index *index;
};

static int id_map_equals(const void *ctx, uint32_t slot)
{
	const uint64_t *k = ctx;	/* k[0] = ids base (as pointer), k[1] = id */
	const uint64_t *ids = (const uint64_t *)(uintptr_t)k[0];

	return ids[slot - 1] == k[1];
}

static uint32_t id_map_find(const struct id_map *m, uint64_t id)
{
	uint64_t key[2] = { (uint64_t)(uintptr_t)m->ids, id };

	return hash_index_find(m->index, hash_mix(id, 0x9a1), id_map_equals,
			       key);
}

/* Fills m from ids; returns 0, or -1 on a zero or duplicate id. */
static int id_map_build(struct id_map *m, const uint64_t *ids, size_t n)
{
	size_t i;

	m->ids = ids;
	m->index = hash_index_new();
	for (i = 0; i < n; i++) {
		if (!ids[i] || id_map_find(m, ids[i]))
			return -1;
		hash_index_insert(m->index, hash_mix(ids[i], 0x9a1),
				  (uint32_t)i + 1);
	}
	return 0;
}

struct pprof_reader {
	const char *name;
	const pb_profile *pb;
	struct profile *p;
	uint32_t *str;			/* pprof string index -> profile id */
	struct id_map functions, mappings, locations;
	uint64_t *function_ids, *mapping_ids, *location_ids;
	uint32_t *loc_start, *loc_count;	/* per location: its frames */
	uint32_t *loc_frames;
	size_t nr_loc_frames, alloc_loc_frames;
};

static int bad(struct pprof_reader *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(struct pprof_reader *r, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return error("%s: not a valid pprof profile: %s (is the file complete and really pprof?)",
		     r->name, why);
}

static int string_ok(const struct pprof_reader *r, int64_t index)
{
	return index >= 0 && (uint64_t)index < (r->pb->n_string_table ?
				r->pb->n_string_table : 1);
}

static int check_string(struct pprof_reader *r, int64_t index, const char *what)
{
	if (string_ok(r, index))
		return 0;
	return bad(r, "%s refers to string %" PRId64 ", past the string table of %zu",
		   what, index, r->pb->n_string_table);
}

static uint32_t str_id(const struct pprof_reader *r, int64_t index)
{
	return r->pb->n_string_table ? r->str[index] : 0;
}

static const char *str_text(const struct pprof_reader *r, int64_t index)
{
	return profile_str(r->p, str_id(r, index));
}

static int intern_strings(struct pprof_reader *r)
{
	const pb_profile *pb = r->pb;
	size_t i;

	if (pb->n_string_table && pb->string_table[0].len)
		return bad(r, "string_table[0] is not empty");
	r->str = xcalloc(pb->n_string_table + 1, sizeof(*r->str));
	for (i = 0; i < pb->n_string_table; i++) {
		const ProtobufCBinaryData *s = &pb->string_table[i];

		if (s->len && memchr(s->data, '\0', s->len))
			return bad(r, "string %zu contains a NUL byte", i);
		r->str[i] = profile_intern_len(r->p, (const char *)s->data,
					       s->len);
	}
	return 0;
}

static int check_tables(struct pprof_reader *r)
{
	const pb_profile *pb = r->pb;
	size_t i, j;

	for (i = 0; i < pb->n_sample_type; i++)
		if (check_string(r, pb->sample_type[i]->type, "a sample type") ||
		    check_string(r, pb->sample_type[i]->unit, "a sample unit"))
			return -1;
	if (pb->period_type &&
	    (check_string(r, pb->period_type->type, "the period type") ||
	     check_string(r, pb->period_type->unit, "the period unit")))
		return -1;
	for (i = 0; i < pb->n_comment; i++)
		if (check_string(r, pb->comment[i], "a comment"))
			return -1;
	if (check_string(r, pb->drop_frames, "drop_frames") ||
	    check_string(r, pb->keep_frames, "keep_frames") ||
	    check_string(r, pb->default_sample_type, "default_sample_type"))
		return -1;

	r->function_ids = xcalloc(pb->n_function + 1, sizeof(uint64_t));
	for (i = 0; i < pb->n_function; i++) {
		const pb_function *f = pb->function[i];

		if (check_string(r, f->name, "a function name") ||
		    check_string(r, f->system_name, "a function system name") ||
		    check_string(r, f->filename, "a function file name"))
			return -1;
		r->function_ids[i] = f->id;
	}
	if (id_map_build(&r->functions, r->function_ids, pb->n_function))
		return bad(r, "a function id is zero or used twice");

	r->mapping_ids = xcalloc(pb->n_mapping + 1, sizeof(uint64_t));
	for (i = 0; i < pb->n_mapping; i++) {
		const pb_mapping *m = pb->mapping[i];

		if (check_string(r, m->filename, "a mapping file name") ||
		    check_string(r, m->build_id, "a mapping build id"))
			return -1;
		r->mapping_ids[i] = m->id;
		if (m->filename && m->build_id)
			profile_set_build_id(r->p, str_id(r, m->filename),
					     str_text(r, m->build_id));
	}
	if (id_map_build(&r->mappings, r->mapping_ids, pb->n_mapping))
		return bad(r, "a mapping id is zero or used twice");

	r->location_ids = xcalloc(pb->n_location + 1, sizeof(uint64_t));
	for (i = 0; i < pb->n_location; i++) {
		const pb_location *l = pb->location[i];

		if (l->mapping_id && !id_map_find(&r->mappings, l->mapping_id))
			return bad(r, "location %" PRIu64 " refers to mapping %" PRIu64 ", which does not exist",
				   l->id, l->mapping_id);
		for (j = 0; j < l->n_line; j++)
			if (!id_map_find(&r->functions, l->line[j]->function_id))
				return bad(r, "location %" PRIu64 " refers to function %" PRIu64 ", which does not exist",
					   l->id, l->line[j]->function_id);
		r->location_ids[i] = l->id;
	}
	if (id_map_build(&r->locations, r->location_ids, pb->n_location))
		return bad(r, "a location id is zero or used twice");
	return 0;
}

static enum frame_kind guess_kind(const char *name, const char *file,
				  const char *module)
{
	if (text_ends_with(name, strlen(name), "_[k]") || !strncmp(module, "[kernel", 7) ||
	    text_ends_with(module, strlen(module), "vmlinux"))
		return FRAME_KERNEL;
	if (text_ends_with(name, strlen(name), "_[j]") || !strncmp(module, "/tmp/perf-", 10) ||
	    !strcmp(module, "[jit]"))
		return FRAME_JIT;
	if (text_ends_with(name, strlen(name), "_[i]"))
		return FRAME_INLINED;
	/* a Python file, or a CPython pseudo-file: <frozen os>, <string> */
	if (text_ends_with(file, strlen(file), ".py") || text_ends_with(file, strlen(file), ".pyw") ||
	    (file[0] == '<' && text_ends_with(file, strlen(file), ">")))
		return FRAME_PYTHON;
	return FRAME_NATIVE;
}

static uint32_t line_frame(struct pprof_reader *r, const pb_line *line,
			   uint32_t module, uint64_t address, int inlined)
{
	const pb_function *fn =
		r->pb->function[id_map_find(&r->functions, line->function_id) - 1];
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.name = str_id(r, fn->name);
	if (!f.name)
		f.name = str_id(r, fn->system_name);
	f.file = str_id(r, fn->filename);
	f.module = module;
	f.line = line->line > 0 && line->line < INT32_MAX ? (int32_t)line->line : 0;
	f.kind = (uint8_t)guess_kind(profile_str(r->p, f.name),
				     profile_str(r->p, f.file),
				     profile_str(r->p, module));
	if (inlined)
		f.kind = FRAME_INLINED;
	else
		f.address = address;
	return profile_frame(r->p, &f);
}

/* Turns every location into its frames, root first: the physical
 * function (last Line), then the inlined ones outer to inner. */
static void build_location_frames(struct pprof_reader *r)
{
	const pb_profile *pb = r->pb;
	size_t i, j;

	r->loc_start = xcalloc(pb->n_location + 1, sizeof(uint32_t));
	r->loc_count = xcalloc(pb->n_location + 1, sizeof(uint32_t));
	for (i = 0; i < pb->n_location; i++) {
		const pb_location *l = pb->location[i];
		const pb_mapping *m = NULL;
		uint32_t module = 0;
		uint64_t address = l->address;
		size_t need = l->n_line ? l->n_line : 1;

		if (l->mapping_id) {
			m = pb->mapping[id_map_find(&r->mappings, l->mapping_id) - 1];
			module = str_id(r, m->filename);
			if (address >= m->memory_start)
				address = address - m->memory_start + m->file_offset;
		}
		grow_array((void **)&r->loc_frames, sizeof(uint32_t),
			   r->nr_loc_frames + need, &r->alloc_loc_frames);
		r->loc_start[i] = (uint32_t)r->nr_loc_frames;
		r->loc_count[i] = (uint32_t)need;
		if (!l->n_line) {
			/* unsymbolised: the address is the name */
			char name[40];
			struct frame f;

			snprintf(name, sizeof(name), "0x%" PRIx64, l->address);
			memset(&f, 0, sizeof(f));
			f.name = profile_intern(r->p, name);
			f.module = module;
			f.address = address;
			f.kind = (uint8_t)guess_kind("", "",
						     profile_str(r->p, module));
			r->loc_frames[r->nr_loc_frames++] = profile_frame(r->p, &f);
			continue;
		}
		for (j = l->n_line; j-- > 0;)
			r->loc_frames[r->nr_loc_frames++] =
				line_frame(r, l->line[j], module, address,
					   j != l->n_line - 1);
	}
}

static void read_meta(struct pprof_reader *r)
{
	const pb_profile *pb = r->pb;
	struct profile *p = r->p;
	size_t i;

	p->meta.start_ns = pb->time_nanos;
	p->meta.duration_ns = pb->duration_nanos;
	p->meta.period = pb->period;
	if (pb->period_type) {
		p->meta.period_type.type = str_id(r, pb->period_type->type);
		p->meta.period_type.unit = str_id(r, pb->period_type->unit);
	}
	for (i = 0; i < pb->n_comment; i++) {
		const char *c = str_text(r, pb->comment[i]);

		if (!strncmp(c, META_COMMAND, strlen(META_COMMAND)))
			p->meta.command = profile_intern(p, c + strlen(META_COMMAND));
		else if (!strncmp(c, META_EVENT, strlen(META_EVENT)))
			p->meta.event = profile_intern(p, c + strlen(META_EVENT));
		else if (!strncmp(c, META_PID, strlen(META_PID)))
			p->meta.pid = strtoll(c + strlen(META_PID), NULL, 10);
		else if (!strncmp(c, META_RATE, strlen(META_RATE)))
			p->meta.rate_hz = strtod(c + strlen(META_RATE), NULL);
	}
}

static int read_value_types(struct pprof_reader *r)
{
	const pb_profile *pb = r->pb;
	const char *types[PROFILE_MAX_VALUES], *units[PROFILE_MAX_VALUES];
	size_t i, n = pb->n_sample_type;

	if (!n)
		return 0;
	if (n > PROFILE_MAX_VALUES) {
		warning("%s: %zu sample types; keeping the first %d", r->name,
			n, PROFILE_MAX_VALUES);
		n = PROFILE_MAX_VALUES;
	}
	for (i = 0; i < n; i++) {
		types[i] = str_text(r, pb->sample_type[i]->type);
		units[i] = str_text(r, pb->sample_type[i]->unit);
	}
	profile_set_value_types(r->p, (int)n, types, units);
	if (n == 2 && !strcmp(types[0], "before") && !strcmp(types[1], "after"))
		r->p->meta.differential = PROFILE_DIFF_BOTH;
	return 0;
}

/* The next top-level field of a buffer pprof_check_wire accepted: sets
 * its number, where it starts, and for length-delimited fields where the
 * payload starts and how long it is. */
static void next_field(const unsigned char *buf, size_t len, size_t *pos,
		       uint64_t *field, size_t *start, size_t *payload,
		       size_t *payload_len)
{
	uint64_t tag, v;

	*start = *pos;
	read_varint(buf, len, pos, &tag);
	*field = tag >> 3;
	*payload_len = 0;
	if ((tag & 7) == 1 || (tag & 7) == 5) {
		*payload = *pos;
		*pos += (tag & 7) == 1 ? 8 : 4;
		return;
	}
	read_varint(buf, len, pos, &v);
	*payload = *pos;
	if ((tag & 7) == 2) {
		*payload_len = (size_t)v;
		*pos += (size_t)v;
	}
}

static int read_one_sample(struct pprof_reader *r, const pb_sample *s,
			   size_t i, uint32_t **frames, size_t *alloc)
{
	const pb_profile *pb = r->pb;
	struct profile *p = r->p;
	double values[PROFILE_MAX_VALUES] = { 0 };
	int64_t pid = -1, tid = -1, time_ns = -1;
	const char *thread_name = NULL;
	int has_thread = 0;
	size_t nr = 0, j, k;

	if (s->n_value != pb->n_sample_type)
		return bad(r, "sample %zu has %zu values but the profile has %zu sample types",
			   i, s->n_value, pb->n_sample_type);
	for (j = 0; j < s->n_value && j < PROFILE_MAX_VALUES; j++)
		values[j] = (double)s->value[j];
	for (j = 0; j < s->n_label; j++) {
		const pb_label *l = s->label[j];
		const char *key;

		if (check_string(r, l->key, "a label key") ||
		    check_string(r, l->str, "a label value") ||
		    check_string(r, l->num_unit, "a label unit"))
			return -1;
		key = str_text(r, l->key);
		if (!strcmp(key, "thread") || !strcmp(key, "thread_comm") ||
		    (!strcmp(key, "comm") && !thread_name)) {
			thread_name = str_text(r, l->str);
			has_thread = 1;
		} else if (!strcmp(key, "tid")) {
			tid = l->num;
			has_thread = 1;
		} else if (!strcmp(key, "pid")) {
			pid = l->num;
			has_thread = 1;
		} else if (!strcmp(key, "timestamp_ns")) {
			time_ns = l->num;
		}
	}
	/* location ids are leaf first; the model wants root first */
	for (j = s->n_location_id; j-- > 0;) {
		uint32_t slot = id_map_find(&r->locations, s->location_id[j]);

		if (!slot)
			return bad(r, "sample %zu refers to location %" PRIu64 ", which does not exist",
				   i, s->location_id[j]);
		slot--;
		grow_array((void **)frames, sizeof(**frames),
			   nr + r->loc_count[slot], alloc);
		for (k = 0; k < r->loc_count[slot]; k++)
			(*frames)[nr++] = r->loc_frames[r->loc_start[slot] + k];
	}
	profile_add(p, profile_stack_from_frames(p, *frames, nr),
		    has_thread ? profile_thread(p, pid, tid, thread_name) : 0,
		    time_ns, values);
	return 0;
}

/* Samples are decoded one at a time from the raw buffer, so a profile of
 * a million samples never exists as a million decoded messages. */
static int read_samples(struct pprof_reader *r, const unsigned char *data,
			size_t len)
{
	uint32_t *frames = NULL;
	size_t alloc = 0, pos = 0, i = 0, start, payload, payload_len;
	uint64_t field;
	int ret = 0;

	while (pos < len && !ret) {
		pb_sample *s;

		next_field(data, len, &pos, &field, &start, &payload, &payload_len);
		if (field != 2)
			continue;
		s = perftools__profiles__sample__unpack(NULL, payload_len,
							 data + payload);
		if (!s) {
			ret = bad(r, "sample %zu is corrupt (bad varint or truncated field)", i);
			break;
		}
		ret = read_one_sample(r, s, i++, &frames, &alloc);
		perftools__profiles__sample__free_unpacked(s, NULL);
	}
	free(frames);
	return ret;
}

static void reader_release(struct pprof_reader *r)
{
	free(r->str);
	hash_index_free(r->functions.index);
	hash_index_free(r->mappings.index);
	hash_index_free(r->locations.index);
	free(r->function_ids);
	free(r->mapping_ids);
	free(r->location_ids);
	free(r->loc_start);
	free(r->loc_count);
	free(r->loc_frames);
}

int pprof_read_buffer(const unsigned char *data, size_t len, const char *name,
		      struct profile *p, const struct read_options *o)
{
	struct pprof_reader r;
	pb_profile *pb;
	size_t fields;
	const char *why;
	int ret;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.p = p;
	why = pprof_check_wire(data, len, 0, &fields);
	if (why)
		return error("%s: not a valid pprof profile: %s (is the file complete and really pprof?)",
			     name, why);
	/* everything but the samples, decoded at once (protobuf messages
	 * concatenate, so the other fields alone still form a Profile) */
	{
		unsigned char *rest = xmalloc(len + 1);
		size_t pos = 0, rest_len = 0, start, payload, payload_len;
		uint64_t field;

		while (pos < len) {
			next_field(data, len, &pos, &field, &start, &payload,
				   &payload_len);
			if (field == 2)
				continue;
			memcpy(rest + rest_len, data + start, pos - start);
			rest_len += pos - start;
		}
		pb = perftools__profiles__profile__unpack(NULL, rest_len, rest);
		free(rest);
	}
	if (!pb)
		return error("%s: not a valid pprof profile: a nested message is corrupt or truncated (is the file complete and really pprof?)",
			     name);
	r.pb = pb;
	if (o && o->keep_samples)
		p->keep_samples = 1;
	ret = intern_strings(&r);
	if (!ret)
		ret = check_tables(&r);
	if (!ret) {
		build_location_frames(&r);
		read_meta(&r);
		ret = read_value_types(&r);
	}
	if (!ret)
		ret = read_samples(&r, data, len);
	reader_release(&r);
	perftools__profiles__profile__free_unpacked(pb, NULL);
	return ret;
}

static int pprof_read(struct input *in, struct profile *p,
		      const struct read_options *o)
{
	unsigned char *data;
	size_t len;
	int ret;

	if (input_read_all(in, &data, &len, 0) < 0)
		return -1;
	ret = pprof_read_buffer(data, len, input_name(in), p, o);
	free(data);
	return ret;
}

const struct format_reader pprof_reader = {
	.name = "pprof",
	.probe = pprof_probe,
	.read = pprof_read,
};
