/*
 * test_diff.c - unit tests of model/diff.c: the file key frames match by,
 * finding a profile's main script (with and without its command line),
 * and the differential profile of two runs with renamed main scripts
 * (matched frames, before/after values, scaling, --by name and line), and
 * of two unrelated scripts (not matched); --normalize's scale (of the
 * kept stacks, at each side's scale).
 */
#include <stdlib.h>
#include <string.h>

#include "model/aggregate.h"
#include "model/diff.h"
#include "model/profile.h"
#include "util/strbuf.h"
#include "test.h"

static uint32_t pyframe(struct profile *p, const char *name, const char *file,
			int line)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.name = profile_intern(p, name);
	f.file = profile_intern(p, file);
	f.line = line;
	f.kind = FRAME_PYTHON;
	return profile_frame(p, &f);
}

static void key_is(const char *path, const char *want)
{
	struct strbuf sb;

	strbuf_init(&sb);
	diff_file_key(path, &sb);
	CHECK_STR(strbuf_str(&sb), want);
	strbuf_release(&sb);
}

static void test_file_key(void)
{
	key_is("/tmp/x/before.py", "before.py");
	key_is("before.py", "before.py");
	key_is("/usr/lib/python3.11/json/__init__.py", "json/__init__.py");
	key_is("/a/pkg/__main__.py", "pkg/__main__.py");
	key_is("__init__.py", "__init__.py");
	key_is("<frozen importlib._bootstrap>", "<frozen importlib._bootstrap>");
	key_is("<string>", "<string>");
}

/* A run of script (e.g. "/w/before.py"): `<module>;main;run_dummy` with
 * run weight, and an import stack whose outermost frame is a library's
 * `<module>` with lib weight. */
static void make_run(struct profile *p, const char *script, double run,
		     double lib, int line_shift)
{
	uint32_t f[3];

	f[0] = pyframe(p, "<module>", script, 30 + line_shift);
	f[1] = pyframe(p, "main", script, 26 + line_shift);
	f[2] = pyframe(p, "run_dummy", script, 16 + line_shift);
	profile_add1(p, profile_stack_from_frames(p, f, 3), 0, -1, run);
	f[0] = pyframe(p, "<module>", "/usr/lib/python3/certifi/__init__.py", 1);
	f[1] = pyframe(p, "helper", "/usr/lib/python3/certifi/core.py", 5);
	profile_add1(p, profile_stack_from_frames(p, f, 2), 0, -1, lib);
}

static void test_main_script(void)
{
	struct profile p;

	profile_init(&p);
	make_run(&p, "/w/before.py", 5, 20, 0);
	/* no command line: the heaviest outermost <module> file */
	CHECK_STR(profile_str(&p, diff_main_script(&p)),
		  "/usr/lib/python3/certifi/__init__.py");
	/* the command line names the script: that one, however light */
	p.meta.command = profile_intern(&p, "python3 -X dev /w/before.py 4000");
	CHECK_STR(profile_str(&p, diff_main_script(&p)), "/w/before.py");
	p.meta.command = profile_intern(&p, "python3 other.py");
	CHECK(diff_main_script(&p) == 0);
	profile_release(&p);
}

static double value_of(const struct aggregate *a, const char *label)
{
	uint32_t k = strtab_lookup(&a->keys, label, strlen(label));

	return k ? a->total[k] : -1;
}

static void test_renamed_scripts(void)
{
	struct profile b, a, d;
	struct diff_options o;
	struct aggregate ab, aa;
	uint32_t renamed = 0;

	profile_init(&b);
	profile_init(&a);
	make_run(&b, "/w/before.py", 400, 6, 0);
	b.meta.command = profile_intern(&b, "python3 before.py");
	make_run(&a, "/v/after.py", 3, 6, -1);
	a.meta.command = profile_intern(&a, "python3 after.py");

	memset(&o, 0, sizeof(o));
	o.by = AGGREGATE_FUNCTION;
	profile_init(&d);
	diff_profiles(&d, &b, &a, &o, &renamed);
	CHECK(renamed && !strcmp(profile_str(&d, renamed),
				 "before.py \xe2\x86\x92 after.py"));
	CHECK(d.meta.differential == PROFILE_DIFF_BOTH && d.nr_values == 2);
	aggregate_init(&ab, AGGREGATE_FUNCTION);
	aggregate_init(&aa, AGGREGATE_FUNCTION);
	aggregate_add(&ab, &d, 0, NULL, 0, 0);
	aggregate_add(&aa, &d, 1, NULL, 0, 0);
	CHECK(value_of(&ab, "run_dummy (before.py \xe2\x86\x92 after.py)") == 400);
	CHECK(value_of(&aa, "run_dummy (before.py \xe2\x86\x92 after.py)") == 3);
	CHECK(value_of(&ab, "helper (core.py)") == 6);
	CHECK(value_of(&aa, "helper (core.py)") == 6);
	CHECK(ab.sum == 406 && aa.sum == 9);
	/* lines are dropped: one run_dummy frame, whatever line it was on */
	CHECK(d.nr_frames - 1 == 5);
	aggregate_release(&ab);
	aggregate_release(&aa);
	profile_release(&d);

	/* scaled before; by line keeps lines apart (the scripts' lines
	 * differ by one, so run_dummy appears twice) */
	o.by = AGGREGATE_LINE;
	o.scale_before = 0.5;
	profile_init(&d);
	diff_profiles(&d, &b, &a, &o, NULL);
	CHECK(profile_sum(&d, 0) == 203 && profile_sum(&d, 1) == 9);
	aggregate_init(&ab, AGGREGATE_LINE);
	aggregate_add(&ab, &d, 0, NULL, 0, 0);
	CHECK(value_of(&ab, "run_dummy (before.py \xe2\x86\x92 after.py:16)") == 200);
	CHECK(value_of(&ab, "run_dummy (before.py \xe2\x86\x92 after.py:15)") == 0);
	aggregate_release(&ab);
	profile_release(&d);

	/* by name: no files at all, so nothing to rename */
	o.by = AGGREGATE_NAME;
	o.scale_before = 0;
	profile_init(&d);
	diff_profiles(&d, &b, &a, &o, &renamed);
	CHECK(renamed == 0);
	aggregate_init(&aa, AGGREGATE_NAME);
	aggregate_add(&aa, &d, 1, NULL, 0, 0);
	CHECK(value_of(&aa, "run_dummy") == 3);
	aggregate_release(&aa);
	profile_release(&d);

	profile_release(&b);
	profile_release(&a);
}

/* Two main scripts that share no function are two programs: not matched. */
static void test_unrelated_scripts(void)
{
	struct profile b, a, d;
	struct diff_options o;
	uint32_t f[2], renamed = 1;

	profile_init(&b);
	profile_init(&a);
	make_run(&b, "/w/before.py", 10, 1, 0);
	f[0] = pyframe(&a, "<module>", "/w/server.py", 3);
	f[1] = pyframe(&a, "serve", "/w/server.py", 9);
	profile_add1(&a, profile_stack_from_frames(&a, f, 2), 0, -1, 10);
	memset(&o, 0, sizeof(o));
	profile_init(&d);
	diff_profiles(&d, &b, &a, &o, &renamed);
	CHECK(renamed == 0);
	profile_release(&d);
	profile_release(&b);
	profile_release(&a);
}

/* before (406) scaled to after's total (9), over all stacks or the kept
 * ones; equal totals and an empty side leave the scale alone. */
static void test_normalize(void)
{
	struct profile b, a, empty;
	struct diff_options o;
	uint8_t *keep;

	profile_init(&b);
	profile_init(&a);
	profile_init(&empty);
	make_run(&b, "/w/before.py", 400, 6, 0);
	make_run(&a, "/v/after.py", 3, 6, -1);
	CHECK(profile_kept_sum(&b, NULL) == 406);
	memset(&o, 0, sizeof(o));
	CHECK(diff_normalize(&b, &a, &o) == 1);
	CHECK(o.scale_before * 406 > 8.999 && o.scale_before * 406 < 9.001);

	/* each side at its own scale first: after counts double */
	memset(&o, 0, sizeof(o));
	o.scale_after = 2;
	CHECK(diff_normalize(&b, &a, &o) == 1);
	CHECK(o.scale_before * 406 > 17.999 && o.scale_before * 406 < 18.001);

	/* only the kept stacks count: keep none of before's but the first */
	keep = calloc(b.nr_stacks, 1);
	keep[b.totals[0].stack] = 1;
	memset(&o, 0, sizeof(o));
	o.keep_before = keep;
	CHECK(profile_kept_sum(&b, keep) == b.totals[0].value[0]);
	CHECK(diff_normalize(&b, &a, &o) == 1);
	CHECK(o.scale_before * b.totals[0].value[0] > 8.999 &&
	      o.scale_before * b.totals[0].value[0] < 9.001);
	free(keep);

	memset(&o, 0, sizeof(o));
	CHECK(diff_normalize(&b, &b, &o) == 0 && o.scale_before == 0);
	CHECK(diff_normalize(&b, &empty, &o) == 0 && o.scale_before == 0);
	profile_release(&b);
	profile_release(&a);
	profile_release(&empty);
}

int main(void)
{
	RUN(test_file_key);
	RUN(test_main_script);
	RUN(test_renamed_scripts);
	RUN(test_unrelated_scripts);
	RUN(test_normalize);
	TEST_EXIT();
}
