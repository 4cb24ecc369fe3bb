/*
 * test_speedscope.c - unit tests of the JSON parser and escaper and of the
 * speedscope reader and writer: escaping of hostile names, round trips,
 * time-ordered samples per thread, and every malformed document the
 * reader must reject with one line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/format.h"
#include "formats/formats.h"
#include "formats/json.h"
#include "formats/speedscope.h"
#include "model/profile.h"
#include "util/strbuf.h"
#include "test.h"

static char *write_speedscope(const struct profile *p, const char *title)
{
	struct write_options wo = { 0 };
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	wo.title = title;
	CHECK(speedscope_writer.write(p, f, &wo) == 0);
	fclose(f);
	return buf;
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

static void test_json_escape(void)
{
	struct strbuf sb;

	strbuf_init(&sb);
	json_append_string(&sb, "a\"b\\c\n\x01", 7);
	CHECK_STR(sb.buf, "\"a\\\"b\\\\c\\u000a\\u0001\"");
	strbuf_reset(&sb);
	json_append_string(&sb, "caf\xc3\xa9 \xff\xfe \xe2\x82", 11);
	CHECK_STR(sb.buf, "\"caf\xc3\xa9 \\ufffd\\ufffd \\ufffd\\ufffd\"");
	strbuf_reset(&sb);
	/* overlong encoding and a UTF-16 surrogate are invalid too */
	json_append_string(&sb, "\xc0\xaf\xed\xa0\x80", 5);
	CHECK_STR(sb.buf, "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"");
	strbuf_release(&sb);
}

static void test_json_parse(void)
{
	static const char doc[] =
		"{\"a\": [1, -2.5e3, true, false, null], \"s\": \"x\\u00e9\\ud83d\\ude00\\n\"}";
	struct json_doc d;
	char err[128];
	uint32_t a, s, c;

	CHECK(json_parse(&d, doc, strlen(doc), err, sizeof(err)) == 0);
	a = json_member(&d, 1, "a");
	s = json_member(&d, 1, "s");
	CHECK(a && json_node(&d, a)->type == JSON_ARRAY);
	c = json_node(&d, a)->child;
	CHECK(c && json_node(&d, c)->number == 1);
	c = json_node(&d, c)->next;
	CHECK(c && json_node(&d, c)->number == -2500);
	CHECK(s && !strcmp(json_string(&d, s), "x\xc3\xa9\xf0\x9f\x98\x80\n"));
	CHECK(json_member(&d, 1, "missing") == 0);
	json_release(&d);
}

static void test_json_errors(void)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\" 1}", "\"unterminated", "[1] x", "01",
		"\"a\x01\"", "[\"\\q\"]", "tru", "1e", "\"\\u12\"",
	};
	char deep[1000];
	struct json_doc d;
	char err[128];
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = json_parse(&d, bad[i], strlen(bad[i]), err, sizeof(err));

		CHECK(r == -1);
		if (r == 0)
			printf("  accepted: %s\n", bad[i]);
		CHECK(strstr(err, "line 1 column") != NULL);
		json_release(&d);
	}
	memset(deep, '[', sizeof(deep));
	CHECK(json_parse(&d, deep, sizeof(deep), err, sizeof(err)) == -1);
	CHECK(strstr(err, "nested deeper") != NULL);
	json_release(&d);
}

static void test_round_trip(void)
{
	struct profile p, q;
	struct strbuf a, b;
	struct frame f;
	uint32_t fr[3];
	char *json;

	profile_init(&p);
	fr[0] = profile_frame_named(&p, "main", 4, FRAME_NATIVE);
	memset(&f, 0, sizeof(f));
	f.name = profile_intern(&p, "work \"quoted\"\ttab");
	f.file = profile_intern(&p, "/app/work.py");
	f.line = 12;
	f.kind = FRAME_PYTHON;
	fr[1] = profile_frame(&p, &f);
	fr[2] = profile_frame_named(&p, "\xff\xfe raw", 6, FRAME_NATIVE);
	profile_add1(&p, profile_stack_from_frames(&p, fr, 2), 0, -1, 7);
	profile_add1(&p, profile_stack_from_frames(&p, fr, 1), 0, -1, 3);
	profile_add1(&p, profile_stack_push(&p, 0, fr[2]), 0, -1, 1);
	json = write_speedscope(&p, "t");
	CHECK(strstr(json, "\"$schema\":\"https://www.speedscope.app/file-format-schema.json\"") != NULL);
	CHECK(strstr(json, "\"exporter\":\"scorch@") != NULL);
	CHECK(strstr(json, "\"file\":\"/app/work.py\",\"line\":12") != NULL);
	CHECK(strstr(json, "work \\\"quoted\\\"\\u0009tab") != NULL);

	profile_init(&q);
	CHECK(speedscope_read_buffer(json, strlen(json), "mem.json", &q, NULL) == 0);
	strbuf_init(&a);
	strbuf_init(&b);
	folded_text(&p, &a);
	folded_text(&q, &b);
	/* invalid UTF-8 comes back as U+FFFD; everything else is equal */
	CHECK(strstr(b.buf, "main;work \"quoted\"\ttab (/app/work.py:12) 7\n") != NULL);
	CHECK(strstr(b.buf, "main 3\n") != NULL);
	CHECK(strstr(b.buf, "\xef\xbf\xbd\xef\xbf\xbd raw 1\n") != NULL);
	strbuf_release(&a);
	strbuf_release(&b);
	free(json);
	profile_release(&p);
	profile_release(&q);
}

static void test_time_order_per_thread(void)
{
	struct profile p, q;
	uint32_t a, b, t1, t2;
	char *json, *first, *second;

	profile_init(&p);
	p.keep_samples = 1;
	a = profile_stack_push(&p, 0, profile_frame_named(&p, "A", 1, FRAME_NATIVE));
	b = profile_stack_push(&p, 0, profile_frame_named(&p, "B", 1, FRAME_NATIVE));
	t1 = profile_thread(&p, 10, 11, "one");
	t2 = profile_thread(&p, 10, 12, "two");
	/* arrival order differs from time order */
	profile_add1(&p, b, t1, 300, 1);
	profile_add1(&p, a, t1, 100, 2);
	profile_add1(&p, a, t2, 200, 4);
	profile_add1(&p, b, t1, 200, 1);
	json = write_speedscope(&p, NULL);
	first = strstr(json, "\"name\":\"one pid: 10 tid: 11\"");
	second = strstr(json, "\"name\":\"two pid: 10 tid: 12\"");
	CHECK(first && second && first < second);
	CHECK(strstr(json, "\"samples\":[[0],[1],[1]],\"weights\":[2,1,1],\"endValue\":4") != NULL);
	CHECK(strstr(json, "\"samples\":[[0]],\"weights\":[4]") != NULL);

	profile_init(&q);
	{
		struct read_options ro = { 0 };

		/* unit "none": samples kept in order, but no invented times */
		ro.keep_samples = 1;
		CHECK(speedscope_read_buffer(json, strlen(json), "mem.json", &q,
					     &ro) == 0);
		CHECK(q.nr_samples == 4 && q.samples[0].time_ns == -1);
	}
	CHECK(q.nr_threads == 3);
	CHECK(q.nr_threads == 3 && q.threads[1].tid == 11 &&
	      !strcmp(profile_str(&q, q.threads[1].name), "one"));
	CHECK(profile_sum(&q, 0) == 8);
	free(json);
	profile_release(&p);
	profile_release(&q);
}

static void test_evented(void)
{
	static const char doc[] =
		"{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
		"\"shared\":{\"frames\":[{\"name\":\"a\"},{\"name\":\"b\"}]},"
		"\"profiles\":[{\"type\":\"evented\",\"name\":\"x\",\"unit\":\"milliseconds\","
		"\"startValue\":0,\"endValue\":10,\"events\":["
		"{\"type\":\"O\",\"frame\":0,\"at\":0},{\"type\":\"O\",\"frame\":1,\"at\":2},"
		"{\"type\":\"C\",\"frame\":1,\"at\":7},{\"type\":\"C\",\"frame\":0,\"at\":10}]}]}";
	struct profile q;
	struct strbuf b;

	profile_init(&q);
	CHECK(speedscope_read_buffer(doc, strlen(doc), "ev.json", &q, NULL) == 0);
	strbuf_init(&b);
	folded_text(&q, &b);
	CHECK_STR(b.buf, "a 5\na;b 5\n");
	CHECK_STR(profile_str(&q, q.value_types[0].unit), "milliseconds");
	strbuf_release(&b);
	profile_release(&q);

	/* kept samples carry times in ns when the unit is a time */
	{
		struct read_options ro = { 0 };

		ro.keep_samples = 1;
		profile_init(&q);
		CHECK(speedscope_read_buffer(doc, strlen(doc), "ev.json", &q, &ro) == 0);
		/* a [0,2), a;b [2,7), a [7,10) */
		CHECK(q.nr_samples == 3);
		CHECK(q.nr_samples == 3 && q.samples[0].time_ns == 0 &&
		      q.samples[1].time_ns == 2000000 &&
		      q.samples[2].time_ns == 7000000);
		profile_release(&q);
	}
}

/* 200 000 nested opens then their closes, one time unit apart: the old
 * reader rebuilt the whole open stack on every event (quadratic: 20 000
 * took 4 s, 200 000 would take minutes); now each event is O(1).  The
 * size is the check; the run's timeout (tests/run.sh) is the hang guard. */
static void test_evented_deep(void)
{
	enum { DEPTH = 200000 };
	struct strbuf doc;
	struct profile q;
	size_t i;

	strbuf_init(&doc);
	strbuf_addstr(&doc, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
		      "\"shared\":{\"frames\":[{\"name\":\"f\"},{\"name\":\"g\"}]},"
		      "\"profiles\":[{\"type\":\"evented\",\"name\":\"x\",\"unit\":\"none\","
		      "\"startValue\":0,\"endValue\":1,\"events\":[");
	for (i = 0; i < DEPTH; i++)
		strbuf_addf(&doc, "%s{\"type\":\"O\",\"frame\":%d,\"at\":%zu}",
			    i ? "," : "", (int)(i & 1), i);
	for (i = DEPTH; i > 0; i--)
		strbuf_addf(&doc, ",{\"type\":\"C\",\"frame\":%d,\"at\":%zu}",
			    (int)((i - 1) & 1), 2 * DEPTH - i);
	strbuf_addstr(&doc, "]}]}");

	profile_init(&q);
	CHECK(speedscope_read_buffer(doc.buf, doc.len, "deep.json", &q, NULL) == 0);
	/* every depth 1..DEPTH-1 is open for 2 units, the deepest for 1 */
	CHECK(q.nr_stacks == DEPTH + 1);
	CHECK(profile_sum(&q, 0) == 2.0 * DEPTH - 1);
	/* the deepest stack alternates f, g from the root */
	for (i = 1; i < q.nr_stacks; i++)
		if (q.stacks[i].depth == DEPTH)
			break;
	CHECK(i < q.nr_stacks);
	if (i < q.nr_stacks) {
		uint32_t *frames = malloc(DEPTH * sizeof(*frames));

		profile_stack_frames(&q, (uint32_t)i, frames);
		CHECK_STR(profile_str(&q, q.frames[frames[0]].name), "f");
		CHECK_STR(profile_str(&q, q.frames[frames[DEPTH - 1]].name), "g");
		free(frames);
	}
	profile_release(&q);

	/* closing the wrong frame is still refused */
	strbuf_reset(&doc);
	strbuf_addstr(&doc, "{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
		      "\"shared\":{\"frames\":[{\"name\":\"f\"},{\"name\":\"g\"}]},"
		      "\"profiles\":[{\"type\":\"evented\",\"name\":\"x\",\"unit\":\"none\","
		      "\"startValue\":0,\"endValue\":1,\"events\":["
		      "{\"type\":\"O\",\"frame\":0,\"at\":0},{\"type\":\"O\",\"frame\":1,\"at\":1},"
		      "{\"type\":\"C\",\"frame\":0,\"at\":2}]}]}");
	profile_init(&q);
	CHECK(speedscope_read_buffer(doc.buf, doc.len, "wrong.json", &q, NULL) < 0);
	profile_release(&q);
	strbuf_release(&doc);
}

static int write_to_memory(const void *arg)
{
	static const struct write_options wo;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int ret = speedscope_writer.write(arg, f, &wo);

	fclose(f);
	if (ret == 0)
		CHECK(strstr(buf, "inf") == NULL);
	free(buf);
	return ret;
}

/* Weights whose sum is not a finite double would print endValue:inf,
 * which is not JSON: the writer refuses with one line.  The reader
 * refuses weights of 2^63 or more, which no counter holds. */
static void test_huge_weights(void)
{
	static const char doc[] =
		"{\"$schema\":\"https://www.speedscope.app/file-format-schema.json\","
		"\"shared\":{\"frames\":[{\"name\":\"a\"}]},"
		"\"profiles\":[{\"type\":\"sampled\",\"name\":\"x\",\"unit\":\"none\","
		"\"startValue\":0,\"endValue\":1,\"samples\":[[0]],\"weights\":[1e308]}]}";
	struct profile p;
	uint32_t a, b;

	profile_init(&p);
	a = profile_stack_push(&p, 0, profile_frame_named(&p, "a", 1, FRAME_NATIVE));
	b = profile_stack_push(&p, 0, profile_frame_named(&p, "b", 1, FRAME_NATIVE));
	profile_add1(&p, a, 0, -1, 1e308);
	CHECK(write_to_memory(&p) == 0);
	profile_add1(&p, b, 0, -1, 1e308);
	CHECK(write_to_memory(&p) < 0);
	profile_release(&p);

	profile_init(&p);
	CHECK(speedscope_read_buffer(doc, strlen(doc), "huge.json", &p, NULL) < 0);
	profile_release(&p);
}

struct doc_case {
	const char *json, *why;
};

static int read_doc(const void *arg)
{
	const struct doc_case *c = arg;
	struct profile p;
	int r;

	profile_init(&p);
	r = speedscope_read_buffer(c->json, strlen(c->json), "bad.json", &p, NULL);
	profile_release(&p);
	return r;
}

static void test_rejects(void)
{
#define HEAD "{\"shared\":{\"frames\":[{\"name\":\"a\"}]},\"profiles\":["
	static const struct doc_case cases[] = {
		{ "{\"shared\":", "not valid JSON" },
		{ "[]", "top level is not an object" },
		{ "{\"profiles\":[]}", "shared.frames" },
		{ HEAD "{\"type\":\"sampled\",\"samples\":[[0]],\"weights\":[]}]}", "fewer weights" },
		{ HEAD "{\"type\":\"sampled\",\"samples\":[[0]],\"weights\":[1,2]}]}", "more weights" },
		{ HEAD "{\"type\":\"sampled\",\"samples\":[[5]],\"weights\":[1]}]}", "out of range" },
		{ HEAD "{\"type\":\"sampled\",\"samples\":[[0.5]],\"weights\":[1]}]}", "out of range" },
		{ HEAD "{\"type\":\"sampled\",\"samples\":[[0]],\"weights\":[-1]}]}", "non-negative" },
		{ HEAD "{\"type\":\"sampled\",\"samples\":[0],\"weights\":[1]}]}", "not an array" },
		{ HEAD "{\"type\":\"weird\"}]}", "neither" },
		{ HEAD "{\"type\":\"evented\",\"events\":[{\"type\":\"O\",\"frame\":0,\"at\":5},"
		  "{\"type\":\"C\",\"frame\":0,\"at\":1}]}]}", "backwards" },
		{ HEAD "{\"type\":\"evented\",\"events\":[{\"type\":\"O\",\"frame\":0,\"at\":5}]}]}",
		  "still open" },
		{ HEAD "{\"type\":\"evented\",\"events\":[{\"type\":\"C\",\"frame\":0,\"at\":5}]}]}",
		  "not open" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		FILE *tmp = tmpfile();
		int saved = dup(2), r;
		char err[512];
		size_t n;

		fflush(stderr);
		dup2(fileno(tmp), 2);
		r = read_doc(&cases[i]);
		fflush(stderr);
		dup2(saved, 2);
		close(saved);
		rewind(tmp);
		n = fread(err, 1, sizeof(err) - 1, tmp);
		err[n] = '\0';
		fclose(tmp);
		CHECK(r == -1);
		CHECK(strstr(err, "bad.json") != NULL);
		CHECK(strstr(err, cases[i].why) != NULL);
		CHECK(strchr(err, '\n') == err + n - 1);
		if (!strstr(err, cases[i].why))
			printf("  case %zu: %s", i, err);
	}
#undef HEAD
}

static void test_probe(void)
{
	const struct format_reader *r = format_reader_find("speedscope");
	static const char yes[] = "  {\"$schema\":\"https://www.speedscope.app/file-format-schema.json\"";
	static const char no[] = "{\"traceEvents\":[]}";

	CHECK(r && r->probe((const unsigned char *)yes, strlen(yes)) > 50);
	CHECK(r->probe((const unsigned char *)no, strlen(no)) == 0);
}

int main(void)
{
	RUN(test_json_escape);
	RUN(test_json_parse);
	RUN(test_json_errors);
	RUN(test_round_trip);
	RUN(test_time_order_per_thread);
	RUN(test_evented);
	RUN(test_evented_deep);
	RUN(test_huge_weights);
	RUN(test_rejects);
	RUN(test_probe);
	TEST_EXIT();
}
