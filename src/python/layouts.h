/*
 * layouts.h - where CPython keeps what the sampler reads, per version.
 *
 * One struct py_layout per minor version (layouts.c), chosen once when the
 * reader attaches; for 3.13+ it is filled from the target's own
 * _Py_DebugOffsets block.  The frame walker only ever reads offsets from
 * here and never asks which version it runs on.  Offsets are x86_64, GIL
 * builds; source: ../shared/reference/cpython-internals.md §2-§4.
 */
#ifndef SCORCH_PYTHON_LAYOUTS_H
#define SCORCH_PYTHON_LAYOUTS_H

#include <stddef.h>
#include <stdint.h>

enum py_linetable_format {
	PY_LINES_LNOTAB,	/* 3.6-3.9: co_lnotab, byte offsets */
	PY_LINES_LINETABLE310,	/* 3.10: co_linetable (PEP 626) */
	PY_LINES_LOCATIONS,	/* 3.11+: location table (PEP 657) */
};

enum py_instance_dict {
	PY_DICT_AT_OFFSET,	/* <= 3.10: __dict__ at type->tp_dictoffset */
	PY_DICT_MANAGED_311,	/* values at obj-32, dict at obj-24 */
	PY_DICT_MANAGED_312,	/* obj-24: dict, or (values - 1), odd */
	PY_DICT_INLINE_313,	/* dict at obj-24, else values after the object */
};

/* Bytes of struct _gil_runtime_state that cover gil_last_holder and
 * gil_locked in every row (8 and 16 in all GIL builds so far). */
#define PY_GIL_READ_SIZE 24

struct py_layout {
	int major, minor;

	/*
	 * 3.6 has no _PyRuntime: the reader's "runtime" is then the static
	 * interp_head (runtime_interp_head 0) and the current thread pointer
	 * the _PyThreadState_Current symbol, not an offset.
	 */
	int static_heads;

	/* _PyRuntimeState */
	uint32_t runtime_interp_head;
	uint32_t runtime_tstate_current;	/* 0 = none (3.6, 3.12+) */
	uint32_t runtime_gil;		/* embedded GIL (<= 3.11), 0 = none */

	/* PyInterpreterState */
	uint32_t interp_next;
	uint32_t interp_threads_head;
	uint32_t interp_gil_pointer;	/* ceval.gil (3.12+), 0 = none */
	uint32_t interp_size_read;	/* bytes to read to cover the above */

	/* struct _gil_runtime_state: the pointer last_holder and the int
	 * locked, both inside its first PY_GIL_READ_SIZE bytes */
	uint32_t gil_last_holder;
	uint32_t gil_locked;

	/* PyThreadState */
	uint32_t tstate_prev;		/* set when a thread is put in front */
	uint32_t tstate_next;
	uint32_t tstate_interp;
	uint32_t tstate_frame;		/* frame, cframe or current_frame */
	int32_t cframe_current;		/* >= 0: tstate_frame points at a
					   _PyCFrame, frame pointer here */
	uint32_t tstate_thread_id;	/* pthread_t */
	uint32_t tstate_native_id;	/* kernel tid, 0 = none (<= 3.10) */
	uint32_t tstate_size;

	/* frames: PyFrameObject (<= 3.10) or _PyInterpreterFrame */
	int interpreter_frames;		/* 3.11+ */
	uint32_t frame_back;
	uint32_t frame_code;
	uint32_t frame_lasti;		/* int f_lasti, or instruction pointer */
	int32_t frame_owner;		/* char owner, -1 = none */
	int frame_skip_owner;		/* skip frames with owner >= this; 0 = never */
	uint32_t frame_is_entry;	/* bool is_entry: the outermost frame of
					   one eval-loop call (3.11), 0 = none
					   (3.12+: the frame a skipped one
					   follows) */
	int frame_code_tagged;		/* f_executable is a tagged stackref */
	uint32_t frame_size;

	/* PyCodeObject */
	uint32_t code_firstlineno;
	uint32_t code_filename;
	uint32_t code_name;
	uint32_t code_qualname;		/* 0 = none (<= 3.10) */
	uint32_t code_linetable;
	uint32_t code_adaptive;		/* co_code_adaptive (3.11+), 0 = none */
	uint32_t code_size;
	enum py_linetable_format lines;
	int lasti_in_units;		/* 3.10: f_lasti counts 2-byte units */

	/* thread names: sys.modules, dicts, instance attributes, ints */
	uint32_t interp_modules;	/* sys.modules dict pointer */
	uint32_t type_cached_keys;	/* PyHeapTypeObject.ht_cached_keys */
	enum py_instance_dict instance_dict;
	int dict_keys_compact;		/* 3.11+ PyDictKeysObject header */
	uint32_t dict_values_header;	/* bytes before values[] (3.13: 8) */
	int long_tagged;		/* 3.12+: lv_tag holds the digit count */

	/*
	 * modes (0 = not known for this version): the thread's exception
	 * state, PyThreadState.exc_info (3.7+: a chain of _PyErr_StackItem,
	 * the exception object or type first in each) or exc_type (3.6,
	 * exc_item_previous 0); the cyclic GC's collecting flag (an int).
	 */
	uint32_t tstate_exc;
	uint32_t exc_item_previous;	/* _PyErr_StackItem.previous_item */
	uint32_t gc_collecting;		/* from the interpreter state */
	int gc_in_runtime;		/* 3.8: from _PyRuntime instead */

	/* PEP 393 strings */
	uint32_t unicode_ascii_size;	/* sizeof(PyASCIIObject) */
	uint32_t unicode_compact_size;	/* sizeof(PyCompactUnicodeObject) */

	/* PyBytesObject (line tables are bytes objects) */
	uint32_t bytes_size;		/* ob_size: the length */
	uint32_t bytes_data;		/* ob_sval: the first byte */

	/* the interpreter's _Py_InitCleanup shim (3.13+): a real code
	 * object named __init__ in a file "__init__", with no source;
	 * samples skip it */
	int code_init_shim;
};

/* The built-in row for major.minor, or NULL (3.13+ has no row: use
 * py_layout_from_debug_offsets). */
const struct py_layout *py_layout_find(int major, int minor);

/* Size of the _Py_DebugOffsets block to read for a version, 0 if this
 * scorch does not know that minor's block. */
size_t py_debug_offsets_size(int major, int minor);
/*
 * Fills *out from a raw _Py_DebugOffsets block (read from the target) of
 * version major.minor.  Checks each offset against its struct's size.
 * Returns 0, or -1 when the block is implausible.
 */
int py_layout_from_debug_offsets(const unsigned char *block, size_t len,
				 int major, int minor, struct py_layout *out);
/*
 * The same, and on failure *why names what was refused: the block field
 * ("thread_state.current_frame", "free_threaded", "cookie", "version"),
 * or "the block's layout for this version" for a minor this scorch has
 * no row for.  Every offset is checked against its struct's size, sizes
 * against loose bounds, and members of one struct must differ: a block
 * read with the wrong row is refused, never misread.
 */
int py_layout_check_debug_offsets(const unsigned char *block, size_t len,
				  int major, int minor, struct py_layout *out,
				  const char **why);

#endif
