/*
 * test_bpf_stack_counts.c - the kernel-counted stacks
 * (engines/bpf/bpf_stack_counts.c): a key's count adds only what it grew
 * by since the last read, to where its first sample went; a key not
 * learnt yet says so (its samples are the caller's to count as lost),
 * and is counted in full once learnt; a key learnt twice keeps its
 * first place; thousands of keys stay apart.
 */
#include "engines/bpf/bpf_stack_counts.h"
#include "engines/bpf/sampler.h"
#include "test.h"

static void test_growth_only(void)
{
	struct bpf_stack_counts *c = bpf_stack_counts_new();
	uint64_t more = 99;
	uint32_t stack = 0, thread = 0;

	bpf_stack_counts_learn(c, 0x1234, 7, 3);
	CHECK(bpf_stack_counts_grow(c, 0x1234, 5, &more, &stack, &thread));
	CHECK(more == 5 && stack == 7 && thread == 3);
	CHECK(bpf_stack_counts_grow(c, 0x1234, 5, &more, &stack, &thread));
	CHECK(more == 0);
	CHECK(bpf_stack_counts_grow(c, 0x1234, 12, &more, &stack, &thread));
	CHECK(more == 7);
	/* a count never shrinks; if it reads lower, nothing is added */
	CHECK(bpf_stack_counts_grow(c, 0x1234, 10, &more, &stack, &thread));
	CHECK(more == 0);
	CHECK(bpf_stack_counts_grow(c, 0x1234, 13, &more, &stack, &thread));
	CHECK(more == 1);
	bpf_stack_counts_free(c);
}

static void test_unlearnt_then_learnt(void)
{
	struct bpf_stack_counts *c = bpf_stack_counts_new();
	uint64_t more = 0;
	uint32_t stack = 0, thread = 0;

	CHECK(!bpf_stack_counts_grow(c, 42, 4, &more, &stack, &thread));
	bpf_stack_counts_learn(c, 42, 9, 1);
	CHECK(bpf_stack_counts_grow(c, 42, 6, &more, &stack, &thread));
	CHECK(more == 6 && stack == 9 && thread == 1);
	/* the kernel sends a key once: a second learn changes nothing */
	bpf_stack_counts_learn(c, 42, 11, 2);
	CHECK(bpf_stack_counts_grow(c, 42, 8, &more, &stack, &thread));
	CHECK(more == 2 && stack == 9 && thread == 1);
	bpf_stack_counts_learn(c, 43, BPF_COUNTED_NO_STACK, 0);
	CHECK(bpf_stack_counts_grow(c, 43, 3, &more, &stack, &thread));
	CHECK(more == 3 && stack == BPF_COUNTED_NO_STACK);
	bpf_stack_counts_free(c);
}

static void test_many_keys(void)
{
	struct bpf_stack_counts *c = bpf_stack_counts_new();
	uint64_t more = 0;
	uint32_t stack = 0, thread = 0;
	int bad = 0;

	for (uint32_t i = 1; i <= 20000; i++)
		bpf_stack_counts_learn(c, (uint64_t)i << 20, i, i % 7);
	for (uint32_t i = 1; i <= 20000; i++)
		if (!bpf_stack_counts_grow(c, (uint64_t)i << 20, i, &more,
					   &stack, &thread) ||
		    more != i || stack != i || thread != i % 7)
			bad++;
	CHECK(bad == 0);
	CHECK(!bpf_stack_counts_grow(c, 1, 1, &more, &stack, &thread));
	/* each key once, in the order learnt (the live view looks each up) */
	bpf_stack_counts_learn(c, (uint64_t)7 << 20, 1, 1);
	CHECK(bpf_stack_counts_nr(c) == 20000);
	for (size_t i = 0; i < bpf_stack_counts_nr(c); i++)
		if (bpf_stack_counts_key(c, i) != (uint64_t)(i + 1) << 20)
			bad++;
	CHECK(bad == 0);
	bpf_stack_counts_free(c);
}

/* a key's line: BPF_SAMPLER_COUNT_WAYS slots from a multiple of that,
 * in the table, from the key's high bits (both sides use it) */
static void test_counted_line(void)
{
	int bad = 0;

	for (uint64_t i = 0; i < 100000; i++) {
		uint64_t key = i * 0x9e3779b97f4a7c15ULL;
		uint32_t at = bpf_counted_line(key);

		if (at % BPF_SAMPLER_COUNT_WAYS ||
		    at + BPF_SAMPLER_COUNT_WAYS > BPF_SAMPLER_COUNT_SLOTS)
			bad++;
	}
	CHECK(bad == 0);
	CHECK(bpf_counted_line(0) == 0);
	CHECK(bpf_counted_line((uint64_t)1 << 40) == BPF_SAMPLER_COUNT_WAYS);
}

int main(void)
{
	RUN(test_growth_only);
	RUN(test_unlearnt_then_learnt);
	RUN(test_many_keys);
	RUN(test_counted_line);
	TEST_EXIT();
}
