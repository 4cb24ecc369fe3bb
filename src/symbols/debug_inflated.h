/*
 * debug_inflated.h - separate debug files with compressed DWARF replaced
 * by an inflated copy kept in scorch's cache directory (see
 * debug_inflated.c).
 */
#ifndef SCORCH_SYMBOLS_DEBUG_INFLATED_H
#define SCORCH_SYMBOLS_DEBUG_INFLATED_H

/*
 * fd is an open debug file (*name its malloc'ed path) with build id
 * bits[0..len).  When it holds compressed .debug_* sections, returns a
 * descriptor of the inflated copy (made now if missing) after closing fd
 * and replacing *name; otherwise, or on any failure, returns fd as is.
 */
int debug_inflated_open(int fd, const unsigned char *bits, int len,
			char **name);

#endif
