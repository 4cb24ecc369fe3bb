/*
 * test_symbol_choice.c - which name symbols/ gives an address where perf
 * would: "name@plt" for every PLT stub of this very test binary (checked
 * against its .rela.plt read here with libelf), and perf's choice among
 * aliases at one address in libc (malloc, not __libc_malloc).
 */
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols/symbols.h"
#include "symbols/symbols_internal.h"
#include "test.h"

static Elf_Scn *find_section(Elf *elf, const char *want, GElf_Shdr *shdr)
{
	size_t shstrndx;
	Elf_Scn *scn = NULL;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return NULL;
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

static void test_plt_names(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct symbols *s = symbols_new(SYMBOLS_NO_DEMANGLE);
	struct symbols_dso *dso;
	GElf_Shdr rel, plt, dynsym;
	Elf_Scn *rel_scn;
	Elf_Data *rel_data, *sym_data;
	Elf *elf;
	int fd, checked = 0;

	CHECK(n > 0);
	if (n <= 0)
		return;
	exe[n] = '\0';
	dso = dso_get(s, exe);
	CHECK(dso_load(dso) == 0);
	elf_version(EV_CURRENT);
	fd = open(exe, O_RDONLY);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	rel_scn = find_section(elf, ".rela.plt", &rel);
	if (!rel_scn || !find_section(elf, ".plt", &plt) ||
	    find_section(elf, ".plt.sec", &dynsym)) {
		/* built without a lazy PLT: nothing to check */
		elf_end(elf);
		close(fd);
		symbols_free(s);
		return;
	}
	rel_data = elf_getdata(rel_scn, NULL);
	CHECK(gelf_getshdr(elf_getscn(elf, rel.sh_link), &dynsym) != NULL);
	sym_data = elf_getdata(elf_getscn(elf, rel.sh_link), NULL);
	for (size_t i = 0; i < rel.sh_size / rel.sh_entsize; i++) {
		GElf_Rela r;
		GElf_Sym sym;
		char want[512];
		const char *name = "";
		uint64_t stub = plt.sh_addr + 16 * (i + 1);
		struct dso_symbol *got;

		CHECK(gelf_getrela(rel_data, (int)i, &r) != NULL);
		if (GELF_R_SYM(r.r_info) &&
		    gelf_getsym(sym_data, (int)GELF_R_SYM(r.r_info), &sym))
			name = elf_strptr(elf, dynsym.sh_link, sym.st_name);
		snprintf(want, sizeof(want), "%s@plt", name ? name : "");
		got = dso_find_symbol(dso, stub + 6);	/* inside the stub */
		CHECK(got != NULL);
		if (got) {
			CHECK_STR(got->raw, want);
			CHECK(got->start == stub && got->size == 16);
		}
		checked++;
	}
	CHECK(checked > 0);	/* this binary calls libc through its PLT */
	elf_end(elf);
	close(fd);
	symbols_free(s);
}

/* The value of a .dynsym symbol of an ELF file, 0 when absent. */
static uint64_t dynsym_value(const char *path, const char *want)
{
	int fd = open(path, O_RDONLY);
	Elf *elf;
	GElf_Shdr shdr;
	Elf_Scn *scn;
	Elf_Data *data;
	uint64_t value = 0;

	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	scn = elf ? find_section(elf, ".dynsym", &shdr) : NULL;
	data = scn ? elf_getdata(scn, NULL) : NULL;
	for (size_t i = 0; data && shdr.sh_entsize &&
	     i < shdr.sh_size / shdr.sh_entsize && !value; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		name = elf_strptr(elf, shdr.sh_link, sym.st_name);
		if (name && !strcmp(name, want))
			value = sym.st_value;
	}
	if (elf)
		elf_end(elf);
	close(fd);
	return value;
}

static void test_alias_choice(void)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[4096], libc[4096] = "";
	struct symbols *s = symbols_new(SYMBOLS_NO_DEMANGLE);
	struct symbols_dso *dso;
	struct dso_symbol *sym;
	uint64_t at;

	CHECK(maps != NULL);
	while (maps && fgets(line, sizeof(line), maps)) {
		char *path = strchr(line, '/');
		if (path && strstr(path, "/libc.so")) {
			path[strcspn(path, "\n")] = '\0';
			snprintf(libc, sizeof(libc), "%s", path);
			break;
		}
	}
	if (maps)
		fclose(maps);
	CHECK(libc[0] != '\0');
	if (!libc[0]) {
		symbols_free(s);
		return;
	}
	/* glibc: malloc and __libc_malloc are one function, both global;
	 * perf names it by the one with fewer leading underscores */
	at = dynsym_value(libc, "__libc_malloc");
	CHECK(at != 0);
	dso = dso_get(s, libc);
	CHECK(dso_load(dso) == 0);
	sym = dso_find_symbol(dso, at + 1);
	CHECK(sym != NULL);
	if (sym)
		CHECK_STR(sym->raw, "malloc");
	symbols_free(s);
}

int main(void)
{
	RUN(test_plt_names);
	RUN(test_alias_choice);
	TEST_EXIT();
}
