/*
 * symbols.h - turn addresses of a sampled process into names.
 *
 * Owns: per-process address-space maps (from PERF_RECORD_MMAP2 records or
 * /proc/PID/maps), a cache of ELF objects (symtab/dynsym, .eh_frame
 * function ranges, separate debug files by build-id / .gnu_debuglink,
 * DWARF lines and inlined frames), kernel symbols (/proc/kallsyms), perf
 * map files (/tmp/perf-PID.map) and jitdump files, and demangling.
 * Never does I/O on the sampled process's memory and never prints except
 * through warning() for a file it cannot parse.
 *
 * Ownership: every string a lookup returns is owned by the struct symbols
 * and stays valid until symbols_free().  Thread safety: none; one thread
 * uses one struct symbols.
 */
#ifndef SCORCH_SYMBOLS_SYMBOLS_H
#define SCORCH_SYMBOLS_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct symbols;
struct symbols_dso;

/* One mapping of a process: [start, end) from file offset pgoff. */
struct symbols_map {
	uint64_t start, end, pgoff;
	uint32_t prot;			/* PROT_READ|PROT_WRITE|PROT_EXEC */
	const char *path;		/* owned by struct symbols; "" if anon */
	struct symbols_dso *dso;	/* NULL for anonymous/special maps */
};

/* The mappings of one process, sorted by start, non-overlapping. */
struct symbols_process {
	pid_t pid;
	struct symbols_map *maps;
	size_t nr_maps, alloc_maps;
	unsigned generation;		/* bumped at every change */
	struct symbols_jit *jit;	/* internal: perf map/jitdump names */
	int root_state;			/* internal (proc_root.c) */
	pid_t ns_pid;			/* internal: its pid in its namespace */
	int warned_files;		/* internal: said a file was not reachable */
};

#define SYMBOLS_MAX_INLINE 16

struct symbols_inline {
	const char *name;		/* inlined function */
	const char *file;		/* where it was inlined into ... */
	int line;			/* ... the call site's line */
};

enum symbols_kind {
	SYMBOLS_UNKNOWN = 0,		/* no mapping: name is "[unknown]" */
	SYMBOLS_NATIVE,			/* code in a mapped file */
	SYMBOLS_KERNEL,			/* kernel address */
	SYMBOLS_JIT,			/* named by a perf map or jitdump */
};

/* The answer of symbols_lookup().  name is never NULL. */
struct symbols_result {
	enum symbols_kind kind;
	const char *name;		/* demangled function name, or
					   "module+0xOFFSET" when unknown */
	const char *module;		/* DSO path, "[kernel.kallsyms]",
					   perf map path, or "" */
	uint64_t address;		/* module-relative: ELF virtual address
					   for files, kernel address for the
					   kernel, absolute for JIT */
	uint64_t symbol_offset;		/* address - function start */
	int known;			/* 1 when name came from a symbol */
	const char *file;		/* source file from DWARF, or NULL */
	int line;			/* 0 if unknown */
	/* With SYMBOLS_LOOKUP_INLINE: inlined frames, innermost first.
	 * inlined[0] is the innermost function, its file/line the sampled
	 * source position; inlined[k]'s file/line is where inlined[k-1]
	 * was inlined into it; name/file/line above are then the real
	 * function and the spot where inlined[nr_inlined-1] was inlined. */
	struct symbols_inline inlined[SYMBOLS_MAX_INLINE];
	int nr_inlined;
	/* With SYMBOLS_LOOKUP_INLINE: the function holding the address as
	 * binutils' addr2line names it (so as perf script does with DWARF
	 * call graphs): DW_AT_linkage_name, else DW_AT_name, of its
	 * subprogram DIE; in assembly the last of gas's DIEs there; for
	 * code with line info but no DIE a symbol chosen as addr2line does.
	 * Demangled unless SYMBOLS_NO_DEMANGLE; NULL without DWARF.  It can
	 * differ from name, which follows perf's symbol table rules
	 * (glibc: "__libc_start_main_impl" here, "__libc_start_main" in
	 * name). */
	const char *function;
};

/* symbols_new() flags */
#define SYMBOLS_NO_KERNEL	(1u << 0)	/* don't read /proc/kallsyms */
#define SYMBOLS_NO_DEMANGLE	(1u << 1)
#define SYMBOLS_KEEP_VERSIONS	(1u << 2)	/* "f@@GLIBC_2.34" as in the
						   symbol table, as perf */

/* symbols_lookup() flags */
#define SYMBOLS_LOOKUP_LINES	(1u << 0)	/* fill file/line from DWARF */
#define SYMBOLS_LOOKUP_INLINE	(1u << 1)	/* fill inlined[] */
#define SYMBOLS_LOOKUP_RETURN	(1u << 2)	/* addr is a return address:
						   look up addr-1 */

struct symbols *symbols_new(unsigned flags);
void symbols_free(struct symbols *s);

/* Returns the process record, creating an empty one when new. */
struct symbols_process *symbols_process(struct symbols *s, pid_t pid);
/* Returns the process record or NULL. */
struct symbols_process *symbols_find_process(struct symbols *s, pid_t pid);

/* Adds a mapping (e.g. from an MMAP2 record); it replaces whatever it
 * overlaps.  path may be NULL/"" for anonymous memory.  prot matters:
 * the unwinder only uses PROT_EXEC mappings, so pass
 * PROT_READ|PROT_EXEC for an old-style MMAP record without prot. */
void symbols_add_map(struct symbols *s, pid_t pid, uint64_t start,
		     uint64_t len, uint64_t pgoff, uint32_t prot,
		     const char *path);
/* Reads /proc/PID/maps into the process record (replacing it).
 * Returns 0 or -1 (not reported) when the file cannot be read. */
int symbols_load_proc_maps(struct symbols *s, pid_t pid);
/* Loads now the objects pid maps executable (symbols, CFI), which the
 * first lookups would load otherwise. */
void symbols_preload(struct symbols *s, pid_t pid);
/* FORK: the child starts with a copy of the parent's maps. */
void symbols_fork(struct symbols *s, pid_t parent, pid_t child);
/* COMM with exec / EXIT: forget the maps of pid. */
void symbols_forget(struct symbols *s, pid_t pid);

/* Returns the mapping holding addr, or NULL. */
const struct symbols_map *symbols_find_map(struct symbols_process *proc,
					    uint64_t addr);

/* Resolves addr (absolute, in pid's address space or the kernel's when
 * addr >= 0xffff800000000000) into out.  Returns 0 when a mapping or
 * symbol source was found, -1 when nothing is known (out still holds
 * "[unknown]").  Never fails otherwise. */
int symbols_lookup(struct symbols *s, pid_t pid, uint64_t addr,
		   unsigned flags, struct symbols_result *out);

/* ---- per-object (DSO) access, used by the unwinder ---------------- */

/* Path to open for the file (may be /proc/PID/root/... resolved);
 * never NULL. */
const char *symbols_dso_path(const struct symbols_dso *dso);
/* Load bias of the object in a mapping: absolute = ELF vaddr + bias.
 * Returns 0 and sets *bias, or -1 when the file is not a usable ELF. */
int symbols_map_bias(const struct symbols_map *map, uint64_t *bias);
/* Reads len bytes at ELF virtual address vaddr of the file's loaded
 * image (for unwinders reading .text/.rodata).  Returns 0 or -1. */
int symbols_dso_read(struct symbols_dso *dso, uint64_t vaddr, void *buf,
		     size_t len);

/* ---- helpers usable alone (unit-tested) --------------------------- */

/* Demangles C++ (Itanium) and Rust (legacy and v0) names with
 * libiberty.  Returns a malloc'd string the caller frees, or NULL when
 * name is not mangled. */
char *symbols_demangle(const char *name);

/* Address of the named symbol in an ELF file (its .symtab or .dynsym):
 * ELF virtual address, or 0 when absent. */
uint64_t symbols_file_symbol(struct symbols *s, const char *path,
			     const char *name);

/* Starts reading /proc/kallsyms in a background thread, so that the
 * first kernel lookup finds it (mostly) ready; optional, a no-op with
 * SYMBOLS_NO_KERNEL. */
void symbols_preload_kernel(struct symbols *s);
/* Kernel symbols loaded from /proc/kallsyms (0 if unreadable or
 * addresses hidden by kptr_restrict). */
size_t symbols_kernel_count(struct symbols *s);

#endif
