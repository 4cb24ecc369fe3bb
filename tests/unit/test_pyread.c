/*
 * test_pyread.c - unit tests for the Python reader's pure parts: the three
 * line-table formats (including truncated and garbled tables), a code
 * object's cached line lookup, UTF-8
 * encoding of decoded code points, the per-version layout rows (3.6-3.12),
 * the version a binary's file name states, and the 3.13 _Py_DebugOffsets
 * decoder (good, wrong cookie, out-of-range offset).
 */
#include <stdint.h>
#include <string.h>

#include "python/binary.h"
#include "python/codecache.h"
#include "python/layouts.h"
#include "python/linetable.h"
#include "python/unicode.h"
#include "test.h"

static void test_lnotab(void)
{
	/* addr 0-5: line 5; 6-9: line 6; from 10: 6 + 2 + 3 = 11; -1 after */
	static const unsigned char t[] = { 6, 1, 4, 2, 0, 3, 8, 0xff };

	CHECK(py_line_for(PY_LINES_LNOTAB, t, sizeof(t), 5, 0) == 5);
	CHECK(py_line_for(PY_LINES_LNOTAB, t, sizeof(t), 5, 6) == 6);
	CHECK(py_line_for(PY_LINES_LNOTAB, t, sizeof(t), 5, 10) == 11);
	CHECK(py_line_for(PY_LINES_LNOTAB, t, sizeof(t), 5, 18) == 10);
	/* truncated: an odd trailing byte is ignored */
	CHECK(py_line_for(PY_LINES_LNOTAB, t, 3, 5, 100) == 6);
	CHECK(py_line_for(PY_LINES_LNOTAB, t, 0, 5, 100) == 5);
}

static void test_linetable310(void)
{
	/* [0,4) line 6; [4,6) no line; [6,12) line 8 */
	static const unsigned char t[] = { 4, 1, 2, 0x80, 6, 2 };

	CHECK(py_line_for(PY_LINES_LINETABLE310, t, sizeof(t), 5, 2) == 6);
	CHECK(py_line_for(PY_LINES_LINETABLE310, t, sizeof(t), 5, 4) == 0);
	CHECK(py_line_for(PY_LINES_LINETABLE310, t, sizeof(t), 5, 8) == 8);
	CHECK(py_line_for(PY_LINES_LINETABLE310, t, 1, 5, 8) == 5);
}

static void test_locations(void)
{
	static const unsigned char t[] = {
		0xe9, 0x02,		/* code 13, 2 units, +1 -> 11 */
		0xd0, 0x01, 0x02,	/* code 10, 1 unit, +0 -> 11 */
		0xf8,			/* code 15, 1 unit: no line */
		0xf2, 0x05, 0x00, 0x01, 0x01,	/* code 14, 3 units, -2 -> 9 */
		0x80 | (3 << 3), 0x07,	/* short form, 1 unit -> 9 */
	};

	CHECK(py_line_for(PY_LINES_LOCATIONS, t, sizeof(t), 10, 0) == 11);
	CHECK(py_line_for(PY_LINES_LOCATIONS, t, sizeof(t), 10, 1) == 11);
	CHECK(py_line_for(PY_LINES_LOCATIONS, t, sizeof(t), 10, 2) == 11);
	CHECK(py_line_for(PY_LINES_LOCATIONS, t, sizeof(t), 10, 3) == 0);
	CHECK(py_line_for(PY_LINES_LOCATIONS, t, sizeof(t), 10, 4) == 9);
	CHECK(py_line_for(PY_LINES_LOCATIONS, t, sizeof(t), 10, 6) == 9);
	CHECK(py_line_for(PY_LINES_LOCATIONS, t, sizeof(t), 10, 7) == 9);
	/* before the start of the code: the first line */
	CHECK(py_line_for(PY_LINES_LOCATIONS, t, sizeof(t), 10, -1) == 10);
	/* truncated inside a varint: stops, never reads past the end */
	CHECK(py_line_for(PY_LINES_LOCATIONS, t, 7, 10, 5) == 11);
	/* garbled: a byte without the entry-start bit stops the walk */
	{
		static const unsigned char bad[] = { 0x12, 0x34, 0x56 };

		CHECK(py_line_for(PY_LINES_LOCATIONS, bad, sizeof(bad), 10, 1) == 10);
	}
	/* a long run of varint continuation bytes is bounded */
	{
		unsigned char junk[64];

		memset(junk, 0x7f, sizeof(junk));
		junk[0] = 0xf0;	/* code 14: svarint follows */
		CHECK(py_line_for(PY_LINES_LOCATIONS, junk, sizeof(junk), 10, 3) == 10);
	}
}

/* the slot of code's line cache holding pos, -1 if none */
static int kept_slot(const struct pycode *code, int pos)
{
	for (int i = 0; i < PYCODE_LINES_KEPT; i++)
		if (code->last_pos[i] == pos)
			return i;
	return -1;
}

/* a code object's line lookups: the last PYCODE_LINES_KEPT are kept (a
 * loop's few positions in turn), the oldest gives way, an absurd
 * position gives the first line and keeps nothing */
static void test_code_line_cache(void)
{
	static unsigned char t[] = { 6, 1, 4, 2, 0, 3, 8, 0xff };
	struct pycode code = { .firstlineno = 5, .lines = t,
			       .lines_len = sizeof(t),
			       .last_pos = { -1, -1, -1, -1 } };
	int slot;

	CHECK(pycode_line_at(&code, PY_LINES_LNOTAB, 10) == 11);
	slot = kept_slot(&code, 10);
	CHECK(slot >= 0 && code.last_line[slot] == 11);
	CHECK(pycode_line_at(&code, PY_LINES_LNOTAB, 6) == 6);
	/* both kept: 10 again is read from the cache (planted line) */
	CHECK(kept_slot(&code, 6) >= 0 && kept_slot(&code, 10) == slot);
	code.last_line[slot] = 99;
	CHECK(pycode_line_at(&code, PY_LINES_LNOTAB, 10) == 99);
	CHECK(pycode_line_at(&code, PY_LINES_LNOTAB, (int64_t)1 << 40) == 5);
	CHECK(kept_slot(&code, 6) >= 0);
	/* four more positions: 10, the oldest, gives way */
	for (int pos = 0; pos < PYCODE_LINES_KEPT; pos++)
		pycode_line_at(&code, PY_LINES_LNOTAB, pos);
	CHECK(kept_slot(&code, 10) < 0);
	CHECK(pycode_line_at(&code, PY_LINES_LNOTAB, 10) == 11);
}

/* 3.11+: an instruction pointer counts code units from the bytecode's
 * start at code_adaptive; outside the bytecode, the first line */
static void test_code_line_of_instr(void)
{
	static unsigned char t[] = { 6, 1, 4, 2, 0, 3, 8, 0xff };
	struct pycode code = { .firstlineno = 5, .lines = t,
			       .lines_len = sizeof(t),
			       .last_pos = { -1, -1, -1, -1 } };
	struct py_layout l = { .code_adaptive = 0xc8,
			       .lines = PY_LINES_LNOTAB };
	uint64_t first = 0x1000 + 0xc8;

	CHECK(pycode_line_of_instr(&code, &l, 0x1000, first + 2 * 10) == 11);
	CHECK(pycode_line_of_instr(&code, &l, 0x1000, first + 2 * 3) == 5);
	CHECK(pycode_line_of_instr(&code, &l, 0x1000, first - 2) == 5);
	code.nr_units = 8;
	CHECK(pycode_line_of_instr(&code, &l, 0x1000, first + 2 * 10) == 5);
	CHECK(pycode_line_of_instr(&code, &l, 0x1000, first + 2 * 6) == 6);
}

static void test_utf8(void)
{
	char out[8];

	CHECK(py_utf8_encode('a', out) == 1 && out[0] == 'a');
	CHECK(py_utf8_encode(0xe9, out) == 2 && !memcmp(out, "\xc3\xa9", 2));
	CHECK(py_utf8_encode(0x3bb, out) == 2 && !memcmp(out, "\xce\xbb", 2));
	CHECK(py_utf8_encode(0x20ac, out) == 3 && !memcmp(out, "\xe2\x82\xac", 3));
	CHECK(py_utf8_encode(0x1f600, out) == 4 && !memcmp(out, "\xf0\x9f\x98\x80", 4));
	CHECK(py_utf8_encode(0xd800, out) == 3 && !memcmp(out, "\xef\xbf\xbd", 3));
	CHECK(py_utf8_encode(0x110000, out) == 3 && !memcmp(out, "\xef\xbf\xbd", 3));
}

static void test_layout_rows(void)
{
	int minor;

	for (minor = 6; minor <= 12; minor++) {
		const struct py_layout *l = py_layout_find(3, minor);

		CHECK(l != NULL);
		if (!l)
			continue;
		CHECK(l->minor == minor);
		CHECK(l->tstate_size > l->tstate_thread_id);
		CHECK(l->frame_size > l->frame_back && l->frame_size > l->frame_code);
		CHECK(l->frame_size >= l->frame_lasti + 4);
		CHECK(l->code_size > l->code_linetable);
		CHECK(l->interpreter_frames == (minor >= 11));
		CHECK((l->code_qualname != 0) == (minor >= 11));
		CHECK((l->lines == PY_LINES_LNOTAB) == (minor <= 9));
		/* only 3.6 lacks _PyRuntime; 3.7-3.11 keep the current
		 * thread in it */
		CHECK(l->static_heads == (minor == 6));
		CHECK((l->runtime_tstate_current != 0) ==
		      (minor >= 7 && minor <= 11));
	}
	CHECK(py_layout_find(3, 5) == NULL);
	CHECK(py_layout_find(2, 7) == NULL);
	CHECK(py_layout_find(3, 13) == NULL);
	CHECK(py_debug_offsets_size(3, 13) == 584);
	CHECK(py_debug_offsets_size(3, 12) == 0);
}

static void test_version_from_name(void)
{
	int major = 0, minor = 0;

	CHECK(pybinary_version_from_name("/usr/bin/python3.11", &major, &minor));
	CHECK(major == 3 && minor == 11);
	CHECK(pybinary_version_from_name("/v/3.6.15/lib/libpython3.6m.so.1.0",
					 &major, &minor));
	CHECK(major == 3 && minor == 6);
	CHECK(pybinary_version_from_name("/v/2.7.18/lib/libpython2.7.so.1.0",
					 &major, &minor));
	CHECK(major == 2 && minor == 7);
	/* the directory does not count, nor a name without major.minor */
	CHECK(!pybinary_version_from_name("/opt/python3.9/bin/python3",
					  &major, &minor));
	CHECK(!pybinary_version_from_name("python", &major, &minor));
	CHECK(!pybinary_version_from_name("python3.", &major, &minor));
	CHECK(!pybinary_version_from_name("libpython4.1.so", &major, &minor));
	/* a later "python" in the name still counts */
	CHECK(pybinary_version_from_name("mypython-python3.13", &major, &minor));
	CHECK(major == 3 && minor == 13);
}

/* A 3.13.0 block with the values read from a live process (reference §2.1). */
static void fill_313(uint64_t *b)
{
	static const uint64_t values[73] = {
		0, 0x030d00f0, 0,
		283320, 608, 632,
		194968, 7272, 7264, 7344, 7400, 7656, 7640, 7648, 16, 7752, 0, 7768, 7760,
		304, 0, 8, 16, 72, 152, 160, 232, 32,
		80, 8, 0, 56, 72, 70,
		208, 112, 120, 128, 136, 68, 52, 96, 104, 200,
		16, 8,
		1000, 24, 88, 168,
		32, 24, 16,
		40, 24, 16,
		48, 32, 40,
		24, 16,
		32, 16, 24,
		40, 16, 32,
		64, 32, 16, 40,
		240, 200,
	};

	memcpy(b, values, sizeof(values));
	memcpy(b, "xdebugpy", 8);
}

static void test_debug_offsets(void)
{
	uint64_t block[73];
	struct py_layout l;

	fill_313(block);
	CHECK(py_layout_from_debug_offsets((unsigned char *)block, sizeof(block),
					   3, 13, &l) == 0);
	CHECK(l.runtime_interp_head == 632);
	CHECK(l.interp_threads_head == 7344);
	CHECK(l.interp_gil_pointer == 16);
	CHECK(l.interp_modules == 7656);
	CHECK(l.tstate_frame == 72 && l.cframe_current == -1);
	CHECK(l.tstate_native_id == 160);
	CHECK(l.frame_back == 8 && l.frame_code == 0 && l.frame_lasti == 56);
	CHECK(l.frame_owner == 70 && l.frame_skip_owner == 3);
	CHECK(l.code_qualname == 128 && l.code_adaptive == 200);
	CHECK(l.unicode_ascii_size == 40 && l.unicode_compact_size == 56);
	CHECK(l.gil_last_holder == 8 && l.gil_locked == 16);
	CHECK(l.frame_code_tagged == 0);

	/* wrong cookie */
	fill_313(block);
	memcpy(block, "xdebugpz", 8);
	CHECK(py_layout_from_debug_offsets((unsigned char *)block, sizeof(block),
					   3, 13, &l) < 0);
	/* an offset outside its struct */
	fill_313(block);
	block[23] = 400;	/* thread_state.current_frame >= size 304 */
	CHECK(py_layout_from_debug_offsets((unsigned char *)block, sizeof(block),
					   3, 13, &l) < 0);
	/* free-threaded builds are refused */
	fill_313(block);
	block[2] = 1;
	CHECK(py_layout_from_debug_offsets((unsigned char *)block, sizeof(block),
					   3, 13, &l) < 0);
	/* too short, unknown minor */
	fill_313(block);
	CHECK(py_layout_from_debug_offsets((unsigned char *)block, 100, 3, 13, &l) < 0);
	CHECK(py_layout_from_debug_offsets((unsigned char *)block, sizeof(block),
					   3, 15, &l) < 0);
}

int main(void)
{
	RUN(test_lnotab);
	RUN(test_linetable310);
	RUN(test_locations);
	RUN(test_code_line_cache);
	RUN(test_code_line_of_instr);
	RUN(test_utf8);
	RUN(test_layout_rows);
	RUN(test_version_from_name);
	RUN(test_debug_offsets);
	TEST_EXIT();
}
