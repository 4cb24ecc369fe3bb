/*
 * merge.h - merging one sample's native stack (from the perf_event
 * engine) with the same thread's Python stack (from the Python reader):
 * each interpreter eval-loop frame is replaced by the Python frames it
 * was running (../shared/reference/cpython-internals.md section 7).
 * Pure function over frame-id arrays; never guesses: when the counts do
 * not fit a known rule the sample is reported as unmergeable.
 */
#ifndef SCORCH_ENGINES_MIXED_MERGE_H
#define SCORCH_ENGINES_MIXED_MERGE_H

#include <stddef.h>
#include <stdint.h>

/*
 * native[0..nr_native) are frame ids root first; is_eval[i] marks the
 * _PyEval_EvalFrameDefault frames.  python[0..nr_python) are frame ids
 * innermost first (the reader's order).  py_entry, when not NULL, marks
 * (same order as python[]) each Python frame that is the outermost frame
 * of one eval-loop call (3.11 is_entry; 3.12+ the frame under a CSTACK
 * shim; every frame before 3.11).  Rules: no eval frame and no Python
 * frame: copy; with py_entry: as many groups as eval frames, group k to
 * eval frame k; without it: one eval frame takes all Python frames, or
 * as many eval frames as Python frames take one each.
 * Writes the merged stack root first into out (room for
 * nr_native + nr_python ids) and returns its length, or -1 when the two
 * stacks do not match (out is then unspecified).
 */
long mixed_merge(const uint32_t *native, const unsigned char *is_eval,
		      size_t nr_native, const uint32_t *python,
		      const unsigned char *py_entry, size_t nr_python,
		      uint32_t *out);

/*
 * For a native stack whose root was cut (the kernel's stack copy ran out
 * under a deep recursion) and which has fewer eval frames than Python
 * frames, one Python frame each (before 3.11): the eval frames take the
 * innermost Python frames, and the outer ones, whose C frames were cut,
 * go first at the root.  Same output as mixed_merge; -1 when the
 * rule does not apply.
 */
long mixed_merge_cut(const uint32_t *native, const unsigned char *is_eval,
			  size_t nr_native, const uint32_t *python,
			  size_t nr_python, uint32_t *out);

/*
 * What both --native engines merge by: the entry marks first (py_entry,
 * may be NULL), then the rules that need none (marks that do not add up:
 * a stack caught moving keeps only its steady callers), then, when the
 * native stack's root was cut, mixed_merge_cut.  Same output as
 * mixed_merge; -1 when none fits.
 */
long mixed_merge_best(const uint32_t *native, const unsigned char *is_eval,
		      size_t nr_native, const uint32_t *python,
		      const unsigned char *py_entry, size_t nr_python,
		      int cut, uint32_t *out);

/* Nonzero when a symbol name is CPython's eval loop (also .cold and
 * other compiler clones of it). */
int mixed_is_eval_symbol(const char *name);

#endif
