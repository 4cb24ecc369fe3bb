/*
 * stack.c - the one sample -> stack builder (see stack.h): callchain
 * split at the context markers, DWARF unwinding of the user part, then
 * every address symbolized once through a cache keyed by (mapped file,
 * offset in it) -- so one libc serves every process, and a remap, fork or
 * exec does not flush it -- or by (process, address, maps generation) for
 * code in no file (JIT, anonymous memory), or by address for the kernel.
 * A cache entry holds the frame ids of the address (with its inline
 * chain, names, file and line under the builder's naming policy).
 */
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "perf/script_names.h"
#include "model/profile.h"
#include "perf/stack.h"
#include "symbols/symbols.h"
#include "unwind/unwind.h"
#include "util/hash.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define MAX_PCS 1024

/* key flags */
#define KEY_LEAF	1u
#define KEY_RETURN	2u
#define KEY_JAVA	4u
#define KEY_INLINES	8u
#define KEY_KERNEL	16u

struct cache_entry {
	uint64_t object;	/* dso pointer; pid << 1 | 1; 0 = kernel */
	uint64_t offset;	/* in the file, else the address */
	uint32_t generation;	/* maps generation for pid keys */
	uint32_t flags;		/* KEY_* */
	uint32_t chain;		/* first of n frames in chain[] */
	uint32_t n;
};

struct perf_stack {
	struct profile *p;
	struct symbols *sym;
	struct unwinder *unwinder;
	struct perf_stack_options o;

	struct cache_entry *cache;	/* id - 1 in index */
	size_t cache_used, cache_alloc;
	struct hash_index *index;
	uint32_t *chain;		/* frame ids of cached answers */
	unsigned char *chain_flags;	/* their PERF_FRAME_* bytes */
	size_t nr_chain, alloc_chain, alloc_chain_flags;

	/* one sample, leaf first */
	uint64_t pcs[MAX_PCS];
	uint8_t pc_kernel[MAX_PCS];
	uint8_t pc_return[MAX_PCS];
	uint64_t unwound[MAX_PCS];

	struct strbuf tidy, addr;
	uint32_t tmp[1 + SYMBOLS_MAX_INLINE];
	unsigned char tmp_flags[1 + SYMBOLS_MAX_INLINE];
};

struct perf_stack *perf_stack_new(struct profile *p, struct symbols *sym,
				  struct unwinder *unwinder,
				  const struct perf_stack_options *o)
{
	struct perf_stack *b = xcalloc(1, sizeof(*b));

	b->p = p;
	b->sym = sym;
	b->unwinder = unwinder;
	b->o = *o;
	b->index = hash_index_new();
	strbuf_init(&b->tidy);
	strbuf_init(&b->addr);
	return b;
}

void perf_stack_free(struct perf_stack *b)
{
	if (!b)
		return;
	free(b->cache);
	hash_index_free(b->index);
	free(b->chain);
	free(b->chain_flags);
	strbuf_release(&b->tidy);
	strbuf_release(&b->addr);
	free(b);
}

/* ---- the cache ---------------------------------------------------- */

static uint64_t key_hash(uint64_t object, uint64_t offset, uint32_t gen,
			 uint32_t flags)
{
	return hash_mix(hash_mix(offset, object), (uint64_t)gen << 8 | flags);
}

struct cache_key {
	const struct perf_stack *b;
	uint64_t object, offset;
	uint32_t generation, flags;
};

static int cache_eq(const void *ctx, uint32_t id)
{
	const struct cache_key *k = ctx;
	const struct cache_entry *e = &k->b->cache[id - 1];

	return e->object == k->object && e->offset == k->offset &&
	       e->generation == k->generation && e->flags == k->flags;
}

/* The cached answer for the key, or NULL. */
static const struct cache_entry *cache_find(const struct perf_stack *b,
					    const struct cache_key *k,
					    uint64_t hash)
{
	uint32_t id = hash_index_find(b->index, hash, cache_eq, k);

	return id ? &b->cache[id - 1] : NULL;
}

static const struct cache_entry *cache_store(struct perf_stack *b,
					     const struct cache_key *k,
					     uint64_t hash,
					     const uint32_t *frames,
					     const unsigned char *fflags,
					     size_t n)
{
	size_t need = b->nr_chain + n;
	struct cache_entry *e;

	grow_array((void **)&b->chain, sizeof(*b->chain), need,
		   &b->alloc_chain);
	grow_array((void **)&b->chain_flags, 1, need, &b->alloc_chain_flags);
	grow_array((void **)&b->cache, sizeof(*b->cache), b->cache_used + 1,
		   &b->cache_alloc);
	memcpy(b->chain + b->nr_chain, frames, n * sizeof(*frames));
	memcpy(b->chain_flags + b->nr_chain, fflags, n);
	e = &b->cache[b->cache_used++];
	e->object = k->object;
	e->offset = k->offset;
	e->generation = k->generation;
	e->flags = k->flags;
	e->chain = (uint32_t)b->nr_chain;
	e->n = (uint32_t)n;
	b->nr_chain = need;
	hash_index_insert(b->index, hash, (uint32_t)b->cache_used);
	return e;
}

/* ---- perf script's names ------------------------------------------ */

/* A mangled name demangled as perf script shows it; a PLT stub's
 * "_Znwm@plt" is "operator new@plt" (libiberty alone would drop the
 * "@plt").  NULL when it does not demangle; free the result. */
static char *demangle_plt(const char *name)
{
	size_t len = strlen(name), plt = sizeof("@plt") - 1;
	char *mangled, *demangled, *named;

	if (len <= plt || strcmp(name + len - plt, "@plt"))
		return cplus_demangle(name, DMGL_NO_OPTS);
	mangled = xstrndup(name, len - plt);
	demangled = cplus_demangle(mangled, DMGL_NO_OPTS);
	free(mangled);
	if (!demangled)
		return NULL;
	named = xmalloc(strlen(demangled) + plt + 1);
	strcpy(named, demangled);
	strcat(named, "@plt");
	free(demangled);
	return named;
}

/* One frame named like perf script names it.  perf 6.1 demangles C++ and
 * Rust symbols without parameters or return types (DMGL_NO_OPTS), so the
 * perf.data reader asks symbols/ for raw names and demangles here. */
static uint32_t script_frame(struct perf_stack *b, const char *name,
			     const struct perfscript_frame_line *fl, int java,
			     enum frame_kind kind, uint32_t module,
			     uint64_t address)
{
	struct frame f;
	char *demangled = NULL;
	const char *file;
	size_t func_len, file_len;

	if (kind != FRAME_KERNEL && name[0] == '_' &&
	    (name[1] == 'Z' || name[1] == 'R'))
		demangled = demangle_plt(name);
	if (demangled)
		name = demangled;
	perfscript_tidy_name(name, strlen(name), fl, b->o.addrs, java,
			     &b->tidy);
	free(demangled);
	memset(&f, 0, sizeof(f));
	if (kind != FRAME_KERNEL && !b->o.perf_names &&
	    perfscript_python_trampoline(b->tidy.buf, b->tidy.len, &func_len,
					 &file, &file_len)) {
		/* CPython's perf trampoline: the Python function it runs */
		f.name = profile_intern_len(b->p, b->tidy.buf + 4, func_len);
		f.file = profile_intern_len(b->p, file, file_len);
		f.kind = FRAME_PYTHON;
		return profile_frame(b->p, &f);
	}
	f.name = profile_intern_len(b->p, b->tidy.buf, b->tidy.len);
	f.module = module;
	f.kind = (uint8_t)kind;
	f.address = address;
	return profile_frame(b->p, &f);
}

/* The frames of one address under perf script's names, root first: the
 * function, then (DWARF call graphs, as perf script) what is inlined at
 * addr, each FRAME_INLINED. */
static size_t script_frames(struct perf_stack *b, int pid, uint64_t addr,
			    uint32_t kf, uint32_t *out, unsigned char *flags)
{
	struct symbols_result r;
	struct perfscript_frame_line fl;
	const char *dso;
	enum perfscript_frame_kind pkind;
	enum frame_kind kind;
	uint64_t address = 0;
	uint32_t module;
	int java = (kf & KEY_JAVA) != 0, inlines = (kf & KEY_INLINES) != 0;
	size_t n = 0;

	symbols_lookup(b->sym, (kf & KEY_KERNEL) ? 0 : pid, addr,
		       ((kf & KEY_RETURN) ? SYMBOLS_LOOKUP_RETURN : 0) |
		       (inlines ? SYMBOLS_LOOKUP_INLINE : 0), &r);
	dso = "[unknown]";
	if (r.module && r.module[0])
		dso = b->o.module_name ?
			b->o.module_name(b->o.module_ctx, r.module) : r.module;
	strbuf_reset(&b->addr);
	strbuf_addf(&b->addr, "%llx", (unsigned long long)
		    (r.kind == SYMBOLS_NATIVE && r.module[0] ? r.address : addr));
	memset(&fl, 0, sizeof(fl));
	fl.address = b->addr.buf;
	fl.address_len = b->addr.len;
	fl.dso = dso;
	fl.dso_len = strlen(dso);
	module = strcmp(dso, "[unknown]") ? profile_intern(b->p, dso) : 0;
	pkind = perfscript_dso_kind(fl.dso, fl.dso_len);
	if (r.kind == SYMBOLS_KERNEL || pkind == PERFSCRIPT_KERNEL)
		kind = FRAME_KERNEL;
	else if (r.kind == SYMBOLS_JIT || pkind == PERFSCRIPT_JIT)
		kind = FRAME_JIT;
	else
		kind = FRAME_NATIVE;
	/* the sampled instruction for leaves (annotate), the function
	 * start for callers so one function stays one frame */
	if (r.kind != SYMBOLS_UNKNOWN)
		address = (kf & KEY_LEAF) ? r.address :
			r.address - r.symbol_offset;
	/* with inlines (DWARF call graphs) perf script names the function
	 * as DWARF does (through addr2line), the symbol table only when
	 * DWARF has no function there */
	flags[n] = 0;
	out[n++] = script_frame(b, !r.known ? "[unknown]" :
				inlines && r.function ? r.function : r.name,
				&fl, java, kind, module, address);
	for (int k = r.nr_inlined; k-- > 0 && n <= SYMBOLS_MAX_INLINE;) {
		/* perf script prints these with the dso "(inlined)" */
		fl.dso = "inlined";
		fl.dso_len = 7;
		flags[n] = 0;
		out[n++] = script_frame(b, r.inlined[k].name, &fl, java,
					FRAME_INLINED, module, 0);
	}
	return n;
}

/* ---- scorch's names ------------------------------------------------ */

/* A perf map name of CPython's perf trampolines (`python -X perf`),
 * "py::QUALNAME:FILE", as a Python frame into f; 0 when it is not one. */
static int python_trampoline(struct perf_stack *b, const char *name,
			     struct frame *f)
{
	const char *colon;

	if (strncmp(name, "py::", 4))
		return 0;
	colon = strchr(name + 4, ':');
	if (!colon || colon == name + 4 || !colon[1])
		return 0;
	memset(f, 0, sizeof(*f));
	f->name = profile_intern_len(b->p, name + 4, (size_t)(colon - name - 4));
	f->file = profile_intern(b->p, colon + 1);
	f->kind = FRAME_PYTHON;
	return 1;
}

/* The address a frame keeps (annotate, pprof locations): the sampled
 * instruction for the leaf, the return address for callers (symbols/
 * looked up the byte before it), module-relative. */
static uint64_t frame_address(const struct symbols_result *r, int is_return)
{
	if (r->kind == SYMBOLS_UNKNOWN)
		return 0;
	return r->address + (is_return && r->kind != SYMBOLS_KERNEL);
}

static int is_eval(struct perf_stack *b, const struct symbols_result *r)
{
	return b->o.is_eval && r->kind == SYMBOLS_NATIVE && r->known &&
		b->o.is_eval(r->name);
}

/* The frames of one address under scorch's names, root first: the
 * function, then with --inline what is inlined at addr. */
static size_t scorch_frames(struct perf_stack *b, int pid, uint64_t addr,
			    uint32_t kf, uint32_t *out, unsigned char *flags)
{
	struct symbols_result r;
	struct frame f;
	int is_return = (kf & KEY_RETURN) != 0;
	size_t n = 0;

	symbols_lookup(b->sym, pid, addr,
		       (b->o.inline_frames ? SYMBOLS_LOOKUP_LINES |
			SYMBOLS_LOOKUP_INLINE : 0) |
		       (is_return ? SYMBOLS_LOOKUP_RETURN : 0), &r);
	memset(&f, 0, sizeof(f));
	if (r.kind == SYMBOLS_NATIVE && r.nr_inlined && (kf & KEY_INLINES)) {
		f.name = profile_intern(b->p, r.name);
		f.module = profile_intern(b->p, r.module);
		f.address = frame_address(&r, is_return);
		f.kind = FRAME_NATIVE;
		if (r.file) {
			f.file = profile_intern(b->p, r.file);
			f.line = b->o.lines ? r.line : 0;
		}
		flags[n] = is_eval(b, &r) ? PERF_FRAME_EVAL : 0;
		out[n++] = profile_frame(b->p, &f);
		for (int i = r.nr_inlined - 1; i >= 0; i--) {
			memset(&f, 0, sizeof(f));
			f.name = profile_intern(b->p, r.inlined[i].name);
			f.module = profile_intern(b->p, r.module);
			f.kind = FRAME_INLINED;
			if (r.inlined[i].file) {
				f.file = profile_intern(b->p, r.inlined[i].file);
				f.line = b->o.lines ? r.inlined[i].line : 0;
			}
			flags[n] = 0;
			out[n++] = profile_frame(b->p, &f);
		}
		return n;
	}
	f.name = profile_intern(b->p, r.name);
	f.module = r.module[0] ? profile_intern(b->p, r.module) : 0;
	f.address = frame_address(&r, is_return);
	switch (r.kind) {
	case SYMBOLS_KERNEL:
		f.kind = FRAME_KERNEL;
		break;
	case SYMBOLS_JIT:
		f.kind = FRAME_JIT;
		break;
	default:
		f.kind = FRAME_NATIVE;
		break;
	}
	if (r.file && b->o.lines) {
		f.file = profile_intern(b->p, r.file);
		f.line = r.line;
	}
	if (r.kind == SYMBOLS_JIT && python_trampoline(b, r.name, &f)) {
		/* kept as the Python frame it stands for; with --native the
		 * reader's frames say it (with lines) and the caller drops it */
		flags[0] = PERF_FRAME_TRAMPOLINE;
		out[0] = profile_frame(b->p, &f);
		return 1;
	}
	flags[0] = is_eval(b, &r) ? PERF_FRAME_EVAL : 0;
	out[0] = profile_frame(b->p, &f);
	return 1;
}

/* ---- one address --------------------------------------------------- */

/* The frames of addr (root first) into out, at most room; through the
 * cache.  Returns how many. */
static size_t symbolize(struct perf_stack *b, int pid, uint64_t addr,
			uint32_t kf, uint32_t *out, unsigned char *flags,
			size_t room)
{
	uint64_t object, offset = addr, bias, hash;
	uint32_t gen = 0;
	const struct cache_entry *e;
	struct cache_key k;
	size_t n;

	if (kf & KEY_KERNEL) {
		object = 0;
	} else {
		struct symbols_process *proc = symbols_find_process(b->sym, pid);
		const struct symbols_map *map = NULL;
		uint64_t look = (kf & KEY_RETURN) && addr ? addr - 1 : addr;

		if (proc)
			map = symbols_find_map(proc, look);
		if (map && map->dso && !symbols_map_bias(map, &bias)) {
			object = (uint64_t)(uintptr_t)map->dso;
			offset = addr - bias;
		} else {
			object = (uint64_t)(uint32_t)pid << 1 | 1;
			gen = proc ? proc->generation : 0;
		}
	}
	k.b = b;
	k.object = object;
	k.offset = offset;
	k.generation = gen;
	k.flags = kf;
	hash = key_hash(object, offset, gen, kf);
	e = cache_find(b, &k, hash);
	if (!e) {
		n = b->o.names == PERF_NAMES_SCRIPT ?
			script_frames(b, pid, addr, kf, b->tmp, b->tmp_flags) :
			scorch_frames(b, pid, addr, kf, b->tmp, b->tmp_flags);
		e = cache_store(b, &k, hash, b->tmp, b->tmp_flags, n);
	}
	n = e->n <= room ? e->n : room;
	memcpy(out, b->chain + e->chain, n * sizeof(*out));
	if (flags)
		memcpy(flags, b->chain_flags + e->chain, n);
	return n;
}

/* ---- one sample ---------------------------------------------------- */

static size_t push_pc(struct perf_stack *b, size_t n, uint64_t pc,
		      int kernel, int ret)
{
	if (n >= MAX_PCS)
		return n;
	b->pcs[n] = pc;
	b->pc_kernel[n] = (uint8_t)kernel;
	b->pc_return[n] = (uint8_t)ret;
	return n + 1;
}

/* Appends the DWARF-unwound user frames of r after n entries. */
static size_t unwind_user(struct perf_stack *b, const struct perf_record *r,
			  size_t n, struct perf_stack_info *info)
{
	const struct perf_sample *s = &r->sample;
	struct unwind_sample us;
	unsigned long truncated;
	int bit, k = 0, got;

	/*
	 * perf script unwinds nothing when no stack was copied (dyn_size
	 * 0), not even the registers' IP: the kernel copies none when the
	 * user registers are not the task's current image (a sample inside
	 * execve after the old mm is gone).  Live recording keeps the IP.
	 */
	if (!b->unwinder || !s->regs_abi || !s->regs)
		return n;
	if ((!s->stack || !s->dyn_size) && b->o.names == PERF_NAMES_SCRIPT)
		return n;
	memset(&us, 0, sizeof(us));
	us.pid = (pid_t)r->pid;
	us.tid = (pid_t)r->tid;
	for (bit = 0; bit < 64; bit++) {
		if (!(s->regs_mask & (1ULL << bit)))
			continue;
		if (bit < UNWIND_REG_COUNT) {
			us.regs[bit] = perfdata_u64(s->regs + 8 * k);
			us.regs_mask |= 1ULL << bit;
		}
		k++;
	}
	if (!us.regs[UNWIND_REG_IP] && b->o.names != PERF_NAMES_SCRIPT)
		return n;
	us.stack = s->stack;
	us.stack_size = s->stack ? s->dyn_size : 0;
	truncated = unwinder_stats(b->unwinder)->truncated;
	got = unwind_sample(b->unwinder, &us, b->unwound, (int)(MAX_PCS - n));
	info->unwound = 1;
	info->cut = (size_t)got == MAX_PCS - n ||
		unwinder_stats(b->unwinder)->truncated != truncated;
	for (int i = 0; i < got; i++)
		n = push_pc(b, n, b->unwound[i], 0, i > 0);
	return n;
}

size_t perf_stack_build(struct perf_stack *b, const struct perf_record *r,
			uint64_t sample_type, const char *comm,
			uint32_t *frames, unsigned char *flags, size_t room,
			struct perf_stack_info *info)
{
	const struct perf_sample *s = &r->sample;
	struct perf_stack_info dummy;
	int dwarf = (sample_type & PERFDATA_S_STACK_USER) != 0;
	int kernel = r->kernel_mode, script = b->o.names == PERF_NAMES_SCRIPT;
	uint32_t base = 0;
	size_t n = 0, depth = 0, nk = 0;

	if (!info)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	info->outer_user = -1;
	/* the callchain, leaf first: kernel part (and, without DWARF, the
	 * frame-pointer user part) */
	if (s->callchain && s->nr_callchain) {
		for (uint64_t k = 0; k < s->nr_callchain; k++) {
			uint64_t ip = perfdata_u64(s->callchain + 8 * k);

			if (ip >= PERFDATA_CONTEXT_MAX) {
				kernel = ip == PERFDATA_CONTEXT_KERNEL;
				if (ip == PERFDATA_CONTEXT_USER && dwarf)
					break;
				continue;
			}
			/* scorch looks kernel callers up as return
			 * addresses; perf script takes them as they are */
			n = push_pc(b, n, ip, kernel,
				    !script && kernel && nk++ > 0);
		}
	} else if (!dwarf || kernel) {
		n = push_pc(b, n, s->ip, kernel, 0);
	}
	if (dwarf)
		n = unwind_user(b, r, n, info);
	if (!n && (sample_type & PERFDATA_S_IP))	/* nothing unwound */
		n = push_pc(b, n, s->ip, r->kernel_mode, 0);

	/* scorch's --inline: each PC may become 1 + SYMBOLS_MAX_INLINE
	 * frames; keep the innermost user PCs that fit (a cut root, like a
	 * short stack copy) with room left for the kernel part */
	if (!script && b->o.inline_frames) {
		size_t cap = room > 256 ? (room - 256) / (1 + SYMBOLS_MAX_INLINE) : 1;
		size_t user = 0;

		for (size_t i = 0; i < n; i++)
			user += !b->pc_kernel[i];
		if (user > cap && !b->pc_kernel[n - 1])
			n -= user - cap;
	}
	info->nr_pcs = n;
	for (size_t i = 0; i < n; i++)
		info->nr_user += !b->pc_kernel[i];
	if (comm && !strncmp(comm, "java", 4))
		base |= KEY_JAVA;
	for (size_t i = n; i-- > 0;) {
		size_t left = room - depth;
		uint32_t kf = base;

		if (info->outer_user < 0 && !b->pc_kernel[i])
			info->outer_user = (long)depth;
		if (left < 1)
			break;
		if (b->pc_kernel[i])
			kf |= KEY_KERNEL;
		if (b->pc_return[i])
			kf |= KEY_RETURN;
		if (script && i == 0)
			kf |= KEY_LEAF;
		/* inlined frames: perf script shows them on DWARF call
		 * graphs, scorch with --inline; never when room is short */
		if (!b->pc_kernel[i] && left >= 1 + SYMBOLS_MAX_INLINE &&
		    (script ? dwarf : b->o.inline_frames))
			kf |= KEY_INLINES;
		depth += symbolize(b, (int)r->pid, b->pcs[i], kf,
				   frames + depth, flags ? flags + depth : NULL,
				   left);
	}
	return depth;
}
