/*
 * bpf_record.h - the BPF engine's samples into a profile: each struct
 * bpf_sample (kernel and frame-pointer user stacks, sampler.h) named by
 * the perf_event engine's builder (perf/stack.h over symbols/), under a
 * root frame "name (PID)" -- "name (PID) [CONTAINER]" for a process in
 * another pid namespace (proc/container.h) -- when the recording covers
 * more than one process (-a, --subprocesses).  A CPython 3.11+ thread's
 * user frames are its Python frames, walked by the kernel
 * (bpf_python.h), with the kernel's frames above them.  Never prints.
 */
#ifndef SCORCH_ENGINES_BPF_BPF_RECORD_H
#define SCORCH_ENGINES_BPF_BPF_RECORD_H

#include <stdint.h>

#include "engines/engine.h"

struct bpf_sample;
struct bpf_python_config;
struct bpf_record;

/* What the recorder hands to the kernel (bpf_load.h), through ctx. */
struct bpf_record_kernel {
	/* a CPython process's layout (bpf_sampler_set_python): 0 or -1 */
	int (*set_python)(void *ctx, pid_t pid,
			  const struct bpf_python_config *cfg);
	/* a code object read (bpf_sampler_know_code), or NULL */
	void (*know_code)(void *ctx, uint64_t code, uint64_t ident);
	/* one stack key's count (bpf_sampler_count_of): 1, or 0 */
	int (*count_of)(void *ctx, uint64_t key, uint64_t *count);
	void *ctx;
};

/* The profile, stats and k outlive the recorder; k->set_python is
 * called for each CPython process sampled, k->know_code for each of
 * its code objects named. */
struct bpf_record *bpf_record_new(struct profile *p,
				  const struct record_options *o,
				  struct record_stats *stats,
				  const struct bpf_record_kernel *k);
void bpf_record_free(struct bpf_record *rec);

/* Reads pid's maps and asks whether it is a CPython before its first
 * sample, so that its Python frames are walked from the first sample
 * on; each object's symbols are loaded when a frame is first named in
 * it (a Python thread's samples need none of libpython's). */
void bpf_record_preload(struct bpf_record *rec, pid_t pid);

/* Adds one sample (a bpf_sample_fn, bpf_load.h).  With --idle a
 * switch-out's stack and the switch-in after it become [idle] samples. */
void bpf_record_sample(void *rec, const struct bpf_sample *s);
/* The kernel's count of a stack's later samples (a bpf_count_fn,
 * bpf_load.h): what it grew by goes where the stack's first sample did
 * (bpf_stack_counts.h). */
void bpf_record_count(void *rec, uint64_t key, uint64_t count);
/* The kernel's counts of the stacks learnt so far, each looked up with
 * k->count_of: for the live view, a look at a few hundred slots rather
 * than a read of the whole table (bpf_record_count, at the end). */
void bpf_record_count_learnt(struct bpf_record *rec);
/* Of the counts read since the last call, those under a key whose first
 * sample never came (the ring was full): samples lost. */
uint64_t bpf_record_take_unlearnt(struct bpf_record *rec);
/* Samples added from the kernel's counts so far (SCORCH_BPF_STATS). */
uint64_t bpf_record_counted(const struct bpf_record *rec);
/* --idle: after each read of the ring, charges the off-CPU time up to
 * now (CLOCK_MONOTONIC, taken before the read). */
void bpf_record_flush(struct bpf_record *rec, uint64_t now);

#endif
