/*
 * opcodes.c - looks up the generated opcode name table of a version.
 */
#include "python/opcodes.h"

const char *const *py_opcode_names(int major, int minor)
{
	const struct py_opcode_table *t;

	for (t = py_opcode_tables; t->names; t++)
		if (t->major == major && t->minor == minor)
			return t->names;
	return NULL;
}
