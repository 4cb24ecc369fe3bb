/*
 * names.h - function names as a user types them, for `scorch annotate`:
 * GCC gives clones and split-off parts of a function suffixed symbol
 * names (f.constprop.0, f.isra.0, f.part.0, f.cold, f.lto_priv.0 and
 * their combinations); `report` prints "name (file)" or
 * "name (file:line)".  Pure string functions; no I/O.
 */
#ifndef SCORCH_ANNOTATE_NAMES_H
#define SCORCH_ANNOTATE_NAMES_H

#include <stddef.h>

/* Length of the function name in a symbol name without the GCC clone
 * and part suffixes ("f.constprop.0.isra.0" -> 1, "f" -> 1,
 * "f.cold" -> 1).  A suffix that is not one of GCC's stays. */
size_t annotate_base_len(const char *symbol);

/* Nonzero when symbol is the .cold part of a function: its last suffix
 * is ".cold" or ".cold.N". */
int annotate_is_cold(const char *symbol);

/* Splits a name as `report` prints it, "name (file)" or
 * "name (file:line)", into *name_len and the file (*file, *file_len;
 * the ":line" is dropped).  Returns 0 when there is no such " (...)"
 * tail (then *name_len is the whole length and *file_len 0). */
int annotate_split_label(const char *label, size_t *name_len,
			 const char **file, size_t *file_len);

#endif
