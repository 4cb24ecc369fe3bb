/*
 * test_layouts.c - the 3.14 row of the _Py_DebugOffsets decoder: a
 * synthetic block whose every field names its own index proves which
 * index each layout field comes from; a block with the values of a real
 * 3.14.10 process (Debian build, read from its .PyRuntime section) must
 * decode to those offsets; damaged or mislabelled blocks are refused.
 * The same for 3.15 with a real 3.15.2 block, and the refusals name the
 * field that did not make sense (free-threaded builds: free_threaded).
 * The bytes-object offsets and the _Py_InitCleanup flag the code cache
 * reads come from the table too: from the block for 3.13+, the built-in
 * rows before.
 */
#include <stdint.h>
#include <string.h>

#include "test.h"
#include "python/layouts.h"

#define WORDS_314 95
#define WORDS_315 111

/* Indices of the struct sizes (each group's first field) in 3.14. */
static const int sizes_314[] = { 3, 6, 22, 31, 39, 50, 52, 56, 59, 62, 66,
				 69, 71, 74, 77, 81, 83 };

/* Every field holds 100 + its index, every size 4000 (or the most its
 * struct may be). */
static void fill_indexed(uint64_t *b)
{
	size_t i;

	for (i = 0; i < WORDS_314; i++)
		b[i] = 100 + i;
	for (i = 0; i < sizeof(sizes_314) / sizeof(sizes_314[0]); i++)
		b[sizes_314[i]] = 4000;
	/* within the decoder's bounds for a frame, a code object, a str */
	b[31] = 500;
	b[39] = 1000;
	b[77] = 250;
	b[74] = 250;
	memcpy(b, "xdebugpy", 8);
	b[1] = 0x030e00f0;
	b[2] = 0;
}

/* The block of CPython 3.14.10 (x86_64, GIL build), word by word. */
static void fill_real(uint64_t *b)
{
	static const uint64_t values[WORDS_314] = {
		0, 0x030e0af0, 0,
		316616, 784, 808,
		225864, 7280, 7272, 7344, 7360, 7408, 7688, 7672, 7680, 16,
		7784, 0, 7800, 7792, 7992, 0,
		832, 0, 8, 16, 72, 152, 160, 232, 32,
		88, 8, 0, 56, 80, 74, 64, 0,
		216, 112, 120, 128, 136, 68, 52, 96, 104, 208, 0,
		16, 8,
		416, 24, 88, 168,
		40, 32, 16,
		40, 24, 16,
		200, 24, 40, 32,
		48, 32, 40,
		24, 16,
		32, 16, 24,
		40, 16, 32,
		64, 32, 16, 40,
		264, 192,
		160, 24, 72, 67,
		0, 8,
		24, 304, 8076, 0, 4, 512,
	};

	memcpy(b, values, sizeof(values));
	memcpy(b, "xdebugpy", 8);
}

static int decode(uint64_t *b, size_t len, int minor, struct py_layout *l)
{
	return py_layout_from_debug_offsets((const unsigned char *)b, len, 3,
					    minor, l);
}

static void test_size(void)
{
	CHECK(py_debug_offsets_size(3, 14) == WORDS_314 * 8);
	CHECK(py_debug_offsets_size(3, 15) == WORDS_315 * 8);
	CHECK(py_debug_offsets_size(3, 16) == 0);
	CHECK(py_layout_find(3, 15) == NULL);
	CHECK(py_layout_find(3, 14) == NULL);
}

static void test_indices_314(void)
{
	uint64_t b[WORDS_314];
	struct py_layout l;

	fill_indexed(b);
	CHECK(decode(b, sizeof(b), 14, &l) == 0);
	CHECK(l.major == 3 && l.minor == 14);
	CHECK(l.runtime_interp_head == 105);
	CHECK(l.interp_next == 108);
	CHECK(l.interp_threads_head == 109);
	CHECK(l.interp_modules == 112);
	CHECK(l.interp_gil_pointer == 115);
	/* _gil at 116, locked at 118, last_holder at 119 */
	CHECK(l.gil_locked == 2 && l.gil_last_holder == 3);
	CHECK(l.tstate_prev == 123 && l.tstate_next == 124);
	CHECK(l.tstate_interp == 125);
	CHECK(l.tstate_frame == 126 && l.cframe_current == -1);
	CHECK(l.tstate_thread_id == 127);
	CHECK(l.tstate_native_id == 128);
	CHECK(l.frame_back == 132);
	CHECK(l.frame_code == 133);
	CHECK(l.frame_lasti == 134);
	CHECK(l.frame_owner == 136);
	CHECK(l.code_filename == 140);
	CHECK(l.code_name == 141);
	CHECK(l.code_qualname == 142);
	CHECK(l.code_linetable == 143);
	CHECK(l.code_firstlineno == 144);
	CHECK(l.code_adaptive == 148);
	CHECK(l.unicode_ascii_size == 180);
	CHECK(l.unicode_compact_size == 196);
	CHECK(l.bytes_size == 175 && l.bytes_data == 176);
	CHECK(l.code_init_shim == 1);
	CHECK(l.interpreter_frames == 1 && l.lines == PY_LINES_LOCATIONS);
}

static void test_real_314(void)
{
	uint64_t b[WORDS_314];
	struct py_layout l;

	fill_real(b);
	CHECK(decode(b, sizeof(b), 14, &l) == 0);
	CHECK(l.runtime_interp_head == 808);
	CHECK(l.interp_next == 7272 && l.interp_threads_head == 7344);
	CHECK(l.interp_modules == 7688 && l.interp_gil_pointer == 16);
	CHECK(l.interp_size_read >= 7344 + 8);
	CHECK(l.gil_last_holder == 8 && l.gil_locked == 16);
	CHECK(l.tstate_prev == 0 && l.tstate_next == 8 && l.tstate_interp == 16);
	CHECK(l.tstate_frame == 72);
	/* gc (7408) + collecting (192); exc_info is not in the block: the
	 * row's measured constant */
	CHECK(l.gc_collecting == 7600 && l.gc_in_runtime == 0);
	CHECK(l.tstate_exc == 120 && l.exc_item_previous == 8);
	CHECK(l.tstate_thread_id == 152 && l.tstate_native_id == 160);
	CHECK(l.tstate_size > 160);
	CHECK(l.frame_back == 8 && l.frame_code == 0 && l.frame_lasti == 56);
	CHECK(l.frame_owner == 74 && l.frame_size > 74);
	/* tagged f_executable; INTERPRETER (3) and CSTACK (4) skipped */
	CHECK(l.frame_code_tagged == 1 && l.frame_skip_owner == 3);
	CHECK(l.code_filename == 112 && l.code_name == 120);
	CHECK(l.code_qualname == 128 && l.code_linetable == 136);
	CHECK(l.code_firstlineno == 68 && l.code_adaptive == 208);
	CHECK(l.code_size > 136);
	CHECK(l.unicode_ascii_size == 40 && l.unicode_compact_size == 56);
	CHECK(l.bytes_size == 16 && l.bytes_data == 32 && l.code_init_shim == 1);
}

static void test_rejects_314(void)
{
	uint64_t b[WORDS_314];
	struct py_layout l;

	/* interpreter_frame.owner at or past sizeof(_PyInterpreterFrame) */
	fill_real(b);
	b[36] = 88;
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	/* thread_state.current_frame far outside the thread state */
	fill_real(b);
	b[26] = 1u << 30;
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	/* a struct size of zero */
	fill_real(b);
	b[39] = 0;
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	/* the GIL's last_holder outside struct _gil_runtime_state */
	fill_real(b);
	b[19] = 7784 + 4096;
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	/* ... or past the bytes the reader fetches of it */
	fill_real(b);
	b[19] = 7784 + PY_GIL_READ_SIZE;
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	fill_real(b);
	b[18] = 7784 + PY_GIL_READ_SIZE - 2;
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	/* locked and last_holder the same field */
	fill_real(b);
	b[18] = b[19];
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	/* co_code_adaptive past the code object */
	fill_real(b);
	b[48] = 4000;
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	/* ob_sval outside the bytes object, or on ob_size */
	fill_real(b);
	b[76] = 40;
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	fill_real(b);
	b[76] = 16;
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	/* implausible sizeof(PyASCIIObject) */
	fill_real(b);
	b[80] = 4;
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	/* wrong cookie, free-threaded build */
	fill_real(b);
	memcpy(b, "xdebugpY", 8);
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	fill_real(b);
	b[2] = 1;
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	/* truncated: the 3.13 size is too short for a 3.14 block */
	fill_real(b);
	CHECK(decode(b, 584, 14, &l) < 0);
	CHECK(decode(b, sizeof(b) - 1, 14, &l) < 0);
}

/* A 3.13 block (layout shifted by the 3.14 additions) read as 3.14. */
static void test_mislabelled(void)
{
	static const uint64_t v313[73] = {
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
	uint64_t b[WORDS_314];
	struct py_layout l;

	memset(b, 0, sizeof(b));
	memcpy(b, v313, sizeof(v313));
	memcpy(b, "xdebugpy", 8);
	CHECK(decode(b, sizeof(b), 14, &l) < 0);
	/* as what it is: gc (7400) + collecting (200), and the row's
	 * exc_info, inside the thread state bytes read */
	CHECK(decode(b, 584, 13, &l) == 0);
	CHECK(l.gc_collecting == 7600);
	CHECK(l.tstate_exc == 120 && l.exc_item_previous == 8);
	CHECK(l.tstate_size >= 128);
	CHECK(l.bytes_size == 16 && l.bytes_data == 32 && l.code_init_shim == 1);
}

/* The built-in rows (3.6-3.12): bytes objects as every CPython has them,
 * and no _Py_InitCleanup shim before 3.13. */
static void test_static_rows(void)
{
	int minor, rows = 0;

	for (minor = 6; minor <= 12; minor++) {
		const struct py_layout *l = py_layout_find(3, minor);

		if (!l)
			continue;
		rows++;
		CHECK(l->bytes_size == 16 && l->bytes_data == 32);
		CHECK(l->code_init_shim == 0);
	}
	CHECK(rows == 7);
}

/* The block of CPython 3.15.2 (Debian 3.15.2-1, x86_64, GIL build),
 * read from its _PyRuntime. */
static void fill_real_315(uint64_t *b)
{
	static const uint64_t values[WORDS_315] = {
		0, 0x030f02f0, 0,
		346568, 912, 936,
		226240, 7272, 7264, 7336, 7352, 7400, 7592, 7576, 7584, 16,
		7736, 0, 7752, 7744, 7944, 0,
		888, 0, 8, 16, 72, 80, 88, 96, 176, 184, 256, 32, 36, 40, 136, 288,
		0,
		88, 8, 0, 56, 80, 74, 64, 0,
		216, 112, 120, 128, 136, 68, 52, 96, 104, 208, 0,
		16, 8,
		424, 24, 88, 168, 32, 288,
		944, 888,
		40, 32, 16,
		40, 24, 16,
		200, 24, 40, 32,
		48, 32, 40,
		24, 16,
		32, 16, 24,
		40, 16, 32,
		64, 32, 16, 40, 56,
		176, 112, 120, 1120, 104,
		160, 24, 72, 67,
		0, 8,
		24, 344, 8028, 0, 4, 512,
	};

	memcpy(b, values, sizeof(values));
	memcpy(b, "xdebugpy", 8);
}

static void test_real_315(void)
{
	uint64_t b[WORDS_315];
	struct py_layout l;
	const char *why = "unset";

	fill_real_315(b);
	CHECK(py_layout_check_debug_offsets((unsigned char *)b, sizeof(b), 3,
					    15, &l, &why) == 0);
	CHECK(why == NULL);
	CHECK(l.major == 3 && l.minor == 15);
	CHECK(l.runtime_interp_head == 936);
	CHECK(l.interp_next == 7264 && l.interp_threads_head == 7336);
	CHECK(l.interp_modules == 7592 && l.interp_gil_pointer == 16);
	CHECK(l.gil_last_holder == 8 && l.gil_locked == 16);
	CHECK(l.tstate_prev == 0 && l.tstate_next == 8 && l.tstate_interp == 16);
	CHECK(l.tstate_frame == 72);
	/* moved by base_frame and last_profiled_frame(_seq) */
	CHECK(l.tstate_thread_id == 176 && l.tstate_native_id == 184);
	/* gc (7400) + collecting (112); exc_info the row's constant */
	CHECK(l.gc_collecting == 7512);
	CHECK(l.tstate_exc == 144 && l.tstate_size >= 152);
	CHECK(l.frame_back == 8 && l.frame_code == 0 && l.frame_lasti == 56);
	CHECK(l.frame_owner == 74);
	CHECK(l.frame_code_tagged == 1 && l.frame_skip_owner == 3);
	CHECK(l.code_filename == 112 && l.code_name == 120);
	CHECK(l.code_qualname == 128 && l.code_linetable == 136);
	CHECK(l.code_firstlineno == 68 && l.code_adaptive == 208);
	/* from the new heap_type_object group, no longer 880 */
	CHECK(l.type_cached_keys == 888);
	CHECK(l.unicode_ascii_size == 40 && l.unicode_compact_size == 56);
	CHECK(l.bytes_size == 16 && l.bytes_data == 32 && l.code_init_shim == 1);
}

/* decode_why: the field a refused block is refused for. */
static const char *decode_why(uint64_t *b, size_t len, int minor)
{
	struct py_layout l;
	const char *why = NULL;

	if (py_layout_check_debug_offsets((unsigned char *)b, len, 3, minor,
					  &l, &why) == 0)
		return "accepted";
	return why ? why : "no reason";
}

static void test_rejects_315(void)
{
	uint64_t b[WORDS_315], b14[WORDS_315];

	fill_real_315(b);
	b[26] = 888;
	CHECK(!strcmp(decode_why(b, sizeof(b), 15), "thread_state.current_frame"));
	fill_real_315(b);
	b[31] = b[30];
	CHECK(!strcmp(decode_why(b, sizeof(b), 15),
		      "thread_state (two fields at one offset)"));
	fill_real_315(b);
	b[67] = 944;
	CHECK(!strcmp(decode_why(b, sizeof(b), 15), "heap_type_object.ht_cached_keys"));
	fill_real_315(b);
	b[93] = 40;
	CHECK(!strcmp(decode_why(b, sizeof(b), 15),
		      "unicode_object.compactunicodeobject_size"));
	fill_real_315(b);
	b[39] = 4096;
	CHECK(!strcmp(decode_why(b, sizeof(b), 15), "interpreter_frame.size"));
	/* a 3.15 block read as 3.14, and a 3.14 block read as 3.15 */
	fill_real_315(b);
	b[1] = 0x030e0af0;
	CHECK(strcmp(decode_why(b, sizeof(b), 14), "accepted"));
	memset(b14, 0, sizeof(b14));
	fill_real(b14);
	b14[1] = 0x030f02f0;
	CHECK(strcmp(decode_why(b14, sizeof(b14), 15), "accepted"));
	/* the version inside the block must be the one asked for */
	fill_real_315(b);
	CHECK(!strcmp(decode_why(b, sizeof(b), 14), "version"));
	/* truncated */
	fill_real_315(b);
	CHECK(!strcmp(decode_why(b, WORDS_314 * 8, 15),
		      "the block's layout for this version"));
}

/*
 * Free-threaded builds (3.14t, 3.15t; Py_GIL_DISABLED): free_threaded is
 * 1 and the GIL fields describe a GIL that is off.  Refused by name,
 * whatever else the block says.
 */
static void test_free_threaded(void)
{
	uint64_t b[WORDS_315];

	fill_real_315(b);
	b[2] = 1;
	b[17] = 7760;	/* gil_runtime_state_enabled */
	CHECK(!strcmp(decode_why(b, sizeof(b), 15), "free_threaded"));
	fill_real(b);
	b[2] = 1;
	CHECK(!strcmp(decode_why(b, WORDS_314 * 8, 14), "free_threaded"));
}

/* A minor newer than any row: refused, not read with the last row. */
static void test_future(void)
{
	uint64_t b[WORDS_315];

	fill_real_315(b);
	b[1] = 0x031000a1;
	CHECK(!strcmp(decode_why(b, sizeof(b), 16),
		      "the block's layout for this version"));
}

int main(void)
{
	RUN(test_size);
	RUN(test_indices_314);
	RUN(test_real_314);
	RUN(test_rejects_314);
	RUN(test_mislabelled);
	RUN(test_static_rows);
	RUN(test_real_315);
	RUN(test_rejects_315);
	RUN(test_free_threaded);
	RUN(test_future);
	TEST_EXIT();
}
