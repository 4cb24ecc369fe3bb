/*
 * merge.c - the --native merge of native and Python stacks: each
 * eval-loop frame of the native stack becomes the Python frames it ran.
 * Only the unambiguous cases merge (see merge.h); everything else
 * is handed back as a mismatch for the caller to count.  No I/O.
 */
#include <string.h>

#include "engines/mixed/merge.h"

int mixed_is_eval_symbol(const char *name)
{
	static const char *const evals[] = {
		"_PyEval_EvalFrameDefault", "PyEval_EvalFrameEx",
	};

	for (size_t i = 0; i < sizeof(evals) / sizeof(evals[0]); i++) {
		size_t n = strlen(evals[i]);
		if (!strncmp(name, evals[i], n) &&
		    (name[n] == '\0' || name[n] == '.'))
			return 1;
	}
	return 0;
}

/* With entry marks: eval frame k (root first) takes the k-th group of
 * Python frames, a group starting at an entry frame (outermost first). */
static long merge_groups(const uint32_t *native, const unsigned char *is_eval,
			 size_t nr_native, size_t nr_eval,
			 const uint32_t *python, const unsigned char *py_entry,
			 size_t nr_python, uint32_t *out)
{
	size_t groups = 0, n = 0, next_py = nr_python;

	for (size_t i = 0; i < nr_python; i++)
		groups += py_entry[i] != 0;
	/* the outermost Python frame always starts a group */
	if (nr_python && !py_entry[nr_python - 1])
		groups++;
	if (groups != nr_eval)
		return -1;
	for (size_t i = 0; i < nr_native; i++) {
		if (!is_eval[i]) {
			out[n++] = native[i];
			continue;
		}
		/* this group: from next_py inwards up to the next entry */
		do
			out[n++] = python[--next_py];
		while (next_py && !py_entry[next_py - 1]);
	}
	return (long)n;
}

long mixed_merge(const uint32_t *native, const unsigned char *is_eval,
		      size_t nr_native, const uint32_t *python,
		      const unsigned char *py_entry, size_t nr_python,
		      uint32_t *out)
{
	size_t nr_eval = 0, n = 0, next_py;

	for (size_t i = 0; i < nr_native; i++)
		nr_eval += is_eval[i] != 0;
	if ((nr_eval == 0) != (nr_python == 0))
		return -1;
	if (py_entry && nr_eval)
		return merge_groups(native, is_eval, nr_native, nr_eval,
				    python, py_entry, nr_python, out);
	if (nr_eval > 1 && nr_eval != nr_python)
		return -1;
	next_py = nr_python;	/* python[] is innermost first */
	for (size_t i = 0; i < nr_native; i++) {
		if (!is_eval[i]) {
			out[n++] = native[i];
			continue;
		}
		if (nr_eval == 1) {
			while (next_py)
				out[n++] = python[--next_py];
		} else if (next_py) {
			out[n++] = python[--next_py];
		}
	}
	return (long)n;
}

long mixed_merge_cut(const uint32_t *native, const unsigned char *is_eval,
			  size_t nr_native, const uint32_t *python,
			  size_t nr_python, uint32_t *out)
{
	size_t nr_eval = 0, n = 0, next_py = nr_python, outer;

	for (size_t i = 0; i < nr_native; i++)
		nr_eval += is_eval[i] != 0;
	/* only the one-frame-per-eval rule says which frames are which */
	if (nr_eval < 2 || nr_eval >= nr_python)
		return -1;
	/* the outer Python frames, whose eval frames were cut off */
	outer = nr_python - nr_eval;
	while (next_py > nr_python - outer)
		out[n++] = python[--next_py];
	for (size_t i = 0; i < nr_native; i++)
		out[n++] = is_eval[i] ? python[--next_py] : native[i];
	return (long)n;
}

long mixed_merge_best(const uint32_t *native, const unsigned char *is_eval,
		      size_t nr_native, const uint32_t *python,
		      const unsigned char *py_entry, size_t nr_python,
		      int cut, uint32_t *out)
{
	long m = -1;

	if (py_entry)
		m = mixed_merge(native, is_eval, nr_native, python, py_entry,
				nr_python, out);
	if (m < 0)
		m = mixed_merge(native, is_eval, nr_native, python, NULL,
				nr_python, out);
	if (m < 0 && cut)
		m = mixed_merge_cut(native, is_eval, nr_native, python,
				    nr_python, out);
	return m;
}
