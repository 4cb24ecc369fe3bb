/*
 * unwind.c - DWARF unwinding of sampled user stacks with elfutils: one
 * Dwfl per process whose modules mirror the process's file mappings
 * (re-reported only when the maps change, so libdw's per-object CFI stays
 * cached).  Each frame's step comes from the per-PC rule cache
 * (cfi_rules.c: libdw's answer, applied here to the sampled registers and
 * stack copy); a sample needing more than it holds is unwound by libdwfl,
 * fed by callbacks serving the same registers and stack.  Falls back to
 * the frame-pointer chain when DWARF gives nothing past the sampled PC,
 * and a leaf rule for PCs without CFI (JIT code).  Never reads the live
 * process; prints only with SCORCH_UNWIND_DEBUG (why libdwfl stopped) or
 * SCORCH_UNWIND_CHECK (both paths on every sample, differences), aids for
 * developers.
 */
#include <elfutils/libdwfl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "symbols/symbols.h"
#include "unwind/cfi_rules.h"
#include "unwind/unwind.h"
#include "util/file_open.h"
#include "util/pidtable.h"
#include "util/xalloc.h"

struct unwind_module {
	const struct symbols_dso *dso;
	uint64_t bias;
};

struct unwind_process {
	pid_t pid;
	Dwfl *dwfl;
	struct unwind_module *modules;	/* what dwfl holds */
	size_t nr_modules, alloc_modules;
	unsigned generation;
	int attached;
	int reported;			/* modules in dwfl */
	struct cfi_rules rules;		/* what libdw said, by PC, for
					 * PCs in no module (file_rules) */
};

/* What the callbacks of one dwfl_getthread_frames() call see. */
struct unwind_call {
	struct unwinder *u;
	const struct unwind_sample *sample;
	struct symbols_process *proc;
	uint64_t *pcs;
	int nr, max;
	/* registers of the last frame reached (DWARF numbering), so code
	 * without CFI there can be stepped over by rule (see jit_step) */
	Dwarf_Word last_regs[17];
	unsigned last_valid;		/* bit per DWARF register */
	uint64_t last_sp;		/* SP of the frame reported last */
	int last_sp_valid;
};

struct unwinder {
	struct symbols *sym;
	struct pid_table proc_ids;	/* pid -> procs[id - 1] */
	struct unwind_process *procs;
	size_t nr_procs, alloc_procs;
	struct unwind_call *call;	/* the call in progress */
	struct unwind_stats stats;
	int check;			/* SCORCH_UNWIND_CHECK: both paths */
	/* rules of PCs in mapped files by (file, offset), shared by every
	 * process; a process's own table keeps the rest */
	struct cfi_rules file_rules;
};

/*
 * Unwinding needs only the CFI of the mapped objects themselves (.eh_frame,
 * or .debug_frame when the object carries it), so the Dwfl never looks
 * for separate debug files: loading (and decompressing) libc's debug
 * sections cost a fifth of the run.  Names and inlines come from
 * src/symbols/, which does find debug files.
 */
static int unwind_no_debuginfo(Dwfl_Module *mod, void **userdata,
			       const char *modname, Dwarf_Addr base,
			       const char *file_name, const char *debuglink_file,
			       GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	(void)mod;
	(void)userdata;
	(void)modname;
	(void)base;
	(void)file_name;
	(void)debuglink_file;
	(void)debuglink_crc;
	(void)debuginfo_file_name;
	return -1;
}

static char *unwind_debuginfo_path;
static const Dwfl_Callbacks unwind_dwfl_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = unwind_no_debuginfo,
	.debuginfo_path = &unwind_debuginfo_path,
};

struct unwinder *unwinder_new(struct symbols *sym)
{
	struct unwinder *u = xcalloc(1, sizeof(*u));

	u->sym = sym;
	pid_table_init(&u->proc_ids);
	u->check = getenv("SCORCH_UNWIND_CHECK") != NULL;
	return u;
}

static void unwind_process_release(struct unwind_process *p)
{
	if (p->dwfl)
		dwfl_end(p->dwfl);
	p->dwfl = NULL;
	free(p->modules);
	p->modules = NULL;
	p->nr_modules = p->alloc_modules = 0;
	p->attached = 0;
	p->reported = 0;
	cfi_rules_release(&p->rules);
}

void unwinder_free(struct unwinder *u)
{
	if (!u)
		return;
	if (u->check)
		fprintf(stderr, "unwind check: %lu samples, %lu DWARF unwinds from cached rules, %lu differ from libdwfl\n",
			u->stats.samples, u->stats.cached,
			u->stats.check_mismatch);
	for (size_t i = 0; i < u->nr_procs; i++)
		unwind_process_release(&u->procs[i]);
	cfi_rules_release(&u->file_rules);
	free(u->procs);
	pid_table_release(&u->proc_ids);
	free(u);
}

void unwinder_forget(struct unwinder *u, pid_t pid)
{
	uint32_t id = pid_table_find(&u->proc_ids, pid);

	/* the entry stays, as a new process would find it */
	if (id) {
		unwind_process_release(&u->procs[id - 1]);
		memset(&u->procs[id - 1], 0, sizeof(*u->procs));
		u->procs[id - 1].pid = pid;
	}
}

const struct unwind_stats *unwinder_stats(const struct unwinder *u)
{
	return &u->stats;
}

/* ---- libdwfl thread callbacks ------------------------------------ */

static pid_t cb_next_thread(Dwfl *dwfl, void *arg, void **thread_argp)
{
	struct unwinder *u = arg;

	(void)dwfl;
	if (*thread_argp || !u->call)
		return 0;
	*thread_argp = u->call;
	return u->call->sample->tid;
}

static bool cb_get_thread(Dwfl *dwfl, pid_t tid, void *arg, void **thread_argp)
{
	struct unwinder *u = arg;

	(void)dwfl;
	if (!u->call || u->call->sample->tid != tid)
		return false;
	*thread_argp = u->call;
	return true;
}

/* One word of the sampled memory: the stack copy, or constant data of a
 * mapped file.  Both unwinding paths read through here. */
static bool unwind_read(struct unwinder *u, uint64_t addr, uint64_t *result)
{
	const struct unwind_sample *s;
	const struct symbols_map *map;
	uint64_t sp, bias;

	if (!u->call)
		return false;
	s = u->call->sample;
	sp = s->regs[UNWIND_REG_SP];
	if (addr >= sp && addr - sp + 8 <= s->stack_size) {
		memcpy(result, s->stack + (addr - sp), 8);
		return true;
	}
	if (addr >= sp && addr - sp < 1u << 20)
		u->stats.truncated++;
	/* Constant data in a mapped file (rare: some CFI expressions). */
	map = u->call->proc ? symbols_find_map(u->call->proc, addr) : NULL;
	if (map && map->dso && !(map->prot & 2) &&
	    !symbols_map_bias(map, &bias) &&
	    !symbols_dso_read(map->dso, addr - bias, result, 8))
		return true;
	return false;
}

static bool cb_memory_read(Dwfl *dwfl, Dwarf_Addr addr, Dwarf_Word *result,
			   void *arg)
{
	uint64_t v;

	(void)dwfl;
	if (!unwind_read(arg, addr, &v))
		return false;
	*result = v;
	return true;
}

static bool cb_set_initial_registers(Dwfl_Thread *thread, void *thread_arg)
{
	struct unwind_call *call = thread_arg;
	const uint64_t *r = call->sample->regs;
	/* DWARF register order of x86_64: rax rdx rcx rbx rsi rdi rbp rsp
	 * r8..r15 rip */
	Dwarf_Word dw[17] = {
		r[UNWIND_REG_AX], r[UNWIND_REG_DX], r[UNWIND_REG_CX],
		r[UNWIND_REG_BX], r[UNWIND_REG_SI], r[UNWIND_REG_DI],
		r[UNWIND_REG_BP], r[UNWIND_REG_SP],
		r[UNWIND_REG_R8], r[UNWIND_REG_R9], r[UNWIND_REG_R10],
		r[UNWIND_REG_R11], r[UNWIND_REG_R12], r[UNWIND_REG_R13],
		r[UNWIND_REG_R14], r[UNWIND_REG_R15], r[UNWIND_REG_IP],
	};

	if (!dwfl_thread_state_registers(thread, 0, 17, dw))
		return false;
	dwfl_thread_state_register_pc(thread, r[UNWIND_REG_IP]);
	return true;
}

static const Dwfl_Thread_Callbacks unwind_thread_callbacks = {
	.next_thread = cb_next_thread,
	.get_thread = cb_get_thread,
	.memory_read = cb_memory_read,
	.set_initial_registers = cb_set_initial_registers,
};

/*
 * Whether the frame about to be reported (pc, sp) shows the walk makes no
 * progress: the same PC at the same stack pointer as the frame before.
 * (Recursion repeats a return address with a new SP each time.)  Without
 * an SP, three equal PCs in a row count as stuck.  Records sp for the next
 * call.
 */
static int unwind_stuck(struct unwind_call *call, uint64_t pc, uint64_t sp,
			int have_sp)
{
	int stuck;

	if (have_sp && call->last_sp_valid)
		stuck = call->nr && call->pcs[call->nr - 1] == pc &&
			call->last_sp == sp;
	else
		stuck = call->nr > 1 && call->pcs[call->nr - 1] == pc &&
			call->pcs[call->nr - 2] == pc;
	call->last_sp = sp;
	call->last_sp_valid = have_sp;
	return stuck;
}

static int cb_frame(Dwfl_Frame *frame, void *arg)
{
	struct unwind_call *call = arg;
	const struct symbols_map *m;
	Dwarf_Addr pc;
	Dwarf_Word sp = 0;
	bool activation;
	int have_sp;

	if (!dwfl_frame_pc(frame, &pc, &activation) || !pc)
		return DWARF_CB_ABORT;
	/* report the raw PC: callers subtract 1 from return addresses */
	have_sp = !dwfl_frame_reg(frame, 7, &sp);
	if (unwind_stuck(call, pc, sp, have_sp))
		return DWARF_CB_ABORT;
	call->pcs[call->nr++] = pc;
	call->last_valid = 0;
	/* only jit_step reads the registers, and only when this frame is
	 * in anonymous executable memory: skip them elsewhere */
	m = symbols_find_map(call->proc, pc - 1);
	if (m && !m->dso && (m->prot & 4))
		for (unsigned r = 0; r < 17; r++)
			if (r == 3 || r == 6 || r == 7 || r >= 12)
				if (!dwfl_frame_reg(frame, r,
						    &call->last_regs[r]))
					call->last_valid |= 1u << r;
	return call->nr < call->max ? DWARF_CB_OK : DWARF_CB_ABORT;
}

/* ---- per-process Dwfl ------------------------------------------- */

/* pid's entry, added when new: one hash probe per sample */
static struct unwind_process *unwind_process(struct unwinder *u, pid_t pid)
{
	int added;
	uint32_t id = pid_table_add(&u->proc_ids, pid, &added);

	if (added) {
		grow_array((void **)&u->procs, sizeof(*u->procs), id,
			   &u->alloc_procs);
		memset(&u->procs[id - 1], 0, sizeof(*u->procs));
		u->procs[id - 1].pid = pid;
		u->nr_procs = id;
	}
	return &u->procs[id - 1];
}

static int module_known(const struct unwind_process *p,
			const struct symbols_dso *dso, uint64_t bias)
{
	for (size_t i = 0; i < p->nr_modules; i++)
		if (p->modules[i].dso == dso && p->modules[i].bias == bias)
			return 1;
	return 0;
}

/* Adds a module for every mapped file not reported yet (libdwfl cannot
 * re-report a module it already has, so reporting is additive).
 * Returns -1 when a module could not be placed: it overlaps a module of
 * an older picture of the maps (an unmapped library), and the caller
 * starts over. */
static int report_modules(struct unwind_process *p,
			  struct symbols_process *proc)
{
	int failed = 0, before = p->reported;

	dwfl_report_begin_add(p->dwfl);
	for (size_t i = 0; i < proc->nr_maps; i++) {
		const struct symbols_map *m = &proc->maps[i];
		uint64_t bias;
		int fd;

		if (!m->dso || !(m->prot & 4) || symbols_map_bias(m, &bias) ||
		    module_known(p, m->dso, bias))
			continue;
		/* the path may come from a perf.data: open it ourselves, so
		 * only a regular file is opened and a FIFO never blocks (on
		 * success the module owns fd) */
		fd = file_open_regular(symbols_dso_path(m->dso), 0, NULL);
		if (fd >= 0 && dwfl_report_elf(p->dwfl, m->path,
					       symbols_dso_path(m->dso),
					       fd, bias, true)) {
			grow_array((void **)&p->modules, sizeof(*p->modules),
				   p->nr_modules + 1, &p->alloc_modules);
			p->modules[p->nr_modules].dso = m->dso;
			p->modules[p->nr_modules].bias = bias;
			p->nr_modules++;
			p->reported++;
		} else {
			if (fd >= 0)
				close(fd);
			failed = 1;
		}
	}
	dwfl_report_end(p->dwfl, NULL, NULL);
	p->generation = proc->generation;
	if (p->reported != before)	/* a PC may now be in a module */
		cfi_rules_clear(&p->rules);
	return failed ? -1 : 0;
}

/* perf register index of each DWARF register of x86_64 (0..16). */
static const uint8_t unwind_dwarf_to_perf[CFI_RULES_NREGS] = {
	UNWIND_REG_AX, UNWIND_REG_DX, UNWIND_REG_CX, UNWIND_REG_BX,
	UNWIND_REG_SI, UNWIND_REG_DI, UNWIND_REG_BP, UNWIND_REG_SP,
	UNWIND_REG_R8, UNWIND_REG_R9, UNWIND_REG_R10, UNWIND_REG_R11,
	UNWIND_REG_R12, UNWIND_REG_R13, UNWIND_REG_R14, UNWIND_REG_R15,
	UNWIND_REG_IP,
};

/* The rule at (adjusted) pc, which map m (NULL: none) holds: by (file,
 * offset) when a file is mapped there and its module is in the
 * process's Dwfl, else by pc in the process's own table. */
static const struct cfi_rule *unwind_rule(struct unwinder *u,
					  struct unwind_process *p,
					  const struct symbols_map *m,
					  uint64_t pc)
{
	const struct cfi_rule *r;
	uint64_t bias;

	if (m && m->dso && !symbols_map_bias(m, &bias)) {
		r = cfi_rules_get_in(&u->file_rules, p->dwfl, pc,
				     (uint64_t)(uintptr_t)m->dso, pc - bias);
		if (r)
			return r;
	}
	return cfi_rules_get(&p->rules, p->dwfl, pc);
}

/*
 * What libdwfl's dwfl_getthread_frames() + cb_frame() give, computed from
 * the cached rules: report a frame (cb_frame's checks), step to its
 * caller as libdwfl's handle_cfi() does (registers the rules cannot
 * recover become unknown; an undefined return address ends the walk
 * normally, an unrecoverable one ends it with an error; both keep the
 * frames found).  Returns the frame count, or -1 when some PC's rule is
 * not in the simple form and libdwfl must unwind the whole sample.
 */
static int unwind_cached(struct unwinder *u, struct unwind_process *p,
			 struct unwind_call *call)
{
	const struct unwind_sample *s = call->sample;
	uint64_t regs[CFI_RULES_NREGS], next[CFI_RULES_NREGS];
	uint32_t valid = (1u << CFI_RULES_NREGS) - 1, next_valid;
	uint64_t pc = s->regs[UNWIND_REG_IP];
	int initial = 1;

	for (int r = 0; r < CFI_RULES_NREGS; r++)
		regs[r] = s->regs[unwind_dwarf_to_perf[r]];
	for (;;) {
		const struct cfi_rule *rule;
		const struct symbols_map *m;
		uint64_t cfa = 0;
		int cfa_ok;

		if (unwind_stuck(call, pc, regs[7], (valid >> 7) & 1))
			break;
		call->pcs[call->nr++] = pc;
		call->last_valid = 0;
		m = symbols_find_map(call->proc, pc - 1);
		if (m && !m->dso && (m->prot & 4))
			for (unsigned r = 0; r < CFI_RULES_NREGS; r++)
				if ((r == 3 || r == 6 || r == 7 || r >= 12) &&
				    (valid & (1u << r))) {
					call->last_regs[r] = regs[r];
					call->last_valid |= 1u << r;
				}
		if (call->nr >= call->max)
			break;

		/* past the first frame, the map of pc - 1 found above */
		rule = initial ?
			unwind_rule(u, p, symbols_find_map(call->proc, pc), pc) :
			unwind_rule(u, p, m, pc - 1);
		if (!rule->usable)
			return -1;
		cfa_ok = (valid >> rule->cfa_reg) & 1;
		if (cfa_ok)
			cfa = regs[rule->cfa_reg] + (uint64_t)rule->cfa_offset;
		next_valid = 0;
		for (int r = 0; r < CFI_RULES_NREGS; r++) {
			uint64_t where = cfa + (uint64_t)rule->offset[r];

			switch (rule->kind[r]) {
			case CFI_RULE_UNDEFINED:
				continue;
			case CFI_RULE_SAME:
				if (!((valid >> r) & 1))
					continue;
				next[r] = regs[r];
				break;
			case CFI_RULE_AT_CFA:
				if (!cfa_ok || !unwind_read(u, where, &next[r]))
					continue;
				break;
			case CFI_RULE_CFA_PLUS:
				if (!cfa_ok)
					continue;
				next[r] = where;
				break;
			}
			next_valid |= 1u << r;
		}
		if (rule->kind[CFI_RULES_NREGS - 1] == CFI_RULE_UNDEFINED ||
		    !((next_valid >> (CFI_RULES_NREGS - 1)) & 1) ||
		    !next[CFI_RULES_NREGS - 1])
			break;	/* outermost frame, or cannot go on */
		memcpy(regs, next, sizeof(regs));
		valid = next_valid;
		pc = regs[CFI_RULES_NREGS - 1];
		initial = 0;
	}
	return call->nr;
}

/* SCORCH_UNWIND_CHECK: says where the cached path and libdwfl differ. */
static void unwind_check(struct unwinder *u, const struct unwind_call *fast,
			 const struct unwind_call *slow)
{
	int same = fast->nr == slow->nr &&
		!memcmp(fast->pcs, slow->pcs, (size_t)fast->nr * sizeof(uint64_t));

	if (same)
		return;
	u->stats.check_mismatch++;
	fprintf(stderr, "unwind check: pid %d ip %#llx: cached %d frames, libdwfl %d:",
		(int)fast->sample->pid,
		(unsigned long long)fast->sample->regs[UNWIND_REG_IP],
		fast->nr, slow->nr);
	for (int i = 0; i < fast->nr || i < slow->nr; i++)
		fprintf(stderr, " %#llx/%#llx",
			i < fast->nr ? (unsigned long long)fast->pcs[i] : 0ULL,
			i < slow->nr ? (unsigned long long)slow->pcs[i] : 0ULL);
	fputc('\n', stderr);
}

static int unwind_dwarf(struct unwinder *u, struct unwind_process *p,
			struct symbols_process *proc,
			const struct unwind_sample *sample, uint64_t *pcs,
			int max, struct unwind_call *last)
{
	struct unwind_call call = { u, sample, proc, pcs, 0, max, {0}, 0, 0, 0 };

	if (!p->dwfl) {
		p->dwfl = dwfl_begin(&unwind_dwfl_callbacks);
		if (!p->dwfl)
			return 0;
	}
	if (!p->reported || p->generation != proc->generation) {
		if (report_modules(p, proc)) {
			/* start over with a fresh Dwfl: simpler than
			 * untangling which old module is in the way */
			unwind_process_release(p);
			p->dwfl = dwfl_begin(&unwind_dwfl_callbacks);
			if (!p->dwfl)
				return 0;
			report_modules(p, proc);
		}
	}
	if (!p->reported)
		return 0;
	u->call = &call;
	if (unwind_cached(u, p, &call) >= 0) {
		u->stats.cached++;
		if (u->check) {
			uint64_t *fast_pcs = xmalloc((size_t)max * sizeof(*pcs));
			struct unwind_call fast = call;

			memcpy(fast_pcs, pcs, (size_t)call.nr * sizeof(*pcs));
			fast.pcs = fast_pcs;
			call.nr = 0;
			call.last_valid = 0;
			call.last_sp_valid = 0;
			u->call = NULL;
			if (p->attached || dwfl_attach_state(p->dwfl, NULL,
					sample->pid, &unwind_thread_callbacks, u)) {
				p->attached = 1;
				u->call = &call;
				dwfl_getthread_frames(p->dwfl, sample->tid,
						      cb_frame, &call);
				unwind_check(u, &fast, &call);
			}
			memcpy(pcs, fast_pcs, (size_t)fast.nr * sizeof(*pcs));
			call = fast;
			call.pcs = pcs;
			free(fast_pcs);
		}
		u->call = NULL;
		if (last)
			*last = call;
		return call.nr;
	}
	call.nr = 0;
	call.last_valid = 0;
	call.last_sp_valid = 0;
	u->call = NULL;
	if (!p->attached) {
		if (!dwfl_attach_state(p->dwfl, NULL, sample->pid,
				       &unwind_thread_callbacks, u))
			return 0;
		p->attached = 1;
	}
	u->call = &call;
	if (dwfl_getthread_frames(p->dwfl, sample->tid, cb_frame, &call) &&
	    call.nr <= 1 && getenv("SCORCH_UNWIND_DEBUG"))
		fprintf(stderr, "unwind: pid %d pc %#llx: %s (%d modules)\n",
			(int)sample->pid,
			(unsigned long long)sample->regs[UNWIND_REG_IP],
			dwfl_errmsg(-1), p->reported);
	u->call = NULL;
	if (last)
		*last = call;
	return call.nr;
}

/*
 * The last frame DWARF reached is in anonymous executable memory (JIT
 * code, no CFI).  Steps over it by rule and fills caller with the
 * caller's registers and stack: CPython's perf trampoline ("py::" names
 * in the perf map: sub $8,%rsp; call) has CFA = SP + 16 (reference §6.2);
 * other JIT code is stepped with its frame pointer when RBP points into
 * the stack copy.  Returns 0, or -1 when no rule applies.
 */
static int jit_step(struct unwinder *u, const struct unwind_sample *sample,
		    const struct unwind_call *last,
		    struct symbols_process *proc, struct unwind_sample *caller)
{
	uint64_t pc = last->pcs[last->nr - 1], sp0, sp, bp, cfa, ret, new_bp;
	const struct symbols_map *m;
	struct symbols_result r;

	m = symbols_find_map(proc, pc - 1);	/* pc is a return address */
	if (!m || m->dso || !(m->prot & 4) || !(last->last_valid & (1u << 7)))
		return -1;
	sp0 = sample->regs[UNWIND_REG_SP];
	sp = last->last_regs[7];
	if (sp < sp0 || sp - sp0 > sample->stack_size)
		return -1;
	bp = last->last_valid & (1u << 6) ? last->last_regs[6] : 0;
	symbols_lookup(u->sym, sample->pid, pc, SYMBOLS_LOOKUP_RETURN, &r);
	if (r.kind == SYMBOLS_JIT && !strncmp(r.name, "py::", 4)) {
		cfa = sp + 16;
		new_bp = bp;
	} else if (bp >= sp && bp - sp0 + 16 <= sample->stack_size) {
		cfa = bp + 16;
		memcpy(&new_bp, sample->stack + (bp - sp0), 8);
	} else {
		return -1;
	}
	if (cfa - sp0 > sample->stack_size)
		return -1;
	memcpy(&ret, sample->stack + (cfa - 8 - sp0), 8);
	m = symbols_find_map(proc, ret - 1);
	if (!m || !(m->prot & 4))
		return -1;
	*caller = *sample;
	caller->regs[UNWIND_REG_IP] = ret;
	caller->regs[UNWIND_REG_SP] = cfa;
	caller->regs[UNWIND_REG_BP] = new_bp;
	if (last->last_valid & (1u << 3))
		caller->regs[UNWIND_REG_BX] = last->last_regs[3];
	for (int i = 0; i < 4; i++)
		if (last->last_valid & (1u << (12 + i)))
			caller->regs[UNWIND_REG_R12 + i] = last->last_regs[12 + i];
	caller->stack = sample->stack + (cfa - sp0);
	caller->stack_size = sample->stack_size - (cfa - sp0);
	return 0;
}

int unwind_frame_pointers(const struct unwind_sample *sample, uint64_t *pcs,
			  int max_pcs)
{
	uint64_t sp = sample->regs[UNWIND_REG_SP];
	uint64_t bp = sample->regs[UNWIND_REG_BP];
	int n = 0;

	if (max_pcs <= 0 || !sample->regs[UNWIND_REG_IP])
		return 0;
	pcs[n++] = sample->regs[UNWIND_REG_IP];
	while (n < max_pcs && bp >= sp && bp - sp + 16 <= sample->stack_size) {
		uint64_t next_bp, ret;
		memcpy(&next_bp, sample->stack + (bp - sp), 8);
		memcpy(&ret, sample->stack + (bp - sp) + 8, 8);
		if (!ret)
			break;
		pcs[n++] = ret;
		if (next_bp <= bp)
			break;
		bp = next_bp;
	}
	return n;
}

int unwind_sample(struct unwinder *u, const struct unwind_sample *sample,
		  uint64_t *pcs, int max_pcs)
{
	struct symbols_process *proc;
	struct timespec t0, t1;
	struct unwind_call last;
	int n = 0;

	if (max_pcs <= 0 || !sample->regs[UNWIND_REG_IP])
		return 0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	u->stats.samples++;
	proc = symbols_find_process(u->sym, sample->pid);
	if (proc && proc->nr_maps)
		n = unwind_dwarf(u, unwind_process(u, sample->pid), proc,
				 sample, pcs, max_pcs, &last);
	if (n <= 1 && proc && sample->stack_size >= 16) {
		/* No CFI for the sampled PC (JIT code, hand-written
		 * assembly): if [sp] is a return address into a mapped
		 * file, take the PC as a leaf that pushed nothing and go on
		 * from its caller. */
		uint64_t ret;
		const struct symbols_map *m;
		memcpy(&ret, sample->stack, 8);
		m = symbols_find_map(proc, ret - 1);
		if (m && m->dso && (m->prot & 4) && max_pcs > 1) {
			struct unwind_sample caller = *sample;
			int nc;
			caller.regs[UNWIND_REG_IP] = ret;
			caller.regs[UNWIND_REG_SP] += 8;
			caller.stack += 8;
			caller.stack_size -= 8;
			nc = unwind_dwarf(u, unwind_process(u, sample->pid),
					  proc, &caller, pcs + 1, max_pcs - 1,
					  &last);
			if (nc > 1) {
				pcs[0] = sample->regs[UNWIND_REG_IP];
				n = nc + 1;
				u->stats.leaf_used++;
			}
		}
	}
	/* DWARF stopped in JIT code: step over it by rule and go on */
	for (int hops = 0; n > 1 && n < max_pcs && hops < 16; hops++) {
		struct unwind_sample caller;
		int nc;
		/* registers in last are absolute, so jit_step reads them
		 * against the original sample's stack copy */
		if (last.nr < 1 || jit_step(u, sample, &last, proc, &caller))
			break;
		nc = unwind_dwarf(u, unwind_process(u, sample->pid), proc,
				  &caller, pcs + n, max_pcs - n, &last);
		if (nc <= 0)
			break;
		n += nc;
		u->stats.jit_steps++;
	}
	/* DWARF gave nothing past the sampled PC: try the frame pointers.
	 * (Not when it found the caller and stopped there: the chain then
	 * starts at the caller's frame and skips the caller itself, and
	 * perf does not fall back either.) */
	if (n <= 1) {
		uint64_t fp[256];
		int max = max_pcs < 256 ? max_pcs : 256;
		int nfp = unwind_frame_pointers(sample, fp, max);
		u->stats.dwarf_failed++;
		if (nfp > n) {
			memcpy(pcs, fp, nfp * sizeof(*pcs));
			n = nfp;
			u->stats.fp_used++;
		}
	}
	if (!n) {
		pcs[0] = sample->regs[UNWIND_REG_IP];
		n = 1;
	}
	u->stats.frames += n;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	{
		double ns = (t1.tv_sec - t0.tv_sec) * 1e9 +
			(t1.tv_nsec - t0.tv_nsec);
		int bucket = 0;
		u->stats.total_ns += ns;
		while (bucket < 31 && ns >= (double)(2ULL << bucket))
			bucket++;
		u->stats.hist[bucket]++;
	}
	return n;
}

double unwind_stats_median_us(const struct unwind_stats *s)
{
	unsigned long total = 0, seen = 0;

	for (int i = 0; i < 32; i++)
		total += s->hist[i];
	for (int i = 0; i < 32 && total; i++) {
		seen += s->hist[i];
		if (2 * seen >= total)	/* middle of [2^i, 2^(i+1)) ns */
			return 1.5 * (double)(1ULL << i) / 1e3;
	}
	return 0;
}
