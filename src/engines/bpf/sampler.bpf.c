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
#include <bpf/bpf_core_read.h>

#include "engines/bpf/sampler.h"

char LICENSE[] SEC("license") = "GPL";

/* set by user space before loading */
const volatile __u32 every_process = 0;	/* -a: no pid filter */
const volatile __u32 follow_children = 0;	/* --subprocesses */
const volatile __u32 skip_kernel = 0;	/* --no-kernel */
const volatile __u32 python_native = 0;	/* --native: a Python thread's
					   user stack too */
const volatile __u32 count_stacks = 0;	/* a Python thread's
					   ticks counted here (below) */

/* the samples for user space: the producer writes through the ring in
 * turn, so a ring far bigger than the caches makes every copy into it
 * cold (32 MB cost 5-10 us per sample on this kind of machine, 4 MB
 * 2-4); 4 MB still holds 180 ms of a C program's 22 KB stack copies at
 * 1 kHz */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 4 << 20);
} samples SEC(".maps");

/* a Python thread's ticks (a few hundred bytes each) have a ring of
 * their own, small enough to stay in the caches between the producer's
 * writes and the reader's reads: about a third of the program's cost
 * per sample here, against the big ring */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 << 10);
} python_samples SEC(".maps");

/* user space is woken only once a ring holds this much, and reads it
 * every READ_TIMEOUT_MS (bpf_engine.c) anyway: a wakeup per sample, a
 * context switch each, cost more than the sample itself */
#define RING_WAKEUP_BYTES (256 << 10)
#define PYTHON_RING_WAKEUP_BYTES (64 << 10)

/* a stack's first sample wakes user space at most this often: its code
 * objects are best read soon, before they may be freed, and once every
 * stack has been seen there are no first samples and no wakeups (a
 * wakeup costs scorch 50-500 us of CPU on this kind of machine) */
#define FIRST_WAKEUP_NS (1000 * 1000000ULL)
__u64 first_woken_ns = 0;	/* (CPUs racing here only wake twice) */

/* data into ring, waking user space once wakeup_bytes wait there, or
 * (wake_soon) when it was not woken for a first sample lately */
static __always_inline long ring_send(void *ring, __u64 wakeup_bytes,
				      void *data, __u64 size, __u64 now,
				      int wake_soon)
{
	__u64 flags = bpf_ringbuf_query(ring, BPF_RB_AVAIL_DATA) >=
		wakeup_bytes ? BPF_RB_FORCE_WAKEUP : BPF_RB_NO_WAKEUP;

	if (wake_soon && now - first_woken_ns >= FIRST_WAKEUP_NS) {
		first_woken_ns = now;
		flags = BPF_RB_FORCE_WAKEUP;
	}

	return bpf_ringbuf_output(ring, data, size, flags);
}

/* A Python thread's tick is its pid, tid, name, kernel frames and Python
 * frames, nothing else: the same stack again and again.  Its first
 * sample goes through the ring under a key (the hash of all of that);
 * the later ones only add one to the key's count here, which user space
 * reads in place (the .bss is mapped there too, bpf_load.c) now and
 * then.  A ring record costs the program about a tenth of its time per
 * sample, and scorch several microseconds to turn into a stack.  A key
 * has one line of slots, the cache line its bits pick: one page and no
 * helper call per counted tick, where a hash map's lookup touched its
 * bucket's page and its element's. */
struct bpf_counted_slot stack_counts[BPF_SAMPLER_COUNT_SLOTS]
	__attribute__((aligned(64)));

/* code object address -> its ident (sampler.h): the code objects user
 * space has read (bpf_python.c).  A stack's first sample wakes user
 * space early only for a code object not here, which it had best read
 * before it may be freed. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BPF_SAMPLER_KNOWN_CODE);
	__type(key, __u64);
	__type(value, __u64);
} known_code SEC(".maps");

/* one step of a stack key: a bijection of h for each v, so stacks that
 * differ in one value have different keys */
static __always_inline __u64 key_mix(__u64 h, __u64 v)
{
	h = (h ^ v) * 0x9e3779b97f4a7c15ULL;
	return h ^ (h >> 32);
}

/* tgid -> 1: the processes sampled when not every_process */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BPF_SAMPLER_MAX_TARGETS);
	__type(key, __u32);
	__type(value, __u8);
} targets SEC(".maps");

/* the sample being built, per CPU: only its filled part is sent */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct bpf_sample);
} scratch SEC(".maps");

/* pid -> its CPython's layout: walk its Python frames */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BPF_SAMPLER_MAX_TARGETS);
	__type(key, __u32);
	__type(value, struct bpf_python_config);
} pythons SEC(".maps");

/* A Python thread seen before, in its own task storage (freed with the
 * thread): its process, the address of its thread state (checked by one
 * read, its native id or pthread_t still the thread's, instead of a walk
 * through the interpreter's thread list) and a copy of its process's
 * pythons entry, so that its ticks read neither the process table nor a
 * thread table (a hash map's lookup is two pages, TLB misses here).  An
 * entry whose thread state no longer checks is made again from the
 * pythons entry. */
struct python_thread {
	__u32 pid;
	__u32 pad;
	__u64 tstate;
	struct bpf_python_config c;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct python_thread);
} python_threads SEC(".maps");

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

#ifdef __TARGET_ARCH_x86
/* the thread's user registers (saved at its entry into the kernel, the
 * sample's interrupt included) in perf's order, and the stack bytes
 * above its stack pointer, for unwinding with DWARF in user space */
static void copy_user_stack(struct bpf_sample *s)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs;
	__u64 sp;

	s->stack_len = 0;
	if (!task->mm)	/* a kernel thread */
		return;
	regs = (struct pt_regs *)bpf_task_pt_regs(task);
	if (!regs)
		return;
	s->regs[0] = BPF_CORE_READ(regs, ax);
	s->regs[1] = BPF_CORE_READ(regs, bx);
	s->regs[2] = BPF_CORE_READ(regs, cx);
	s->regs[3] = BPF_CORE_READ(regs, dx);
	s->regs[4] = BPF_CORE_READ(regs, si);
	s->regs[5] = BPF_CORE_READ(regs, di);
	s->regs[6] = BPF_CORE_READ(regs, bp);
	s->regs[7] = sp = BPF_CORE_READ(regs, sp);
	s->regs[8] = BPF_CORE_READ(regs, ip);
	s->regs[9] = BPF_CORE_READ(regs, flags);
	s->regs[10] = BPF_CORE_READ(regs, cs);
	s->regs[11] = BPF_CORE_READ(regs, ss);
	s->regs[16] = BPF_CORE_READ(regs, r8);
	s->regs[17] = BPF_CORE_READ(regs, r9);
	s->regs[18] = BPF_CORE_READ(regs, r10);
	s->regs[19] = BPF_CORE_READ(regs, r11);
	s->regs[20] = BPF_CORE_READ(regs, r12);
	s->regs[21] = BPF_CORE_READ(regs, r13);
	s->regs[22] = BPF_CORE_READ(regs, r14);
	s->regs[23] = BPF_CORE_READ(regs, r15);
	for (__u32 i = 0; i < BPF_SAMPLER_STACK_BYTES / BPF_SAMPLER_STACK_CHUNK;
	     i++) {
		if (bpf_probe_read_user(s->stack + i * BPF_SAMPLER_STACK_CHUNK,
					BPF_SAMPLER_STACK_CHUNK,
					(void *)(sp + i * BPF_SAMPLER_STACK_CHUNK)))
			break;
		s->stack_len += BPF_SAMPLER_STACK_CHUNK;
	}
}
#else
static void copy_user_stack(struct bpf_sample *s)
{
	s->stack_len = 0;	/* frame pointers only */
}
#endif

static __u64 read_u64(__u64 addr)
{
	__u64 v = 0;

	if (bpf_probe_read_user(&v, sizeof(v), (void *)addr))
		return 0;
	return v;
}

/* A Python walk in progress: bpf_loop's callbacks are verified once,
 * not once per iteration, which keeps the program within the verifier's
 * budget whatever the limits. */
struct python_walk {
	const struct bpf_python_config *c;
	struct bpf_python_frame *py;	/* the sample's, after its kernel
					   frames */
	__u64 at;		/* thread state, then frame; 0 = done */
	__u64 fsbase;		/* the thread's pthread_t (<= 3.10) */
	__u32 tid;
	__u32 n;
	int found;
	__u64 key;		/* what user space will see, hashed */
	__u8 frame[BPF_SAMPLER_FRAME_WINDOW];	/* one frame's bytes */
};

/* a field of the frame copy; off was bounded by the caller's config */
static __u64 frame_u64(struct python_walk *w, __u32 off)
{
	__u64 v = 0;

	if (off > BPF_SAMPLER_FRAME_WINDOW - 8)
		return 0;
	__builtin_memcpy(&v, w->frame + off, 8);
	return v;
}

/* the pointer at byte at (0, 8, 16 or 24) of the code fields' copy:
 * constant offsets, as the verifier wants them */
static __u64 code_field(const __u64 *fields, __u32 at)
{
	switch (at) {
	case 0: return fields[0];
	case 8: return fields[1];
	case 16: return fields[2];
	default: return fields[3];
	}
}

/* the code object's ident (sampler.h): its filename and name pointers,
 * in one copy when they lie within 24 bytes of each other.  A global
 * function, verified once on its own: inlined into the frame step, its
 * branches times the step's are about half of the verifier's work, and
 * the verifier is most of scorch's start-up with this engine.  (Taking
 * the ident of the frame before when the code is the same, which halves
 * the reads of a recursion, cost as much again.) */
__noinline __u64 code_ident(const struct bpf_python_config *c, __u64 code)
{
	__u64 fields[4] = { 0 }, file, name;
	__u32 lo, file_at, name_at;

	if (!c)
		return 0;
	lo = c->code_file < c->code_name ? c->code_file : c->code_name;
	file_at = c->code_file - lo;
	name_at = c->code_name - lo;
	if (file_at <= 24 && name_at <= 24 && !((file_at | name_at) & 7)) {
		if (bpf_probe_read_user(fields, sizeof(fields),
					(void *)(code + lo)))
			return 0;
		file = code_field(fields, file_at);
		name = code_field(fields, name_at);
	} else {
		file = read_u64(code + c->code_file);
		name = read_u64(code + c->code_name);
	}
	return bpf_python_code_ident(file, name);
}

/* is the thread state at w->at the walk's thread's (by native id or
 * pthread_t)? */
static int own_tstate(const struct python_walk *w)
{
	__u32 id = 0;

	if (w->c->tstate_native_id) {
		bpf_probe_read_user(&id, sizeof(id),
				    (void *)(w->at + w->c->tstate_native_id));
		return id == w->tid;
	}
	return w->fsbase &&
	       read_u64(w->at + w->c->tstate_pthread) == w->fsbase;
}

/* w->tid and w->fsbase for w->c's process: 0 when the thread cannot be
 * told (no FS base; outside its pid namespace) */
static int set_walk_thread(struct python_walk *w, __u32 tid)
{
	w->tid = tid;
	w->fsbase = 0;
	if (!w->c->tstate_native_id) {	/* found by its pthread_t */
#ifdef __TARGET_ARCH_x86
		struct task_struct *task = bpf_get_current_task_btf();

		w->fsbase = BPF_CORE_READ(task, thread.fsbase);
#endif
		return w->fsbase != 0;
	}
	if (w->c->pidns_ino) {	/* a container: its own thread ids */
		struct bpf_pidns_info ns = { 0 };

		if (bpf_get_ns_current_pid_tgid(w->c->pidns_dev,
						w->c->pidns_ino, &ns,
						sizeof(ns)))
			return 0;
		w->tid = ns.pid;
	}
	return 1;
}

/* one step through the interpreter's thread list */
static long thread_step(__u32 i, void *data)
{
	struct python_walk *w = data;

	if (!w->at)
		return 1;
	if (own_tstate(w)) {
		w->found = 1;
		return 1;
	}
	w->at = read_u64(w->at + w->c->tstate_next);
	return 0;
}

/* one frame (its fields in one copy when they lie in the window):
 * its code object and instruction, then its caller */
static long frame_step(__u32 i, void *data)
{
	struct python_walk *w = data;
	const struct bpf_python_config *c = w->c;
	__u32 n = w->n;
	__u64 code, instr, back;
	__u8 owner = 0, entry = 0;

	if (!w->at)
		return 1;
	/* the whole window in one copy; should it end past the memory's
	 * end, the fields one by one */
	if (c->frame_window &&
	    !bpf_probe_read_user(w->frame, sizeof(w->frame), (void *)w->at)) {
		back = frame_u64(w, c->frame_back);
		code = frame_u64(w, c->frame_code);
		instr = frame_u64(w, c->frame_instr);
		if (c->frame_owner >= 0 &&
		    (__u32)c->frame_owner < BPF_SAMPLER_FRAME_WINDOW)
			owner = w->frame[(__u32)c->frame_owner];
		/* (masked: the verifier wants the index bounded here) */
		if (c->frame_is_entry)
			entry = w->frame[c->frame_is_entry &
					 (BPF_SAMPLER_FRAME_WINDOW - 1)];
	} else {
		back = read_u64(w->at + c->frame_back);
		code = read_u64(w->at + c->frame_code);
		instr = read_u64(w->at + c->frame_instr);
		if (c->frame_owner >= 0)
			bpf_probe_read_user(&owner, 1,
				(void *)(w->at + (__u32)c->frame_owner));
		if (c->frame_is_entry)
			bpf_probe_read_user(&entry, 1,
				(void *)(w->at + c->frame_is_entry));
	}
	w->at = back;
	if (c->frame_owner >= 0 && c->frame_skip_owner &&
	    owner >= c->frame_skip_owner) {
		/* 3.12+: an eval-loop call's own frame, just outside the
		 * Python frames it ran */
		if (n > 0 && n <= BPF_SAMPLER_MAX_PYTHON)
			w->py[(n - 1) & (BPF_SAMPLER_MAX_PYTHON - 1)].entry = 1;
		w->key = key_mix(w->key, 0xe);	/* (that entry mark) */
		return 0;
	}
	if (n >= BPF_SAMPLER_MAX_PYTHON)
		return 1;
	if (c->frame_code_tagged)
		code &= ~3ULL;
	w->py[n].code = code;
	w->py[n].instr = instr;
	w->py[n].ident = code_ident(c, code);
	w->py[n].entry = entry != 0;
	w->n = n + 1;
	w->key = key_mix(key_mix(key_mix(key_mix(w->key, code), instr),
				 w->py[n].ident), entry != 0);
	return 0;
}

_Static_assert((BPF_SAMPLER_MAX_PYTHON & (BPF_SAMPLER_MAX_PYTHON - 1)) == 0 &&
	       (BPF_SAMPLER_FRAME_WINDOW & (BPF_SAMPLER_FRAME_WINDOW - 1)) == 0,
	       "Python frames and the frame window are indexed with a mask");

/* Where the walk starts for the thread: w->c set and w->at its thread
 * state, from its entry t (or NULL) in python_threads when that still
 * checks, else from its process's pythons entry and the interpreter's
 * thread list (then remembered in python_threads).  0: not a Python
 * thread (or not one the walk can read). */
static int find_tstate(struct python_walk *w, struct python_thread *t,
		       __u32 tgid, __u32 tid)
{
	__u64 interp;

	if (t) {	/* its pid was checked by the caller */
		w->c = &t->c;
		w->at = t->tstate;
		if (set_walk_thread(w, tid) && w->at && own_tstate(w))
			return 1;
	}
	w->c = bpf_map_lookup_elem(&pythons, &tgid);
	if (!w->c || !set_walk_thread(w, tid))
		return 0;
	interp = read_u64(w->c->interp_head);
	if (!interp)
		return 0;
	w->at = read_u64(interp + w->c->interp_threads_head);
	bpf_loop(BPF_SAMPLER_MAX_THREADS, thread_step, w, 0);
	if (!w->found)
		return 0;
	t = bpf_task_storage_get(&python_threads, bpf_get_current_task_btf(),
				 NULL, BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (t) {
		t->pid = tgid;
		t->tstate = w->at;
		__builtin_memcpy(&t->c, w->c, sizeof(t->c));
	}
	return 1;
}

/* the current thread's Python frames (t: its python_threads entry, or
 * NULL), innermost first, into s after its kernel frames */
static void walk_python(struct bpf_sample *s, struct python_thread *t,
			__u32 tgid, __u32 tid)
{
	struct python_walk w = { 0 };
	__u32 kernel_nr = s->kernel_nr;

	s->python_nr = 0;
	if (kernel_nr > BPF_SAMPLER_MAX_FRAMES)
		return;
	if (!find_tstate(&w, t, tgid, tid))
		return;
	w.py = (struct bpf_python_frame *)(s->frames + kernel_nr);
	w.at = read_u64(w.at + w.c->tstate_frame);
	if (w.at && w.c->cframe_current >= 0)
		w.at = read_u64(w.at + (__u32)w.c->cframe_current);
	w.key = key_mix(key_mix(0, tgid), tid);
	bpf_loop(BPF_SAMPLER_MAX_PYTHON + 16, frame_step, &w, 0);
	if (w.at)
		count(BPF_SAMPLER_COUNT_PY_CUT);
	s->python_nr = w.n;
	s->stack_key = key_mix(w.key, w.n);
}

/* a key being made from a sample's kernel frames */
struct kernel_key {
	const struct bpf_sample *s;
	__u64 key;
	__u32 n;
};

static long kernel_key_step(__u32 i, void *data)
{
	struct kernel_key *k = data;
	__u32 at = i;

	if (i >= k->n || i >= BPF_SAMPLER_MAX_FRAMES)
		return 1;
	/* masked where the compiler cannot drop the mask, or it indexes
	 * with a copy of i the verifier saw no check of (frames[] is
	 * longer than 128) */
	barrier_var(at);
	k->key = key_mix(k->key, k->s->frames[at & 127]);
	return 0;
}

/* the line of slots key may be in */
static __always_inline struct bpf_counted_slot *counted_line(__u64 key)
{
	return &stack_counts[bpf_counted_line(key)];
}

/* A look through a sample's Python frames for a code object user space
 * has not read */
struct known_walk {
	const struct bpf_python_frame *py;
	__u32 n;
	int unknown;
};

static long known_step(__u32 i, void *data)
{
	struct known_walk *k = data;
	__u64 code, *ident;

	if (i >= k->n || i >= BPF_SAMPLER_MAX_PYTHON)
		return 1;
	code = k->py[i & (BPF_SAMPLER_MAX_PYTHON - 1)].code;
	ident = bpf_map_lookup_elem(&known_code, &code);
	if (!ident || *ident != k->py[i & (BPF_SAMPLER_MAX_PYTHON - 1)].ident) {
		k->unknown = 1;
		return 1;
	}
	return 0;
}

/* Does s hold a code object user space has not read? */
static __always_inline int unknown_code(struct bpf_sample *s)
{
	struct known_walk k = { 0 };

	if (s->kernel_nr > BPF_SAMPLER_MAX_FRAMES)
		return 1;
	k.py = BPF_SAMPLE_PYTHON(s);
	k.n = s->python_nr;
	bpf_loop(BPF_SAMPLER_MAX_PYTHON, known_step, &k, 0);
	return k.unknown;
}

/* Counts s (a Python thread's tick, its stack_key set) when its
 * stack was sent before: 1, nothing to send.  Else 0, and s goes to the
 * ring as its key's first sample (this CPU took the key's slot), or,
 * with its line full, as a sample of its own (stack_key 0).  *wake: a
 * first sample with a code object user space has not read, which it is
 * best woken to read soon (most new stacks are a known function at
 * another instruction, or a tick in the kernel over a known stack). */
static __always_inline int counted(struct bpf_sample *s, int *wake)
{
	struct bpf_counted_slot *line;
	__u64 key, k;

	key = key_mix(key_mix(s->stack_key, *(__u64 *)s->comm),
		      *(__u64 *)(s->comm + 8));
	if (s->kernel_nr) {	/* a tick in the kernel: its frames too */
		struct kernel_key k = { s, key, s->kernel_nr };

		bpf_loop(BPF_SAMPLER_MAX_FRAMES, kernel_key_step, &k, 0);
		key = key_mix(k.key, s->kernel_nr);
	}
	key |= !key;	/* 0 means a free slot */
	line = counted_line(key);
	*wake = 0;
#pragma unroll
	for (int i = 0; i < BPF_SAMPLER_COUNT_WAYS; i++) {
		k = *(volatile __u64 *)&line[i].key;
		/* a free slot is taken by one CPU; another CPU taking it
		 * for the same key at once counts (its first sample is
		 * on its way) */
		if (!k)
			k = __sync_val_compare_and_swap(&line[i].key, 0, key);
		if (!k) {
			s->stack_key = key;
			*wake = unknown_code(s);
			return 0;
		}
		if (k == key) {
			__sync_fetch_and_add(&line[i].count, 1);
			return 1;
		}
	}
	s->stack_key = 0;
	return 0;
}

/* Fills the scratch sample of the current thread (its stacks from ctx;
 * in_kernel: it has a kernel stack) and sends it; kind BPF_SAMPLE_TICK
 * or _SWITCH_OUT.  Every page it touches can be a TLB miss (a tick after
 * a kernel entry, on a CPU without PCID, finds the TLB flushed), so
 * what a counted tick need not read is not read. */
static __always_inline int send_sample(void *ctx, __u32 tgid, __u32 tid,
				       __u32 kind, int in_kernel,
				       struct python_thread *t)
{
	struct bpf_sample *s;
	__u32 zero = 0;
	__u64 size;
	int python_only, wake = 0;
	long n;

	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	s->pid = tgid;
	s->tid = tid;
	s->kind = kind;
	bpf_get_current_comm(s->comm, sizeof(s->comm));
	s->kernel_nr = 0;
	if (!skip_kernel && in_kernel) {
		n = bpf_get_stack(ctx, s->frames,
				  BPF_SAMPLER_MAX_FRAMES * sizeof(__u64), 0);
		if (n > 0)
			s->kernel_nr = n / sizeof(__u64);
	}
	/* a Python thread's frames stand for its user stack: the native
	 * one is neither walked nor copied (the costliest part), unless
	 * --native merges the two */
	walk_python(s, t, tgid, tid);
	s->user_nr = 0;
	s->stack_len = 0;
	if (!s->python_nr || python_native) {
		n = bpf_get_stack(ctx, s->user, sizeof(s->user),
				  BPF_F_USER_STACK);
		s->user_nr = n > 0 ? n / sizeof(__u64) : 0;
		if (s->user_nr == BPF_SAMPLER_MAX_FRAMES)
			count(BPF_SAMPLER_COUNT_TRUNCATED);
		copy_user_stack(s);
	}
	/* only what was filled goes out: a Python thread's frames, or the
	 * part of the stack copy taken */
	python_only = s->python_nr && !s->user_nr && !s->stack_len;
	if (python_only && count_stacks && kind == BPF_SAMPLE_TICK) {
		if (counted(s, &wake))
			return 0;
	} else {
		s->stack_key = 0;
	}
	if (python_only)
		size = BPF_SAMPLE_PYTHON_SIZE(
			s->kernel_nr <= BPF_SAMPLER_MAX_FRAMES ?
				s->kernel_nr : BPF_SAMPLER_MAX_FRAMES,
			s->python_nr <= BPF_SAMPLER_MAX_PYTHON ?
				s->python_nr : BPF_SAMPLER_MAX_PYTHON);
	else
		size = BPF_SAMPLE_HEADER_SIZE + s->stack_len;
	if (size > sizeof(*s))
		size = sizeof(*s);
	s->time_ns = bpf_ktime_get_ns();
	/* (a switch-out keeps to the big ring, in order with the
	 * switch-in that follows it) */
	if (python_only && kind == BPF_SAMPLE_TICK ?
	    ring_send(&python_samples, PYTHON_RING_WAKEUP_BYTES, s, size,
		      s->time_ns, wake) :
	    ring_send(&samples, RING_WAKEUP_BYTES, s, size, 0, 0))
		count(BPF_SAMPLER_COUNT_LOST);
	return 0;
}

/* task's python_threads entry while it is tgid's, else NULL */
static struct python_thread *python_thread_of(struct task_struct *task,
					      __u32 tgid)
{
	struct python_thread *t;

	if (!tgid)	/* the idle task */
		return NULL;
	t = bpf_task_storage_get(&python_threads, task, NULL, 0);
	return t && t->pid == tgid ? t : NULL;
}

static int followed(__u32 tgid)
{
	return tgid && (every_process || bpf_map_lookup_elem(&targets, &tgid));
}

SEC("perf_event")
int sample(struct bpf_perf_event_data *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	struct python_thread *t =
		python_thread_of(bpf_get_current_task_btf(), tgid);
	int in_kernel = 1;

	/* a CPython is followed (user space hands in only those): a
	 * thread of one seen before is in python_threads, a new one's
	 * process is looked up again by the walk, with its pages in the
	 * TLB by then, but neither is in the targets table */
	if (!t && !(tgid && bpf_map_lookup_elem(&pythons, &tgid)) &&
	    !followed(tgid))	/* the idle task has tgid 0 */
		return 0;
#ifdef __TARGET_ARCH_x86
	/* the privilege level the tick interrupted (the context is read
	 * in whole u64s only) */
	in_kernel = !(*(__u64 *)((char *)&ctx->regs +
				 __builtin_offsetof(struct pt_regs, cs)) & 3);
#endif
	return send_sample(ctx, tgid, (__u32)id, BPF_SAMPLE_TICK, in_kernel,
			   t);
}

/* --idle: a followed thread leaving the CPU sends its stack, one coming
 * back a switch-in; user space charges the time between (offcpu.c) */
SEC("tp_btf/sched_switch")
int BPF_PROG(switch_task, bool preempt, struct task_struct *prev,
	     struct task_struct *next)
{
	__u32 ptgid = prev->tgid, ntgid = next->tgid;
	struct bpf_sample *s;
	__u32 zero = 0;

	if (followed(ptgid))	/* prev is still current here */
		send_sample(ctx, ptgid, (__u32)prev->pid,
			    BPF_SAMPLE_SWITCH_OUT, 1,
			    python_thread_of(prev, ptgid));
	if (!followed(ntgid))
		return 0;
	s = bpf_map_lookup_elem(&scratch, &zero);
	if (!s)
		return 0;
	s->pid = ntgid;
	s->tid = (__u32)next->pid;
	s->kind = BPF_SAMPLE_SWITCH_IN;
	s->time_ns = bpf_ktime_get_ns();
	if (ring_send(&samples, RING_WAKEUP_BYTES, s, BPF_SAMPLE_SWITCH_SIZE,
		      0, 0))
		count(BPF_SAMPLER_COUNT_LOST);
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
