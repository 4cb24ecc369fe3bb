/*
 * bpf_load.h - the BPF engine's kernel side as user space holds it: the
 * embedded program (sampler.bpf.c, a libbpf skeleton) loaded, attached
 * to a cpu-clock perf event on every CPU (or on every thread of one
 * process), its ring buffer read and its
 * counters summed.  Knows nothing of symbols or profiles (bpf_record.c);
 * never prints: why it could not load is handed back for one line.
 */
#ifndef SCORCH_ENGINES_BPF_BPF_LOAD_H
#define SCORCH_ENGINES_BPF_BPF_LOAD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct strbuf;
struct bpf_sample;
struct bpf_sampler;

struct bpf_sampler_options {
	double rate_hz;		/* samples per second per CPU */
	int every_process;	/* -a: no pid filter */
	int follow_children;	/* --subprocesses */
	int no_kernel;		/* --no-kernel */
	int idle;		/* --idle: switch-out and switch-in records */
	int python_native;	/* --native: a Python thread's user stack
				   too, to merge its frames with */
	int count_stacks;	/* a Python thread's ticks after
				   its stack's first counted in the kernel
				   (bpf_sampler_read_counts), not sent */
	pid_t process;		/* > 0: sample only this process's threads
				   and what they start (an event per
				   thread), not every CPU */
};

/* Loads and attaches the program.  Returns the sampler, or NULL with
 * why the kernel refused ("permission denied", the verifier's last
 * line ...) appended to why and its errno in *e (may be NULL).
 * SCORCH_BPF_LOG=1 in the environment prints libbpf's whole log (the
 * verifier's included) to stderr. */
struct bpf_sampler *bpf_sampler_open(const struct bpf_sampler_options *o,
				     struct strbuf *why, int *e);
/* Nonzero for an errno that says BPF is not permitted (the fix is
 * privileges, not another kernel). */
int bpf_sampler_denied(int e);
void bpf_sampler_close(struct bpf_sampler *s);

/* Samples pid's process (without every_process).  0 or -1. */
int bpf_sampler_add_target(struct bpf_sampler *s, pid_t pid);

/* Walks pid's Python frames with this layout.  0 or -1. */
struct bpf_python_config;
int bpf_sampler_set_python(struct bpf_sampler *s, pid_t pid,
			   const struct bpf_python_config *cfg);
/* The code object at code, with this ident (sampler.h), has been read:
 * a stack's first sample whose code objects are all read does not wake
 * the reader early (sampler.bpf.c's known_code). */
void bpf_sampler_know_code(struct bpf_sampler *s, uint64_t code,
			   uint64_t ident);

typedef void (*bpf_sample_fn)(void *ctx, const struct bpf_sample *sample);
/* Waits up to timeout_ms, or until the ring fills up or the watched
 * descriptor is ready, then hands every sample in the ring to fn.
 * Returns the number handled, or -1 on error (errno). */
/* fd (a pidfd: the target's exit), or -1, also ends the wait. */
void bpf_sampler_watch(struct bpf_sampler *s, int fd);
int bpf_sampler_read(struct bpf_sampler *s, int timeout_ms, bpf_sample_fn fn,
		     void *ctx);

typedef void (*bpf_count_fn)(void *ctx, uint64_t key, uint64_t count);
/* Hands fn every stack key the kernel counts and its count so far (the
 * samples after the key's first; counts only grow).  Returns the number
 * of keys, or -1 (errno). */
int bpf_sampler_read_counts(struct bpf_sampler *s, bpf_count_fn fn,
			    void *ctx);

/* key's count so far into *count: 1, or 0 when the kernel has no slot
 * for key (a look at its line only, where bpf_sampler_read_counts
 * reads the whole table). */
int bpf_sampler_count_of(struct bpf_sampler *s, uint64_t key,
			 uint64_t *count);

/* The program's BPF_SAMPLER_COUNT_* counter, summed over CPUs. */
uint64_t bpf_sampler_counter(struct bpf_sampler *s, unsigned which);

/* The kernel's count of program runs and their total time in ns
 * (nonzero only while sysctl kernel.bpf_stats_enabled is 1).  0 or -1. */
int bpf_sampler_run_time(struct bpf_sampler *s, uint64_t *runs,
			 uint64_t *ns);

#endif
