/*
 * sampler.bpf.c - the kernel half of the BPF engine (engines/bpf/): a
 * perf_event program run at each cpu-clock sample in the interrupted
 * thread, writing one struct bpf_sample (sampler.h) per sample to a ring
 * buffer, and a fork hook that adds children of followed processes.
 * Built with clang -target bpf against the build's vmlinux.h (CO-RE);
 * never loops unbounded, counts what it could not write.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "engines/bpf/sampler.h"

char LICENSE[] SEC("license") = "GPL";

/* set by user space before loading */
const volatile __u32 every_process = 0;	/* -a: no pid filter */
const volatile __u32 follow_children = 0;	/* --subprocesses */
const volatile __u32 skip_kernel = 0;	/* --no-kernel */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 8 << 20);
} samples SEC(".maps");

/* tgid -> 1: the processes sampled when not every_process */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BPF_SAMPLER_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u8);
} targets SEC(".maps");

/* BPF_SAMPLER_COUNT_* counters, per CPU */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, BPF_SAMPLER_COUNTERS);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps");

static void count(__u32 which)
{
	__u64 *c = bpf_map_lookup_elem(&counters, &which);

	if (c)
		(*c)++;
}

SEC("perf_event")
int sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32, tid = (__u32)id;
	struct bpf_sample *s;
	long n;

	if (!tgid)	/* the idle task */
		return 0;
	if (!every_process && !bpf_map_lookup_elem(&targets, &tgid))
		return 0;
	s = bpf_ringbuf_reserve(&samples, sizeof(*s), 0);
	if (!s) {
		count(BPF_SAMPLER_COUNT_LOST);
		return 0;
	}
	s->pid = tgid;
	s->tid = tid;
	s->time_ns = bpf_ktime_get_ns();
	s->cgroup_id = bpf_get_current_cgroup_id();
	bpf_get_current_comm(s->comm, sizeof(s->comm));
	s->kernel_nr = 0;
	if (!skip_kernel) {
		n = bpf_get_stack(ctx, s->kernel, sizeof(s->kernel), 0);
		if (n > 0)
			s->kernel_nr = n / sizeof(__u64);
	}
	n = bpf_get_stack(ctx, s->user, sizeof(s->user), BPF_F_USER_STACK);
	s->user_nr = n > 0 ? n / sizeof(__u64) : 0;
	if (s->user_nr == BPF_SAMPLER_MAX_FRAMES)
		count(BPF_SAMPLER_COUNT_TRUNCATED);
	bpf_ringbuf_submit(s, 0);
	return 0;
}

/* a followed process's child (not a thread) is followed too */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = parent->tgid, ctgid = child->tgid;
	__u8 one = 1;

	if (!follow_children || every_process || ctgid != (__u32)child->pid)
		return 0;
	if (bpf_map_lookup_elem(&targets, &ptgid) &&
	    bpf_map_update_elem(&targets, &ctgid, &one, BPF_ANY) < 0)
		count(BPF_SAMPLER_COUNT_UNFOLLOWED);
	return 0;
}
