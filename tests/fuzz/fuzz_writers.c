/*
 * fuzz_writers.c - a libFuzzer target for every writer.  Each input is
 * read with the reader detection picks (as `scorch convert` does; folded
 * when none fits), then written with every writer, and what each wrote
 * must hold up:
 *   pprof       our pprof reader reads it back, with the same sample total
 *               (up to rounding: pprof counts are integers)
 *   speedscope  it is valid JSON, and our speedscope reader reads it back
 *   folded      our folded reader reads it back
 *   svg, html   a whole document (ends with </svg> / </html>), no NUL
 * A writer may refuse a profile (return -1 after one error line, e.g. for
 * counts no 64-bit integer holds); then nothing is checked.  A broken
 * invariant aborts, which libFuzzer reports as a crash.  Built and run by
 * tests/fuzz/run.sh; never linked into scorch.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "formats/formats.h"
#include "formats/json.h"
#include "model/profile.h"
#include "util/input.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond, what)						\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "fuzz_writers: %s: %s\n",	\
				w->name, what);				\
			abort();					\
		}							\
	} while (0)

static int read_back(const struct format_reader *r, const char *buf,
		     size_t len, struct profile *q)
{
	static const struct read_options ro;
	struct input *in = input_from_memory(buf, len, "written");
	int ret = in ? r->read(in, q, &ro) : -1;

	if (in)
		input_close(in);
	return ret;
}

static int ends_with(const char *buf, size_t len, const char *tail)
{
	size_t n = strlen(tail);

	return len >= n && !memcmp(buf + len - n, tail, n);
}

/* pprof holds integers: each written row (a kept sample, else a stack's
 * total) is rounded, so the total may move by half a unit per row. */
static double rounding_slack(const struct profile *p)
{
	return 0.5 * ((double)p->nr_totals + (double)p->nr_samples) + 0.5;
}

static void check(const struct format_writer *w, const struct profile *p,
		  const char *buf, size_t len)
{
	struct profile q;

	profile_init(&q);
	if (!strcmp(w->name, "pprof")) {
		double a = profile_sum(p, p->nr_values - 1), b;

		REQUIRE(read_back(&pprof_reader, buf, len, &q) == 0,
			"our reader rejects what the writer wrote");
		b = profile_sum(&q, q.nr_values - 1);
		REQUIRE(fabs(a - b) <= 1e-9 * fabs(a) + rounding_slack(p),
			"the sample total changed");
	} else if (!strcmp(w->name, "speedscope")) {
		struct json_doc doc;
		char err[128];

		memset(&doc, 0, sizeof(doc));
		REQUIRE(json_parse(&doc, buf, len, err, sizeof(err)) == 0,
			"not valid JSON");
		json_release(&doc);
		REQUIRE(read_back(&speedscope_reader, buf, len, &q) == 0,
			"our reader rejects what the writer wrote");
	} else if (!strcmp(w->name, "folded")) {
		REQUIRE(read_back(&folded_reader, buf, len, &q) == 0,
			"our reader rejects what the writer wrote");
	} else if (!strcmp(w->name, "svg")) {
		REQUIRE(ends_with(buf, len, "</svg>\n"), "SVG not complete");
		REQUIRE(!memchr(buf, '\0', len), "NUL byte in SVG");
	} else if (!strcmp(w->name, "html")) {
		REQUIRE(ends_with(buf, len, "</html>\n"), "HTML not complete");
		REQUIRE(!memchr(buf, '\0', len), "NUL byte in HTML");
	}
	profile_release(&q);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const writers[] = {
		"folded", "pprof", "speedscope", "svg", "html",
	};
	struct read_options ro = { 0 };
	struct write_options wo = { 0 };
	const struct format_reader *r;
	struct profile p;
	struct input *in;
	size_t i;

	in = input_from_memory(data, size, "fuzz-input");
	if (!in)
		return 0;
	r = format_detect(in);
	if (!r)
		r = format_reader_find("folded");
	ro.keep_samples = size & 1;
	profile_init(&p);
	if (r->read(in, &p, &ro) == 0) {
		for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
			const struct format_writer *w = format_writer_find(writers[i]);
			char *buf = NULL;
			size_t len = 0;
			FILE *out;
			int ret;

			if (!w)
				abort();
			out = open_memstream(&buf, &len);
			ret = w->write(&p, out, &wo);
			fclose(out);
			if (ret == 0)
				check(w, &p, buf, len);
			free(buf);
		}
	}
	input_close(in);
	profile_release(&p);
	return 0;
}
