/*
 * layouts.c - the per-version offset table (one row per CPython minor)
 * and the decoder of 3.13+'s _Py_DebugOffsets block.
 *
 * Rows are data only: never add code that branches on a version outside
 * this file.  Values: ../shared/reference/cpython-internals.md §3 (3.8-3.12
 * verified against offsetof() on this machine kind), §2 (3.13+), and for
 * 3.6 and 3.7 offsetof() against the pyenv 3.6.15 and 3.7.16 headers.
 * The modes' fields (exc_info, gc.collecting) are offsetof() against the
 * pyenv 3.6.15-3.13.0 headers (internal ones with Py_BUILD_CORE; 3.7
 * installs none, so its GC flag is unknown; 3.6 keeps it in a static).
 */
#include <string.h>

#include "python/layouts.h"

static const struct py_layout rows[] = {
	/*
	 * 3.6: no _PyRuntime.  The list of interpreters starts at the static
	 * interp_head and the current thread is the exported
	 * _PyThreadState_Current, both found by symbol (binary.c); the
	 * reader's runtime address is interp_head's.  offsetof() against the
	 * 3.6.15 headers: frames carry f_exc_* (f_lasti 16 bytes later than
	 * 3.7), thread states keep thread_id earlier, code as 3.7.
	 */
	{
		.major = 3, .minor = 6, .static_heads = 1,
		.runtime_interp_head = 0,
		.interp_next = 0, .interp_threads_head = 8, .interp_size_read = 16,
		.gil_last_holder = 8, .gil_locked = 16,
		.tstate_prev = 0,
		.tstate_next = 8, .tstate_interp = 16, .tstate_frame = 24,
		.cframe_current = -1, .tstate_thread_id = 152,
		.tstate_size = 160,
		.frame_back = 24, .frame_code = 32, .frame_lasti = 120,
		.frame_owner = -1, .frame_size = 124,
		.code_firstlineno = 36, .code_filename = 96, .code_name = 104,
		.code_linetable = 112, .code_size = 120,
		.lines = PY_LINES_LNOTAB,
		.interp_modules = 16, .type_cached_keys = 856,
		.instance_dict = PY_DICT_AT_OFFSET, .dict_keys_compact = 0,
		.dict_values_header = 0, .long_tagged = 0,
		.tstate_exc = 104, .exc_item_previous = 0,
		.gc_collecting = 0, .gc_in_runtime = 0,
		.unicode_ascii_size = 48, .unicode_compact_size = 72,
		.bytes_size = 16, .bytes_data = 32,
	},
	/*
	 * 3.7: offsetof() against the 3.7.16 headers.  _PyRuntimeState has
	 * no main_thread and a smaller mutex before interpreters, and
	 * PyCodeObject no co_posonlyargcount, so its pointers sit 8 bytes
	 * before 3.8's.  Frames, thread states, dicts and strings as 3.8.
	 */
	{
		.major = 3, .minor = 7,
		.runtime_interp_head = 24, .runtime_tstate_current = 1480,
		.runtime_gil = 1264,
		.interp_next = 0, .interp_threads_head = 8, .interp_size_read = 16,
		.gil_last_holder = 8, .gil_locked = 16,
		.tstate_prev = 0,
		.tstate_next = 8, .tstate_interp = 16, .tstate_frame = 24,
		.cframe_current = -1, .tstate_thread_id = 176,
		.tstate_size = 184,
		.frame_back = 24, .frame_code = 32, .frame_lasti = 104,
		.frame_owner = -1, .frame_size = 108,
		.code_firstlineno = 36, .code_filename = 96, .code_name = 104,
		.code_linetable = 112, .code_size = 120,
		.lines = PY_LINES_LNOTAB,
		.interp_modules = 40, .type_cached_keys = 856,
		.instance_dict = PY_DICT_AT_OFFSET, .dict_keys_compact = 0,
		.dict_values_header = 0, .long_tagged = 0,
		.tstate_exc = 144, .exc_item_previous = 24,
		.gc_collecting = 0, .gc_in_runtime = 0,
		.unicode_ascii_size = 48, .unicode_compact_size = 72,
		.bytes_size = 16, .bytes_data = 32,
	},
	{
		.major = 3, .minor = 8,
		.runtime_interp_head = 32, .runtime_tstate_current = 1368,
		.runtime_gil = 1152,
		.interp_next = 0, .interp_threads_head = 8, .interp_size_read = 16,
		.gil_last_holder = 8, .gil_locked = 16,
		.tstate_prev = 0,
		.tstate_next = 8, .tstate_interp = 16, .tstate_frame = 24,
		.cframe_current = -1, .tstate_thread_id = 176,
		.tstate_size = 184,
		.frame_back = 24, .frame_code = 32, .frame_lasti = 104,
		.frame_owner = -1, .frame_size = 108,
		.code_firstlineno = 40, .code_filename = 104, .code_name = 112,
		.code_linetable = 120, .code_size = 128,
		.lines = PY_LINES_LNOTAB,
		.interp_modules = 56, .type_cached_keys = 872,
		.instance_dict = PY_DICT_AT_OFFSET, .dict_keys_compact = 0,
		.dict_values_header = 0, .long_tagged = 0,
		.tstate_exc = 144, .exc_item_previous = 24,
		.gc_collecting = 544, .gc_in_runtime = 1,
		.unicode_ascii_size = 48, .unicode_compact_size = 72,
		.bytes_size = 16, .bytes_data = 32,
	},
	{
		.major = 3, .minor = 9,
		.runtime_interp_head = 32, .runtime_tstate_current = 568,
		.runtime_gil = 352,
		.interp_next = 0, .interp_threads_head = 8, .interp_size_read = 16,
		.gil_last_holder = 8, .gil_locked = 16,
		.tstate_prev = 0,
		.tstate_next = 8, .tstate_interp = 16, .tstate_frame = 24,
		.cframe_current = -1, .tstate_thread_id = 176,
		.tstate_size = 184,
		.frame_back = 24, .frame_code = 32, .frame_lasti = 104,
		.frame_owner = -1, .frame_size = 108,
		.code_firstlineno = 40, .code_filename = 104, .code_name = 112,
		.code_linetable = 120, .code_size = 128,
		.lines = PY_LINES_LNOTAB,
		.interp_modules = 856, .type_cached_keys = 864,
		.instance_dict = PY_DICT_AT_OFFSET, .dict_keys_compact = 0,
		.dict_values_header = 0, .long_tagged = 0,
		.tstate_exc = 144, .exc_item_previous = 24,
		.gc_collecting = 816, .gc_in_runtime = 0,
		.unicode_ascii_size = 48, .unicode_compact_size = 72,
		.bytes_size = 16, .bytes_data = 32,
	},
	{
		.major = 3, .minor = 10,
		.runtime_interp_head = 32, .runtime_tstate_current = 568,
		.runtime_gil = 352,
		.interp_next = 0, .interp_threads_head = 8, .interp_size_read = 16,
		.gil_last_holder = 8, .gil_locked = 16,
		.tstate_prev = 0,
		.tstate_next = 8, .tstate_interp = 16, .tstate_frame = 24,
		.cframe_current = -1, .tstate_thread_id = 176,
		.tstate_size = 184,
		.frame_back = 24, .frame_code = 32, .frame_lasti = 96,
		.frame_owner = -1, .frame_size = 100,
		.code_firstlineno = 40, .code_filename = 104, .code_name = 112,
		.code_linetable = 120, .code_size = 128,
		.lines = PY_LINES_LINETABLE310, .lasti_in_units = 1,
		.interp_modules = 856, .type_cached_keys = 872,
		.instance_dict = PY_DICT_AT_OFFSET, .dict_keys_compact = 0,
		.dict_values_header = 0, .long_tagged = 0,
		.tstate_exc = 144, .exc_item_previous = 24,
		.gc_collecting = 816, .gc_in_runtime = 0,
		.unicode_ascii_size = 48, .unicode_compact_size = 72,
		.bytes_size = 16, .bytes_data = 32,
	},
	{
		.major = 3, .minor = 11,
		.runtime_interp_head = 40, .runtime_tstate_current = 576,
		.runtime_gil = 360,
		.interp_next = 0, .interp_threads_head = 16, .interp_size_read = 24,
		.gil_last_holder = 8, .gil_locked = 16,
		.tstate_prev = 0,
		.tstate_next = 8, .tstate_interp = 16, .tstate_frame = 56,
		.cframe_current = 8, .tstate_thread_id = 152,
		.tstate_native_id = 160, .tstate_size = 168,
		.interpreter_frames = 1,
		.frame_back = 48, .frame_code = 32, .frame_lasti = 56,
		.frame_owner = 69, .frame_is_entry = 68, .frame_size = 72,
		.code_firstlineno = 72, .code_filename = 112, .code_name = 120,
		.code_qualname = 128, .code_linetable = 136,
		.code_adaptive = 184, .code_size = 144,
		.lines = PY_LINES_LOCATIONS,
		.interp_modules = 888, .type_cached_keys = 872,
		.instance_dict = PY_DICT_MANAGED_311, .dict_keys_compact = 1,
		.dict_values_header = 0, .long_tagged = 0,
		.tstate_exc = 120, .exc_item_previous = 8,
		.gc_collecting = 848, .gc_in_runtime = 0,
		.unicode_ascii_size = 48, .unicode_compact_size = 72,
		.bytes_size = 16, .bytes_data = 32,
	},
	{
		.major = 3, .minor = 12,
		.runtime_interp_head = 40,
		.interp_next = 0, .interp_threads_head = 72,
		.interp_gil_pointer = 384, .interp_size_read = 392,
		.gil_last_holder = 8, .gil_locked = 16,
		.tstate_prev = 0,
		.tstate_next = 8, .tstate_interp = 16, .tstate_frame = 56,
		.cframe_current = 0, .tstate_thread_id = 136,
		.tstate_native_id = 144, .tstate_size = 152,
		.interpreter_frames = 1,
		.frame_back = 8, .frame_code = 0, .frame_lasti = 56,
		.frame_owner = 70, .frame_skip_owner = 3, .frame_size = 72,
		.code_firstlineno = 68, .code_filename = 112, .code_name = 120,
		.code_qualname = 128, .code_linetable = 136,
		.code_adaptive = 192, .code_size = 144,
		.lines = PY_LINES_LOCATIONS,
		.interp_modules = 944, .type_cached_keys = 880,
		.instance_dict = PY_DICT_MANAGED_312, .dict_keys_compact = 1,
		.dict_values_header = 0, .long_tagged = 1,
		.tstate_exc = 104, .exc_item_previous = 8,
		.gc_collecting = 312, .gc_in_runtime = 0,
		.unicode_ascii_size = 40, .unicode_compact_size = 56,
		.bytes_size = 16, .bytes_data = 32,
	},
};

const struct py_layout *py_layout_find(int major, int minor)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].major == major && rows[i].minor == minor)
			return &rows[i];
	return NULL;
}

/*
 * The block is an array of uint64_t: cookie, version, free_threaded, then
 * groups that each start with their struct's size.  Field indices below
 * are positions in that array; each minor has its own row because new
 * fields shift everything after them.  The GIL fields are offsets of the
 * interpreter's embedded _gil and of its last_holder and locked members.
 * A field whose index is 0 is not in that minor's block.
 */
struct debug_offsets_map {
	int minor;
	size_t size;
	int runtime_size, interp_head;
	int interp_size, interp_next, interp_threads_head, interp_ceval_gil,
	    interp_modules, interp_gil_state, interp_gil_locked,
	    interp_gil_holder;
	int tstate_size, tstate_prev, tstate_next, tstate_interp, tstate_current_frame,
	    tstate_thread_id, tstate_native_id;
	int frame_size, frame_previous, frame_executable, frame_instr_ptr,
	    frame_owner;
	int code_size, code_filename, code_name, code_qualname,
	    code_linetable, code_firstlineno, code_adaptive;
	int type_size, heap_type_size, heap_type_cached_keys;
	int unicode_size, unicode_ascii_size, unicode_compact_size;
	int bytes_size, bytes_ob_size, bytes_ob_sval;
	int init_shim;		/* the version has _Py_InitCleanup */
	int interp_gc, gc_size, gc_collecting;
	int skip_owner, tagged;
	/* PyThreadState.exc_info, not in the block: offsetof(), 0 = unknown */
	uint32_t tstate_exc;
};

static const struct debug_offsets_map debug_maps[] = {
	{
		.minor = 13, .size = 584,
		.runtime_size = 3, .interp_head = 5,
		.interp_size = 6, .interp_next = 8, .interp_threads_head = 9,
		.interp_ceval_gil = 14, .interp_modules = 11,
		.interp_gil_state = 15, .interp_gil_locked = 17,
		.interp_gil_holder = 18,
		.tstate_size = 19, .tstate_prev = 20, .tstate_next = 21, .tstate_interp = 22,
		.tstate_current_frame = 23, .tstate_thread_id = 24,
		.tstate_native_id = 25,
		.frame_size = 28, .frame_previous = 29, .frame_executable = 30,
		.frame_instr_ptr = 31, .frame_owner = 33,
		.code_size = 34, .code_filename = 35, .code_name = 36,
		.code_qualname = 37, .code_linetable = 38,
		.code_firstlineno = 39, .code_adaptive = 43,
		.type_size = 46,
		.unicode_size = 67, .unicode_ascii_size = 70,
		.bytes_size = 64, .bytes_ob_size = 65, .bytes_ob_sval = 66,
		.init_shim = 1,
		.interp_gc = 10, .gc_size = 71, .gc_collecting = 72,
		.skip_owner = 3, .tagged = 0,
		.tstate_exc = 120,
	},
	/*
	 * 3.14: Include/internal/pycore_debug_offsets.h as shipped with
	 * 3.14.10 (Debian libpython3.14-dev 3.14.10-1), 95 fields; the
	 * same field order as the v3.14.0 bindings of other readers.  New
	 * threads_main, code_object_generation, tlbc_generation,
	 * stackpointer, tlbc_index, co_tlbc and the set, gen, llist and
	 * debugger groups shift the indices.  f_executable is a tagged
	 * _PyStackRef; owner 3 (INTERPRETER) and 4 (CSTACK) are not Python
	 * frames.
	 */
	{
		.minor = 14, .size = 760,
		.runtime_size = 3, .interp_head = 5,
		.interp_size = 6, .interp_next = 8, .interp_threads_head = 9,
		.interp_ceval_gil = 15, .interp_modules = 12,
		.interp_gil_state = 16, .interp_gil_locked = 18,
		.interp_gil_holder = 19,
		.tstate_size = 22, .tstate_prev = 23, .tstate_next = 24, .tstate_interp = 25,
		.tstate_current_frame = 26, .tstate_thread_id = 27,
		.tstate_native_id = 28,
		.frame_size = 31, .frame_previous = 32, .frame_executable = 33,
		.frame_instr_ptr = 34, .frame_owner = 36,
		.code_size = 39, .code_filename = 40, .code_name = 41,
		.code_qualname = 42, .code_linetable = 43,
		.code_firstlineno = 44, .code_adaptive = 48,
		.type_size = 52,
		.unicode_size = 77, .unicode_ascii_size = 80,
		.bytes_size = 74, .bytes_ob_size = 75, .bytes_ob_sval = 76,
		.init_shim = 1,
		/* gc follows unicode_object, as in 3.13: gc 7408 and
		 * collecting 192 in the 3.14.10 block (test_layouts.c) */
		.interp_gc = 11, .gc_size = 81, .gc_collecting = 82,
		.skip_owner = 3, .tagged = 1,
		/* PyThreadState.exc_info, as in 3.13 (measured on 3.14.10:
		 * the word pointing at the thread's own exc_state, 256) */
		.tstate_exc = 120,
	},
	/*
	 * 3.15: the header as shipped with 3.15.2 (Debian libpython3.15-dev
	 * 3.15.2-1), 111 fields.  New: thread_state.base_frame,
	 * last_profiled_frame(_seq), holds_gil, gil_requested,
	 * current_exception, exc_state; an err_stackitem group;
	 * type_object.tp_basicsize and tp_dictoffset; a heap_type_object
	 * group (ht_cached_keys, which moved: 888 in 3.15.2);
	 * unicode_object.compactunicodeobject_size; gc.frame and
	 * generation_stats.  Frames as 3.14 (FRAME_OWNED_BY_CSTACK is gone,
	 * INTERPRETER is still 3); _PyStackRef tags are the low 2 bits.
	 */
	{
		.minor = 15, .size = 888,
		.runtime_size = 3, .interp_head = 5,
		.interp_size = 6, .interp_next = 8, .interp_threads_head = 9,
		.interp_ceval_gil = 15, .interp_modules = 12,
		.interp_gil_state = 16, .interp_gil_locked = 18,
		.interp_gil_holder = 19,
		.tstate_size = 22, .tstate_prev = 23, .tstate_next = 24, .tstate_interp = 25,
		.tstate_current_frame = 26, .tstate_thread_id = 30,
		.tstate_native_id = 31,
		.frame_size = 39, .frame_previous = 40, .frame_executable = 41,
		.frame_instr_ptr = 42, .frame_owner = 44,
		.code_size = 47, .code_filename = 48, .code_name = 49,
		.code_qualname = 50, .code_linetable = 51,
		.code_firstlineno = 52, .code_adaptive = 56,
		.type_size = 60, .heap_type_size = 66, .heap_type_cached_keys = 67,
		.unicode_size = 89, .unicode_ascii_size = 92,
		.unicode_compact_size = 93,
		.bytes_size = 86, .bytes_ob_size = 87, .bytes_ob_sval = 88,
		.init_shim = 1,
		/* gc after unicode_object: gc 7400, its size 176 and
		 * collecting 112 in the 3.15.2 block */
		.interp_gc = 11, .gc_size = 94, .gc_collecting = 95,
		.skip_owner = 3, .tagged = 1,
		/* exc_info moved with the new frame fields: 144, pointing at
		 * exc_state (the block's thread_state.exc_state, 288), as
		 * measured on 3.15.2 */
		.tstate_exc = 144,
	},
};

static const struct debug_offsets_map *debug_map_find(int major, int minor)
{
	size_t i;

	if (major != 3)
		return NULL;
	for (i = 0; i < sizeof(debug_maps) / sizeof(debug_maps[0]); i++)
		if (debug_maps[i].minor == minor)
			return &debug_maps[i];
	return NULL;
}

size_t py_debug_offsets_size(int major, int minor)
{
	const struct debug_offsets_map *m = debug_map_find(major, minor);

	return m ? m->size : 0;
}

static uint64_t field(const unsigned char *block, int index)
{
	uint64_t v;

	memcpy(&v, block + (size_t)index * 8, sizeof(v));
	return v;
}

/* The decoder's state: the block, and the first field that did not make
 * sense (its name is what the one-line refusal shows). */
struct decode {
	const unsigned char *block;
	const char *bad;
};

static void bad(struct decode *d, const char *name)
{
	if (!d->bad)
		d->bad = name;
}

/*
 * A struct's size: between lo and hi bytes.  The bounds are loose
 * (several times today's values) and only catch a block read with the
 * wrong row, where a size slot holds some other struct's offset.
 */
static uint64_t size_of(struct decode *d, int index, uint64_t lo, uint64_t hi,
			const char *name)
{
	uint64_t v = field(d->block, index);

	if (v < lo || v > hi) {
		bad(d, name);
		return 0;
	}
	return v;
}

/* Offset index must lie inside a struct of `size` bytes (8-byte field). */
static uint32_t offset_in(struct decode *d, uint64_t size, int index,
			  const char *name)
{
	uint64_t v = field(d->block, index);

	if (!size || v + 8 > size) {
		bad(d, name);
		return 0;
	}
	return (uint32_t)v;
}

/* Fields that are distinct members of one struct must differ. */
static void distinct(struct decode *d, const uint32_t *v, int n,
		     const char *name)
{
	int i, j;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (v[i] == v[j])
				bad(d, name);
}

static uint32_t max3(uint32_t a, uint32_t b, uint32_t c)
{
	uint32_t m = a > b ? a : b;

	return m > c ? m : c;
}

/*
 * The GIL is read through the ceval.gil pointer, so its members are
 * needed relative to the struct: the block gives them as offsets into
 * the interpreter, next to the embedded _gil's own offset.  Both must
 * lie in the struct's first PY_GIL_READ_SIZE bytes (layouts.h).
 */
static void gil_members(struct decode *d, const struct debug_offsets_map *m,
			uint64_t isize, struct py_layout *l)
{
	uint32_t gil, locked, holder;

	gil = offset_in(d, isize, m->interp_gil_state,
			"interpreter_state.gil_runtime_state");
	locked = offset_in(d, isize, m->interp_gil_locked,
			   "interpreter_state.gil_runtime_state_locked");
	holder = offset_in(d, isize, m->interp_gil_holder,
			   "interpreter_state.gil_runtime_state_holder");
	if (d->bad)
		return;
	if (locked < gil || locked == holder ||
	    locked - gil > PY_GIL_READ_SIZE - 4)
		bad(d, "interpreter_state.gil_runtime_state_locked");
	if (holder < gil || holder - gil > PY_GIL_READ_SIZE - 8)
		bad(d, "interpreter_state.gil_runtime_state_holder");
	l->gil_locked = locked - gil;
	l->gil_last_holder = holder - gil;
}

int py_layout_from_debug_offsets(const unsigned char *block, size_t len,
				 int major, int minor, struct py_layout *out)
{
	return py_layout_check_debug_offsets(block, len, major, minor, out,
					     NULL);
}

int py_layout_check_debug_offsets(const unsigned char *block, size_t len,
				  int major, int minor, struct py_layout *out,
				  const char **why)
{
	const struct debug_offsets_map *m = debug_map_find(major, minor);
	struct decode d = { block, NULL };
	struct py_layout l;
	uint64_t rsize, isize, tsize, fsize, csize, usize, asize, bsize;
	uint32_t v[6];

	if (why)
		*why = NULL;
	if (!m || len < m->size) {
		if (why)
			*why = "the block's layout for this version";
		return -1;
	}
	if (memcmp(block, "xdebugpy", 8)) {
		if (why)
			*why = "cookie";
		return -1;
	}
	if ((field(block, 1) >> 24) != (uint64_t)major ||
	    ((field(block, 1) >> 16) & 0xff) != (uint64_t)minor) {
		if (why)
			*why = "version";
		return -1;
	}
	if (field(block, 2) != 0) {
		if (why)
			*why = "free_threaded";
		return -1;	/* free-threaded builds are not supported */
	}
	memset(&l, 0, sizeof(l));
	l.major = major;
	l.minor = minor;

	rsize = size_of(&d, m->runtime_size, 1024, 1u << 24, "runtime_state.size");
	isize = size_of(&d, m->interp_size, 1024, 1u << 24,
			"interpreter_state.size");
	tsize = size_of(&d, m->tstate_size, 128, 1u << 14, "thread_state.size");
	fsize = size_of(&d, m->frame_size, 48, 512, "interpreter_frame.size");
	csize = size_of(&d, m->code_size, 128, 1024, "code_object.size");
	usize = size_of(&d, m->unicode_size, 24, 256, "unicode_object.size");

	l.runtime_interp_head = offset_in(&d, rsize, m->interp_head,
					  "runtime_state.interpreters_head");
	l.interp_next = offset_in(&d, isize, m->interp_next,
				  "interpreter_state.next");
	l.interp_threads_head = offset_in(&d, isize, m->interp_threads_head,
					  "interpreter_state.threads_head");
	l.interp_gil_pointer = offset_in(&d, isize, m->interp_ceval_gil,
					 "interpreter_state.ceval_gil");
	l.interp_modules = offset_in(&d, isize, m->interp_modules,
				     "interpreter_state.imports_modules");
	v[0] = l.interp_next;
	v[1] = l.interp_threads_head;
	v[2] = l.interp_gil_pointer;
	v[3] = l.interp_modules;
	distinct(&d, v, 4, "interpreter_state.threads_head");
	/* not in the 3.13/3.14 blocks: stable from 3.12 to 3.14
	 * (offsetof on 3.13.0, 3.14.10); 3.15 gives it */
	l.type_cached_keys = 880;
	if (m->heap_type_cached_keys) {
		uint64_t hsize = size_of(&d, m->heap_type_size, 256, 4096,
					 "heap_type_object.size");

		l.type_cached_keys = offset_in(&d, hsize, m->heap_type_cached_keys,
					       "heap_type_object.ht_cached_keys");
		if (hsize && field(block, m->type_size) >= hsize)
			bad(&d, "type_object.size");
	}
	l.instance_dict = PY_DICT_INLINE_313;
	l.dict_keys_compact = 1;
	l.dict_values_header = 8;
	l.long_tagged = 1;
	l.interp_size_read = max3(l.interp_next, l.interp_threads_head,
				  l.interp_gil_pointer) + 8;
	gil_members(&d, m, isize, &l);

	l.tstate_prev = offset_in(&d, tsize, m->tstate_prev, "thread_state.prev");
	l.tstate_next = offset_in(&d, tsize, m->tstate_next, "thread_state.next");
	l.tstate_interp = offset_in(&d, tsize, m->tstate_interp,
				    "thread_state.interp");
	l.tstate_frame = offset_in(&d, tsize, m->tstate_current_frame,
				   "thread_state.current_frame");
	l.tstate_thread_id = offset_in(&d, tsize, m->tstate_thread_id,
				       "thread_state.thread_id");
	l.tstate_native_id = offset_in(&d, tsize, m->tstate_native_id,
				       "thread_state.native_thread_id");
	v[0] = l.tstate_prev;
	v[1] = l.tstate_next;
	v[2] = l.tstate_interp;
	v[3] = l.tstate_frame;
	v[4] = l.tstate_thread_id;
	v[5] = l.tstate_native_id;
	distinct(&d, v, 6, "thread_state (two fields at one offset)");
	l.cframe_current = -1;
	if (m->interp_gc && m->gc_size) {
		/* the GC's flag is optional: without it, no [gc] frames */
		uint64_t gc = field(block, m->interp_gc);
		uint64_t collecting = field(block, m->gc_collecting);

		if (collecting + 4 <= field(block, m->gc_size) &&
		    gc + collecting + 4 <= isize)
			l.gc_collecting = (uint32_t)(gc + collecting);
	}
	l.tstate_exc = m->tstate_exc;
	if (l.tstate_exc)
		l.exc_item_previous = 8;
	l.tstate_size = max3(max3(l.tstate_prev, l.tstate_next, l.tstate_interp),
			     max3(l.tstate_frame, l.tstate_thread_id,
				  l.tstate_native_id), l.tstate_exc) + 8;

	l.interpreter_frames = 1;
	l.frame_back = offset_in(&d, fsize, m->frame_previous,
				 "interpreter_frame.previous");
	l.frame_code = offset_in(&d, fsize, m->frame_executable,
				 "interpreter_frame.executable");
	l.frame_lasti = offset_in(&d, fsize, m->frame_instr_ptr,
				  "interpreter_frame.instr_ptr");
	{
		/* a char: anywhere in the struct */
		uint64_t owner = field(block, m->frame_owner);

		if (owner >= fsize)
			bad(&d, "interpreter_frame.owner");
		l.frame_owner = (int32_t)owner;
		l.frame_size = max3(max3(l.frame_back, l.frame_code,
					 l.frame_lasti), (uint32_t)owner, 0) + 8;
	}
	v[0] = l.frame_back;
	v[1] = l.frame_code;
	v[2] = l.frame_lasti;
	distinct(&d, v, 3, "interpreter_frame (two fields at one offset)");
	l.frame_skip_owner = m->skip_owner;
	l.frame_code_tagged = m->tagged;

	l.code_filename = offset_in(&d, csize, m->code_filename,
				    "code_object.filename");
	l.code_name = offset_in(&d, csize, m->code_name, "code_object.name");
	l.code_qualname = offset_in(&d, csize, m->code_qualname,
				    "code_object.qualname");
	l.code_linetable = offset_in(&d, csize, m->code_linetable,
				     "code_object.linetable");
	/* an int */
	if (field(block, m->code_firstlineno) + 4 > csize)
		bad(&d, "code_object.firstlineno");
	l.code_firstlineno = (uint32_t)field(block, m->code_firstlineno);
	v[0] = l.code_filename;
	v[1] = l.code_name;
	v[2] = l.code_qualname;
	v[3] = l.code_linetable;
	v[4] = l.code_firstlineno;
	distinct(&d, v, 5, "code_object (two fields at one offset)");
	/* the inline bytecode is the struct's flexible tail */
	l.code_adaptive = (uint32_t)field(block, m->code_adaptive);
	if (csize && (l.code_adaptive > csize ||
		      l.code_adaptive < max3(v[0], v[3], v[4])))
		bad(&d, "code_object.co_code_adaptive");
	l.code_size = max3(max3(l.code_filename, l.code_name, l.code_qualname),
			   l.code_linetable, l.code_firstlineno) + 8;
	l.lines = PY_LINES_LOCATIONS;

	asize = field(block, m->unicode_ascii_size);
	if (asize < 24 || asize > 256 || (usize && asize > usize))
		bad(&d, "unicode_object.asciiobject_size");
	l.unicode_ascii_size = (uint32_t)asize;
	/* PyCompactUnicodeObject adds utf8_length and utf8 (§2.1) */
	l.unicode_compact_size = (uint32_t)asize + 16;
	if (m->unicode_compact_size) {
		uint64_t c = field(block, m->unicode_compact_size);

		if (c <= asize || c > 256)
			bad(&d, "unicode_object.compactunicodeobject_size");
		l.unicode_compact_size = (uint32_t)c;
	}

	/* PyBytesObject: the length, then the bytes inside the struct */
	bsize = size_of(&d, m->bytes_size, 24, 256, "bytes_object.size");
	l.bytes_size = offset_in(&d, bsize, m->bytes_ob_size,
				 "bytes_object.ob_size");
	l.bytes_data = (uint32_t)field(block, m->bytes_ob_sval);
	if (!bsize || l.bytes_data >= bsize || l.bytes_data == l.bytes_size)
		bad(&d, "bytes_object.ob_sval");
	l.code_init_shim = m->init_shim;

	if (d.bad) {
		if (why)
			*why = d.bad;
		return -1;
	}
	*out = l;
	return 0;
}
