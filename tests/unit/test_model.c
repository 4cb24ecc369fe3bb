/*
 * test_model.c - unit tests of the profile model, strings and hashing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/profile.h"
#include "model/stack_queue.h"
#include "util/hash.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "test.h"

static void test_strings_intern(void)
{
	struct strtab t;
	uint32_t a, b, c;
	char name[32];
	int i;

	strtab_init(&t);
	CHECK(strtab_intern(&t, "", 0) == 0);
	a = strtab_intern(&t, "main", 4);
	b = strtab_intern(&t, "mainx", 4);
	c = strtab_intern(&t, "other", 5);
	CHECK(a == b);
	CHECK(a != c);
	CHECK_STR(strtab_get(&t, c), "other");
	for (i = 0; i < 100000; i++) {
		int n = snprintf(name, sizeof(name), "f%d", i);
		CHECK(strtab_intern(&t, name, (size_t)n) ==
		      strtab_intern(&t, name, (size_t)n));
	}
	CHECK(t.nr == 100003);
	CHECK(strtab_lookup(&t, "f99999", 6) != 0);
	CHECK(strtab_lookup(&t, "nope", 4) == 0);
	strtab_release(&t);
}

static void test_strmap(void)
{
	struct strmap m;
	char name[32];
	uint32_t v = 0, i;
	int missing = 0, wrong = 0;

	strmap_init(&m);
	CHECK(!strmap_get(&m, "main", 4, &v));
	strmap_put(&m, "", 0, 7);
	strmap_put(&m, "a\0b", 3, 8);
	for (i = 0; i < 100000; i++) {
		int n = snprintf(name, sizeof(name), "func_%u", i);

		strmap_put(&m, name, (size_t)n, i + 100);
	}
	for (i = 0; i < 100000; i++) {
		int n = snprintf(name, sizeof(name), "func_%u", i);

		if (!strmap_get(&m, name, (size_t)n, &v))
			missing++;
		else if (v != i + 100)
			wrong++;
	}
	CHECK(missing == 0 && wrong == 0);
	CHECK(strmap_count(&m) == 100002);
	CHECK(strmap_get(&m, "", 0, &v) && v == 7);
	CHECK(strmap_get(&m, "a\0b", 3, &v) && v == 8);
	CHECK(!strmap_get(&m, "a", 1, &v));
	CHECK(!strmap_get(&m, "func_1", 5, &v));	/* a prefix */
	strmap_put(&m, "func_1", 6, 1);
	CHECK(strmap_get(&m, "func_1", 6, &v) && v == 1);
	CHECK(strmap_count(&m) == 100002);
	strmap_release(&m);
}

static void test_stack_tree(void)
{
	struct profile p;
	uint32_t f[3], s1, s2, out[3];

	profile_init(&p);
	f[0] = profile_frame_named(&p, "main", 4, FRAME_NATIVE);
	f[1] = profile_frame_named(&p, "work", 4, FRAME_NATIVE);
	f[2] = profile_frame_named(&p, "leaf", 4, FRAME_KERNEL);
	CHECK(profile_frame_named(&p, "main", 4, FRAME_NATIVE) == f[0]);
	CHECK(profile_frame_named(&p, "main", 4, FRAME_KERNEL) != f[0]);
	s1 = profile_stack_from_frames(&p, f, 3);
	s2 = profile_stack_from_frames(&p, f, 3);
	CHECK(s1 == s2);
	CHECK(p.stacks[s1].depth == 3);
	CHECK(profile_stack_frames(&p, s1, out) == 3);
	CHECK(out[0] == f[0] && out[2] == f[2]);
	CHECK(p.stacks[p.stacks[s1].parent].frame == f[1]);
	profile_release(&p);
}

/* Many stacks through the table growth: profile_stack_extend (with
 * prefetching, batches of 32) must give exactly the ids that one
 * profile_stack_push per frame gives, and frames that differ only in a
 * field other than name and kind must stay distinct. */
static void test_stack_table_growth(void)
{
	struct profile a, b;
	struct frame f;
	uint32_t frames[80], ids[80], plain, moduled, stack_a, stack_b;
	uint32_t seed = 12345, i, j, depth;
	char name[32];
	int mismatches = 0;

	profile_init(&a);
	profile_init(&b);
	for (i = 0; i < 20000; i++) {
		seed = seed * 1103515245u + 12345u;
		depth = 1 + (seed >> 16) % 79;
		for (j = 0; j < depth; j++) {
			seed = seed * 1103515245u + 12345u;
			snprintf(name, sizeof(name), "f%u", (seed >> 16) % 300);
			frames[j] = profile_frame_named(&a, name, strlen(name),
							FRAME_NATIVE);
			if (profile_frame_named(&b, name, strlen(name),
						FRAME_NATIVE) != frames[j])
				mismatches++;
		}
		stack_a = 0;
		for (j = 0; j < depth; j++)
			stack_a = profile_stack_push(&a, stack_a, frames[j]);
		stack_b = profile_stack_extend(&b, 0, frames, depth, ids);
		if (stack_a != stack_b || ids[depth - 1] != stack_b ||
		    b.stacks[ids[0]].depth != 1)
			mismatches++;
	}
	CHECK(a.nr_stacks == b.nr_stacks && a.nr_stacks > 100000);
	for (i = 0; i < a.nr_stacks && i < b.nr_stacks; i++)
		if (a.stacks[i].parent != b.stacks[i].parent ||
		    a.stacks[i].frame != b.stacks[i].frame ||
		    a.stacks[i].depth != b.stacks[i].depth ||
		    a.stacks[i].depth != (i ? a.stacks[a.stacks[i].parent].depth + 1 : 0))
			mismatches++;
	CHECK(mismatches == 0);
	CHECK(profile_stack_from_frames(&a, frames, depth) == stack_a);
	/* after all the growth, every stack is found again under its own
	 * id (the table keeps hashes and reads keys from the stacks array) */
	mismatches = 0;
	depth = a.nr_stacks;
	for (i = 1; i < depth; i++)
		if (profile_stack_push(&a, a.stacks[i].parent,
				       a.stacks[i].frame) != i)
			mismatches++;
	CHECK(mismatches == 0 && a.nr_stacks == depth);
	/* the same after profile_trim dropped the tables (rebuilt on use) */
	profile_add1(&a, 5, 0, 0, 1);
	profile_trim(&a);
	mismatches = 0;
	for (i = 1; i < depth; i++)
		if (profile_stack_push(&a, a.stacks[i].parent,
				       a.stacks[i].frame) != i)
			mismatches++;
	CHECK(mismatches == 0 && a.nr_stacks == depth);
	profile_trim(&a);
	CHECK(profile_stack_extend(&a, 0, frames, 3, NULL) ==
	      profile_stack_extend(&b, 0, frames, 3, NULL));
	profile_trim(&a);
	profile_add1(&a, 5, 0, 0, 2);
	CHECK(a.nr_totals == 1 && a.totals[0].value[0] == 3);

	plain = profile_frame_named(&a, "f1", 2, FRAME_NATIVE);
	memset(&f, 0, sizeof(f));
	f.name = profile_intern(&a, "f1");
	f.kind = FRAME_NATIVE;
	CHECK(profile_frame(&a, &f) == plain);
	f.module = profile_intern(&a, "/lib/x.so");
	moduled = profile_frame(&a, &f);
	CHECK(moduled != plain);
	CHECK(profile_frame(&a, &f) == moduled);
	f.module = 0;
	f.address = 0x1234;
	CHECK(profile_frame(&a, &f) != plain && profile_frame(&a, &f) != moduled);
	profile_release(&a);
	profile_release(&b);
}

/* Samples added through a stack queue (on its worker thread with
 * SCORCH_THREADS=2, and with SCORCH_THREADS=1 on the caller's) get exactly the stack and total ids,
 * in the same order, that direct profile_stack_extend + profile_add
 * calls give, shared prefixes ("keep") included, across many batches. */
static void fill_direct_and_queued(struct profile *direct,
				   struct profile *queued)
{
	struct stack_queue *q;
	uint32_t frames[40], levels[40], prev_depth = 0, seed = 777, i, j;
	uint32_t depth, keep, stack;
	double values[PROFILE_MAX_VALUES] = { 0 };

	q = stack_queue_new(queued);
	for (i = 0; i < 30000; i++) {
		seed = seed * 1103515245u + 12345u;
		depth = 1 + (seed >> 16) % 39;
		seed = seed * 1103515245u + 12345u;
		keep = prev_depth ? (seed >> 16) % (prev_depth + 1) : 0;
		if (keep > depth)
			keep = depth;
		for (j = keep; j < depth; j++) {
			seed = seed * 1103515245u + 12345u;
			frames[j] = 1 + (seed >> 16) % 50;
		}
		values[0] = 1 + i % 7;
		stack = keep ? levels[keep - 1] : 0;
		if (depth > keep)
			stack = profile_stack_extend(direct, stack, frames + keep,
						     depth - keep, levels + keep);
		profile_add(direct, stack, i % 3, (int64_t)i, values);
		stack_queue_add(q, keep, frames + keep, depth - keep, i % 3,
				(int64_t)i, values);
		prev_depth = depth;
	}
	stack_queue_finish(q);
}

static int same_stacks_and_totals(const struct profile *a,
				  const struct profile *b)
{
	uint32_t i;

	if (a->nr_stacks != b->nr_stacks || a->nr_totals != b->nr_totals ||
	    a->nr_samples != b->nr_samples)
		return 0;
	for (i = 0; i < a->nr_stacks; i++)
		if (a->stacks[i].parent != b->stacks[i].parent ||
		    a->stacks[i].frame != b->stacks[i].frame ||
		    a->stacks[i].depth != b->stacks[i].depth)
			return 0;
	for (i = 0; i < a->nr_totals; i++)
		if (a->totals[i].stack != b->totals[i].stack ||
		    a->totals[i].thread != b->totals[i].thread ||
		    a->totals[i].value[0] != b->totals[i].value[0])
			return 0;
	for (i = 0; i < a->nr_samples; i++)
		if (a->samples[i].stack != b->samples[i].stack ||
		    a->samples[i].time_ns != b->samples[i].time_ns)
			return 0;
	return 1;
}

static void test_stack_queue(void)
{
	struct profile direct, queued, inline_;
	int k;

	profile_init(&direct);
	profile_init(&queued);
	profile_init(&inline_);
	direct.keep_samples = queued.keep_samples = inline_.keep_samples = 1;
	for (k = 0; k < 3; k++) {
		profile_thread(&direct, 1, k, NULL);
		profile_thread(&queued, 1, k, NULL);
		profile_thread(&inline_, 1, k, NULL);
	}
	setenv("SCORCH_THREADS", "2", 1);
	fill_direct_and_queued(&direct, &queued);
	unsetenv("SCORCH_THREADS");
	CHECK(direct.nr_stacks > 50000 && direct.nr_samples == 30000);
	CHECK(same_stacks_and_totals(&direct, &queued));
	profile_release(&direct);
	profile_init(&direct);
	direct.keep_samples = 1;
	for (k = 0; k < 3; k++)
		profile_thread(&direct, 1, k, NULL);
	setenv("SCORCH_THREADS", "1", 1);
	fill_direct_and_queued(&direct, &inline_);
	unsetenv("SCORCH_THREADS");
	CHECK(same_stacks_and_totals(&direct, &inline_));
	CHECK(same_stacks_and_totals(&queued, &inline_));
	profile_release(&direct);
	profile_release(&queued);
	profile_release(&inline_);
}

static void test_totals_and_samples(void)
{
	struct profile p;
	uint32_t f, s, t1, t2;

	profile_init(&p);
	p.keep_samples = 1;
	f = profile_frame_named(&p, "x", 1, FRAME_NATIVE);
	s = profile_stack_push(&p, 0, f);
	t1 = profile_thread(&p, 10, 11, "worker");
	t2 = profile_thread(&p, 10, 12, NULL);
	CHECK(profile_thread(&p, 10, 11, NULL) == t1);
	profile_add1(&p, s, t1, 5, 2);
	profile_add1(&p, s, t1, 6, 3);
	profile_add1(&p, s, t2, 7, 1.5);
	CHECK(p.nr_totals == 2);
	CHECK(p.nr_samples == 3);
	CHECK(profile_sum(&p, 0) == 6.5);
	CHECK_STR(profile_str(&p, p.threads[t1].name), "worker");
	/* thread 0's totals (found by stack id) stay apart from the others,
	 * also after profile_trim dropped the tables */
	profile_add1(&p, s, 0, 8, 4);
	profile_add1(&p, 0, 0, 8, 0.5);
	profile_add1(&p, s, 0, 9, 1);
	CHECK(p.nr_totals == 4);
	profile_trim(&p);
	profile_add1(&p, s, 0, 10, 1);
	profile_add1(&p, s, t2, 10, 1);
	profile_add1(&p, profile_stack_push(&p, s, f), 0, 11, 1);
	CHECK(p.nr_totals == 5);
	CHECK(p.totals[2].stack == s && p.totals[2].thread == 0 &&
	      p.totals[2].value[0] == 6);
	CHECK(p.totals[1].thread == t2 && p.totals[1].value[0] == 2.5);
	CHECK(p.totals[3].stack == 0 && p.totals[3].value[0] == 0.5);
	CHECK(profile_sum(&p, 0) == 15);
	profile_release(&p);
}

/* Many threads, found by (pid, tid) alone: a tid seen under two pids is
 * two threads; every thread's totals stay apart, also after
 * profile_trim. */
static void test_many_threads(void)
{
	enum { N = 3000 };
	struct profile p;
	uint32_t s, i, wrong = 0;

	profile_init(&p);
	s = profile_stack_push(&p, 0, profile_frame_named(&p, "x", 1,
							   FRAME_NATIVE));
	for (i = 0; i < N; i++)
		if (profile_thread(&p, 100 + i % 10, 1000 + i, NULL) != i + 1)
			wrong++;
	CHECK(profile_thread(&p, 7, 1000, "other pid") == N + 1);
	for (i = 0; i < N; i++)
		if (profile_thread(&p, 100 + i % 10, 1000 + i,
				   i == 5 ? "five" : NULL) != i + 1)
			wrong++;
	CHECK(wrong == 0 && p.nr_threads == N + 2);
	CHECK_STR(profile_str(&p, p.threads[6].name), "five");
	for (i = 1; i <= N + 1; i++)
		profile_add1(&p, s, i, 0, i);
	profile_trim(&p);
	for (i = 1; i <= N + 1; i++)
		profile_add1(&p, s, i, 0, 1);
	CHECK(p.nr_totals == N + 1);
	for (i = 0; i < p.nr_totals; i++)
		if (p.totals[i].thread != i + 1 ||
		    p.totals[i].value[0] != i + 2)
			wrong++;
	CHECK(wrong == 0);
	profile_release(&p);
}

static void test_frame_label(void)
{
	struct profile p;
	struct frame f = { 0 };
	struct strbuf sb;
	uint32_t id;

	profile_init(&p);
	strbuf_init(&sb);
	f.name = profile_intern(&p, "Ledger.tally");
	f.file = profile_intern(&p, "app.py");
	f.line = 42;
	f.kind = FRAME_PYTHON;
	id = profile_frame(&p, &f);
	profile_frame_label(&p, id, &sb);
	CHECK_STR(sb.buf, "Ledger.tally (app.py:42)");
	strbuf_release(&sb);
	profile_release(&p);
}

static void test_hex(void)
{
	static const unsigned char id[] = { 0x00, 0x0f, 0xa5, 0xff };
	struct strbuf sb;

	strbuf_init(&sb);
	strbuf_add_hex(&sb, id, sizeof(id));
	CHECK(!strcmp(strbuf_str(&sb), "000fa5ff"));
	strbuf_add_hex(&sb, id, 0);
	CHECK(sb.len == 8);
	strbuf_release(&sb);
}

static void test_number_format(void)
{
	struct strbuf sb;

	strbuf_init(&sb);
	strbuf_add_number(&sb, 250000);
	strbuf_addch(&sb, ' ');
	strbuf_add_number(&sb, 1.5);
	strbuf_addch(&sb, ' ');
	strbuf_add_number(&sb, 0.1 + 0.2);
	CHECK_STR(sb.buf, "250000 1.5 0.3");
	strbuf_release(&sb);
}

int main(void)
{
	RUN(test_strings_intern);
	RUN(test_strmap);
	RUN(test_stack_tree);
	RUN(test_stack_table_growth);
	RUN(test_stack_queue);
	RUN(test_totals_and_samples);
	RUN(test_many_threads);
	RUN(test_frame_label);
	RUN(test_number_format);
	RUN(test_hex);
	TEST_EXIT();
}
