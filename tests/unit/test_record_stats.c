/*
 * test_record_stats.c - unit tests of the record summary's error words:
 * every error count says what the errors were, in the right number.
 */
#include <string.h>

#include "engines/engine.h"
#include "util/strbuf.h"
#include "test.h"

static void check_words(const struct record_stats *s, const char *want)
{
	struct strbuf sb = { 0 };

	record_stats_describe_errors(s, &sb);
	CHECK_STR(strbuf_str(&sb), want);
	strbuf_release(&sb);
}

static void test_no_errors(void)
{
	struct record_stats s;

	memset(&s, 0, sizeof(s));
	check_words(&s, "no errors");
}

static void test_one_error_singular(void)
{
	struct record_stats s;

	memset(&s, 0, sizeof(s));
	record_stats_error(&s, RECORD_ERROR_STACK);
	CHECK(s.errors == 1);
	check_words(&s, "1 error (1 stack changed or gone while read)");
}

static void test_kinds_listed(void)
{
	struct record_stats s;

	memset(&s, 0, sizeof(s));
	record_stats_error(&s, RECORD_ERROR_THREAD_LIST);
	record_stats_error(&s, RECORD_ERROR_NO_FRAMES);
	record_stats_error(&s, RECORD_ERROR_NO_FRAMES);
	check_words(&s, "3 errors (1 thread list changed while read, "
		    "2 samples with no frame to unwind)");
}

static void test_uncounted_kind_still_said(void)
{
	struct record_stats s;

	memset(&s, 0, sizeof(s));
	record_stats_error(&s, RECORD_ERROR_MIXED_PYTHON);
	s.errors += 2;	/* an engine that counted without a kind */
	check_words(&s, "3 errors (1 Python stack unreadable with --native, "
		    "2 of unknown kind)");
}

int main(void)
{
	RUN(test_no_errors);
	RUN(test_one_error_singular);
	RUN(test_kinds_listed);
	RUN(test_uncounted_kind_still_said);
	TEST_EXIT();
}
