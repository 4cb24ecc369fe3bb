/*
 * perf_python.h - for the perf_event engine's --native mode: the Python
 * stack of one sampled thread, read with the Python reader (python/
 * reader.h) right after the sample and turned into profile frame ids.
 *
 * Owns one pyreader per Python process seen and a scratch frame array.
 * Never merges (perf_mixed.c does) and never prints except one warning
 * per process the reader cannot handle.
 */
#ifndef SCORCH_SAMPLE_PERF_PYTHON_H
#define SCORCH_SAMPLE_PERF_PYTHON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct profile;
struct perf_python;

struct perf_python *perf_python_new(struct profile *p, int no_lines);
void perf_python_free(struct perf_python *pp);

/*
 * Reads thread tid of process pid.  Returns 1 with *frames / *nr set
 * (innermost first; valid until the next call; a thread without Python
 * frames gives nr 0), 0 when pid is not (or not yet) a Python process,
 * -1 when its memory could not be read consistently.
 */
int perf_python_read(struct perf_python *pp, pid_t pid, pid_t tid,
		     const uint32_t **frames, size_t *nr);
/* Opens the reader on pid now (an attach), not at its first sample. */
void perf_python_prepare(struct perf_python *pp, pid_t pid);
/* Nonzero when pid is a Python process with an open reader. */
int perf_python_known(struct perf_python *pp, pid_t pid);
/* pid exec'd or is new: forget what was known about it. */
void perf_python_reset(struct perf_python *pp, pid_t pid);

#endif
