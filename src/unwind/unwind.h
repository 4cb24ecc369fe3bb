/*
 * unwind.h - turn one sampled user register set + user stack copy
 * (PERF_SAMPLE_REGS_USER / PERF_SAMPLE_STACK_USER) into a list of PCs.
 *
 * Owns: one elfutils Dwfl per process (modules reported from the
 * process's struct symbols_process, CFI from .eh_frame/.debug_frame
 * cached per object by libdw), a frame-pointer fallback walker.
 * Never reads the target's memory except the stack copy it is given
 * (plus mapped files); never prints.  x86_64 only for now.
 *
 * Ownership: the unwinder borrows the struct symbols it was created with
 * (which must outlive it); pcs[] is the caller's.
 */
#ifndef SCORCH_UNWIND_UNWIND_H
#define SCORCH_UNWIND_UNWIND_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct symbols;
struct unwinder;

/* The perf register numbering of x86_64 (asm/perf_regs.h). */
enum unwind_x86_reg {
	UNWIND_REG_AX, UNWIND_REG_BX, UNWIND_REG_CX, UNWIND_REG_DX,
	UNWIND_REG_SI, UNWIND_REG_DI, UNWIND_REG_BP, UNWIND_REG_SP,
	UNWIND_REG_IP, UNWIND_REG_FLAGS, UNWIND_REG_CS, UNWIND_REG_SS,
	UNWIND_REG_DS, UNWIND_REG_ES, UNWIND_REG_FS, UNWIND_REG_GS,
	UNWIND_REG_R8, UNWIND_REG_R9, UNWIND_REG_R10, UNWIND_REG_R11,
	UNWIND_REG_R12, UNWIND_REG_R13, UNWIND_REG_R14, UNWIND_REG_R15,
	UNWIND_REG_COUNT
};

/* The sample_regs_user mask the perf engine should request: every
 * general-purpose register above except the segment registers. */
#define UNWIND_REGS_MASK 0xff0fffULL

/* One sample, as the kernel delivered it. */
struct unwind_sample {
	pid_t pid, tid;
	uint64_t regs[UNWIND_REG_COUNT];	/* indexed by unwind_x86_reg */
	uint64_t regs_mask;			/* which regs[] are valid */
	const uint8_t *stack;			/* copy of [sp, sp+size) */
	size_t stack_size;			/* dyn_size: valid bytes */
};

/* Statistics, for benchmarks and the end-of-run summary. */
struct unwind_stats {
	unsigned long samples;		/* unwind_sample() calls */
	unsigned long frames;		/* PCs produced */
	unsigned long dwarf_failed;	/* DWARF gave <= 1 frame */
	unsigned long fp_used;		/* frame-pointer fallback chosen */
	unsigned long leaf_used;	/* no CFI at the PC: leaf rule used */
	unsigned long jit_steps;	/* JIT frames stepped over by rule */
	unsigned long truncated;	/* stopped at the stack copy's end */
	unsigned long cached;		/* DWARF unwinds done from the per-PC
					   rule cache instead of libdwfl */
	unsigned long check_mismatch;	/* SCORCH_UNWIND_CHECK: cache and
					   libdwfl disagreed */
	double total_ns;		/* time spent in unwind_sample() */
	unsigned long hist[32];		/* unwinds taking [2^i, 2^(i+1)) ns */
};

/* Median time of one unwind in microseconds (from the histogram, within
 * a factor of 2), 0 when nothing was unwound. */
double unwind_stats_median_us(const struct unwind_stats *s);

/* Creates an unwinder resolving objects through sym.  Returns NULL (not
 * reported) when elfutils cannot be set up. */
struct unwinder *unwinder_new(struct symbols *sym);
void unwinder_free(struct unwinder *u);

/* Unwinds one sample into pcs[], innermost first: pcs[0] is the sampled
 * IP, the rest are return addresses (look them up as addr-1).  Returns
 * the number of PCs (0 when even the IP is missing).  The process's maps
 * must be in sym before the call. */
int unwind_sample(struct unwinder *u, const struct unwind_sample *sample,
		  uint64_t *pcs, int max_pcs);

/* Drops the per-process state of pid (call on EXIT / exec). */
void unwinder_forget(struct unwinder *u, pid_t pid);

const struct unwind_stats *unwinder_stats(const struct unwinder *u);

/* Walks the frame-pointer chain only (exposed for tests/fallback). */
int unwind_frame_pointers(const struct unwind_sample *sample, uint64_t *pcs,
			  int max_pcs);

#endif
