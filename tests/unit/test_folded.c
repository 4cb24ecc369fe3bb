/*
 * test_folded.c - unit tests of the folded reader's detection and limits:
 * negative counts are folded lines (skipped with a warning, as
 * flamegraph.pl skips them), a first line longer than the detection window
 * is still folded, and counts no 64-bit counter holds are refused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/format.h"
#include "formats/formats.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/input.h"
#include "util/strbuf.h"
#include "test.h"

/* Detects the format of text as format_read_path does; NULL if none. */
static const char *detect(const char *text, size_t len)
{
	struct input *in = input_from_memory(text, len, "mem");
	const struct format_reader *r = format_detect(in);

	input_close(in);
	return r ? r->name : NULL;
}

static int read_folded(const char *text, size_t len, struct profile *p)
{
	static const struct read_options ro;
	struct input *in = input_from_memory(text, len, "mem");
	int ret = folded_reader.read(in, p, &ro);

	input_close(in);
	return ret;
}

static void test_negative_counts_are_folded(void)
{
	static const char text[] = "a;b -5\na;c 3\nd -2.5\n";
	struct profile p;
	unsigned long before = warning_count();
	const char *name = detect(text, strlen(text));

	CHECK(name && !strcmp(name, "folded"));
	profile_init(&p);
	CHECK(read_folded(text, strlen(text), &p) == 0);
	CHECK(profile_sum(&p, 0) == 3);		/* only a;c */
	CHECK(warning_count() > before);
	profile_release(&p);
}

/* One stack of 3 million frames on the first line: far more than the
 * 64 KiB detection window. */
static void test_long_first_line(void)
{
	struct strbuf sb;
	struct profile p;
	const char *name;
	size_t i;
	uint32_t deepest = 0;

	strbuf_init(&sb);
	for (i = 0; i < 3000000; i++)
		strbuf_addf(&sb, "%sf%zu", i ? ";" : "", i % 7);
	strbuf_addstr(&sb, " 5\na;b 2\n");
	name = detect(sb.buf, sb.len);
	CHECK(name && !strcmp(name, "folded"));
	profile_init(&p);
	CHECK(read_folded(sb.buf, sb.len, &p) == 0);
	CHECK(profile_sum(&p, 0) == 7);
	for (i = 1; i < p.nr_stacks; i++)
		if (p.stacks[i].depth > deepest)
			deepest = p.stacks[i].depth;
	CHECK(deepest == 3000000);
	profile_release(&p);
	strbuf_release(&sb);

	/* long text that is not folded stays unrecognised */
	strbuf_init(&sb);
	for (i = 0; i < 10000; i++)
		strbuf_addstr(&sb, "lorem ipsum ");
	name = detect(sb.buf, sb.len);
	CHECK(name == NULL);
	strbuf_release(&sb);
}

static void test_huge_counts_refused(void)
{
	static const char *const texts[] = {
		"a;b 1\na;c 9223372036854775808\n",
		"a;b 1 99999999999999999999999\n",
	};
	struct profile p;
	size_t i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		profile_init(&p);
		CHECK(read_folded(texts[i], strlen(texts[i]), &p) < 0);
		profile_release(&p);
	}
	/* just below 2^63 is a count */
	profile_init(&p);
	CHECK(read_folded("a 9223372036854774784\n", 22, &p) == 0);
	profile_release(&p);
}

int main(void)
{
	error_set_quiet(1);
	RUN(test_negative_counts_are_folded);
	RUN(test_long_first_line);
	RUN(test_huge_counts_refused);
	TEST_EXIT();
}
