/*
 * test_cfi_rules.c - the per-PC unwind rule cache (unwind/cfi_rules.c) on
 * this very test binary: a function's first instruction has the x86_64
 * entry rule (CFA = RSP + 8, return address at CFA - 8, RBP and R12-R15
 * unchanged), a PLT stub's expression-based CFA is left to libdwfl, an
 * address in no module too, and a second lookup is a cache hit.
 */
#include <fcntl.h>
#include <gelf.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "symbols/symbols.h"
#include "unwind/cfi_rules.h"
#include "test.h"

__attribute__((noinline)) int test_cfi_probe(int x)
{
	return x * 7 + 3;
}

static char *no_debuginfo_path;
static const Dwfl_Callbacks offline_callbacks = {
	.find_elf = dwfl_build_id_find_elf,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.debuginfo_path = &no_debuginfo_path,
};

/* Address of the .plt section of path (ELF virtual address), or 0. */
static uint64_t plt_address(const char *path)
{
	int fd = open(path, O_RDONLY);
	uint64_t at = 0;
	size_t shstrndx;
	Elf_Scn *scn = NULL;
	Elf *elf;

	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (elf && !elf_getshdrstrndx(elf, &shstrndx))
		while ((scn = elf_nextscn(elf, scn))) {
			GElf_Shdr shdr;
			const char *name;

			if (!gelf_getshdr(scn, &shdr))
				continue;
			name = elf_strptr(elf, shstrndx, shdr.sh_name);
			if (name && !strcmp(name, ".plt"))
				at = shdr.sh_addr;
		}
	if (elf)
		elf_end(elf);
	close(fd);
	return at;
}

static void test_rules_of_this_binary(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct symbols *s = symbols_new(SYMBOLS_NO_KERNEL);
	struct cfi_rules rules;
	const struct cfi_rule *r;
	uint64_t entry, plt;
	Dwfl *dwfl;

	memset(&rules, 0, sizeof(rules));
	CHECK(n > 0);
	if (n <= 0) {
		symbols_free(s);
		return;
	}
	exe[n] = '\0';
	CHECK(test_cfi_probe(1) == 10);
	entry = symbols_file_symbol(s, exe, "test_cfi_probe");
	CHECK(entry != 0);
	dwfl = dwfl_begin(&offline_callbacks);
	dwfl_report_begin(dwfl);
	CHECK(dwfl_report_elf(dwfl, "self", exe, -1, 0, false) != NULL);
	dwfl_report_end(dwfl, NULL, NULL);

	r = cfi_rules_get(&rules, dwfl, entry);
	CHECK(r->usable);
	CHECK(r->cfa_reg == 7 && r->cfa_offset == 8);
	CHECK(r->kind[16] == CFI_RULE_AT_CFA && r->offset[16] == -8);
	/* callee-saved registers keep their values (libdw's x86_64 ABI
	 * rules; it lists RBP and R12-R15) */
	CHECK(r->kind[6] == CFI_RULE_SAME && r->kind[12] == CFI_RULE_SAME &&
	      r->kind[15] == CFI_RULE_SAME);
	CHECK(r->kind[2] == CFI_RULE_UNDEFINED);	/* RCX: clobbered */
	CHECK(r->kind[7] == CFI_RULE_CFA_PLUS && r->offset[7] == 0);
	CHECK(rules.misses == 1);
	r = cfi_rules_get(&rules, dwfl, entry);
	CHECK(r->usable && rules.misses == 1);	/* from the cache */

	/* the PLT's CFA is a DWARF expression: libdwfl's business */
	plt = plt_address(exe);
	if (plt) {
		r = cfi_rules_get(&rules, dwfl, plt + 16 + 6);
		CHECK(!r->usable);
	}
	/* no module there at all */
	r = cfi_rules_get(&rules, dwfl, 0x10);
	CHECK(!r->usable);
	/* many PCs: the table grows and keeps every answer */
	for (uint64_t pc = entry; pc < entry + 4000; pc += 2)
		cfi_rules_get(&rules, dwfl, pc);
	r = cfi_rules_get(&rules, dwfl, entry);
	CHECK(r->usable && r->cfa_offset == 8);
	cfi_rules_clear(&rules);
	CHECK(rules.used == 0);
	cfi_rules_release(&rules);
	dwfl_end(dwfl);
	symbols_free(s);
}

/* Rules kept by (file, offset): one answer serves the file wherever a
 * process loads it; a PC in no module is not kept there. */
static void test_rules_by_file_offset(void)
{
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	struct symbols *s = symbols_new(SYMBOLS_NO_KERNEL);
	struct cfi_rules rules;
	const struct cfi_rule *r;
	uint64_t entry, bias = 0x100000;
	Dwfl *at0, *at_bias;

	memset(&rules, 0, sizeof(rules));
	CHECK(n > 0);
	if (n <= 0) {
		symbols_free(s);
		return;
	}
	exe[n] = '\0';
	entry = symbols_file_symbol(s, exe, "test_cfi_probe");
	CHECK(entry != 0);
	/* two "processes": the same file at bias 0 and at another bias */
	at0 = dwfl_begin(&offline_callbacks);
	dwfl_report_begin(at0);
	CHECK(dwfl_report_elf(at0, "self", exe, -1, 0, false) != NULL);
	dwfl_report_end(at0, NULL, NULL);
	at_bias = dwfl_begin(&offline_callbacks);
	dwfl_report_begin(at_bias);
	CHECK(dwfl_report_elf(at_bias, "self", exe, -1, bias, false) != NULL);
	dwfl_report_end(at_bias, NULL, NULL);

	r = cfi_rules_get_in(&rules, at0, entry, 1, entry);
	CHECK(r && r->usable && r->cfa_reg == 7 && r->cfa_offset == 8);
	CHECK(rules.misses == 1 && rules.used == 1);
	r = cfi_rules_get_in(&rules, at_bias, entry + bias, 1, entry);
	CHECK(r && r->usable && r->cfa_offset == 8);
	CHECK(rules.misses == 1 && rules.used == 1);	/* shared */
	/* the same offset of another file is another rule */
	r = cfi_rules_get_in(&rules, at_bias, entry + bias, 2, entry);
	CHECK(r && r->usable && rules.misses == 2 && rules.used == 2);
	/* no module holds the PC: nothing kept, the caller asks its own */
	CHECK(cfi_rules_get_in(&rules, at0, 0x7f0000000000ULL, 1, 0x10) == NULL);
	CHECK(rules.used == 2);
	cfi_rules_release(&rules);
	CHECK(rules.used == 0 && rules.index == NULL);
	dwfl_end(at0);
	dwfl_end(at_bias);
	symbols_free(s);
}

int main(void)
{
	RUN(test_rules_of_this_binary);
	RUN(test_rules_by_file_offset);
	TEST_EXIT();
}
