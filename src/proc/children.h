/*
 * children.h - the processes a process started and that still run, and
 * theirs: what --subprocesses follows when it attaches (-p) to a
 * process that already has children.  Reads /proc only; never prints.
 */
#ifndef SCORCH_PROC_CHILDREN_H
#define SCORCH_PROC_CHILDREN_H

#include <stddef.h>
#include <sys/types.h>

/* At most this many descendants are listed. */
#define PROC_DESCENDANTS_MAX 4096

/*
 * Every descendant of root now running (the children of each of its
 * threads, /proc/PID/task/TID/children, then theirs), breadth first,
 * into *out (malloc'd; the caller frees it, NULL when there is none).
 * Returns how many.
 */
size_t proc_descendants(pid_t root, pid_t **out);

#endif
