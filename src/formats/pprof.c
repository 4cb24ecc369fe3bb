/*
 * pprof.c - the pprof format (gzip-compressed profile.proto), read and write.
 *
 * Encoding and decoding go through protobuf-c code generated at build time
 * from our own formats/profile.proto; the layout and its rules are in
 * ../shared/reference/formats.md section 3.  The reader checks every index
 * and id before using it and rejects a corrupt file with one line; it never
 * trusts the input.  The writer only reads the profile.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "formats/formats.h"
#include "formats/pprof.h"
#include "model/profile.h"
#include "profile.pb-c.h"
#include "util/error.h"
#include "util/text.h"
#include "util/hash.h"
#include "util/input.h"
#include "util/xalloc.h"
#include "version.h"

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__ValueType pb_value_type;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Label pb_label;
typedef Perftools__Profiles__Mapping pb_mapping;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Function pb_function;

/* Comments carrying metadata the format has no field for. */
#define META_COMMAND "scorch.command="
#define META_EVENT "scorch.event="
#define META_PID "scorch.pid="
#define META_RATE "scorch.rate_hz="

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
	if (text_ends_with(file, strlen(file), ".py") || text_ends_with(file, strlen(file), ".pyw"))
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
		r->p->meta.differential = 1;
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

/* ------------------------------------------------------------------ */
/* Writing.                                                           */

struct pprof_writer {
	const struct profile *p;

	ProtobufCBinaryData *strings;	/* profile strings, then extras */
	size_t nr_strings, alloc_strings;

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

static void writer_release(struct pprof_writer *w)
{
	size_t i;

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
		return error("pprof: cannot start the gzip compressor");
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
	memset(&w, 0, sizeof(w));
	w.p = p;
	w.nr_strings = w.alloc_strings = p->strings.nr;
	w.strings = xcalloc(w.alloc_strings + 1, sizeof(*w.strings));
	for (i = 0; i < p->strings.nr; i++) {
		w.strings[i].data = (uint8_t *)p->strings.ptr[i];
		w.strings[i].len = p->strings.len[i];
	}
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
		if (ret < 0)
			error("pprof: writing the compressed profile failed");
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

const struct format_reader pprof_reader = {
	.name = "pprof",
	.probe = pprof_probe,
	.read = pprof_read,
};

const struct format_writer pprof_writer = {
	.name = "pprof",
	.extensions = ".pb.gz .pprof .pb",
	.write = pprof_write,
};
