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
/* user stack bytes copied from the stack pointer up, in chunks (the
 * last chunk short of the stack's end is not copied) */
#define BPF_SAMPLER_STACK_CHUNK	1024
#define BPF_SAMPLER_STACK_BYTES	(16 * BPF_SAMPLER_STACK_CHUNK)
#define BPF_SAMPLER_REGS	24	/* perf's x86-64 user register order
					   (unwind/unwind.h UNWIND_REG_*) */

#define BPF_SAMPLER_MAX_PYTHON	128	/* Python frames walked per sample */
#define BPF_SAMPLER_MAX_THREADS	256	/* thread states looked through */
/* stacks counted in the kernel: lines of BPF_SAMPLER_COUNT_WAYS slots,
 * a line one cache line */
#define BPF_SAMPLER_COUNT_SLOTS	32768
#define BPF_SAMPLER_COUNT_WAYS	4
#define BPF_SAMPLER_KNOWN_CODE	16384	/* code objects user space has read */

/* counters[] slots */
#define BPF_SAMPLER_COUNT_LOST		0	/* ring buffer full: sample
						   dropped */
#define BPF_SAMPLER_COUNT_TRUNCATED	1	/* user stack at the frame
						   limit */
#define BPF_SAMPLER_COUNT_UNFOLLOWED	2	/* a child not added (the
						   target table is full) */
#define BPF_SAMPLER_COUNT_PY_CUT		3	/* Python stack at the frame
						   limit: outermost frames left
						   out */
#define BPF_SAMPLER_COUNTERS		4

/*
 * Where one process's CPython (3.6+) keeps a thread's frames, from the
 * layout the Python reader chose for it (python/layouts.h), handed in
 * per process (the pythons map, keyed by pid).
 */
struct bpf_python_config {
	__u64 interp_head;		/* address of the first interpreter
					   pointer (_PyRuntime.interpreters.head) */
	__u64 pidns_dev, pidns_ino;	/* its pid namespace when not the
					   kernel's first (its native ids are
					   that namespace's), else 0 */
	__u32 interp_threads_head;	/* PyInterpreterState: threads.head */
	__u32 tstate_next;		/* PyThreadState */
	__u32 tstate_native_id;		/* the kernel's thread id (3.11+), or
					   0: then */
	__u32 tstate_pthread;		/* its pthread_t (<= 3.10), which is
					   the thread's FS base (x86-64) */
	__u32 tstate_frame;
	__s32 cframe_current;		/* >= 0: tstate_frame is a cframe */
	__u32 frame_back;		/* _PyInterpreterFrame */
	__u32 frame_code;
	__u32 frame_instr;
	__s32 frame_owner;		/* -1: none */
	__u32 frame_skip_owner;		/* skip owners >= this, 0 = never */
	__u32 frame_code_tagged;	/* clear the low 2 bits of the code */
	__u32 frame_window;		/* bytes covering the fields above:
					   nonzero, they lie in the first
					   BPF_SAMPLER_FRAME_WINDOW bytes,
					   read in one copy */
	__u32 code_file;		/* PyCodeObject: co_filename and the */
	__u32 code_name;		/* name user space shows (co_qualname
					   3.11+): they make the ident */
	__u32 frame_is_entry;		/* 3.11's bool is_entry, 0 = none */
};

/*
 * Which code object a frame ran, as the kernel saw it at the sample: its
 * filename and name objects' addresses, mixed.  A code object freed and
 * its address taken by another function before user space reads it no
 * longer matches (user space mixes the cached object's the same way).
 */
static inline __u64 bpf_python_code_ident(__u64 file, __u64 name)
{
	return file ^ (name << 32 | name >> 32);
}

/* A stack the kernel counts (sampler.bpf.c's stack_counts): key 0 is a
 * free slot; a slot once taken is the key's for the whole run. */
struct bpf_counted_slot {
	__u64 key;
	__u64 count;			/* its samples after the first */
};

/* the first of the BPF_SAMPLER_COUNT_WAYS slots key may take: its line */
static inline __u32 bpf_counted_line(__u64 key)
{
	return ((__u32)(key >> 40) &
		(BPF_SAMPLER_COUNT_SLOTS / BPF_SAMPLER_COUNT_WAYS - 1)) *
	       BPF_SAMPLER_COUNT_WAYS;
}

/* the most frame bytes read in one copy */
#define BPF_SAMPLER_FRAME_WINDOW 128

/* A Python frame as the kernel saw it: resolved in user space. */
struct bpf_python_frame {
	__u64 code;			/* the code object's address */
	__u64 instr;			/* its instruction pointer (3.11+), or
					   the 8 bytes at f_lasti, an int */
	__u64 ident;			/* bpf_python_code_ident, 0 = not read */
	__u32 entry;			/* the outermost frame of one eval-loop
					   call: is_entry (3.11), or a skipped
					   frame came next (3.12+) */
	__u32 pad;
};

/* bpf_sample.kind */
#define BPF_SAMPLE_TICK		0	/* a cpu-clock sample */
#define BPF_SAMPLE_SWITCH_OUT	1	/* --idle: the thread leaves the CPU
					   in this stack */
#define BPF_SAMPLE_SWITCH_IN	2	/* --idle: it is back; only the
					   fields before frames[] are sent */

/* One sample, as the program builds it.  Stacks leaf first.  With
 * stack_len > 0 the user part is unwound in user space from regs and
 * stack (DWARF CFI, unwind/), user[] (frame pointers) otherwise. */
struct bpf_sample {
	__u32 pid, tid;			/* process (tgid) and thread */
	__u32 kind;			/* BPF_SAMPLE_* */
	__u32 pad;
	__u64 time_ns;			/* CLOCK_MONOTONIC */
	__u64 stack_key;		/* nonzero: this stack's first sample;
					   the kernel counts its later ones
					   (stack_counts) under this key */
	char comm[16];			/* the thread's name */
	__u32 kernel_nr, user_nr;	/* entries used below */
	__u32 stack_len;		/* bytes of stack[] copied */
	__u32 python_nr;		/* Python frames, innermost first */
	/* kernel_nr kernel addresses, then python_nr Python frames
	 * (BPF_SAMPLE_PYTHON): packed, so that a Python sample sends
	 * only the bytes it filled */
	__u64 frames[BPF_SAMPLER_MAX_FRAMES + BPF_SAMPLER_MAX_PYTHON *
		     (sizeof(struct bpf_python_frame) / 8)];
	__u64 user[BPF_SAMPLER_MAX_FRAMES];
	__u64 regs[BPF_SAMPLER_REGS];	/* user registers at the sample */
	__u8 stack[BPF_SAMPLER_STACK_BYTES];	/* from regs' sp up */
};

#define BPF_SAMPLE_OFFSET(field) \
	((unsigned long)&((struct bpf_sample *)0)->field)
/* its Python frames, after its kernel_nr (<= BPF_SAMPLER_MAX_FRAMES)
 * kernel addresses */
#define BPF_SAMPLE_PYTHON(s) \
	((struct bpf_python_frame *)((s)->frames + (s)->kernel_nr))
/* A record in the ring is the sample up to its stack copy, then the
 * stack_len bytes copied; */
#define BPF_SAMPLE_HEADER_SIZE BPF_SAMPLE_OFFSET(stack)
/* a Python thread's (python_nr > 0; no user part) only up to the end
 * of its frames, the bytes every sample pays for; */
#define BPF_SAMPLE_PYTHON_SIZE(kernel_nr, nr) \
	(BPF_SAMPLE_OFFSET(frames) + (kernel_nr) * 8 + \
	 (nr) * sizeof(struct bpf_python_frame))
/* and a switch-in only up to its frames. */
#define BPF_SAMPLE_SWITCH_SIZE BPF_SAMPLE_OFFSET(frames)

#endif
