/*
 * sampler.h - what the BPF program (sampler.bpf.c) and user space
 * (bpf_record.c) share: the layout of one sample in the ring buffer and
 * the counters.  Included by both sides, so only fixed-width types and
 * no libc: the BPF side gets them from vmlinux.h, user space from
 * <linux/types.h>.
 */
#ifndef SCORCH_ENGINES_BPF_SAMPLER_H
#define SCORCH_ENGINES_BPF_SAMPLER_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define BPF_SAMPLER_MAX_FRAMES	127	/* per stack, kernel and user */
#define BPF_SAMPLER_MAX_TARGETS	4096	/* processes followed by pid */

/* counters[] slots */
#define BPF_SAMPLER_COUNT_LOST		0	/* ring buffer full: sample
						   dropped */
#define BPF_SAMPLER_COUNT_TRUNCATED	1	/* user stack at the frame
						   limit */
#define BPF_SAMPLER_COUNT_UNFOLLOWED	2	/* a child not added (the
						   target table is full) */
#define BPF_SAMPLER_COUNTERS		3

/* One sample, as the program writes it.  Stacks leaf first. */
struct bpf_sample {
	__u32 pid, tid;			/* process (tgid) and thread */
	__u64 time_ns;			/* CLOCK_MONOTONIC */
	__u64 cgroup_id;
	char comm[16];			/* the thread's name */
	__u32 kernel_nr, user_nr;	/* entries used below */
	__u64 kernel[BPF_SAMPLER_MAX_FRAMES];
	__u64 user[BPF_SAMPLER_MAX_FRAMES];
};

#endif
