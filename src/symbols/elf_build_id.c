/*
 * elf_build_id.c - reading the NT_GNU_BUILD_ID note through libelf.
 * Reads only; never opens or closes files (the caller owns the Elf, or
 * the fd elf_fd_has_build_id reads through a handle of its own).
 */
#include <gelf.h>
#include <string.h>

#include "symbols/elf_build_id.h"

size_t elf_build_id(Elf *elf, uint8_t *id, size_t max)
{
	Elf_Scn *scn = NULL;

	if (!elf || elf_kind(elf) != ELF_K_ELF)
		return 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		GElf_Nhdr nh;
		Elf_Data *d;
		size_t off = 0, name_off, desc_off, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_NOTE)
			continue;
		d = elf_getdata(scn, NULL);
		while (d && (off = gelf_getnote(d, off, &nh, &name_off,
						&desc_off)) > 0) {
			if (nh.n_type != NT_GNU_BUILD_ID || !nh.n_descsz)
				continue;
			n = nh.n_descsz < max ? nh.n_descsz : max;
			memcpy(id, (const char *)d->d_buf + desc_off, n);
			return n;
		}
	}
	return 0;
}

int elf_fd_has_build_id(int fd, const unsigned char *bits, int len)
{
	uint8_t id[64];
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	size_t got = elf ? elf_build_id(elf, id, sizeof(id)) : 0;

	if (elf)
		elf_end(elf);
	return got == (size_t)len && !memcmp(id, bits, got);
}
