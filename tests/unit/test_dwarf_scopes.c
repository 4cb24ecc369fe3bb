/*
 * test_dwarf_scopes.c - the per-CU index of code-range DIEs
 * (symbols/dwarf_scopes.c): on this very test binary (built -O2 -g, so
 * full of inlined code from libscorch), the function and inline chain
 * it gives at every line-table address equals what libdw's
 * dwarf_getscopes + dwarf_getscopes_die give; each CU is walked once
 * however many addresses are asked; a lookup through symbols_lookup
 * names an inlined helper and its caller.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols/symbols.h"
#include "symbols/symbols_internal.h"
#include "test.h"

volatile int test_scopes_sink;

static inline __attribute__((always_inline)) void test_scopes_inner(int x)
{
	test_scopes_sink += x * 7;
}

static inline __attribute__((always_inline)) void test_scopes_middle(int x)
{
	test_scopes_inner(x + 1);
	test_scopes_sink ^= x;
}

__attribute__((noinline)) void test_scopes_outer(int x)
{
	test_scopes_middle(x);
	test_scopes_sink -= 3;
}

static char self_path[4096];

static struct symbols_dso *self_dso(struct symbols *s)
{
	ssize_t n = readlink("/proc/self/exe", self_path,
			     sizeof(self_path) - 1);
	struct symbols_dso *dso;

	if (n <= 0)
		return NULL;
	self_path[n] = '\0';
	dso = dso_get(s, self_path);
	return dso_load(dso) ? NULL : dso;
}

/* Every line-table address of every CU (and the byte after it): the
 * index agrees with libdw. */
static void test_same_as_libdw(void)
{
	struct symbols *s = symbols_new(0);
	struct symbols_dso *dso = self_dso(s);
	Dwarf_Addr bias = 0;
	Dwarf *dw;
	Dwarf_Off off = 0, next;
	size_t hdr, checked = 0, differ = 0, cus = 0;

	CHECK(dso != NULL);
	if (!dso) {
		symbols_free(s);
		return;
	}
	dw = dwfl_module_getdwarf(dso->module, &bias);
	CHECK(dw != NULL);
	while (dw && dwarf_nextcu(dw, off, &next, &hdr, NULL, NULL, NULL) == 0) {
		Dwarf_Die cu;
		Dwarf_Lines *lines;
		size_t nlines;

		if (dwarf_offdie(dw, off + hdr, &cu) &&
		    dwarf_getsrclines(&cu, &lines, &nlines) == 0) {
			cus++;
			for (size_t i = 0; i < nlines; i++) {
				Dwarf_Addr a;

				if (dwarf_lineaddr(dwarf_onesrcline(lines, i),
						   &a))
					continue;
				for (int d = 0; d < 2; d++) {
					checked++;
					if (!dso_scopes_check(dso, a + bias + d))
						differ++;
				}
			}
		}
		off = next;
	}
	if (differ)
		printf("  %zu of %zu addresses differ from libdw\n", differ,
		       checked);
	CHECK(checked > 1000);
	CHECK(differ == 0);
	/* one walk per CU, however many addresses were asked */
	CHECK(dso_scopes_built(dso->scopes) > 0);
	CHECK(dso_scopes_built(dso->scopes) <= cus);
	symbols_free(s);
}

/* Repeated lookups in one CU reuse its index. */
static void test_walked_once(void)
{
	struct symbols *s = symbols_new(0);
	struct symbols_result r;
	uint64_t addr = (uint64_t)(uintptr_t)&test_scopes_outer;
	pid_t pid = getpid();
	struct symbols_dso *dso;
	unsigned long built;

	CHECK(symbols_load_proc_maps(s, pid) == 0);
	memset(&r, 0, sizeof(r));
	CHECK(symbols_lookup(s, pid, addr, SYMBOLS_LOOKUP_INLINE, &r) == 0);
	dso = dso_get(s, r.module);
	built = dso_scopes_built(dso->scopes);
	CHECK(built == 1);
	for (int i = 0; i < 16; i++)
		symbols_lookup(s, pid, addr + (uint64_t)i,
			       SYMBOLS_LOOKUP_INLINE, &r);
	CHECK(dso_scopes_built(dso->scopes) == built);
	symbols_free(s);
}

/* Somewhere in test_scopes_outer the chain is inner <- middle <- outer. */
static void test_inline_names(void)
{
	struct symbols *s = symbols_new(SYMBOLS_NO_DEMANGLE);
	struct symbols_result r;
	uint64_t addr = (uint64_t)(uintptr_t)&test_scopes_outer;
	pid_t pid = getpid();
	int found = 0;

	CHECK(symbols_load_proc_maps(s, pid) == 0);
	for (int i = 0; i < 64 && !found; i++) {
		memset(&r, 0, sizeof(r));
		if (symbols_lookup(s, pid, addr + (uint64_t)i,
				   SYMBOLS_LOOKUP_INLINE, &r) ||
		    !r.function || strcmp(r.function, "test_scopes_outer"))
			break;
		found = r.nr_inlined == 2 &&
			!strcmp(r.inlined[0].name, "test_scopes_inner") &&
			!strcmp(r.inlined[1].name, "test_scopes_middle");
	}
	CHECK(found);
	symbols_free(s);
}

int main(void)
{
	RUN(test_same_as_libdw);
	RUN(test_walked_once);
	RUN(test_inline_names);
	TEST_EXIT();
}
