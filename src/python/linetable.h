/*
 * linetable.h - source line of a bytecode position, from a code object's
 * line table in each CPython format (lnotab, the 3.10 linetable, the 3.11+
 * location table).  Pure functions over bytes already copied out of the
 * target; formats: ../shared/reference/cpython-internals.md §3.6.
 */
#ifndef SCORCH_PYTHON_LINETABLE_H
#define SCORCH_PYTHON_LINETABLE_H

#include <stddef.h>
#include <stdint.h>

#include "python/layouts.h"

/*
 * Returns the line for position pos: a byte offset (lnotab, 3.10 table)
 * or a code-unit index (location table).  Returns firstlineno for
 * positions before the first entry and 0 when the table says "no line".
 */
int py_line_for(enum py_linetable_format format, const unsigned char *table,
		size_t len, int firstlineno, int64_t pos);

#endif
