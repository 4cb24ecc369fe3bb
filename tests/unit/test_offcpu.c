/*
 * test_offcpu.c - unit tests of off-CPU charging for `record --idle` on
 * native programs (engines/offcpu.c): one sample per period boundary in
 * [switch-out, switch-in), events from different CPUs paired whatever
 * their arrival order, time never charged twice, and threads still
 * blocked charged up to the flush.
 */
#include <string.h>

#include "model/profile.h"
#include "engines/offcpu.h"
#include "test.h"

#define MS 1000000ULL	/* ns; the period at 100 Hz is 10 ms */

struct fixture {
	struct profile p;
	struct offcpu *o;
	unsigned long samples, marked;
	uint32_t stack, thread;
};

static void setup(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	profile_init(&f->p);
	f->p.keep_samples = 1;
	f->o = offcpu_new(&f->p, 100, &f->samples, &f->marked);
	f->stack = profile_stack_push(&f->p, 0,
		profile_frame_named(&f->p, "nap", 3, FRAME_NATIVE));
	f->thread = profile_thread(&f->p, 1, 1, "t");
}

static void teardown(struct fixture *f)
{
	offcpu_free(f->o);
	profile_release(&f->p);
}

static void test_interval_on_the_grid(void)
{
	struct fixture f;

	setup(&f);
	/* [1005, 1045) ms holds the ticks 1010, 1020, 1030, 1040 */
	offcpu_switched_out(f.o, 7, 1005 * MS, f.stack, f.thread, 0);
	offcpu_switched_in(f.o, 7, 1045 * MS);
	offcpu_flush(f.o, 2000 * MS);
	CHECK(f.samples == 4);
	CHECK(f.p.nr_samples == 4);
	if (f.p.nr_samples == 4) {
		CHECK(f.p.samples[0].time_ns == (int64_t)(1010 * MS));
		CHECK(f.p.samples[3].time_ns == (int64_t)(1040 * MS));
		/* the stack it blocked in, under an [idle] leaf */
		CHECK(f.p.samples[0].stack != f.stack);
		CHECK(f.p.stacks[f.p.samples[0].stack].parent == f.stack);
	}
	teardown(&f);
}

static void test_switch_in_read_first(void)
{
	struct fixture f;

	setup(&f);
	/* the switch-in's CPU ring was read before the switch-out's */
	offcpu_switched_in(f.o, 7, 1045 * MS);
	offcpu_switched_out(f.o, 7, 1005 * MS, f.stack, f.thread, 1);
	offcpu_flush(f.o, 2000 * MS);
	CHECK(f.samples == 4);
	CHECK(f.marked == 4);	/* a marked switch-out: each sample counted */
	teardown(&f);
}

static void test_still_blocked_then_late_event(void)
{
	struct fixture f;

	setup(&f);
	offcpu_switched_out(f.o, 7, 1000 * MS, f.stack, f.thread, 0);
	offcpu_flush(f.o, 1100 * MS);	/* ticks 1000 .. 1090 */
	CHECK(f.samples == 10);
	/* it ran again at 1095, then blocked again until 1200 */
	offcpu_switched_in(f.o, 7, 1095 * MS);
	offcpu_switched_out(f.o, 7, 1150 * MS, f.stack, f.thread, 0);
	offcpu_switched_in(f.o, 7, 1200 * MS);
	/* an event older than what was charged comes late: ignored */
	offcpu_switched_out(f.o, 7, 1050 * MS, f.stack, f.thread, 0);
	offcpu_flush(f.o, 1300 * MS);
	CHECK(f.samples == 15);	/* + 1150 .. 1190 */
	teardown(&f);
}

static void test_switch_in_without_out(void)
{
	struct fixture f;

	setup(&f);
	/* blocked before recording began: where is unknown, not charged */
	offcpu_switched_in(f.o, 7, 1045 * MS);
	offcpu_flush(f.o, 2000 * MS);
	CHECK(f.samples == 0);
	teardown(&f);
}

/* A pass that read no event at all (the first ones, before the target
 * blocked): nothing charged, and no sort of the empty, never allocated
 * event list (UBSan: qsort's NULL argument failed native_idle in CI). */
static void test_flush_before_any_event(void)
{
	struct fixture f;

	setup(&f);
	offcpu_flush(f.o, 1000 * MS);
	CHECK(f.samples == 0);
	offcpu_switched_out(f.o, 7, 1005 * MS, f.stack, f.thread, 0);
	offcpu_flush(f.o, 1025 * MS);
	offcpu_flush(f.o, 1035 * MS);	/* still blocked, no event */
	CHECK(f.samples == 3);		/* 1010, 1020, 1030 */
	teardown(&f);
}

int main(void)
{
	RUN(test_interval_on_the_grid);
	RUN(test_switch_in_read_first);
	RUN(test_still_blocked_then_late_event);
	RUN(test_switch_in_without_out);
	RUN(test_flush_before_any_event);
	TEST_EXIT();
}
