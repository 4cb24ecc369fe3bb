/*
 * test_annotate_names.c - names as annotate resolves them: GCC clone and
 * part suffixes stripped to the function's own name, .cold parts
 * recognised, report labels "name (file[:line])" split.
 */
#include <string.h>

#include "annotate/names.h"
#include "test.h"

static size_t base(const char *s)
{
	return annotate_base_len(s);
}

static void test_clone_suffixes(void)
{
	CHECK(base("grind_heavy") == 11);
	CHECK(base("grind_heavy.constprop.0") == 11);
	CHECK(base("grind_heavy.isra.0") == 11);
	CHECK(base("grind_heavy.part.12") == 11);
	CHECK(base("grind_heavy.cold") == 11);
	CHECK(base("grind_heavy.cold.3") == 11);
	CHECK(base("new_keys_object.lto_priv.0") == 15);
	CHECK(base("f.constprop.0.isra.0") == 1);
	CHECK(base("f.isra.0.cold") == 1);
	CHECK(base("f.llvm.1234567") == 1);
	/* not GCC's: kept */
	CHECK(base("a.b") == 3);
	CHECK(base("f.constant") == 10);
	CHECK(base("a.b.part.0") == 3);
	CHECK(base(".cold") == 5);
	CHECK(base("") == 0);
}

static void test_cold(void)
{
	CHECK(annotate_is_cold("f.cold"));
	CHECK(annotate_is_cold("f.isra.0.cold"));
	CHECK(annotate_is_cold("f.cold.1"));
	CHECK(!annotate_is_cold("f"));
	CHECK(!annotate_is_cold("f.part.0"));
	CHECK(!annotate_is_cold("cold"));
	CHECK(!annotate_is_cold("f.coldness"));
}

static void test_labels(void)
{
	size_t n, fl;
	const char *file;

	CHECK(annotate_split_label("work (/tmp/x.py)", &n, &file, &fl));
	CHECK(n == 4 && fl == 9 && !strncmp(file, "/tmp/x.py", fl));
	CHECK(annotate_split_label("work (/tmp/x.py:12)", &n, &file, &fl));
	CHECK(n == 4 && fl == 9 && !strncmp(file, "/tmp/x.py", fl));
	CHECK(annotate_split_label("f(int) (a.cc)", &n, &file, &fl));
	CHECK(n == 6 && fl == 4);
	CHECK(annotate_split_label("h (C:12x)", &n, &file, &fl));
	CHECK(n == 1 && fl == 5);
	CHECK(!annotate_split_label("list_contains", &n, &file, &fl));
	CHECK(n == 13 && !file && !fl);
	CHECK(!annotate_split_label("f(int)", &n, &file, &fl));
	CHECK(!annotate_split_label(" (x)", &n, &file, &fl));
}

int main(void)
{
	RUN(test_clone_suffixes);
	RUN(test_cold);
	RUN(test_labels);
	TEST_EXIT();
}
