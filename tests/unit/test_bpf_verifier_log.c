/*
 * test_bpf_verifier_log.c - the verifier's reason out of libbpf's load
 * log warning (engines/bpf/verifier_log.c): the line before the
 * "processed N insns" summary, the last line without one, nothing when
 * there is no log, and a reason cut to the room given.
 */
#include <string.h>

#include "engines/bpf/verifier_log.h"
#include "test.h"

static void test_line_before_summary(void)
{
	const char *text =
		"prog 'sample': -- BEGIN PROG LOAD LOG --\n"
		"0: R1=ctx() R10=fp0\n"
		"; s = bpf_map_lookup_elem(&scratch, &zero); @ sampler.bpf.c:12\n"
		"605: (79) r1 = *(u64 *)(r8 +0)\n"
		"invalid unbounded variable-offset read from stack R8\n"
		"processed 873 insns (limit 1000000) max_states_per_insn 2 total_states 56\n"
		"-- END PROG LOAD LOG --\n";
	char out[128];

	CHECK(bpf_verifier_reason(text, out, sizeof(out)) ==
	      strlen("invalid unbounded variable-offset read from stack R8"));
	CHECK(!strcmp(out, "invalid unbounded variable-offset read from stack R8"));
}

static void test_no_summary(void)
{
	const char *text =
		"prog 'switch_task': -- BEGIN PROG LOAD LOG --\n"
		"reg type unsupported for arg#0 function switch_task#7\n"
		"\n"
		"-- END PROG LOAD LOG --\n";
	char out[128];

	CHECK(bpf_verifier_reason(text, out, sizeof(out)) > 0);
	CHECK(!strcmp(out, "reg type unsupported for arg#0 function switch_task#7"));
}

static void test_no_log(void)
{
	char out[16] = "x";

	CHECK(bpf_verifier_reason("libbpf: failed to load object 'sampler'\n",
				  out, sizeof(out)) == 0);
	CHECK(out[0] == '\0');
	/* a log with no line at all */
	CHECK(bpf_verifier_reason("-- BEGIN PROG LOAD LOG --\n-- END PROG LOAD LOG --\n",
				  out, sizeof(out)) == 0);
}

static void test_cut_to_room(void)
{
	const char *text = "-- BEGIN PROG LOAD LOG --\nR2 min value is outside of the allowed memory range\n";
	char out[8];

	CHECK(bpf_verifier_reason(text, out, sizeof(out)) == 7);
	CHECK(!strcmp(out, "R2 min "));
}

int main(void)
{
	RUN(test_line_before_summary);
	RUN(test_no_summary);
	RUN(test_no_log);
	RUN(test_cut_to_room);
	TEST_EXIT();
}
