/*
 * symbols_internal.h - what the files of src/symbols/ share among
 * themselves: the ELF object cache (elf_object.c), kernel symbols
 * (kallsyms.c), perf maps and jitdump (jitmap.c).  Nothing outside
 * src/symbols/ (and its unit tests) may include this header.
 */
#ifndef SCORCH_SYMBOLS_INTERNAL_H
#define SCORCH_SYMBOLS_INTERNAL_H

#include <elfutils/libdwfl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/types.h>

#include "model/strings.h"
#include "util/pidtable.h"
#include "symbols/symbols.h"

/* One function symbol of an object: [start, start+size). */
struct dso_symbol {
	uint64_t start, size;
	const char *raw;		/* name in the ELF string table */
	unsigned index;			/* order in the symbol table(s) */
	uint8_t binding, type;		/* STB_*, STT_* */
	uint8_t demangle_tried;		/* here, not an int after demangled:
					   48 bytes an entry, not 56 (fewer
					   fresh pages to fault in) */
	/* Among the symbols at this start, the one binutils' addr2line
	 * names code by when DWARF has no function there (a local symbol,
	 * then the later in table order: observed on glibc), which perf
	 * script shows with DWARF call graphs.  Points into the symbol
	 * table or own_names. */
	const char *addr2line_name;
	char *demangled;		/* lazily; NULL until asked */
};

struct dso_load {			/* one PT_LOAD segment */
	uint64_t vaddr, memsz, offset, filesz;
};

struct symbols_dso {
	char *path;			/* path as mapped */
	const char *base_name;		/* points into path */
	int loaded, failed;
	uint16_t elf_type;		/* ET_EXEC, ET_DYN, ... */
	struct dso_load *loads;
	size_t nr_loads;
	Dwfl *dwfl;			/* offline, module at bias 0 */
	Dwfl_Module *module;
	int dwarf_tried;
	Dwarf *dwarf;			/* NULL when no DWARF */
	Dwarf_Addr dwarf_bias;
	struct dso_symbol *syms;	/* sorted by start */
	size_t nr_syms;
	char **own_names;		/* names made here ("x@plt"); owned */
	size_t nr_own_names;
	int eh_tried;			/* elf_cold.c: .eh_frame(_hdr) looked for */
	Elf_Data *eh_hdr, *eh_frame;	/* NULL when absent */
	uint64_t eh_hdr_addr, eh_frame_addr;
	struct dso_scopes *scopes;	/* dwarf_scopes.c's CU index */
	struct symbols_dso *next;	/* cache chain */
};

struct kernel_symbol {
	uint64_t start;
	const char *name;
};

struct jit_symbol {
	uint64_t start, size;
	char *name;
};

/* One perf map or jitdump file, read incrementally: only the bytes
 * appended since the last look are read. */
struct jit_file {
	char *path;
	long long size;		/* size at the last look; -1 = absent/refused */
	dev_t dev;
	ino_t ino;
	uint64_t done;		/* bytes consumed: whole lines / records */
	int swap;		/* jitdump: opposite byte order */
	int skip_line;		/* perf map: inside an overlong line */
	int warned;		/* refused once with a warning */
};

/* Symbols from /tmp/perf-PID.map and /tmp/jit-PID.dump of one process. */
struct symbols_jit {
	struct jit_symbol *syms;	/* sorted by start */
	size_t nr, alloc;
	struct jit_file map, dump;
	uid_t target_uid;		/* files must be owned by it or root */
	uint64_t bytes_read;		/* total read from both files */
};

/* At most this much of each file is read (a 1 GiB planted map must not
 * cost a gigabyte); the rest is ignored with a warning. */
#define JITMAP_MAX_BYTES (256ULL << 20)

struct symbols {
	unsigned flags;
	struct strtab strings;		/* owns generated names and paths */
	struct symbols_process **procs;	/* [id - 1] of proc_ids */
	size_t nr_procs, alloc_procs;
	struct pid_table proc_ids;	/* pid -> index + 1 in procs */
	struct symbols_dso *dsos;	/* every object opened */
	int kernel_tried;
	int kernel_loading;		/* kernel_thread runs kallsyms_read */
	pthread_t kernel_thread;
	struct kernel_symbol *kernel;	/* kallsyms.c's table, borrowed */
	size_t nr_kernel;
};

const char *symbols_intern(struct symbols *s, const char *str);

/* elf_object.c */
struct symbols_dso *dso_get(struct symbols *s, const char *path);
int dso_load(struct symbols_dso *dso);
void dso_free(struct symbols_dso *dso);
/* Function containing vaddr by symbol size; NULL when none does. */
struct dso_symbol *dso_find_symbol(struct symbols_dso *dso, uint64_t vaddr);
/* Start of the .eh_frame/.debug_frame FDE holding vaddr, or -1. */
int dso_fde_start(struct symbols_dso *dso, uint64_t vaddr, uint64_t *start);
/* Adds "name@plt" symbols for the PLT entries of elf (elf_plt.c). */
void dso_add_own_symbol(struct symbols_dso *dso, size_t *alloc,
			uint64_t start, uint64_t size, const char *name,
			const char *suffix, int binding);
void dso_add_plt_symbols(struct symbols_dso *dso, Elf *elf, size_t *alloc);
/* proc_root.c: the path to open for the file a process maps as path
 * (through /proc/PID/root when its root or mount namespace is not ours;
 * malloc'ed); its pid in its own namespace; whether the file at
 * open_path is the one /proc/PID/maps gives as dev and inode. */
char *proc_file_path(struct symbols_process *proc, const char *path);
pid_t proc_ns_pid(struct symbols_process *proc);
int proc_file_is_mapped(const char *open_path, unsigned dev_major,
			unsigned dev_minor, unsigned long long inode);
/* elf_cold.c: "NAME.cold" symbols for the unnamed split-off pieces of a
 * few functions (CPython's eval loop) in a stripped object. */
void dso_add_cold_symbols(struct symbols_dso *dso, size_t *alloc);
/* The .eh_frame FDE holding vaddr, a whole function's range [lo, hi)
 * (from .eh_frame_hdr's table); -1 when there is none or it cannot be
 * read. */
int dso_fde_range(struct symbols_dso *dso, uint64_t vaddr, uint64_t *lo,
		  uint64_t *hi);
/* DWARF source line and inlined frames at vaddr. */
void dso_lines(struct symbols *s, struct symbols_dso *dso, uint64_t vaddr,
	       unsigned flags, struct symbols_result *out);
const char *dso_symbol_name(struct symbols_dso *dso, struct dso_symbol *sym,
			    int demangle);

/* dwarf_scopes.c */
/* The function holding pc (a CU-relative DWARF address) in cudie and
 * the functions inlined there, as DIEs innermost first: at most max
 * DW_TAG_inlined_subroutine ones, then the DW_TAG_subprogram (out and
 * tags need max + 1 entries); what dwarf_getscopes and
 * dwarf_getscopes_die give, from an index of the CU built on its first
 * use and kept in *scopes.  Returns how many, or -1 when the CU could
 * not be indexed (ask libdw). */
int dso_scopes_chain(struct dso_scopes **scopes, Dwarf_Die *cudie,
		     uint64_t pc, Dwarf_Die *out, int *tags, int max);
/* CUs indexed so far (for tests). */
unsigned long dso_scopes_built(const struct dso_scopes *scopes);
void dso_scopes_free(struct dso_scopes *scopes);
/* Whether the index and libdw give the same chain at vaddr (ELF
 * virtual address of dso); 1 also when there is no DWARF there. */
int dso_scopes_check(struct symbols_dso *dso, uint64_t vaddr);

/* kallsyms.c */
/* Loads the kernel symbols unless done; waits for a preload. */
void kallsyms_load(struct symbols *s);
/* Starts loading them in a background thread. */
void kallsyms_preload(struct symbols *s);
/* Waits for a preload still running; never starts a read. */
void kallsyms_join(struct symbols *s);
/* The symbol holding addr (its start and name, valid for the process's
 * life) from the saved copy or the table; -1 when none. */
int kallsyms_find(struct symbols *s, uint64_t addr, struct kernel_symbol *out);

/* kallsyms_cache.c: this boot's core kernel symbols saved on disk. */
struct kallsyms_cache {
	void *map;			/* the mapped file */
	size_t map_size;
	const struct kallsyms_cache_entry *entries;	/* sorted by start */
	size_t nr;
	const char *names;
	uint64_t names_size;
	uint64_t limit;			/* knows first start <= addr < limit */
};
/* Maps the saved copy when it is this boot's and this process sees the
 * same kernel addresses; 0 or -1 (no copy: read /proc/kallsyms). */
int kallsyms_cache_open(struct kallsyms_cache *c);
/* 1 and *out when a symbol holds addr, 0 when none does, -1 when addr
 * is outside what the copy knows (modules, BPF: read the kernel's). */
int kallsyms_cache_find(const struct kallsyms_cache *c, uint64_t addr,
			struct kernel_symbol *out);
/* Saves table[0..nr) (sorted) below limit, the first module/BPF/
 * trampoline address, atomically; silently does nothing on failure. */
void kallsyms_cache_save(const struct kernel_symbol *table, size_t nr,
			 uint64_t limit);

/* jitmap.c */
const struct jit_symbol *jitmap_find(struct symbols_process *proc,
				     uint64_t addr);
void jitmap_free(struct symbols_jit *jit);
/* Parses one perf map text buffer into jit (exposed for unit tests). */
void jitmap_parse_perf_map(struct symbols_jit *jit, const char *text,
			   size_t len);
/* Reads what was appended to the process's perf map and jitdump since
 * the last call (exposed for unit tests; jitmap_find calls it). */
void jitmap_refresh(struct symbols_process *proc);
/* Parses one jitdump image into jit; returns records accepted. */
size_t jitmap_parse_jitdump(struct symbols_jit *jit, const unsigned char *data,
			    size_t len);
void jitmap_sort(struct symbols_jit *jit);

#endif
