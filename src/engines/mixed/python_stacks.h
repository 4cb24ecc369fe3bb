/*
 * python_stacks.h - for the mixed engine (--native): the Python
 * stack of one sampled thread, read with the Python reader (python/
 * reader.h) right after the sample and turned into profile frame ids.
 *
 * Owns one pyreader per Python process seen and a scratch frame array.
 * Never merges (merge.c does) and never prints except one warning
 * per process the reader cannot handle.
 */
#ifndef SCORCH_ENGINES_MIXED_PYTHON_STACKS_H
#define SCORCH_ENGINES_MIXED_PYTHON_STACKS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct profile;
struct python_stacks;

struct python_stacks *python_stacks_new(struct profile *p, int no_lines);
void python_stacks_free(struct python_stacks *pp);

/*
 * The Python stack of thread tid of process pid for its sample taken at
 * time_ns (CLOCK_MONOTONIC): from a read of the process that began after
 * that time, the last one when it did, else a new one.  Returns 1 with
 * *frames / *nr set (innermost first; valid until the next call; a
 * thread without Python frames gives nr 0) and *entry (the same order: 1
 * for the outermost frame of each eval-loop call, struct pyframe's
 * entry), 0 when pid is not (or not yet) a Python process, -1 when its
 * memory could not be read consistently.
 */
int python_stacks_read(struct python_stacks *pp, pid_t pid, pid_t tid,
		       uint64_t time_ns, const uint32_t **frames,
		       const unsigned char **entry, size_t *nr);
/* Opens the reader on pid now (an attach), not at its first sample. */
void python_stacks_prepare(struct python_stacks *pp, pid_t pid);
/* Nonzero when pid is a Python process with an open reader. */
int python_stacks_known(struct python_stacks *pp, pid_t pid);
/* pid exec'd or is new: forget what was known about it. */
void python_stacks_reset(struct python_stacks *pp, pid_t pid);

#endif
