/*
 * test_pprof.c - unit tests of the pprof reader and writer: a lossless
 * round trip of every field the model has, and one test per kind of
 * corrupt input (bad gzip, truncation, bad varints, out-of-range string
 * indexes, dangling ids, value count mismatches).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/format.h"
#include "formats/formats.h"
#include "formats/pprof.h"
#include "model/profile.h"
#include "profile.pb-c.h"
#include "util/input.h"
#include "util/strbuf.h"
#include "test.h"

/* Writes p with the pprof writer into a malloc'ed buffer. */
static unsigned char *write_pprof(const struct profile *p, size_t *len)
{
	static const struct write_options wo;
	char *buf = NULL;
	FILE *f = open_memstream(&buf, len);

	CHECK(pprof_writer.write(p, f, &wo) == 0);
	fclose(f);
	return (unsigned char *)buf;
}

static int read_pprof(const unsigned char *data, size_t len, struct profile *p,
		      int keep)
{
	struct read_options ro = { 0 };
	struct input *in = input_from_memory(data, len, "mem.pb.gz");
	int ret;

	ro.keep_samples = keep;
	ret = pprof_reader.read(in, p, &ro);
	input_close(in);
	return ret;
}

/* Runs fn with stderr captured into out. */
static int capture_stderr(int (*fn)(const void *), const void *arg,
			  char *out, size_t out_len)
{
	FILE *tmp = tmpfile();
	int saved = dup(2), ret;
	size_t n;

	fflush(stderr);
	dup2(fileno(tmp), 2);
	ret = fn(arg);
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	rewind(tmp);
	n = fread(out, 1, out_len - 1, tmp);
	out[n] = '\0';
	fclose(tmp);
	return ret;
}

struct buffer {
	const unsigned char *data;
	size_t len;
};

static int read_raw(const void *arg)
{
	const struct buffer *b = arg;
	struct profile p;
	int ret;

	profile_init(&p);
	ret = read_pprof(b->data, b->len, &p, 0);
	profile_release(&p);
	return ret;
}

/* Expects data to be rejected with one line mentioning want. */
static void expect_rejected(const unsigned char *data, size_t len,
			    const char *want)
{
	struct buffer b = { data, len };
	char err[1024];
	int ret = capture_stderr(read_raw, &b, err, sizeof(err));
	char *nl = strchr(err, '\n');

	CHECK(ret == -1);
	CHECK(strstr(err, "mem.pb.gz") != NULL);
	CHECK(strstr(err, want) != NULL);
	CHECK(nl && nl[1] == '\0');	/* exactly one line */
	if (!strstr(err, want))
		printf("  stderr was: %s", err);
}

static void folded_text(const struct profile *p, struct strbuf *out)
{
	static const struct write_options wo;
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	CHECK(folded_writer.write(p, f, &wo) == 0);
	fclose(f);
	strbuf_add(out, buf, len);
	free(buf);
}

/* A profile using every field the model has: two values, modules and
 * addresses, an inlined frame, a Python frame, two named threads,
 * timestamps and metadata. */
static void build_rich_profile(struct profile *pp)
{
	static const char *const types[] = { "samples", "cpu" };
	static const char *const units[] = { "count", "nanoseconds" };
	struct profile p;
	struct frame f;
	uint32_t fr[4], s1, s2, t1, t2;
	double v1[PROFILE_MAX_VALUES] = { 3, 3000 }, v2[PROFILE_MAX_VALUES] = { 1, 1000 };

	profile_init(&p);
	p.keep_samples = 1;
	profile_set_value_types(&p, 2, types, units);
	memset(&f, 0, sizeof(f));
	f.name = profile_intern(&p, "main");
	f.file = profile_intern(&p, "main.c");
	f.module = profile_intern(&p, "/usr/bin/prog");
	f.line = 10;
	f.address = 0x1234;
	fr[0] = profile_frame(&p, &f);
	f.name = profile_intern(&p, "compute");
	f.line = 20;
	f.address = 0x1300;
	fr[1] = profile_frame(&p, &f);
	f.name = profile_intern(&p, "helper");
	f.line = 30;
	f.address = 0;
	f.kind = FRAME_INLINED;
	fr[2] = profile_frame(&p, &f);
	memset(&f, 0, sizeof(f));
	f.name = profile_intern(&p, "work");
	f.file = profile_intern(&p, "/app/work.py");
	f.line = 7;
	f.kind = FRAME_PYTHON;
	fr[3] = profile_frame(&p, &f);
	s1 = profile_stack_from_frames(&p, fr, 3);
	s2 = profile_stack_from_frames(&p, fr, 2);
	t1 = profile_thread(&p, 100, 100, "main");
	t2 = profile_thread(&p, 100, 101, "worker \"1\"");
	profile_add(&p, s1, t1, 1000, v1);
	profile_add(&p, s2, t2, 2000, v2);
	profile_add(&p, profile_stack_push(&p, s2, fr[3]), t2, 3000, v2);
	p.meta.start_ns = 1700000000000000000LL;
	p.meta.duration_ns = 5000000000LL;
	p.meta.period = 10000000;
	p.meta.period_type.type = profile_intern(&p, "cpu");
	p.meta.period_type.unit = profile_intern(&p, "nanoseconds");
	p.meta.command = profile_intern(&p, "python3 app.py --fast");
	p.meta.pid = 100;
	p.meta.rate_hz = 100;
	profile_set_build_id(&p, profile_intern(&p, "/usr/bin/prog"),
			     "4fa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3");

	*pp = p;
}

static void test_round_trip_every_field(void)
{
	struct profile p, q;
	struct strbuf a, b;
	unsigned char *data;
	size_t len, i;
	int inlined = 0;

	build_rich_profile(&p);
	data = write_pprof(&p, &len);
	CHECK(len > 2 && data[0] == 0x1f && data[1] == 0x8b);
	profile_init(&q);
	CHECK(read_pprof(data, len, &q, 1) == 0);

	CHECK(q.nr_values == 2);
	CHECK_STR(profile_str(&q, q.value_types[1].type), "cpu");
	CHECK_STR(profile_str(&q, q.value_types[1].unit), "nanoseconds");
	CHECK(q.meta.start_ns == p.meta.start_ns);
	CHECK(q.meta.duration_ns == p.meta.duration_ns);
	CHECK(q.meta.period == 10000000);
	CHECK_STR(profile_str(&q, q.meta.period_type.type), "cpu");
	CHECK_STR(profile_str(&q, q.meta.command), "python3 app.py --fast");
	CHECK(q.meta.pid == 100);
	CHECK(q.meta.rate_hz == 100);
	CHECK_STR(profile_str(&q, profile_build_id(&q, strtab_lookup(&q.strings,
				"/usr/bin/prog", 13))),
		  "4fa1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3");
	CHECK(q.nr_samples == 3);
	CHECK(q.nr_samples == 3 && q.samples[0].time_ns == 1000 &&
	      q.samples[2].time_ns == 3000);
	CHECK(profile_sum(&q, 0) == 5 && profile_sum(&q, 1) == 5000);
	CHECK(q.nr_threads == 3);
	for (i = 1; i < q.nr_threads; i++) {
		const struct thread_info *t = &q.threads[i];

		CHECK(t->pid == 100);
		CHECK(t->tid == 100 || t->tid == 101);
		CHECK_STR(profile_str(&q, t->name),
			  t->tid == 100 ? "main" : "worker \"1\"");
	}
	/* every frame field survives */
	for (i = 1; i < q.nr_frames; i++) {
		const struct frame *g = &q.frames[i];
		const char *name = profile_str(&q, g->name);

		if (!strcmp(name, "helper")) {
			inlined++;
			CHECK(g->kind == FRAME_INLINED);
			CHECK(g->line == 30);
			CHECK_STR(profile_str(&q, g->file), "main.c");
		} else if (!strcmp(name, "compute")) {
			CHECK(g->address == 0x1300);
			CHECK_STR(profile_str(&q, g->module), "/usr/bin/prog");
			CHECK(g->kind == FRAME_NATIVE);
		} else if (!strcmp(name, "work")) {
			CHECK(g->kind == FRAME_PYTHON);
			CHECK(g->line == 7);
		}
	}
	CHECK(inlined == 1);

	strbuf_init(&a);
	strbuf_init(&b);
	folded_text(&p, &a);
	folded_text(&q, &b);
	CHECK_STR(a.buf, b.buf);
	strbuf_release(&a);
	strbuf_release(&b);
	free(data);
	profile_release(&p);
	profile_release(&q);
}

static void test_aggregated_when_no_times(void)
{
	struct profile p, q;
	uint32_t f, s;
	unsigned char *data;
	size_t len;
	int i;

	profile_init(&p);
	f = profile_frame_named(&p, "loop", 4, FRAME_NATIVE);
	s = profile_stack_push(&p, 0, f);
	for (i = 0; i < 1000; i++)
		profile_add1(&p, s, 0, -1, 1);
	data = write_pprof(&p, &len);
	profile_init(&q);
	CHECK(read_pprof(data, len, &q, 0) == 0);
	CHECK(q.nr_totals == 1 && q.totals[0].value[0] == 1000);
	CHECK(q.nr_threads == 1);
	free(data);
	profile_release(&p);
	profile_release(&q);
}

/* A name with a NUL byte (folded text can carry one) is written with
 * U+FFFD in its place, so our own reader takes the profile back. */
static void test_nul_in_name_round_trips(void)
{
	struct profile p, q;
	uint32_t f, s;
	unsigned char *data;
	size_t len, i;
	int found = 0;

	profile_init(&p);
	f = profile_frame_named(&p, "a\0b", 3, FRAME_NATIVE);
	s = profile_stack_push(&p, 0, f);
	profile_add1(&p, s, 0, -1, 7);
	data = write_pprof(&p, &len);
	profile_init(&q);
	CHECK(read_pprof(data, len, &q, 0) == 0);
	for (i = 1; i < q.nr_frames; i++)
		found |= !strcmp(profile_str(&q, q.frames[i].name), "a\xef\xbf\xbd" "b");
	CHECK(found);
	CHECK(q.nr_totals == 1 && q.totals[0].value[0] == 7);
	free(data);
	profile_release(&p);
	profile_release(&q);
}

static int write_to_memory(const void *arg)
{
	static const struct write_options wo;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret = pprof_writer.write(arg, f, &wo);

	fclose(f);
	free(buf);
	return ret;
}

/* A count beyond int64 (1e308 from a folded or speedscope file) is
 * refused with one line instead of being written as a negative count. */
static void test_refuses_huge_counts(void)
{
	static const double huge[] = { 1e308, 9.3e18, -1e300 };
	struct profile p;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(huge) / sizeof(huge[0]); i++) {
		profile_init(&p);
		profile_add1(&p, profile_stack_push(&p, 0,
			profile_frame_named(&p, "f", 1, FRAME_NATIVE)), 0, -1, huge[i]);
		CHECK(capture_stderr(write_to_memory, &p, err, sizeof(err)) < 0);
		CHECK(strstr(err, "does not fit a 64-bit integer") != NULL);
		CHECK(strchr(err, '\n') == err + strlen(err) - 1);
		profile_release(&p);
	}
}

static void test_main_binary_mapping_first(void)
{
	struct profile p;
	struct frame f;
	uint32_t fr[2];
	unsigned char *data;
	size_t len;
	struct input *in;
	unsigned char *raw;
	size_t raw_len;
	Perftools__Profiles__Profile *pb;

	profile_init(&p);
	p.meta.command = profile_intern(&p, "/opt/app/server --port 80");
	memset(&f, 0, sizeof(f));
	f.name = profile_intern(&p, "memcpy");
	f.module = profile_intern(&p, "/lib/libc.so.6");
	f.address = 0x10;
	fr[1] = profile_frame(&p, &f);
	f.name = profile_intern(&p, "main");
	f.module = profile_intern(&p, "/opt/app/server");
	fr[0] = profile_frame(&p, &f);
	profile_add1(&p, profile_stack_from_frames(&p, fr, 2), 0, -1, 1);
	data = write_pprof(&p, &len);
	in = input_from_memory(data, len, "mem");
	CHECK(input_read_all(in, &raw, &raw_len, 0) == 0);
	input_close(in);
	pb = perftools__profiles__profile__unpack(NULL, raw_len, raw);
	CHECK(pb && pb->n_mapping == 2);
	if (pb && pb->n_mapping == 2) {
		const ProtobufCBinaryData *name =
			&pb->string_table[pb->mapping[0]->filename];

		CHECK(pb->mapping[0]->id == 1);
		CHECK(name->len == 15 && !memcmp(name->data, "/opt/app/server", 15));
	}
	perftools__profiles__profile__free_unpacked(pb, NULL);
	free(raw);
	free(data);
	profile_release(&p);
}

static void test_empty_profile(void)
{
	struct profile p, q;
	unsigned char *data;
	size_t len;

	profile_init(&p);
	data = write_pprof(&p, &len);
	profile_init(&q);
	CHECK(read_pprof(data, len, &q, 0) == 0);
	CHECK(q.nr_totals == 0);
	free(data);
	profile_release(&p);
	profile_release(&q);
}

/* A small valid message to corrupt: "", samples, count, main. */
struct sample_profile {
	Perftools__Profiles__Profile pb;
	Perftools__Profiles__ValueType type, *types[1];
	Perftools__Profiles__Function fn, *fns[1];
	Perftools__Profiles__Line line, *lines[1];
	Perftools__Profiles__Location loc, *locs[1];
	Perftools__Profiles__Sample sample, *samples[1];
	Perftools__Profiles__Label label, *labels[1];
	ProtobufCBinaryData strings[5];
	uint64_t loc_ids[1];
	int64_t values[2];
};

static void sample_profile_init(struct sample_profile *s)
{
	static const char *const text[] = { "", "samples", "count", "main", "thread" };
	int i;

	memset(s, 0, sizeof(*s));
	perftools__profiles__profile__init(&s->pb);
	perftools__profiles__value_type__init(&s->type);
	perftools__profiles__function__init(&s->fn);
	perftools__profiles__line__init(&s->line);
	perftools__profiles__location__init(&s->loc);
	perftools__profiles__sample__init(&s->sample);
	perftools__profiles__label__init(&s->label);
	for (i = 0; i < 5; i++) {
		s->strings[i].data = (uint8_t *)text[i];
		s->strings[i].len = strlen(text[i]);
	}
	s->pb.string_table = s->strings;
	s->pb.n_string_table = 5;
	s->type.type = 1;
	s->type.unit = 2;
	s->types[0] = &s->type;
	s->pb.sample_type = s->types;
	s->pb.n_sample_type = 1;
	s->fn.id = 1;
	s->fn.name = 3;
	s->fns[0] = &s->fn;
	s->pb.function = s->fns;
	s->pb.n_function = 1;
	s->line.function_id = 1;
	s->lines[0] = &s->line;
	s->loc.id = 1;
	s->loc.line = s->lines;
	s->loc.n_line = 1;
	s->locs[0] = &s->loc;
	s->pb.location = s->locs;
	s->pb.n_location = 1;
	s->loc_ids[0] = 1;
	s->sample.location_id = s->loc_ids;
	s->sample.n_location_id = 1;
	s->values[0] = 5;
	s->sample.value = s->values;
	s->sample.n_value = 1;
	s->label.key = 4;
	s->label.str = 3;
	s->labels[0] = &s->label;
	s->sample.label = s->labels;
	s->sample.n_label = 1;
	s->samples[0] = &s->sample;
	s->pb.sample = s->samples;
	s->pb.n_sample = 1;
}

static unsigned char *pack(struct sample_profile *s, size_t *len)
{
	unsigned char *buf;

	*len = perftools__profiles__profile__get_packed_size(&s->pb);
	buf = malloc(*len + 1);
	perftools__profiles__profile__pack(&s->pb, buf);
	return buf;
}

static void test_hand_built_profile_reads(void)
{
	struct sample_profile s;
	struct profile p;
	unsigned char *buf;
	size_t len;

	sample_profile_init(&s);
	buf = pack(&s, &len);
	profile_init(&p);
	CHECK(read_pprof(buf, len, &p, 0) == 0);	/* raw, not gzip */
	CHECK(p.nr_totals == 1 && p.totals[0].value[0] == 5);
	CHECK(p.nr_threads == 2);
	CHECK_STR(profile_str(&p, p.threads[1].name), "main");
	profile_release(&p);
	free(buf);
}

static void test_skips_unknown_fields(void)
{
	static const unsigned char extra[] = {
		0xa0, 0x01, 0x05,			/* field 20, varint */
		0xaa, 0x01, 0x02, 'h', 'i',		/* field 21, bytes */
		0xb1, 0x01, 1, 2, 3, 4, 5, 6, 7, 8,	/* field 22, fixed64 */
		0xbd, 0x01, 1, 2, 3, 4,			/* field 23, fixed32 */
	};
	struct sample_profile s;
	struct profile p;
	unsigned char *buf;
	size_t len;

	sample_profile_init(&s);
	buf = pack(&s, &len);
	buf = realloc(buf, len + sizeof(extra));
	memcpy(buf + len, extra, sizeof(extra));
	profile_init(&p);
	CHECK(read_pprof(buf, len + sizeof(extra), &p, 0) == 0);
	CHECK(p.nr_totals == 1 && p.totals[0].value[0] == 5);
	profile_release(&p);
	/* a group (wire type 3) is not something a Profile can hold */
	buf[len] = 0xa3;
	expect_rejected(buf, len + 2, "unknown wire type");
	free(buf);
}

static void test_rejects_semantic_errors(void)
{
	struct sample_profile s;
	unsigned char *buf;
	size_t len;

	sample_profile_init(&s);
	s.fn.name = 99;
	buf = pack(&s, &len);
	expect_rejected(buf, len, "past the string table");
	free(buf);

	sample_profile_init(&s);
	s.label.str = -1;
	buf = pack(&s, &len);
	expect_rejected(buf, len, "past the string table");
	free(buf);

	sample_profile_init(&s);
	s.loc_ids[0] = 7;
	buf = pack(&s, &len);
	expect_rejected(buf, len, "location 7, which does not exist");
	free(buf);

	sample_profile_init(&s);
	s.line.function_id = 9;
	buf = pack(&s, &len);
	expect_rejected(buf, len, "function 9, which does not exist");
	free(buf);

	sample_profile_init(&s);
	s.loc.mapping_id = 3;
	buf = pack(&s, &len);
	expect_rejected(buf, len, "mapping 3, which does not exist");
	free(buf);

	sample_profile_init(&s);
	s.sample.n_value = 2;
	buf = pack(&s, &len);
	expect_rejected(buf, len, "has 2 values but the profile has 1");
	free(buf);

	sample_profile_init(&s);
	s.loc.id = 0;
	s.loc_ids[0] = 0;
	buf = pack(&s, &len);
	expect_rejected(buf, len, "zero or used twice");
	free(buf);

	sample_profile_init(&s);
	s.strings[0].data = (uint8_t *)"x";
	s.strings[0].len = 1;
	buf = pack(&s, &len);
	expect_rejected(buf, len, "string_table[0] is not empty");
	free(buf);
}

static void test_rejects_wire_errors(void)
{
	struct sample_profile s;
	unsigned char *buf, *gz, bad_varint[16], garbage[] = { 0x1f, 0x8b, 8, 0, 1, 2, 3 };
	size_t len, gz_len, i;
	struct profile p;

	sample_profile_init(&s);
	buf = pack(&s, &len);
	/* truncated anywhere: always a clean error */
	for (i = 1; i < len; i++) {
		struct buffer b = { buf, i };
		char err[512];

		CHECK(capture_stderr(read_raw, &b, err, sizeof(err)) == -1 ||
		      i == 0);
	}
	expect_rejected(buf, len - 1, "not a valid pprof profile");
	free(buf);

	/* a varint that never ends */
	bad_varint[0] = 0x48;	/* field 9 (time_nanos), varint */
	for (i = 1; i < sizeof(bad_varint); i++)
		bad_varint[i] = 0xff;
	expect_rejected(bad_varint, sizeof(bad_varint), "bad varint");

	/* a length past the end */
	bad_varint[0] = 0x32;	/* field 6, length-delimited */
	bad_varint[1] = 0x7f;
	expect_rejected(bad_varint, 4, "past the end");

	/* gzip header followed by garbage */
	expect_rejected(garbage, sizeof(garbage), "gzip");

	/* a gzip stream cut short */
	profile_init(&p);
	profile_add1(&p, profile_stack_push(&p, 0,
					    profile_frame_named(&p, "f", 1, FRAME_NATIVE)),
		     0, -1, 1);
	gz = write_pprof(&p, &gz_len);
	expect_rejected(gz, gz_len - 6, "gzip");
	free(gz);
	profile_release(&p);
}

static void test_probe(void)
{
	const struct format_reader *r = format_reader_find("pprof");
	static const unsigned char folded[] = "main;work 12\n";
	struct sample_profile s;
	unsigned char *buf;
	size_t len;

	CHECK(r && r->probe(folded, sizeof(folded) - 1) == 0);
	sample_profile_init(&s);
	buf = pack(&s, &len);
	CHECK(r->probe(buf, len) > 50);
	CHECK(r->probe(buf, len / 2) > 50);	/* a cut head still probes */
	free(buf);
}

int main(int argc, char **argv)
{
	/* "--write FILE": the rich profile for end-to-end checks with the
	 * real pprof tool */
	if (argc == 3 && !strcmp(argv[1], "--write")) {
		struct profile p;
		unsigned char *data;
		size_t len;
		FILE *f = fopen(argv[2], "wb");

		build_rich_profile(&p);
		data = write_pprof(&p, &len);
		if (!f || fwrite(data, 1, len, f) != len || fclose(f))
			return 1;
		free(data);
		profile_release(&p);
		return 0;
	}
	RUN(test_round_trip_every_field);
	RUN(test_aggregated_when_no_times);
	RUN(test_nul_in_name_round_trips);
	RUN(test_refuses_huge_counts);
	RUN(test_main_binary_mapping_first);
	RUN(test_empty_profile);
	RUN(test_hand_built_profile_reads);
	RUN(test_skips_unknown_fields);
	RUN(test_rejects_semantic_errors);
	RUN(test_rejects_wire_errors);
	RUN(test_probe);
	TEST_EXIT();
}
