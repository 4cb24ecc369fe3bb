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
		.frame_owner = 69, .frame_size = 72,
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
	int unicode_size, unicode_ascii_size;
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
		.unicode_size = 67, .unicode_ascii_size = 70,
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
		.unicode_size = 77, .unicode_ascii_size = 80,
		/* gc follows unicode_object, as in 3.13: gc 7408 and
		 * collecting 192 in the 3.14.10 block (test_layouts.c) */
		.interp_gc = 11, .gc_size = 81, .gc_collecting = 82,
		.skip_owner = 3, .tagged = 1,
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

/* Offset index must lie inside the struct whose size is at size_index. */
static int get(const unsigned char *block, int size_index, int index,
	       uint32_t *out)
{
	uint64_t size = field(block, size_index), v = field(block, index);

	if (size == 0 || size > (1u << 20) || v >= size)
		return -1;
	*out = (uint32_t)v;
	return 0;
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
static int gil_members(const unsigned char *block,
		       const struct debug_offsets_map *m, struct py_layout *l)
{
	uint32_t gil, locked, holder;

	if (get(block, m->interp_size, m->interp_gil_state, &gil) ||
	    get(block, m->interp_size, m->interp_gil_locked, &locked) ||
	    get(block, m->interp_size, m->interp_gil_holder, &holder))
		return -1;
	if (locked < gil || holder < gil || locked == holder ||
	    locked - gil > PY_GIL_READ_SIZE - 4 ||
	    holder - gil > PY_GIL_READ_SIZE - 8)
		return -1;
	l->gil_locked = locked - gil;
	l->gil_last_holder = holder - gil;
	return 0;
}

int py_layout_from_debug_offsets(const unsigned char *block, size_t len,
				 int major, int minor, struct py_layout *out)
{
	const struct debug_offsets_map *m = debug_map_find(major, minor);
	struct py_layout l;
	uint32_t usize, gil = 0;
	int bad = 0;

	if (!m || len < m->size || memcmp(block, "xdebugpy", 8))
		return -1;
	if (field(block, 2) != 0)
		return -1;	/* free-threaded builds are not supported */
	memset(&l, 0, sizeof(l));
	l.major = major;
	l.minor = minor;
	bad |= get(block, m->runtime_size, m->interp_head, &l.runtime_interp_head);
	bad |= get(block, m->interp_size, m->interp_next, &l.interp_next);
	bad |= get(block, m->interp_size, m->interp_threads_head,
		   &l.interp_threads_head);
	bad |= get(block, m->interp_size, m->interp_ceval_gil, &gil);
	l.interp_gil_pointer = gil;
	bad |= get(block, m->interp_size, m->interp_modules, &l.interp_modules);
	/* not in the block: stable since 3.12 (offsetof on 3.13.0, 3.14.10) */
	l.type_cached_keys = 880;
	l.instance_dict = PY_DICT_INLINE_313;
	l.dict_keys_compact = 1;
	l.dict_values_header = 8;
	l.long_tagged = 1;
	l.interp_size_read = max3(l.interp_next, l.interp_threads_head, gil) + 8;
	bad |= gil_members(block, m, &l);
	bad |= get(block, m->tstate_size, m->tstate_prev, &l.tstate_prev);
	bad |= get(block, m->tstate_size, m->tstate_next, &l.tstate_next);
	bad |= get(block, m->tstate_size, m->tstate_interp, &l.tstate_interp);
	bad |= get(block, m->tstate_size, m->tstate_current_frame, &l.tstate_frame);
	bad |= get(block, m->tstate_size, m->tstate_thread_id, &l.tstate_thread_id);
	bad |= get(block, m->tstate_size, m->tstate_native_id, &l.tstate_native_id);
	l.cframe_current = -1;
	{
		uint32_t gc = 0, collecting = 0;

		/* the GC's flag is optional: without it, no [gc] frames */
		if (!get(block, m->interp_size, m->interp_gc, &gc) &&
		    !get(block, m->gc_size, m->gc_collecting, &collecting) &&
		    gc + collecting + 4 <= field(block, m->interp_size))
			l.gc_collecting = gc + collecting;
	}
	l.tstate_exc = m->tstate_exc;
	if (l.tstate_exc)
		l.exc_item_previous = 8;
	l.tstate_size = max3(max3(l.tstate_prev, l.tstate_next, l.tstate_interp),
			     max3(l.tstate_frame, l.tstate_thread_id,
				  l.tstate_native_id), l.tstate_exc) + 8;
	l.interpreter_frames = 1;
	bad |= get(block, m->frame_size, m->frame_previous, &l.frame_back);
	bad |= get(block, m->frame_size, m->frame_executable, &l.frame_code);
	bad |= get(block, m->frame_size, m->frame_instr_ptr, &l.frame_lasti);
	{
		uint32_t owner = 0;

		bad |= get(block, m->frame_size, m->frame_owner, &owner);
		l.frame_owner = (int32_t)owner;
		l.frame_size = max3(max3(l.frame_back, l.frame_code,
					 l.frame_lasti), owner, 0) + 8;
	}
	l.frame_skip_owner = m->skip_owner;
	l.frame_code_tagged = m->tagged;
	bad |= get(block, m->code_size, m->code_filename, &l.code_filename);
	bad |= get(block, m->code_size, m->code_name, &l.code_name);
	bad |= get(block, m->code_size, m->code_qualname, &l.code_qualname);
	bad |= get(block, m->code_size, m->code_linetable, &l.code_linetable);
	bad |= get(block, m->code_size, m->code_firstlineno, &l.code_firstlineno);
	l.code_adaptive = (uint32_t)field(block, m->code_adaptive);
	if (l.code_adaptive > field(block, m->code_size))
		bad = 1;
	l.code_size = max3(max3(l.code_filename, l.code_name, l.code_qualname),
			   l.code_linetable, l.code_firstlineno) + 8;
	l.lines = PY_LINES_LOCATIONS;
	usize = (uint32_t)field(block, m->unicode_ascii_size);
	if (usize < 24 || usize > 256 || field(block, m->unicode_size) > 4096)
		bad = 1;
	l.unicode_ascii_size = usize;
	/* PyCompactUnicodeObject adds utf8_length and utf8 (§2.1) */
	l.unicode_compact_size = usize + 16;
	if (bad)
		return -1;
	*out = l;
	return 0;
}
