/*
 * stack.h - the one sample -> stack builder, shared by the live perf
 * engine (engines/perf/native_record.c) and the perf.data reader
 * (formats/perfdata.c).
 *
 * Owns: splitting a callchain at its context markers, setting up and
 * running the DWARF unwinder on a sample's user registers and stack copy,
 * symbol and inline-chain lookup, and the frame names under a naming
 * policy (perf script's for perf.data, scorch's own for live recording).
 * Every answer is cached by (mapped file, offset) -- by (process, address)
 * for code in no file -- so a warm sample costs a hash lookup per frame.
 * Never reads the target's memory, never prints; the caller owns the
 * profile, the struct symbols and the unwinder, which outlive the builder.
 */
#ifndef SCORCH_PERF_STACK_H
#define SCORCH_PERF_STACK_H

#include <stddef.h>
#include <stdint.h>

#include "perf/record.h"

struct profile;
struct symbols;
struct unwinder;

enum perf_names {
	PERF_NAMES_SCRIPT,	/* exactly as `perf script | scorch collapse` */
	PERF_NAMES_SCORCH,	/* scorch's own: demangled, file:line */
};

struct perf_stack_options {
	enum perf_names names;
	/* PERF_NAMES_SCRIPT */
	int addrs;		/* unknown symbols keep their address */
	int perf_names;		/* CPython trampolines stay as perf names them */
	/* the recorded name of a file symbols/ read (a build-id cache copy
	 * is named by the path perf recorded); NULL = the file's own */
	const char *(*module_name)(void *ctx, const char *file);
	void *module_ctx;
	/* PERF_NAMES_SCORCH */
	int inline_frames;	/* --inline: inlined frames, file and line */
	int lines;		/* file and line with --inline */
	/* a known native function that is CPython's eval loop (--native
	 * merges Python frames there); NULL = none is */
	int (*is_eval)(const char *name);
};

/* flags[] of a built frame */
#define PERF_FRAME_EVAL		1	/* CPython's eval loop */
#define PERF_FRAME_TRAMPOLINE	2	/* a CPython perf trampoline, named
					   as the Python function it runs */

/* What perf_stack_build() saw besides the frames. */
struct perf_stack_info {
	size_t nr_pcs;		/* addresses found (kernel + user) */
	size_t nr_user;		/* of them in user space */
	long outer_user;	/* index in frames[] of the outermost user
				   frame, -1 when none */
	int cut;		/* DWARF unwinding stopped at the end of the
				   stack copy (or the frame limit) */
	int unwound;		/* the user part came from DWARF unwinding */
};

struct perf_stack;

/* unwinder may be NULL (no DWARF unwinding). */
struct perf_stack *perf_stack_new(struct profile *p, struct symbols *sym,
				  struct unwinder *unwinder,
				  const struct perf_stack_options *o);
void perf_stack_free(struct perf_stack *b);

/*
 * The native frames of a decoded SAMPLE record r, root first, into
 * frames[0..room) with a PERF_FRAME_* byte each in flags[] (may be
 * NULL).  sample_type: the event's (with STACK_USER the user part comes
 * from DWARF unwinding, not from the callchain).  comm: the thread's name (perf
 * script tidies Java names).  Returns the number of frames; fills info
 * (may be NULL).  The maps of r->pid must be in the struct symbols.
 */
size_t perf_stack_build(struct perf_stack *b, const struct perf_record *r,
			uint64_t sample_type, const char *comm,
			uint32_t *frames,
			unsigned char *flags, size_t room,
			struct perf_stack_info *info);

#endif
