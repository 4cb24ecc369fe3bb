/*
 * file_open.h - opening files whose names come from inputs (perf.data
 * mappings, build-id caches, debug links, perf maps, jitdumps, DWARF
 * source paths) without trusting them: only regular files are opened, and
 * nothing (a FIFO, a device, a socket) can block or have side effects.
 */
#ifndef SCORCH_UTIL_FILE_OPEN_H
#define SCORCH_UTIL_FILE_OPEN_H

#include <stdio.h>
#include <sys/stat.h>

/* Refuse a symbolic link as the last component (perf maps, jitdumps). */
#define FILE_OPEN_NOFOLLOW 1

/*
 * Opens path read-only and close-on-exec if it is a regular file: stat()
 * first (so a device is never opened at all), then open with O_NONBLOCK
 * (so a FIFO swapped in meanwhile cannot block), then fstat() on the
 * descriptor must show the same regular file.  O_NONBLOCK is cleared
 * again.  Fills *st when not NULL.  Returns the descriptor, or -1 with
 * errno set (EINVAL for "not a regular file", ELOOP for a refused link).
 */
int file_open_regular(const char *path, int flags, struct stat *st);

/* The same as a stdio stream opened "rb"; NULL on failure. */
FILE *file_fopen_regular(const char *path);

#endif
