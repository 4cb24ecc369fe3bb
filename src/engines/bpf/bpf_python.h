/*
 * bpf_python.h - the user-space half of the BPF engine's Python frames:
 * for each CPython 3.11+ process, the Python reader (python/reader.h)
 * finds its runtime and layout once, which become the process's
 * struct bpf_python_config for the kernel walk (sampler.bpf.c); the
 * (code object, instruction) pairs the kernel sends back are named with
 * the reader's code cache and line tables, as the Python engine names
 * them.  Never prints; never writes to the target.
 */
#ifndef SCORCH_ENGINES_BPF_BPF_PYTHON_H
#define SCORCH_ENGINES_BPF_BPF_PYTHON_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct profile;
struct bpf_sample;
struct bpf_python_config;
struct bpf_python;

/* Told of each code object read, with the ident it was read with
 * (sampler.h), once: bpf_load.h's bpf_sampler_know_code. */
typedef void (*bpf_code_read_fn)(void *ctx, uint64_t code, uint64_t ident);

struct bpf_python *bpf_python_new(struct profile *p, int no_lines,
				  bpf_code_read_fn code_read, void *ctx);
void bpf_python_free(struct bpf_python *bp);

enum bpf_python_setup {
	BPF_PYTHON_NO,		/* not a CPython the kernel can walk */
	BPF_PYTHON_LATER,	/* a CPython not ready yet: ask again */
	BPF_PYTHON_YES,		/* *cfg filled: hand it to the kernel */
};

/* Looks at pid: once, and again after LATER.  Only processes running
 * something named python* or mapping a libpython are opened. */
enum bpf_python_setup bpf_python_setup(struct bpf_python *bp, pid_t pid,
				       struct bpf_python_config *cfg);

/* The kernel's walk of a CPython with layout l and _PyRuntime at
 * runtime (python/layouts.h) into *cfg.  0, or -1 for a version the
 * kernel does not walk (before 3.11: no native thread id, no
 * interpreter frames). */
struct py_layout;
int bpf_python_config_from_layout(const struct py_layout *l, uint64_t runtime,
				  struct bpf_python_config *cfg);

/* The sample's Python frames, outermost first, into out[0..room), and
 * in entry[] (same order) 1 for the outermost frame of each eval-loop
 * call (every frame before 3.11; the outermost always).  Returns how
 * many.  A frame whose code object is no longer the one the kernel saw
 * (freed, its address reused, before it was read) is a "[freed code]"
 * frame, and counted in *unknown. */
size_t bpf_python_frames(struct bpf_python *bp, const struct bpf_sample *s,
			 uint32_t *out, unsigned char *entry, size_t room,
			 unsigned long *unknown);

#endif
