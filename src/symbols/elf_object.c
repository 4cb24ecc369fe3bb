/*
 * elf_object.c - the cache of ELF objects (executables, shared libraries)
 * that symbols.c resolves addresses in: PT_LOAD segments, function
 * symbols (.symtab of the file or its separate debug file found by
 * build-id/.gnu_debuglink, else .dynsym), .eh_frame function ranges for
 * stripped code, and DWARF lines / inlined frames.  Uses elfutils' libdwfl
 * in offline mode with each object at load bias 0, so every address here
 * is an ELF virtual address.  Among aliases it picks the name perf 6.1
 * picks (symbol_cmp), and DWARF function names as addr2line gives them.
 * Never touches a live process.
 */
#include <dwarf.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "symbols/debug_inflated.h"
#include "symbols/elf_build_id.h"
#include "symbols/symbols_internal.h"
#include "util/file_open.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Looks for a debug file in perf's cache: ~/.debug/.build-id/xx/rest
 * (a directory holding "debug" or "elf", or the file itself). */
static int dso_find_home_debug(Dwfl_Module *mod, char **file_name)
{
	const unsigned char *bits;
	GElf_Addr vaddr;
	int len = dwfl_module_build_id(mod, &bits, &vaddr);
	const char *home = getenv("HOME");
	static const char *const leaf[] = { "/debug", "/elf", "" };
	struct strbuf sb;
	int fd = -1;

	if (len <= 1 || !home || !*home)
		return -1;
	strbuf_init(&sb);
	for (size_t i = 0; i < sizeof(leaf) / sizeof(leaf[0]) && fd < 0; i++) {
		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s/.debug/.build-id/%02x/", home, bits[0]);
		strbuf_add_hex(&sb, bits + 1, (size_t)(len - 1));
		strbuf_addstr(&sb, leaf[i]);
		fd = file_open_regular(sb.buf, 0, NULL);
	}
	if (fd >= 0)
		*file_name = strbuf_detach(&sb);
	strbuf_release(&sb);
	return fd;
}

/* 1 when the file open on fd has the CRC-32 a .gnu_debuglink names. */
static int fd_has_crc(int fd, GElf_Word want)
{
	unsigned char buf[65536];
	uLong crc = crc32(0, Z_NULL, 0);
	off_t at = 0;
	ssize_t n;

	while ((n = pread(fd, buf, sizeof(buf), at)) > 0) {
		crc = crc32(crc, buf, (uInt)n);
		at += n;
	}
	return n == 0 && (GElf_Word)crc == want;
}

/* Opens one candidate debug file: a regular file, not the main file
 * itself, with the module's build id (or else the debuglink's CRC). */
static int open_debug_candidate(const char *path, const struct stat *main_st,
				const unsigned char *bits, int len,
				GElf_Word crc, int by_link)
{
	struct stat st;
	int fd = file_open_regular(path, 0, &st);

	if (fd < 0)
		return -1;
	if ((main_st && st.st_dev == main_st->st_dev &&
	     st.st_ino == main_st->st_ino) ||
	    (len > 1 ? !elf_fd_has_build_id(fd, bits, len) :
	     by_link && !fd_has_crc(fd, crc))) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * The separate debug file of mod, where perf and GDB look for it: perf's
 * ~/.debug cache, /usr/lib/debug/.build-id/xx/rest.debug, then the
 * .gnu_debuglink name next to the file, in its .debug/ and under
 * /usr/lib/debug.  These paths derive from the input (a mapping's name),
 * so each is opened with file_open_regular; unlike elfutils' standard
 * search this never blocks on a FIFO and never asks a debuginfod server.
 */
static int dso_find_debuginfo(Dwfl_Module *mod, void **userdata,
			      const char *modname, Dwarf_Addr base,
			      const char *file_name,
			      const char *debuglink_file,
			      GElf_Word debuglink_crc, char **debuginfo_file_name)
{
	const unsigned char *bits = NULL;
	GElf_Addr vaddr;
	int len = dwfl_module_build_id(mod, &bits, &vaddr);
	struct stat main_st, *main_stp = NULL;
	struct strbuf sb;
	const char *slash;
	char *link = NULL;
	int fd = dso_find_home_debug(mod, debuginfo_file_name);

	(void)userdata;
	(void)modname;
	(void)base;
	if (fd >= 0)
		return debug_inflated_open(fd, bits, len, debuginfo_file_name);
	strbuf_init(&sb);
	if (len > 1) {
		strbuf_addf(&sb, "/usr/lib/debug/.build-id/%02x/", bits[0]);
		strbuf_add_hex(&sb, bits + 1, (size_t)(len - 1));
		strbuf_addstr(&sb, ".debug");
		fd = open_debug_candidate(sb.buf, NULL, bits, len, 0, 0);
	}
	/* no .gnu_debuglink: elfutils also tries NAME.debug */
	if (fd < 0 && !debuglink_file && file_name) {
		const char *base = strrchr(file_name, '/');

		strbuf_reset(&sb);
		strbuf_addf(&sb, "%s.debug", base ? base + 1 : file_name);
		link = strbuf_detach(&sb);
		debuglink_file = link;
	}
	if (fd < 0 && debuglink_file && *debuglink_file && file_name &&
	    !strchr(debuglink_file, '/')) {
		static const char *const where[] = { "%.*s/%s", "%.*s/.debug/%s",
						     "/usr/lib/debug%.*s/%s" };
		int dir_len;

		if (!stat(file_name, &main_st))
			main_stp = &main_st;
		slash = strrchr(file_name, '/');
		dir_len = slash ? (int)(slash - file_name) : 1;
		for (size_t i = 0; i < sizeof(where) / sizeof(where[0]) && fd < 0; i++) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, where[i], dir_len,
				    slash ? file_name : ".", debuglink_file);
			fd = open_debug_candidate(sb.buf, main_stp, bits, len,
						  debuglink_crc, 1);
		}
	}
	if (fd >= 0) {
		*debuginfo_file_name = strbuf_detach(&sb);
		fd = debug_inflated_open(fd, bits, len, debuginfo_file_name);
	}
	strbuf_release(&sb);
	free(link);
	return fd;
}

static char *debuginfo_path;
static const Dwfl_Callbacks dso_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dso_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = &debuginfo_path,
};

struct symbols_dso *dso_get(struct symbols *s, const char *path)
{
	struct symbols_dso *dso;

	for (dso = s->dsos; dso; dso = dso->next)
		if (!strcmp(dso->path, path))
			return dso;
	dso = xcalloc(1, sizeof(*dso));
	dso->path = xstrdup(path);
	dso->base_name = strrchr(dso->path, '/');
	dso->base_name = dso->base_name ? dso->base_name + 1 : dso->path;
	dso->next = s->dsos;
	s->dsos = dso;
	return dso;
}

static int leading_underscores(const char *name)
{
	int n = 0;

	while (name[n] == '_')
		n++;
	return n;
}

/*
 * Among symbols at one address the first in this order names it, as
 * perf 6.1 chooses (its choose_best_symbol): one with a size, then not
 * weak, then global, then fewer leading underscores, then the longer
 * name (version suffix included), then the first in table order.
 */
static int symbol_cmp(const void *a, const void *b)
{
	const struct dso_symbol *x = a, *y = b;
	int wx, wy;
	size_t lx, ly;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (!x->size != !y->size)
		return x->size ? -1 : 1;
	wx = x->binding == STB_WEAK;
	wy = y->binding == STB_WEAK;
	if (wx != wy)
		return wx ? 1 : -1;
	wx = x->binding == STB_GLOBAL;
	wy = y->binding == STB_GLOBAL;
	if (wx != wy)
		return wx ? -1 : 1;
	wx = leading_underscores(x->raw);
	wy = leading_underscores(y->raw);
	if (wx != wy)
		return wx < wy ? -1 : 1;
	lx = strlen(x->raw);
	ly = strlen(y->raw);
	if (lx != ly)
		return lx > ly ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* Sorts syms by symbol_cmp.  qsort of the 56-byte entries themselves
 * (glibc sorts pointers to them, then moves them) cost a tenth of
 * reading a perf.data of CPython, and qsort of (start, index) keys, with
 * a call of the comparison per step, still a tenth of attaching to
 * CPython: the entries' indexes are put in start order by a radix sort
 * (stable, a byte a pass, only over the bytes the starts use), the few
 * runs of equal starts by symbol_cmp, then each entry goes to its place
 * by following the permutation's cycles.  In place and with 4-byte
 * indexes, not through a copy of the array or 16-byte keys: on a VM
 * whose page faults cost ~15 us, fresh pages (half a megabyte for glibc)
 * were most of attaching's symbol loading. */
static int symbol_order_cmp(const void *a, const void *b, void *syms_arg)
{
	const struct dso_symbol *syms = syms_arg;

	return symbol_cmp(&syms[*(const uint32_t *)a],
			  &syms[*(const uint32_t *)b]);
}

/* order (n indexes of syms) by start, ties kept in their order; tmp
 * holds n; returns whichever of the two holds the result */
static uint32_t *radix_sort_order(const struct dso_symbol *syms,
				  uint32_t *order, uint32_t *tmp, size_t n)
{
	uint64_t all = 0;

	for (size_t i = 0; i < n; i++)
		all |= syms[i].start;
	for (unsigned shift = 0; shift < 64 && all >> shift; shift += 8) {
		size_t count[257] = { 0 };
		uint32_t *swap;

		for (size_t i = 0; i < n; i++)
			count[((syms[order[i]].start >> shift) & 0xff) + 1]++;
		for (unsigned b = 1; b < 257; b++)
			count[b] += count[b - 1];
		for (size_t i = 0; i < n; i++)
			tmp[count[(syms[order[i]].start >> shift) & 0xff]++] =
				order[i];
		swap = order;
		order = tmp;
		tmp = swap;
	}
	return order;
}

static void sort_symbols(struct dso_symbol *syms, size_t n)
{
	uint32_t *buf, *order;

	if (n >= UINT32_MAX) {	/* never from a symbol table (int counts) */
		qsort(syms, n, sizeof(*syms), symbol_cmp);
		return;
	}
	buf = xmalloc(2 * n * sizeof(*buf));
	for (size_t i = 0; i < n; i++)
		buf[i] = (uint32_t)i;
	order = radix_sort_order(syms, buf, buf + n, n);
	/* equal starts (aliases, a few at a time): by symbol_cmp */
	for (size_t i = 0, j; i < n; i = j) {
		for (j = i + 1; j < n && syms[order[j]].start ==
		     syms[order[i]].start; j++)
			;
		if (j - i > 1)
			qsort_r(&order[i], j - i, sizeof(*order),
				symbol_order_cmp, syms);
	}
	/* position i takes syms[order[i]]: walk each cycle once */
	for (size_t i = 0; i < n; i++) {
		struct dso_symbol hold;
		size_t at = i;

		if (order[i] == UINT32_MAX)
			continue;
		hold = syms[i];
		while (order[at] != i) {
			size_t from = order[at];

			syms[at] = syms[from];
			order[at] = UINT32_MAX;
			at = from;
		}
		syms[at] = hold;
		order[at] = UINT32_MAX;
	}
	free(buf);
}

/* Whether binutils' addr2line (2.40, as perf 6.1 runs it) would rather
 * name code by y than by x (both start at the same address): local
 * symbols, then the later in table order.  A rule observed on glibc
 * (__libc_start_main_impl among its aliases and versioned globals,
 * __memcpy_avx512_unaligned_erms after __memmove_...), not derived from
 * binutils' source. */
static int table_prefers(const struct dso_symbol *x, const struct dso_symbol *y)
{
	int lx = x->binding == STB_LOCAL, ly = y->binding == STB_LOCAL;

	if (lx != ly)
		return ly;
	return y->index > x->index;
}

/* A symbol perf takes as a function: typed function, or a label
 * (STT_NOTYPE) in an executable section that is not hidden. */
static int symbol_wanted(Elf *elf, const GElf_Sym *sym, GElf_Word shndx)
{
	int type = GELF_ST_TYPE(sym->st_info);
	int vis = GELF_ST_VISIBILITY(sym->st_other);
	GElf_Shdr shdr;
	Elf_Scn *scn;

	if (type == STT_FUNC || type == STT_GNU_IFUNC)
		return 1;
	if (type != STT_NOTYPE || shndx == SHN_ABS || shndx >= SHN_LORESERVE ||
	    vis == STV_HIDDEN || vis == STV_INTERNAL || !elf)
		return 0;
	scn = elf_getscn(elf, shndx);
	return scn && gelf_getshdr(scn, &shdr) &&
		(shdr.sh_flags & SHF_EXECINSTR);
}

/*
 * libdw (0.188) inflates every compressed DWARF section it knows when it
 * opens a file (dwarf_begin_elf), also the ones scorch never reads:
 * location lists and macros (1.4 of glibc's 10 MB of debug info).  Marking
 * those sections SHT_NOBITS in libelf's in-memory copy of the section
 * headers (the file is mapped privately, nothing is written back) makes
 * libdw skip them.  Lines, inlined frames and ranges need none of them.
 */
static void dso_skip_unread_dwarf(Elf *elf)
{
	static const char *const unread[] = {
		".debug_loclists", ".debug_loc", ".debug_macro",
		".debug_macinfo", ".debug_pubnames", ".debug_pubtypes",
		".debug_gnu_pubnames", ".debug_gnu_pubtypes",
	};
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		return;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr shdr;
		const char *name;

		if (!gelf_getshdr(scn, &shdr) ||
		    !(shdr.sh_flags & SHF_COMPRESSED) ||
		    shdr.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, shdr.sh_name);
		if (!name)
			continue;
		for (size_t i = 0; i < sizeof(unread) / sizeof(unread[0]); i++)
			if (!strcmp(name, unread[i])) {
				shdr.sh_type = SHT_NOBITS;
				gelf_update_shdr(scn, &shdr);
				break;
			}
	}
}

static void dso_load_symbols(struct symbols_dso *dso, Elf *main_elf)
{
	Elf *debug_elf = NULL;
	int n = dwfl_module_getsymtab(dso->module);
	size_t alloc = 0, out = 0, group = 0;

	/* room for every entry at once: grown by half each time, the array
	 * was copied into fresh pages again and again */
	if (n > 1)
		grow_array((void **)&dso->syms, sizeof(*dso->syms),
			   (size_t)n - 1, &alloc);
	for (int i = 1; i < n; i++) {
		GElf_Sym sym;
		GElf_Addr addr;
		GElf_Word shndx;
		Elf *elf;
		Dwarf_Addr bias;
		const char *name = dwfl_module_getsym_info(dso->module, i, &sym,
				&addr, &shndx, &elf, &bias);
		struct dso_symbol *d;

		if (elf && elf != main_elf)
			debug_elf = elf;	/* the separate debug file */
		if (!name || !*name || shndx == SHN_UNDEF ||
		    !symbol_wanted(elf, &sym, shndx))
			continue;
		grow_array((void **)&dso->syms, sizeof(*dso->syms),
			   dso->nr_syms + 1, &alloc);
		d = &dso->syms[dso->nr_syms++];
		memset(d, 0, sizeof(*d));
		d->start = addr;
		d->size = sym.st_size;
		d->raw = name;
		d->index = (unsigned)i;
		d->binding = GELF_ST_BIND(sym.st_info);
		d->type = GELF_ST_TYPE(sym.st_info);
	}
	/* before libdw opens the DWARF (dwfl_module_addrdie) */
	dso_skip_unread_dwarf(main_elf);
	dso_skip_unread_dwarf(debug_elf);
	dso_add_plt_symbols(dso, main_elf, &alloc);
	dso_add_cold_symbols(dso, &alloc);
	if (!dso->nr_syms)
		return;
	sort_symbols(dso->syms, dso->nr_syms);
	/* .symtab and .dynsym often repeat a function: keep one per start,
	 * remembering which one binutils would name; a label inside a
	 * sized function does not split it */
	for (size_t i = 0; i < dso->nr_syms; i++) {
		struct dso_symbol *d = &dso->syms[i];

		if (out && dso->syms[out - 1].start == d->start) {
			if (table_prefers(&dso->syms[group], d))
				group = i;
			dso->syms[out - 1].addr2line_name = dso->syms[group].raw;
			continue;
		}
		if (d->type == STT_NOTYPE && out && dso->syms[out - 1].size &&
		    d->start < dso->syms[out - 1].start +
		    dso->syms[out - 1].size)
			continue;
		group = i;
		d->addr2line_name = d->raw;
		dso->syms[out++] = *d;
	}
	dso->nr_syms = out;
}

int dso_load(struct symbols_dso *dso)
{
	Elf *elf;
	GElf_Addr bias;
	size_t phnum;
	GElf_Ehdr ehdr;
	int fd;

	if (dso->loaded)
		return dso->failed ? -1 : 0;
	dso->loaded = 1;
	dso->failed = 1;
	/* the path comes from the input: a FIFO there must not block us */
	fd = file_open_regular(dso->path, 0, NULL);
	if (fd < 0)
		return -1;
	dso->dwfl = dwfl_begin(&dso_callbacks);
	if (!dso->dwfl) {
		close(fd);
		return -1;
	}
	dwfl_report_begin(dso->dwfl);
	/* on success the module owns fd */
	dso->module = dwfl_report_elf(dso->dwfl, dso->base_name, dso->path, fd,
				      0, true);
	dwfl_report_end(dso->dwfl, NULL, NULL);
	if (!dso->module) {
		close(fd);
		return -1;
	}
	elf = dwfl_module_getelf(dso->module, &bias);
	if (!elf || !gelf_getehdr(elf, &ehdr) || elf_getphdrnum(elf, &phnum))
		return -1;
	dso->elf_type = ehdr.e_type;
	for (size_t i = 0; i < phnum; i++) {
		GElf_Phdr ph;
		if (!gelf_getphdr(elf, i, &ph) || ph.p_type != PT_LOAD)
			continue;
		dso->loads = xrealloc(dso->loads,
				      (dso->nr_loads + 1) * sizeof(*dso->loads));
		dso->loads[dso->nr_loads].vaddr = ph.p_vaddr;
		dso->loads[dso->nr_loads].memsz = ph.p_memsz;
		dso->loads[dso->nr_loads].offset = ph.p_offset;
		dso->loads[dso->nr_loads].filesz = ph.p_filesz;
		dso->nr_loads++;
	}
	if (!dso->nr_loads)
		return -1;
	dso_load_symbols(dso, elf);
	dso->failed = 0;
	return 0;
}

void dso_free(struct symbols_dso *dso)
{
	for (size_t i = 0; i < dso->nr_syms; i++)
		free(dso->syms[i].demangled);
	free(dso->syms);
	for (size_t i = 0; i < dso->nr_own_names; i++)
		free(dso->own_names[i]);
	free(dso->own_names);
	free(dso->loads);
	dso_scopes_free(dso->scopes);
	if (dso->dwfl)
		dwfl_end(dso->dwfl);
	free(dso->path);
	free(dso);
}

struct dso_symbol *dso_find_symbol(struct symbols_dso *dso, uint64_t vaddr)
{
	size_t lo = 0, hi = dso->nr_syms;
	struct dso_symbol *sym;

	while (lo < hi) {	/* first symbol with start > vaddr */
		size_t mid = lo + (hi - lo) / 2;
		if (dso->syms[mid].start <= vaddr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	sym = &dso->syms[lo - 1];
	if (sym->size)
		return vaddr < sym->start + sym->size ? sym : NULL;
	/* A sizeless symbol (hand-written assembly, a label such as ld.so's
	 * _start) covers the FDE it starts, or, where no FDE says otherwise,
	 * the code up to the next symbol (as perf does); never code that
	 * CFI assigns to another function. */
	{
		uint64_t fde;
		if (!dso_fde_start(dso, vaddr, &fde))
			return fde == sym->start ? sym : NULL;
		if (lo == dso->nr_syms || vaddr < dso->syms[lo].start)
			return sym;
	}
	return NULL;
}

int dso_fde_start(struct symbols_dso *dso, uint64_t vaddr, uint64_t *start)
{
	Dwarf_Addr bias;
	Dwarf_CFI *cfi;
	Dwarf_Frame *frame = NULL;
	Dwarf_Addr lo, hi;
	bool signalp;
	int ret = -1;
	uint64_t end;

	if (!dso->module)
		return -1;
	/* the FDE's whole range; libdw's frame info gives only the part
	 * of it where one CFI row holds */
	if (!dso_fde_range(dso, vaddr, start, &end))
		return 0;
	cfi = dwfl_module_eh_cfi(dso->module, &bias);
	if (!cfi || dwarf_cfi_addrframe(cfi, vaddr - bias, &frame)) {
		cfi = dwfl_module_dwarf_cfi(dso->module, &bias);
		if (!cfi || dwarf_cfi_addrframe(cfi, vaddr - bias, &frame))
			return -1;
	}
	if (dwarf_frame_info(frame, &lo, &hi, &signalp) >= 0) {
		*start = lo + bias;
		ret = 0;
	}
	free(frame);
	return ret;
}

const char *dso_symbol_name(struct symbols_dso *dso, struct dso_symbol *sym,
			    int demangle)
{
	(void)dso;
	if (!sym->demangle_tried) {
		/* drop a symbol version ("name@@GLIBC_2.34"), then demangle */
		const char *at = strchr(sym->raw, '@');
		char *plain = at && at != sym->raw ?
			xstrndup(sym->raw, at - sym->raw) : NULL;
		char *d = demangle ? symbols_demangle(plain ? plain : sym->raw)
			: NULL;
		sym->demangle_tried = 1;
		if (d) {
			free(plain);
			sym->demangled = d;
		} else {
			sym->demangled = plain;
		}
	}
	return sym->demangled ? sym->demangled : sym->raw;
}

/* The name of a function DIE: its linkage name, else DW_AT_name (what
 * addr2line prints). */
static const char *die_function_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name = NULL;

	if (dwarf_attr_integrate(die, DW_AT_linkage_name, &attr) ||
	    dwarf_attr_integrate(die, DW_AT_MIPS_linkage_name, &attr))
		name = dwarf_formstring(&attr);
	if (!name && dwarf_attr_integrate(die, DW_AT_name, &attr))
		name = dwarf_formstring(&attr);
	return name;
}

static int cu_is_assembly(Dwarf_Die *cudie);
static const char *assembly_function(Dwarf_Die *cudie, Dwarf_Addr pc);

static const char *demangled_interned(struct symbols *s, const char *name)
{
	char *d = symbols_demangle(name);
	const char *r;

	if (!d)
		return symbols_intern(s, name);
	r = symbols_intern(s, d);
	free(d);
	return r;
}

/* Whether a CU was assembled (DW_LANG_Mips_Assembler, what gas writes). */
static int cu_is_assembly(Dwarf_Die *cudie)
{
	Dwarf_Attribute attr;
	Dwarf_Word lang;

	return dwarf_attr(cudie, DW_AT_language, &attr) &&
		!dwarf_formudata(&attr, &lang) && lang == 0x8001;
}

/* In an assembly CU, the name binutils' addr2line gives pc: of the
 * subprogram DIEs holding it the narrowest, the last of equals. */
static const char *assembly_function(Dwarf_Die *cudie, Dwarf_Addr pc)
{
	Dwarf_Die child;
	const char *best = NULL;
	Dwarf_Addr best_len = (Dwarf_Addr)-1;

	if (dwarf_child(cudie, &child))
		return NULL;
	do {
		Dwarf_Addr low, high;
		const char *name;

		if (dwarf_tag(&child) != DW_TAG_subprogram ||
		    dwarf_haspc(&child, pc) != 1 ||
		    dwarf_lowpc(&child, &low) || dwarf_highpc(&child, &high) ||
		    high - low > best_len)
			continue;
		name = die_function_name(&child);
		if (name) {
			best = name;
			best_len = high - low;
		}
	} while (!dwarf_siblingof(&child, &child));
	return best;
}

/* A DWARF function name as lookups return it: raw with
 * SYMBOLS_NO_DEMANGLE (the caller demangles), else demangled. */
static const char *function_name(struct symbols *s, const char *name)
{
	if (s->flags & SYMBOLS_NO_DEMANGLE)
		return symbols_intern(s, name);
	return demangled_interned(s, name);
}

/*
 * The chain dso_scopes_chain() gives, asked of libdw directly (two DIE
 * walks of the CU): the reference it is checked against, and the way
 * when a CU cannot be indexed.
 */
static int chain_by_libdw(Dwarf_Die *cudie, Dwarf_Addr pc, Dwarf_Die *chain,
			  int *tags, int max)
{
	Dwarf_Die *scopes = NULL, innermost;
	int nscopes, i, n = 0, inl = 0;

	nscopes = dwarf_getscopes(cudie, pc, &scopes);
	if (nscopes <= 0)
		return 0;
	/*
	 * scopes[] runs innermost first, but past the first inlined
	 * subroutine it continues with that function's abstract definition,
	 * not with where it was inlined.  The DIEs physically containing the
	 * innermost function DIE (dwarf_getscopes_die) are the real chain:
	 * every inlined_subroutine level, then the concrete subprogram.
	 */
	for (i = 0; i < nscopes; i++) {
		int tag = dwarf_tag(&scopes[i]);
		if (tag == DW_TAG_inlined_subroutine || tag == DW_TAG_subprogram)
			break;
	}
	if (i == nscopes) {
		free(scopes);
		return 0;
	}
	innermost = scopes[i];
	free(scopes);
	scopes = NULL;
	nscopes = dwarf_getscopes_die(&innermost, &scopes);
	for (i = 0; i < nscopes; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if ((tag == DW_TAG_inlined_subroutine && inl < max) ||
		    tag == DW_TAG_subprogram) {
			chain[n] = scopes[i];
			tags[n++] = tag;
			inl += tag == DW_TAG_inlined_subroutine;
		}
		if (tag == DW_TAG_subprogram)
			break;
	}
	free(scopes);
	return n;
}

int dso_scopes_check(struct symbols_dso *dso, uint64_t vaddr)
{
	Dwarf_Die a[SYMBOLS_MAX_INLINE + 1], b[SYMBOLS_MAX_INLINE + 1];
	int ta[SYMBOLS_MAX_INLINE + 1], tb[SYMBOLS_MAX_INLINE + 1];
	Dwarf_Addr bias;
	Dwarf_Die *cudie;
	int na, nb;

	if (!dso->module)
		return 1;
	cudie = dwfl_module_addrdie(dso->module, vaddr, &bias);
	if (!cudie)
		return 1;
	na = dso_scopes_chain(&dso->scopes, cudie, vaddr - bias, a, ta,
			      SYMBOLS_MAX_INLINE);
	nb = chain_by_libdw(cudie, vaddr - bias, b, tb, SYMBOLS_MAX_INLINE);
	if (na != nb)
		return 0;
	for (int i = 0; i < na; i++)
		if (dwarf_dieoffset(&a[i]) != dwarf_dieoffset(&b[i]) ||
		    ta[i] != tb[i])
			return 0;
	return 1;
}

void dso_lines(struct symbols *s, struct symbols_dso *dso, uint64_t vaddr,
	       unsigned flags, struct symbols_result *out)
{
	Dwarf_Addr bias;
	Dwarf_Die *cudie;
	Dwarf_Line *line;
	Dwarf_Die chain[SYMBOLS_MAX_INLINE + 1];
	int tags[SYMBOLS_MAX_INLINE + 1];
	int nscopes, i;
	Dwarf_Files *files = NULL;

	if (!dso->module)
		return;
	cudie = dwfl_module_addrdie(dso->module, vaddr, &bias);
	if (!cudie)
		return;
	line = dwarf_getsrc_die(cudie, vaddr - bias);
	if (line) {
		const char *src = dwarf_linesrc(line, NULL, NULL);
		int lineno = 0;
		dwarf_lineno(line, &lineno);
		if (src)
			out->file = symbols_intern(s, src);
		out->line = lineno;
	}
	if (!(flags & SYMBOLS_LOOKUP_INLINE))
		return;
	nscopes = dso_scopes_chain(&dso->scopes, cudie, vaddr - bias, chain,
				   tags, SYMBOLS_MAX_INLINE);
	if (nscopes < 0)
		nscopes = chain_by_libdw(cudie, vaddr - bias, chain, tags,
					 SYMBOLS_MAX_INLINE);
	if (nscopes <= 0)
		return;
	dwarf_getsrcfiles(cudie, &files, NULL);
	{
		const char *inner_file = out->file;
		int inner_line = out->line;
		int n = 0;
		for (i = 0; i < nscopes; i++) {
			Dwarf_Attribute attr;
			Dwarf_Word cfile = 0, cline = 0;
			const char *name;
			int tag = tags[i];
			if (tag == DW_TAG_subprogram) {
				/* gas gives assembly one DIE per symbol
				 * at an address: take addr2line's one */
				name = cu_is_assembly(cudie) ?
					assembly_function(cudie, vaddr - bias) :
					NULL;
				if (!name)
					name = die_function_name(&chain[i]);
				if (name)
					out->function = function_name(s, name);
				break;
			}
			if (tag != DW_TAG_inlined_subroutine ||
			    n == SYMBOLS_MAX_INLINE)
				continue;
			name = die_function_name(&chain[i]);
			out->inlined[n].name = name ? function_name(s, name) :
				"[inlined]";
			out->inlined[n].file = inner_file;
			out->inlined[n].line = inner_line;
			n++;
			if (dwarf_attr(&chain[i], DW_AT_call_file, &attr))
				dwarf_formudata(&attr, &cfile);
			if (dwarf_attr(&chain[i], DW_AT_call_line, &attr))
				dwarf_formudata(&attr, &cline);
			inner_file = NULL;
			if (files && cfile) {
				const char *f = dwarf_filesrc(files, cfile,
							      NULL, NULL);
				if (f)
					inner_file = symbols_intern(s, f);
			}
			inner_line = (int)cline;
		}
		out->nr_inlined = n;
		if (n) {	/* the real function is at the outer call site */
			out->file = inner_file;
			out->line = inner_line;
		}
	}
}
