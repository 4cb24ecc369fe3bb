/*
 * bpf_stack_counts.h - the stacks the BPF program counts itself
 * (sampler.bpf.c's stack_counts).  A key's first sample came through the
 * ring and went into the profile like any other; its stack and thread
 * are kept here under the key, and each time the kernel's counts are
 * read the samples a count grew by since go to the same stack and
 * thread.  A count whose key's first sample never came (the ring was
 * full) is samples lost.
 */
#ifndef SCORCH_ENGINES_BPF_BPF_STACK_COUNTS_H
#define SCORCH_ENGINES_BPF_BPF_STACK_COUNTS_H

#include <stddef.h>
#include <stdint.h>

struct bpf_stack_counts;

struct bpf_stack_counts *bpf_stack_counts_new(void);
void bpf_stack_counts_free(struct bpf_stack_counts *c);

/* A stack whose first sample had no frames to add (its later ones are
 * errors of the same kind). */
#define BPF_COUNTED_NO_STACK UINT32_MAX

/* key's first sample went to (stack, thread). */
void bpf_stack_counts_learn(struct bpf_stack_counts *c, uint64_t key,
			    uint32_t stack, uint32_t thread);

/* The kernel counts key's later samples at count (counts only grow).
 * Returns 0 for a key not learnt (yet); else 1, with what the count
 * grew by since the last call in *more, and where its first sample
 * went in *stack and *thread. */
int bpf_stack_counts_grow(struct bpf_stack_counts *c, uint64_t key,
			  uint64_t count, uint64_t *more, uint32_t *stack,
			  uint32_t *thread);

/* The keys learnt, in the order learnt: key i of nr. */
size_t bpf_stack_counts_nr(const struct bpf_stack_counts *c);
uint64_t bpf_stack_counts_key(const struct bpf_stack_counts *c, size_t i);

#endif
