/*
 * python_source.h - the mixed engine's stack source for the perf_event
 * recorder (engines/perf/native_record.h): at each sample it reads the
 * thread's Python stack (python_stacks.c) and merges it into the native
 * one (merge.c), or marks the sample [unmerged].
 */
#ifndef SCORCH_ENGINES_MIXED_PYTHON_SOURCE_H
#define SCORCH_ENGINES_MIXED_PYTHON_SOURCE_H

struct native_stack_source;
struct profile;
struct record_stats;

/* A source adding Python frames to p's samples; counts in stats. */
struct native_stack_source *python_source_new(struct profile *p,
					      struct record_stats *stats,
					      int no_lines);
void python_source_free(struct native_stack_source *src);

#endif
