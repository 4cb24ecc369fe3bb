/*
 * test_aggregate.c - unit tests of the numbers behind `report` and `diff`:
 * self and total per key (recursion counted once), grouping keys, and
 * --focus / --ignore stack filtering.
 */
#include <stdlib.h>
#include <string.h>

#include "model/aggregate.h"
#include "model/filter.h"
#include "model/profile.h"
#include "test.h"

static uint32_t frame(struct profile *p, const char *name, const char *file)
{
	struct frame f;

	memset(&f, 0, sizeof(f));
	f.name = profile_intern(p, name);
	f.file = file ? profile_intern(p, file) : 0;
	f.line = file ? 3 : 0;
	return profile_frame(p, &f);
}

static uint32_t key(const struct aggregate *a, const char *label)
{
	return strtab_lookup(&a->keys, label, strlen(label));
}

static void test_self_total_recursion(void)
{
	struct profile p;
	struct aggregate a;
	uint32_t f[4], k;

	profile_init(&p);
	f[0] = frame(&p, "main", "m.py");
	f[1] = frame(&p, "fib", "m.py");
	f[2] = f[1];
	f[3] = f[1];
	profile_add1(&p, profile_stack_from_frames(&p, f, 4), 0, -1, 10);
	profile_add1(&p, profile_stack_from_frames(&p, f, 1), 0, -1, 5);
	aggregate_init(&a, AGGREGATE_FUNCTION);
	aggregate_add(&a, &p, 0, NULL, 0, 0);
	CHECK(a.sum == 15);
	k = key(&a, "fib (m.py)");
	CHECK(k && a.self[k] == 10 && a.total[k] == 10);	/* not 30 */
	k = key(&a, "main (m.py)");
	CHECK(k && a.self[k] == 5 && a.total[k] == 15);
	aggregate_release(&a);

	aggregate_init(&a, AGGREGATE_LINE);
	aggregate_add(&a, &p, 0, NULL, 0, 0);
	CHECK(key(&a, "fib (m.py:3)") != 0);
	aggregate_release(&a);
	aggregate_init(&a, AGGREGATE_NAME);
	aggregate_add(&a, &p, 0, NULL, 0, 0);
	CHECK(key(&a, "fib") != 0);
	aggregate_release(&a);
	aggregate_init(&a, AGGREGATE_FILE);
	aggregate_add(&a, &p, 0, NULL, 0, 0);
	k = key(&a, "m.py");
	CHECK(k && a.total[k] == 15);
	aggregate_release(&a);
	profile_release(&p);
}

static void test_sorted(void)
{
	struct profile p;
	struct aggregate a;
	uint32_t f[2], n, *ids;

	profile_init(&p);
	f[0] = frame(&p, "main", NULL);
	f[1] = frame(&p, "a", NULL);
	profile_add1(&p, profile_stack_from_frames(&p, f, 2), 0, -1, 3);
	f[1] = frame(&p, "b", NULL);
	profile_add1(&p, profile_stack_from_frames(&p, f, 2), 0, -1, 7);
	aggregate_init(&a, AGGREGATE_FUNCTION);
	aggregate_add(&a, &p, 0, NULL, 0, 0);
	ids = aggregate_sorted(&a, 1, &n);
	CHECK(n == 3);
	CHECK_STR(strtab_get(&a.keys, ids[0]), "b");
	CHECK_STR(strtab_get(&a.keys, ids[1]), "a");
	free(ids);
	ids = aggregate_sorted(&a, 0, &n);
	CHECK_STR(strtab_get(&a.keys, ids[0]), "main");
	free(ids);
	aggregate_release(&a);
	profile_release(&p);
}

static void test_filter(void)
{
	struct profile p;
	uint32_t f[3], s1, s2, s3;
	uint8_t *keep;

	profile_init(&p);
	f[0] = frame(&p, "main", NULL);
	f[1] = frame(&p, "work", "w.py");
	f[2] = frame(&p, "noise", NULL);
	s1 = profile_stack_from_frames(&p, f, 2);		/* main;work */
	s2 = profile_stack_from_frames(&p, f, 3);		/* main;work;noise */
	s3 = profile_stack_push(&p, profile_stack_from_frames(&p, f, 1), f[2]);
	keep = filter_stacks(&p, "^work \\(w\\.py:3\\)$", NULL);
	CHECK(keep && keep[s1] && keep[s2] && !keep[s3]);
	free(keep);
	keep = filter_stacks(&p, NULL, "noise");
	CHECK(keep && keep[s1] && !keep[s2] && !keep[s3]);
	free(keep);
	keep = filter_stacks(&p, "work", "noise");
	CHECK(keep && keep[s1] && !keep[s2] && !keep[s3]);
	free(keep);
	CHECK(filter_stacks(&p, "(", NULL) == NULL);
	profile_release(&p);
}

int main(void)
{
	RUN(test_self_total_recursion);
	RUN(test_sorted);
	RUN(test_filter);
	TEST_EXIT();
}
