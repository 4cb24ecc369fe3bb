/*
 * test.h - the tiny unit-test harness: each check prints nothing when it
 * passes; each test function reports one "ok NAME" or "FAIL NAME: why"
 * line, which tests/run.sh counts.  A test function that ran no check
 * at all fails: it asserted nothing.
 */
#ifndef SCORCH_TEST_H
#define SCORCH_TEST_H

#include <stdio.h>
#include <string.h>

static int test_failures_in_case;
static int test_checks_in_case;
static int test_total_failed;

#define CHECK(cond)							\
	do {								\
		test_checks_in_case++;					\
		if (!(cond)) {						\
			printf("  check failed at %s:%d: %s\n",	\
			       __FILE__, __LINE__, #cond);		\
			test_failures_in_case++;			\
		}							\
	} while (0)

#define CHECK_STR(a, b)							\
	do {								\
		const char *a_ = (a), *b_ = (b);			\
		test_checks_in_case++;					\
		if (strcmp(a_, b_)) {					\
			printf("  check failed at %s:%d: \"%s\" != \"%s\"\n", \
			       __FILE__, __LINE__, a_, b_);		\
			test_failures_in_case++;			\
		}							\
	} while (0)

#define RUN(fn)								\
	do {								\
		test_failures_in_case = 0;				\
		test_checks_in_case = 0;				\
		fn();							\
		if (!test_checks_in_case) {				\
			printf("FAIL %s: ran no checks\n", #fn);	\
			test_total_failed++;				\
		} else if (test_failures_in_case) {			\
			printf("FAIL %s: %d check(s) failed\n", #fn,	\
			       test_failures_in_case);			\
			test_total_failed++;				\
		} else {						\
			printf("ok %s\n", #fn);				\
		}							\
	} while (0)

#define TEST_EXIT() return test_total_failed ? 1 : 0

#endif
