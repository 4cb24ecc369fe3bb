/*
 * test_engines.c - unit tests of the engine table and the loop plumbing
 * engines share: every row is complete and found by its name, the rows
 * are asked in the order the choice depends on, rows without state pass
 * a target that exited, some row can dump and the dump session passes a
 * process that is not Python with the row's reason and prints nothing,
 * and engine_loop_done ends a recording at -d, at
 * a stop signal or when the live view's poll says so, calling the view
 * when due; the mixed engine's stack source (engines/mixed/) passes a
 * stack without eval-loop frames through and marks one whose Python
 * stack came too late.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "engines/engine.h"
#include "engines/loop.h"
#include "engines/mixed/python_source.h"
#include "engines/perf/native_record.h"
#include "model/profile.h"
#include "proc/target.h"
#include "session/dump.h"
#include "util/strbuf.h"
#include "test.h"

static int row_index(const char *name)
{
	for (unsigned i = 0; i < engine_table_size; i++)
		if (!strcmp(engine_table[i]->name, name))
			return (int)i;
	return -1;
}

static void test_rows_complete(void)
{
	CHECK(engine_table_size >= 3);
	for (unsigned i = 0; i < engine_table_size; i++) {
		const struct engine *e = engine_table[i];

		CHECK(e->name && *e->name);
		CHECK(e->summary && *e->summary);
		CHECK(e->take != NULL);
		CHECK(e->run != NULL);
		CHECK(e->discard != NULL);
		CHECK(engine_find(e->name) == e);
		CHECK(row_index(e->name) == (int)i);	/* names are unique */
	}
	CHECK(engine_find("no-such-engine") == NULL);
}

/* the BPF engine first (it takes only what --engine bpf or -a gave it),
 * --native next (it takes Python targets too), then the Python reader
 * for any CPython, then the perf_event engine for what is left */
static void test_order(void)
{
	int mixed = row_index("mixed"), python = row_index("python");
	int native = row_index("native"), bpf = row_index("bpf");

	CHECK(bpf >= 0 && mixed >= 0 && python >= 0 && native >= 0);
	CHECK(bpf < mixed);
	CHECK(mixed < python);
	CHECK(python < native);
}

/* A spawned target gone before any engine could read it, no engine set
 * up: every row passes (the session then records nothing). */
static void test_gone_without_state(void)
{
	struct record_options o;
	struct target t;
	struct strbuf why = { 0 };

	memset(&o, 0, sizeof(o));
	memset(&t, 0, sizeof(t));
	t.pid = 1;
	t.spawned = 1;
	for (unsigned i = 0; i < engine_table_size; i++) {
		struct engine_run r;

		memset(&r, 0, sizeof(r));
		r.o = &o;
		r.t = &t;
		r.target_gone = 1;
		CHECK(engine_table[i]->take(&r, &why) == ENGINE_PASS);
		CHECK(r.state == NULL);
	}
	strbuf_release(&why);
}

/* The Python reader's row dumps; this test binary is no Python
 * program: the row passes, saying so, and the session fails with
 * nothing printed. */
static void test_dump(void)
{
	struct dump_options o;
	struct strbuf why = { 0 };
	const struct engine *python = engine_find("python");
	FILE *out = tmpfile();
	int status = -1;

	memset(&o, 0, sizeof(o));
	o.pid = getpid();
	CHECK(python && python->dump);
	CHECK(out != NULL);
	if (!python || !python->dump || !out)
		return;
	CHECK(python->dump(&o, out, &why, &status) == ENGINE_PASS);
	CHECK(strstr(why.buf ? why.buf : "", "not CPython") != NULL);
	CHECK(status == -1);
	CHECK(dump_session(&o, out) == 1);
	CHECK(ftell(out) == 0);
	fclose(out);
	strbuf_release(&why);
}

struct view_log {
	int views, polls, stop_at_poll;
	int64_t last_elapsed;
};

static void on_view(void *ctx, const struct profile *p, int64_t elapsed_ns)
{
	struct view_log *v = ctx;

	(void)p;
	v->views++;
	v->last_elapsed = elapsed_ns;
}

static int on_poll(void *ctx, const struct profile *p, int64_t elapsed_ns)
{
	struct view_log *v = ctx;

	(void)p;
	(void)elapsed_ns;
	return ++v->polls == v->stop_at_poll;
}

#define MS 1000000LL

static void test_loop_deadline_and_stop(void)
{
	struct record_options o;
	struct engine_loop l;
	volatile sig_atomic_t stop = 0;

	memset(&o, 0, sizeof(o));
	o.duration_s = 1;
	engine_loop_start(&l, &o, &stop, 5000 * MS);
	CHECK(!engine_loop_done(&l, NULL, 5000 * MS));
	CHECK(!engine_loop_done(&l, NULL, 5999 * MS));
	CHECK(engine_loop_done(&l, NULL, 6000 * MS));
	o.duration_s = 0;	/* until the target exits */
	engine_loop_start(&l, &o, &stop, 0);
	CHECK(!engine_loop_done(&l, NULL, 100000 * MS));
	stop = 1;
	CHECK(engine_loop_done(&l, NULL, 100001 * MS));
	engine_loop_start(&l, &o, NULL, 0);	/* no stop flag at all */
	CHECK(!engine_loop_done(&l, NULL, 1 * MS));
}

static void test_loop_view_and_poll(void)
{
	struct record_options o;
	struct engine_loop l;
	struct view_log v;
	int64_t t;
	int done = 0;

	memset(&o, 0, sizeof(o));
	memset(&v, 0, sizeof(v));
	o.view = on_view;
	o.view_poll = on_poll;
	o.view_ctx = &v;
	o.view_every_ns = 1000 * MS;
	v.stop_at_poll = 1000;
	engine_loop_start(&l, &o, NULL, 0);
	/* 10 ms passes for 3.5 s: a view each whole second, a poll each
	 * VIEW_POLL_NS */
	for (t = 10 * MS; t <= 3500 * MS; t += 10 * MS)
		CHECK(!engine_loop_done(&l, NULL, t));
	CHECK(v.views == 3);
	CHECK(v.last_elapsed == 3000 * MS);
	CHECK(v.polls == (int)(3500 * MS / VIEW_POLL_NS));
	/* the keyboard says stop: done at that poll */
	v.stop_at_poll = v.polls + 1;
	for (t = 3510 * MS; t <= 5000 * MS && !done; t += 10 * MS)
		done = engine_loop_done(&l, NULL, t);
	CHECK(done);
	CHECK(v.polls == v.stop_at_poll);
}

/* The source's contract with the perf_event recorder, without a Python
 * process: a sample too old to read (time 0) of a pid the reader never
 * saw. */
static void test_python_source(void)
{
	struct profile p;
	struct record_stats stats;
	struct native_stack_source *src;
	uint32_t native[3];
	const unsigned char no_eval[3] = { 0, 0, 0 }, eval[3] = { 0, 1, 0 };
	const uint32_t *out;
	size_t n = 0;

	profile_init(&p);
	memset(&stats, 0, sizeof(stats));
	native[0] = profile_frame_named(&p, "main", 4, FRAME_NATIVE);
	native[1] = profile_frame_named(&p, "_PyEval_EvalFrameDefault", 24,
					FRAME_NATIVE);
	native[2] = profile_frame_named(&p, "leaf", 4, FRAME_NATIVE);
	src = python_source_new(&p, &stats, 0);
	CHECK(src->begin && src->merge && src->is_eval_symbol);
	CHECK(src->is_eval_symbol("_PyEval_EvalFrameDefault"));
	CHECK(!src->is_eval_symbol("main"));

	/* no eval-loop frame: the native stack as it is */
	src->begin(src->ctx, 999999, 999999, 0);
	out = src->merge(src->ctx, native, no_eval, 3, 0, &n);
	CHECK(out == native && n == 3);
	CHECK(stats.unmerged == 0 && src->merged == 0);

	/* in the eval loop, but no Python stack in time: marked, counted */
	src->begin(src->ctx, 999999, 999999, 0);
	out = src->merge(src->ctx, native, eval, 3, 0, &n);
	CHECK(n == 4);
	CHECK(out[0] == profile_frame_named(&p, "[unmerged]", 10, FRAME_MARKER));
	CHECK(!memcmp(&out[1], native, sizeof(native)));
	CHECK(stats.unmerged == 1 && src->stale == 1 && src->merged == 0);

	python_source_free(src);
	profile_release(&p);
}

int main(void)
{
	RUN(test_rows_complete);
	RUN(test_order);
	RUN(test_gone_without_state);
	RUN(test_dump);
	RUN(test_loop_deadline_and_stop);
	RUN(test_loop_view_and_poll);
	RUN(test_python_source);
	TEST_EXIT();
}
