/*
 * perfdata_parse.c - perf.data header, attrs and feature sections, as
 * plain bounds-checked byte parsing.  See perfdata.h.  Record bodies are
 * decoded by perf/record.c, the decoder the live ring reader uses too.
 *
 * Never symbolizes, never touches a profile and never prints: callers
 * decide what a -1 means.  Layouts: reference formats.md section 1.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/perfdata.h"
#include "perf/cursor.h"
#include "util/xalloc.h"

#define FILE_HEADER_SIZE 104
#define PIPE_HEADER_SIZE 16
#define MAX_FEATURES 256

/* perf_header_string: u32 len (with NUL and padding), then the bytes. */
static char *take_string(struct perf_cursor *c)
{
	uint32_t len = perf_cursor_u32(c);
	const unsigned char *s = perf_cursor_skip(c, len);

	if (!s)
		return NULL;
	return xstrndup((const char *)s, strnlen((const char *)s, len));
}

static uint64_t attr_field(const unsigned char *a, size_t len, size_t off,
			   int bytes)
{
	if (off + bytes > len)
		return 0;
	return bytes == 8 ? perfdata_u64(a + off) : perfdata_u32(a + off);
}

void perfdata_attr_layout(const struct perfdata_attr *a, struct perf_layout *l)
{
	l->sample_type = a->sample_type;
	l->read_format = a->read_format;
	l->branch_sample_type = a->branch_sample_type;
	l->regs_user_mask = a->regs_user_mask;
	l->regs_intr_mask = a->regs_intr_mask;
	l->sample_id_all = (a->flags & (1ULL << 18)) != 0;
}

int perfdata_add_attr(struct perfdata_header *h, const unsigned char *attr,
		      size_t attr_len, const unsigned char *ids, size_t nr_ids)
{
	struct perfdata_attr *a;
	size_t i;

	if (attr_len < 64 || h->nr_attrs >= 4096)
		return -1;
	grow_array((void **)&h->attrs, sizeof(*h->attrs), h->nr_attrs + 1,
		   &h->alloc_attrs);
	a = &h->attrs[h->nr_attrs++];
	memset(a, 0, sizeof(*a));
	a->type = (uint32_t)attr_field(attr, attr_len, 0, 4);
	a->config = attr_field(attr, attr_len, 8, 8);
	a->sample_period = attr_field(attr, attr_len, 16, 8);
	a->sample_type = attr_field(attr, attr_len, 24, 8);
	a->read_format = attr_field(attr, attr_len, 32, 8);
	a->flags = attr_field(attr, attr_len, 40, 8);
	a->branch_sample_type = attr_field(attr, attr_len, 72, 8);
	a->regs_user_mask = attr_field(attr, attr_len, 80, 8);
	a->stack_user = (uint32_t)attr_field(attr, attr_len, 88, 4);
	a->regs_intr_mask = attr_field(attr, attr_len, 96, 8);
	perfdata_attr_layout(a, &a->layout);
	a->nr_ids = nr_ids;
	a->ids = nr_ids ? xmalloc(nr_ids * sizeof(*a->ids)) : NULL;
	for (i = 0; i < nr_ids; i++)
		a->ids[i] = perfdata_u64(ids + 8 * i);
	return 0;
}

static void add_buildid(struct perfdata_header *h, struct perf_cursor *c)
{
	const unsigned char *start = c->p;
	uint16_t size;
	struct perfdata_buildid *b;

	if (!perf_cursor_need(c, 8))
		return;
	size = (uint16_t)(perfdata_u32(c->p + 4) >> 16);
	if (size < 8 + 4 + 24 || !perf_cursor_skip(c, size)) {
		c->bad = 1;
		return;
	}
	grow_array((void **)&h->buildids, sizeof(*h->buildids),
		   h->nr_buildids + 1, &h->alloc_buildids);
	b = &h->buildids[h->nr_buildids++];
	b->pid = (int32_t)perfdata_u32(start + 8);
	memcpy(b->id, start + 12, 20);
	b->size = start[32] <= 20 ? start[32] : 20;
	if (!(perfdata_u32(start + 4) & 0x8000u))
		b->size = 20;
	b->filename = xstrndup((const char *)start + 36,
			       strnlen((const char *)start + 36, size - 36));
}

static void event_desc(struct perfdata_header *h, struct perf_cursor *c)
{
	uint32_t nr = perf_cursor_u32(c), attr_size = perf_cursor_u32(c), i, j;

	for (i = 0; i < nr && !c->bad; i++) {
		const unsigned char *attr = perf_cursor_skip(c, attr_size);
		uint32_t nr_ids = perf_cursor_u32(c);
		char *name = take_string(c);
		const unsigned char *ids = perf_cursor_skip(c, (uint64_t)nr_ids * 8);
		size_t k;

		if (!attr || !name || !ids) {
			free(name);
			return;
		}
		/* match by id; fall back to position */
		for (k = 0; k < h->nr_attrs; k++) {
			int hit = 0;

			for (j = 0; j < nr_ids && !hit; j++)
				for (size_t m = 0; m < h->attrs[k].nr_ids; m++)
					if (h->attrs[k].ids[m] ==
					    perfdata_u64(ids + 8 * j))
						hit = 1;
			if (hit)
				break;
		}
		if (k == h->nr_attrs)
			k = i;
		if (k < h->nr_attrs && !h->attrs[k].name) {
			h->attrs[k].name = name;
			name = NULL;
		}
		free(name);
	}
}

static void set_string(char **slot, struct perf_cursor *c)
{
	char *s = take_string(c);

	if (!s)
		return;
	free(*slot);
	*slot = s;
}

int perfdata_parse_feature(struct perfdata_header *h, int bit,
			   const unsigned char *p, size_t len)
{
	struct perf_cursor c = { p, p + len, 0 };

	switch (bit) {
	case 2:		/* BUILD_ID */
		while (c.p < c.end && !c.bad)
			add_buildid(h, &c);
		break;
	case 3:
		set_string(&h->hostname, &c);
		break;
	case 4:
		set_string(&h->osrelease, &c);
		break;
	case 5:
		set_string(&h->version, &c);
		break;
	case 6:
		set_string(&h->arch, &c);
		break;
	case 11: {	/* CMDLINE: string list */
		uint32_t nr = perf_cursor_u32(&c), i;
		size_t total = 0;
		char *line = NULL;

		for (i = 0; i < nr && !c.bad; i++) {
			char *arg = take_string(&c);
			size_t n;

			if (!arg)
				break;
			n = strlen(arg);
			line = xrealloc(line, total + n + 2);
			if (total)
				line[total++] = ' ';
			memcpy(line + total, arg, n + 1);
			total += n;
			free(arg);
		}
		if (line) {
			free(h->cmdline);
			h->cmdline = line;
		}
		break;
	}
	case 12:
		event_desc(h, &c);
		break;
	case 21:	/* SAMPLE_TIME */
		h->first_sample_time = perf_cursor_u64(&c);
		h->last_sample_time = perf_cursor_u64(&c);
		break;
	default:
		break;
	}
	if (c.bad) {
		h->bad_features++;
		return -1;
	}
	return 0;
}

int perfdata_parse_header(const unsigned char *buf, size_t len,
			  struct perfdata_header *h, int *truncated,
			  const char **why)
{
	uint64_t magic, hsize, attr_size, attrs_off, attrs_size, n, i;
	uint64_t features[4];
	const unsigned char *table;
	int bit, nr_sections = 0;

	memset(h, 0, sizeof(*h));
	*truncated = 0;
	if (len < PIPE_HEADER_SIZE) {
		*why = "file too short for a perf.data header";
		return -1;
	}
	magic = perfdata_u64(buf);
	if (magic == __builtin_bswap64(PERFDATA_MAGIC)) {
		*why = "opposite-endian perf.data files are not supported";
		return -1;
	}
	if (!memcmp(buf, "PERFFILE", 8)) {
		*why = "obsolete perf.data version 1";
		return -1;
	}
	if (magic != PERFDATA_MAGIC) {
		*why = "not a perf.data file (no PERFILE2 magic)";
		return -1;
	}
	hsize = perfdata_u64(buf + 8);
	if (hsize == PIPE_HEADER_SIZE) {
		h->pipe = 1;
		h->data_offset = PIPE_HEADER_SIZE;
		h->data_size = len - PIPE_HEADER_SIZE;
		return 0;
	}
	if (hsize != FILE_HEADER_SIZE || len < FILE_HEADER_SIZE) {
		*why = len < FILE_HEADER_SIZE ? "file too short for its header" :
			"unexpected perf.data header size";
		return -1;
	}
	attr_size = perfdata_u64(buf + 16);
	attrs_off = perfdata_u64(buf + 24);
	attrs_size = perfdata_u64(buf + 32);
	h->data_offset = perfdata_u64(buf + 40);
	h->data_size = perfdata_u64(buf + 48);
	for (i = 0; i < 4; i++)
		features[i] = perfdata_u64(buf + 72 + 8 * i);

	if (attr_size < 64 + 16 || attr_size > 4096 || attrs_off > len ||
	    attrs_size > len - attrs_off) {
		*why = "attribute section out of bounds";
		return -1;
	}
	n = attrs_size / attr_size;
	for (i = 0; i < n; i++) {
		const unsigned char *a = buf + attrs_off + i * attr_size;
		uint64_t ids_off = perfdata_u64(a + attr_size - 16);
		uint64_t ids_size = perfdata_u64(a + attr_size - 8);
		uint64_t alen = perfdata_u32(a + 4);
		const unsigned char *ids = NULL;

		if (alen == 0 || alen > attr_size - 16)
			alen = attr_size - 16;
		/* the id table's address is formed only once it is known to
		 * lie inside the buffer: buf + ids_off past the end is UB */
		if (ids_off <= len && ids_size <= len - ids_off)
			ids = buf + ids_off;
		else
			ids_size = 0;
		if (perfdata_add_attr(h, a, alen, ids, ids_size / 8)) {
			*why = "bad event attribute";
			return -1;
		}
	}
	if (!h->nr_attrs) {
		*why = "no event attributes";
		return -1;
	}

	if (h->data_offset > len) {
		*truncated = 1;
		h->data_offset = h->data_size = 0;
		return 0;
	}
	/* perf killed before it rewrote the header: data size 0, records
	 * up to the end of the file */
	if (h->data_size == 0)
		h->data_size = len - h->data_offset;
	if (h->data_size > len - h->data_offset) {
		*truncated = 1;
		h->data_size = len - h->data_offset;
		return 0;
	}

	/* feature section table right after the data */
	table = buf + h->data_offset + h->data_size;
	for (bit = 1; bit < MAX_FEATURES; bit++) {
		const unsigned char *e;
		uint64_t off, size;

		if (!(features[bit / 64] & (1ULL << (bit % 64))))
			continue;
		e = table + 16 * nr_sections++;
		if ((size_t)(e + 16 - buf) > len) {
			*truncated = 1;
			break;
		}
		off = perfdata_u64(e);
		size = perfdata_u64(e + 8);
		if (off > len || size > len - off) {
			h->bad_features++;
			continue;
		}
		perfdata_parse_feature(h, bit, buf + off, size);
	}
	return 0;
}

void perfdata_name_attrs(struct perfdata_header *h)
{
	static const char *const software[] = {
		"cpu-clock", "task-clock", "page-faults", "context-switches",
		"cpu-migrations", "minor-faults", "major-faults",
		"alignment-faults", "emulation-faults", "dummy",
	};
	static const char *const hardware[] = {
		"cycles", "instructions", "cache-references", "cache-misses",
		"branches", "branch-misses", "bus-cycles",
	};
	char buf[64];
	size_t i;

	for (i = 0; i < h->nr_attrs; i++) {
		struct perfdata_attr *a = &h->attrs[i];

		if (a->name)
			continue;
		if (a->type == 1 && a->config < sizeof(software) / sizeof(*software))
			a->name = xstrdup(software[a->config]);
		else if (a->type == 0 && a->config < sizeof(hardware) / sizeof(*hardware))
			a->name = xstrdup(hardware[a->config]);
		else {
			snprintf(buf, sizeof(buf), "event-%u:%llu", a->type,
				 (unsigned long long)a->config);
			a->name = xstrdup(buf);
		}
	}
}

void perfdata_header_release(struct perfdata_header *h)
{
	size_t i;

	for (i = 0; i < h->nr_attrs; i++) {
		free(h->attrs[i].ids);
		free(h->attrs[i].name);
	}
	free(h->attrs);
	for (i = 0; i < h->nr_buildids; i++)
		free(h->buildids[i].filename);
	free(h->buildids);
	free(h->hostname);
	free(h->osrelease);
	free(h->arch);
	free(h->version);
	free(h->cmdline);
	memset(h, 0, sizeof(*h));
}

static const struct perfdata_attr *attr_by_id(const struct perfdata_header *h,
					      uint64_t id)
{
	size_t i, j;

	for (i = 0; i < h->nr_attrs; i++)
		for (j = 0; j < h->attrs[i].nr_ids; j++)
			if (h->attrs[i].ids[j] == id)
				return &h->attrs[i];
	return NULL;
}

const struct perfdata_attr *perfdata_record_attr(const struct perfdata_header *h,
						  const unsigned char *body,
						  size_t len, int sample)
{
	uint64_t t;
	size_t off;

	if (!h->nr_attrs)
		return NULL;
	if (h->nr_attrs == 1)
		return &h->attrs[0];
	t = h->attrs[0].sample_type;
	if (t & PERFDATA_S_IDENTIFIER) {
		if (len < 8)
			return NULL;
		return attr_by_id(h, perfdata_u64(sample ? body :
						  body + len - 8));
	}
	if (!(t & PERFDATA_S_ID))
		return &h->attrs[0];
	if (sample) {
		off = 0;
		off += (t & PERFDATA_S_IP) ? 8 : 0;
		off += (t & PERFDATA_S_TID) ? 8 : 0;
		off += (t & PERFDATA_S_TIME) ? 8 : 0;
		off += (t & PERFDATA_S_ADDR) ? 8 : 0;
	} else {
		size_t n = perf_trailer_size(t);

		if (len < n)
			return NULL;
		off = len - n;
		off += (t & PERFDATA_S_TID) ? 8 : 0;
		off += (t & PERFDATA_S_TIME) ? 8 : 0;
	}
	if (off + 8 > len)
		return NULL;
	return attr_by_id(h, perfdata_u64(body + off));
}

int64_t perfdata_record_time(const struct perfdata_header *h, uint32_t type,
			     const unsigned char *body, size_t len)
{
	const struct perfdata_attr *a;

	a = perfdata_record_attr(h, body, len, type == PERFDATA_SAMPLE);
	return a ? perf_record_time(&a->layout, type, body, len) : -1;
}

int perfdata_parse_sample(const struct perfdata_attr *a,
			  const unsigned char *body, size_t len,
			  struct perfdata_sample *s)
{
	struct perf_layout l;

	perfdata_attr_layout(a, &l);
	return perf_sample_decode(&l, body, len, s);
}
