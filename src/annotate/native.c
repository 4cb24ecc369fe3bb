/*
 * native.c - one function of an ELF file as instructions with source
 * lines, for `scorch annotate`.  See native.h.
 *
 * Reads the symbol table and code with libelf, line tables with libdw,
 * disassembles with capstone (x86-64).  Never prints and never exits.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <capstone/capstone.h>
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <gelf.h>
#include <libelf.h>

#include "annotate/native.h"
#include "symbols/elf_build_id.h"
#include "util/file_open.h"
#include "util/xalloc.h"

struct elf_file {
	int fd;
	Elf *elf;
};

static int elf_file_open(struct elf_file *e, const char *path)
{
	e->elf = NULL;
	e->fd = file_open_regular(path, 0, NULL);
	if (e->fd < 0)
		return -1;
	elf_version(EV_CURRENT);
	e->elf = elf_begin(e->fd, ELF_C_READ_MMAP, NULL);
	if (!e->elf || elf_kind(e->elf) != ELF_K_ELF) {
		if (e->elf)
			elf_end(e->elf);
		close(e->fd);
		e->elf = NULL;
		e->fd = -1;
		return -1;
	}
	return 0;
}

static void elf_file_close(struct elf_file *e)
{
	if (e->elf)
		elf_end(e->elf);
	if (e->fd >= 0)
		close(e->fd);
	e->elf = NULL;
	e->fd = -1;
}

/* Finds name in the section of type want; 0 when found.  A symbol with
 * the name wins, among those the one holding hint; without any, the
 * function symbol holding hint (named *found_name). */
static int find_symbol(Elf *elf, Elf64_Word want, const char *name,
		       uint64_t hint, uint64_t *start, uint64_t *size,
		       char **found_name)
{
	Elf_Scn *scn = NULL;
	int found = 0, covered = 0;
	uint64_t cover_start = 0, cover_size = 0;
	const char *cover_name = NULL, *match_name = NULL;
	size_t len = strlen(name);

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != want ||
		    !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			GElf_Sym sym;
			const char *s;
			int holds;

			if (!gelf_getsym(d, (int)i, &sym) ||
			    GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
			    !sym.st_value)
				continue;
			s = elf_strptr(elf, sh.sh_link, sym.st_name);
			if (!s)
				continue;
			holds = hint >= sym.st_value &&
				hint < sym.st_value + sym.st_size;
			if (holds && !covered) {
				cover_start = sym.st_value;
				cover_size = sym.st_size;
				cover_name = s;
				covered = 1;
			}
			/* "name" or a versioned "name@..." */
			if (strncmp(s, name, len) || (s[len] && s[len] != '@'))
				continue;
			if (!found || holds) {
				*start = sym.st_value;
				*size = sym.st_size;
				match_name = s;
				found = 1;
			}
		}
	}
	if (!found && covered) {
		*start = cover_start;
		*size = cover_size;
		match_name = cover_name;
		found = 1;
	}
	if (found) {
		free(*found_name);
		*found_name = xstrdup(match_name);
	}
	return found ? 0 : -1;
}

/* Copies [addr, addr+size) of the loaded image out of the file. */
static unsigned char *read_code(Elf *elf, uint64_t addr, uint64_t size)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		Elf_Data *d;
		unsigned char *buf;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS ||
		    addr < sh.sh_addr || addr + size > sh.sh_addr + sh.sh_size)
			continue;
		d = elf_getdata(scn, NULL);
		if (!d || !d->d_buf || addr - sh.sh_addr + size > d->d_size)
			return NULL;
		buf = xmalloc(size ? size : 1);
		memcpy(buf, (unsigned char *)d->d_buf + (addr - sh.sh_addr),
		       size);
		return buf;
	}
	return NULL;
}

/* /usr/lib/debug/.build-id/xx/yyyy.debug for elf, into path. */
static int debug_file_path(Elf *elf, char *path, size_t size)
{
	uint8_t id[64];
	size_t len = elf_build_id(elf, id, sizeof(id)), i, n;

	if (len < 2)
		return -1;
	n = (size_t)snprintf(path, size, "/usr/lib/debug/.build-id/%02x/", id[0]);
	for (i = 1; i < len && n + 3 < size; i++)
		n += (size_t)snprintf(path + n, size - n, "%02x", id[i]);
	snprintf(path + n, size - n, ".debug");
	return 0;
}

/* The name of a DIE, through DW_AT_abstract_origin for inlined ones. */
static const char *die_name(Dwarf_Die *die)
{
	Dwarf_Attribute attr;
	const char *name;

	name = dwarf_formstring(dwarf_attr_integrate(die, DW_AT_name, &attr));
	if (!name)
		name = dwarf_formstring(dwarf_attr_integrate(die,
							     DW_AT_linkage_name,
							     &attr));
	return name;
}

/* Inlined-code facts of one instruction (see struct annotate_insn). */
static void fill_inlined(Dwarf_Die *cu, struct annotate_insn *in)
{
	Dwarf_Die *scopes = NULL, *outer = NULL;
	Dwarf_Attribute attr;
	Dwarf_Files *files;
	Dwarf_Word call_file = 0, call_line = 0;
	int n, i;

	n = dwarf_getscopes(cu, in->address, &scopes);
	for (i = 0; i < n; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if (tag == DW_TAG_subprogram)
			break;
		if (tag != DW_TAG_inlined_subroutine)
			continue;
		if (!in->inlined) {
			const char *name = die_name(&scopes[i]);

			in->inlined = xstrdup(name ? name : "[inlined]");
		}
		outer = &scopes[i];
	}
	if (outer &&
	    !dwarf_formudata(dwarf_attr(outer, DW_AT_call_line, &attr),
			     &call_line) &&
	    !dwarf_formudata(dwarf_attr(outer, DW_AT_call_file, &attr),
			     &call_file) &&
	    !dwarf_getsrcfiles(cu, &files, NULL)) {
		const char *src = dwarf_filesrc(files, call_file, NULL, NULL);

		if (src && call_line > 0 && call_line < 1u << 30) {
			in->call_file = xstrdup(src);
			in->call_line = (int)call_line;
		}
	}
	free(scopes);
}

static void fill_lines(Elf *elf, struct annotate_function *f)
{
	Dwarf *dw = dwarf_begin_elf(elf, DWARF_C_READ, NULL);
	size_t i;

	if (!dw)
		return;
	for (i = 0; i < f->nr_insns; i++) {
		Dwarf_Die cu;
		Dwarf_Line *l;
		const char *src;
		int line = 0;

		if (!dwarf_addrdie(dw, f->insns[i].address, &cu))
			continue;
		l = dwarf_getsrc_die(&cu, f->insns[i].address);
		if (!l || dwarf_lineno(l, &line) || line <= 0)
			continue;
		src = dwarf_linesrc(l, NULL, NULL);
		f->insns[i].line = line;
		f->insns[i].file = src ? xstrdup(src) : NULL;
		f->have_lines = 1;
		fill_inlined(&cu, &f->insns[i]);
	}
	dwarf_end(dw);
}

static int disassemble(struct annotate_function *f, const unsigned char *code)
{
	csh handle;
	cs_insn *insn;
	size_t n, i;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK)
		return -1;
	n = cs_disasm(handle, code, f->size, f->start, 0, &insn);
	f->insns = xcalloc(n ? n : 1, sizeof(*f->insns));
	for (i = 0; i < n; i++) {
		size_t len = strlen(insn[i].mnemonic) + strlen(insn[i].op_str) + 2;

		f->insns[i].address = insn[i].address;
		f->insns[i].text = xmalloc(len);
		snprintf(f->insns[i].text, len, "%s%s%s", insn[i].mnemonic,
			 insn[i].op_str[0] ? " " : "", insn[i].op_str);
	}
	f->nr_insns = n;
	if (n)
		cs_free(insn, n);
	cs_close(&handle);
	return n ? 0 : -1;
}

int annotate_load_function(const char *path, const char *name, uint64_t hint,
			   struct annotate_function *f, const char **why)
{
	struct elf_file main_file, debug_file = { -1, NULL };
	char debug_path[512];
	unsigned char *code;
	int have_debug = 0;

	memset(f, 0, sizeof(*f));
	if (elf_file_open(&main_file, path)) {
		*why = "cannot open it as an ELF file";
		return -1;
	}
	if (!debug_file_path(main_file.elf, debug_path, sizeof(debug_path)) &&
	    !elf_file_open(&debug_file, debug_path))
		have_debug = 1;
	if (find_symbol(main_file.elf, SHT_SYMTAB, name, hint, &f->start,
			&f->size, &f->name) &&
	    (!have_debug || find_symbol(debug_file.elf, SHT_SYMTAB, name, hint,
					&f->start, &f->size, &f->name)) &&
	    find_symbol(main_file.elf, SHT_DYNSYM, name, hint, &f->start,
			&f->size, &f->name)) {
		*why = "no such function in its symbol table";
		goto fail;
	}
	if (!f->size || f->size > (64u << 20)) {
		*why = "the function has no usable size in the symbol table";
		goto fail;
	}
	code = read_code(main_file.elf, f->start, f->size);
	if (!code) {
		*why = "cannot read the function's code from the file";
		goto fail;
	}
	if (disassemble(f, code)) {
		free(code);
		*why = "cannot disassemble the function";
		goto fail;
	}
	free(code);
	fill_lines(main_file.elf, f);
	if (!f->have_lines && have_debug)
		fill_lines(debug_file.elf, f);
	elf_file_close(&main_file);
	elf_file_close(&debug_file);
	return 0;
fail:
	elf_file_close(&main_file);
	elf_file_close(&debug_file);
	annotate_function_release(f);
	return -1;
}

void annotate_function_release(struct annotate_function *f)
{
	size_t i;

	for (i = 0; i < f->nr_insns; i++) {
		free(f->insns[i].text);
		free(f->insns[i].file);
		free(f->insns[i].inlined);
		free(f->insns[i].call_file);
	}
	free(f->insns);
	free(f->name);
	memset(f, 0, sizeof(*f));
}
