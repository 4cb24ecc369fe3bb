/*
 * profile.h - the one in-memory profile every scorch command shares.
 *
 * A profile owns: an interned string table, a frame table, a stack table
 * stored as a prefix tree (stack id = parent stack id + frame id), a thread
 * table, per-(stack, thread) totals, optionally the individual samples in
 * arrival order, and metadata.  Readers fill a profile; writers only read it.
 * Nothing here does I/O.  Design: ../shared/design.md section 1.
 *
 * Ids: every table is indexed by a uint32_t id.  String id 0 is "", stack
 * id 0 is the empty stack (the root), thread id 0 is "unknown thread".
 * Frame ids start at 1 (0 = no frame).  Ids are stable for the profile's life.
 */
#ifndef SCORCH_MODEL_PROFILE_H
#define SCORCH_MODEL_PROFILE_H

#include <stddef.h>
#include <stdint.h>

#include "model/strings.h"

struct strbuf;

/* Number of values a sample may carry (e.g. samples + cpu nanoseconds, or
 * the before/after pair of a differential profile). */
#define PROFILE_MAX_VALUES 4

enum frame_kind {
	FRAME_NATIVE = 0,	/* user-space machine code */
	FRAME_PYTHON,		/* interpreted Python function */
	FRAME_KERNEL,		/* kernel code */
	FRAME_JIT,		/* code from a perf map / jitdump */
	FRAME_INLINED,		/* inlined into the next outer native frame */
	FRAME_PROCESS,		/* synthetic root: process or thread label */
	FRAME_MARKER,		/* synthetic: "[idle]", "[gil]", separators */
	FRAME_KIND_COUNT
};

struct frame {
	uint32_t name;		/* function name (string id) */
	uint32_t file;		/* source file, 0 if unknown */
	uint32_t module;	/* binary / DSO / mapping path, 0 if unknown */
	int32_t line;		/* source line, 0 if unknown */
	uint8_t kind;		/* enum frame_kind */
	uint64_t address;	/* instruction address (module-relative when
				   module is set), 0 if unknown */
};

struct stack_node {
	uint32_t parent;	/* stack id of the caller's stack; 0 = root */
	uint32_t frame;		/* frame id of the innermost frame */
	uint32_t depth;		/* number of frames; root has depth 0 */
};

struct thread_info {
	int64_t pid;
	int64_t tid;
	uint32_t name;		/* thread or process name, string id */
};

struct value_type {
	uint32_t type;		/* e.g. "samples", "cpu", "before" */
	uint32_t unit;		/* e.g. "count", "nanoseconds" */
};

/* One recorded sample, kept only when profile->keep_samples is set. */
struct sample {
	uint32_t stack;
	uint32_t thread;
	int64_t time_ns;	/* -1 if unknown */
	double value[PROFILE_MAX_VALUES];
};

/* Aggregate of all samples with the same (stack, thread). */
struct stack_total {
	uint32_t stack;
	uint32_t thread;
	double value[PROFILE_MAX_VALUES];
};

/* How a differential profile is drawn. */
enum profile_diff {
	PROFILE_DIFF_NONE = 0,
	PROFILE_DIFF_AFTER,	/* sized by "after" (two-count folded input,
				   as flamegraph.pl draws it) */
	PROFILE_DIFF_BOTH,	/* sized by before + after (scorch diff), so
				   what vanished stays visible */
};

struct profile_meta {
	uint32_t command;	/* command line, string id */
	uint32_t event;		/* sampled event name, e.g. "cpu-clock" */
	int64_t pid;		/* main target pid, 0 if none */
	int64_t start_ns;	/* wall-clock start, ns since epoch; 0 if unknown */
	int64_t duration_ns;	/* 0 if unknown */
	double rate_hz;		/* sampling rate, 0 if unknown */
	int64_t period;		/* period in units of period_type, 0 if unknown */
	struct value_type period_type;
	int differential;	/* enum profile_diff: value[0] = before,
				   value[1] = after */
};

/* A module (binary, DSO) and its build id, both string ids; the build id
 * is its lowercase hex text. */
struct module_build_id {
	uint32_t module;
	uint32_t build_id;
};

struct hash_index;

struct profile {
	struct strtab strings;

	struct frame *frames;		/* frames[0] unused */
	uint32_t nr_frames, alloc_frames;
	struct hash_index *frame_index;
	/* Frames with only a name and a kind: plain_frames[kind][name id]
	 * is their frame id (0 = not yet added); they skip frame_index. */
	uint32_t *plain_frames[FRAME_KIND_COUNT];
	uint32_t alloc_plain_frames[FRAME_KIND_COUNT];

	struct stack_node *stacks;	/* stacks[0] = root */
	uint32_t nr_stacks, alloc_stacks;
	struct hash_index *stack_index;	/* (parent, frame) -> stack id;
					   NULL after profile_trim */
	uint32_t *stack_hash;		/* stack id -> hash of its frame path;
					   picks its stack_index slot */
	uint32_t alloc_stack_hash;
	/* sizes of the address space reservations of stacks, stack_hash
	 * and totals (see grow_array_reserved); 0 = on the heap */
	size_t stacks_reserved, stack_hash_reserved, totals_reserved;

	struct thread_info *threads;	/* threads[0] = unknown */
	uint32_t nr_threads, alloc_threads;
	struct hash_index *thread_index;	/* (pid, tid) -> thread id */

	struct value_type value_types[PROFILE_MAX_VALUES];
	int nr_values;

	struct stack_total *totals;
	uint32_t nr_totals, alloc_totals;
	struct hash_index *total_index;	/* (stack, thread) -> total id + 1,
					   for threads other than 0; NULL
					   after profile_trim */
	uint32_t *total0;		/* stack id -> id + 1 of its total of
					   thread 0, 0 = none */
	uint32_t alloc_total0;
	int total0_built;		/* total0 holds every thread-0 total
					   (not after profile_trim) */
	size_t total0_reserved;

	int keep_samples;		/* set before adding samples */
	struct sample *samples;
	size_t nr_samples, alloc_samples;

	struct profile_meta meta;

	/* Build ids of modules, for writers that name them (pprof
	 * mappings); see profile_set_build_id. */
	struct module_build_id *build_ids;
	uint32_t nr_build_ids, alloc_build_ids;
};

/* Set up an empty profile with one value type "samples"/"count". */
void profile_init(struct profile *p);
/* Free everything the profile owns; it may be initialised again. */
void profile_release(struct profile *p);

/* Replace the value types (1..PROFILE_MAX_VALUES); only before adding samples. */
void profile_set_value_types(struct profile *p, int n, const char *const *types,
			     const char *const *units);

uint32_t profile_intern(struct profile *p, const char *s);
uint32_t profile_intern_len(struct profile *p, const char *s, size_t len);
static inline const char *profile_str(const struct profile *p, uint32_t id)
{
	return strtab_get(&p->strings, id);
}

/* Returns the id of an equal frame, adding it when new.  Frames are equal
 * when every field is equal. */
uint32_t profile_frame(struct profile *p, const struct frame *f);
/* Shorthand: a frame with only a name and a kind. */
uint32_t profile_frame_named(struct profile *p, const char *name, size_t len,
			     enum frame_kind kind);

/* Returns the stack id for (parent stack + frame), adding it when new. */
uint32_t profile_stack_push(struct profile *p, uint32_t parent, uint32_t frame);
/* Builds a stack from frame ids given root first. */
uint32_t profile_stack_from_frames(struct profile *p, const uint32_t *frames,
				   size_t n);
/* Pushes frames[0..n) (outermost first) onto parent and returns the stack
 * id; when stacks is not NULL, stacks[i] gets the id after frames[i].  The
 * same as n profile_stack_push calls, but faster for deep stacks because
 * the table lookups of all levels overlap. */
uint32_t profile_stack_extend(struct profile *p, uint32_t parent,
			      const uint32_t *frames, size_t n,
			      uint32_t *stacks);
/* Fills out[] with the frame ids of stack, root first; returns the depth.
 * out must hold p->stacks[stack].depth entries. */
uint32_t profile_stack_frames(const struct profile *p, uint32_t stack,
			      uint32_t *out);

/* Frees the lookup tables of stacks and totals (a third of a large
 * profile's memory) once everything is added: writers do not need them.
 * Adding more afterwards rebuilds them first. */
void profile_trim(struct profile *p);

/* Returns a thread id for (pid, tid), adding it when new; a non-NULL name
 * replaces the stored one. */
uint32_t profile_thread(struct profile *p, int64_t pid, int64_t tid,
			const char *name);

/* Add weight(s) to (stack, thread).  values has p->nr_values entries.
 * Also appends a struct sample when p->keep_samples is set. */
void profile_add(struct profile *p, uint32_t stack, uint32_t thread,
		 int64_t time_ns, const double *values);
/* Shorthand for a one-valued sample. */
void profile_add1(struct profile *p, uint32_t stack, uint32_t thread,
		  int64_t time_ns, double value);

/* For readers whose weights are event periods (perf script, perf.data):
 * names value 0 after meta.event -- "cpu"/"nanoseconds" for the cpu-clock
 * and task-clock events, "EVENT"/"events" otherwise -- so pprof and report
 * say what the numbers are, and adds value 1, "samples"/"count".  Only
 * before the first sample is added. */
void profile_weight_by_period(struct profile *p);
/* Adds one sample of weight period: value 0 = period and, after
 * profile_weight_by_period, value 1 = 1 sample. */
void profile_add_period(struct profile *p, uint32_t stack, uint32_t thread,
			int64_t time_ns, double period);

/* Sum of value[v] over all totals. */
double profile_sum(const struct profile *p, int v);

/* Appends the label writers print for a frame: "name" for native frames,
 * "name (file:line)" or "name (file)" when the frame has a file. */
void profile_frame_label(const struct profile *p, uint32_t frame,
			 struct strbuf *out);

const char *frame_kind_name(enum frame_kind kind);

/* Records the build id (hex text) of a module (string id); a later call
 * for the same module replaces it. */
void profile_set_build_id(struct profile *p, uint32_t module, const char *hex);
/* The build id string id of a module, or 0 when unknown. */
uint32_t profile_build_id(const struct profile *p, uint32_t module);

#endif
