/*
 * unicode.h - copying a Python str out of the target as UTF-8 (PEP 393
 * compact ASCII, Latin-1, UCS-2 and UCS-4 strings).  Bounds every length;
 * a string that does not look like one fails instead of producing garbage.
 */
#ifndef SCORCH_PYTHON_UNICODE_H
#define SCORCH_PYTHON_UNICODE_H

#include <stdint.h>
#include <sys/types.h>

#include "python/layouts.h"

/* Longest string (in characters) the reader copies. */
#define PY_STRING_MAX 4096

/* Reads the str at addr into a malloc'd NUL-terminated UTF-8 string
 * (caller frees).  Returns NULL when it cannot be read or is implausible. */
char *py_read_string(pid_t pid, const struct py_layout *l, uint64_t addr);

/* Appends code point cp as UTF-8 to out (which has room for 4 bytes);
 * returns the number of bytes written. */
int py_utf8_encode(uint32_t cp, char *out);

#endif
