/*
 * elf_plt.c - names for the PLT stubs of an ELF object, "name@plt" as
 * perf 6.1 makes them: the n-th entry of .rela.plt (in table order, names
 * from .dynsym without version, "" for IFUNC relocations) is the n-th
 * stub after the .plt header (16 bytes each on x86_64; .plt.sec without
 * a header when present).  Reads only the object's own sections; never
 * touches its .plt.got.
 */
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/symbols_internal.h"
#include "util/xalloc.h"

static Elf_Scn *section_named(Elf *elf, size_t shstrndx, const char *want,
			      GElf_Shdr *shdr)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, shdr))
			continue;
		name = elf_strptr(elf, shstrndx, shdr->sh_name);
		if (name && !strcmp(name, want))
			return scn;
	}
	return NULL;
}

/*
 * A symbol scorch makes itself, NAME + SUFFIX ("x@plt", "f.cold"): the
 * name is owned by the dso; it sorts after the ELF's own symbols.
 */
void dso_add_own_symbol(struct symbols_dso *dso, size_t *alloc,
			uint64_t start, uint64_t size, const char *name,
			const char *suffix, int binding)
{
	size_t len = strlen(name), suffix_len = strlen(suffix);
	char *own = xmalloc(len + suffix_len + 1);
	struct dso_symbol *sym;

	memcpy(own, name, len);
	memcpy(own + len, suffix, suffix_len + 1);
	dso->own_names = xrealloc(dso->own_names, (dso->nr_own_names + 1) *
				  sizeof(*dso->own_names));
	dso->own_names[dso->nr_own_names++] = own;
	grow_array((void **)&dso->syms, sizeof(*dso->syms), dso->nr_syms + 1,
		   alloc);
	sym = &dso->syms[dso->nr_syms++];
	memset(sym, 0, sizeof(*sym));
	sym->start = start;
	sym->size = size;
	sym->raw = own;
	sym->index = ~0u;	/* after the real symbols */
	sym->binding = binding;
	sym->type = STT_FUNC;
}

void dso_add_plt_symbols(struct symbols_dso *dso, Elf *elf, size_t *alloc)
{
	GElf_Shdr rel_shdr, plt_shdr, sec_shdr, dynsym_shdr;
	Elf_Scn *rel_scn, *dynsym_scn;
	Elf_Data *rel_data, *dynsym_data;
	size_t shstrndx, nr, i;
	uint64_t at, entry;

	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		return;
	rel_scn = section_named(elf, shstrndx, ".rela.plt", &rel_shdr);
	if (!rel_scn || rel_shdr.sh_type != SHT_RELA || !rel_shdr.sh_entsize ||
	    !section_named(elf, shstrndx, ".plt", &plt_shdr) ||
	    plt_shdr.sh_type != SHT_PROGBITS)
		return;
	dynsym_scn = elf_getscn(elf, rel_shdr.sh_link);
	if (!dynsym_scn || !gelf_getshdr(dynsym_scn, &dynsym_shdr) ||
	    dynsym_shdr.sh_type != SHT_DYNSYM)
		return;
	rel_data = elf_getdata(rel_scn, NULL);
	dynsym_data = elf_getdata(dynsym_scn, NULL);
	if (!rel_data || !dynsym_data)
		return;
	entry = plt_shdr.sh_entsize ? plt_shdr.sh_entsize : 16;
	at = plt_shdr.sh_addr + entry;		/* after the header */
	if (section_named(elf, shstrndx, ".plt.sec", &sec_shdr) &&
	    sec_shdr.sh_type == SHT_PROGBITS) {
		at = sec_shdr.sh_addr;
		entry = sec_shdr.sh_entsize ? sec_shdr.sh_entsize : 16;
	}
	nr = rel_shdr.sh_size / rel_shdr.sh_entsize;
	for (i = 0; i < nr; i++, at += entry) {
		GElf_Rela rela;
		GElf_Sym sym;
		const char *name = "";

		if (!gelf_getrela(rel_data, (int)i, &rela))
			break;
		if (GELF_R_SYM(rela.r_info) &&
		    gelf_getsym(dynsym_data, (int)GELF_R_SYM(rela.r_info), &sym)) {
			name = elf_strptr(elf, dynsym_shdr.sh_link, sym.st_name);
			if (!name)
				name = "";
		}
		dso_add_own_symbol(dso, alloc, at, entry, name, "@plt", STB_GLOBAL);
	}
}
