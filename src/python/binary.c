/*
 * binary.c - ELF symbol and section lookup for CPython runtimes (libelf).
 *
 * Looks in .dynsym and .symtab; either may be missing (Debian's python3 is
 * stripped but exports its symbols; 3.6's interp_head is a static, so
 * only a .symtab has it).  Also the version a file name states.  Only
 * reads the file, once a run (the last SEEN_FILES files are kept by
 * identity); the reference for what to look for is
 * ../shared/reference/cpython-internals.md §1.
 */
#include <ctype.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "python/binary.h"
#include "util/file_open.h"

static void note_symbol(struct pybinary *b, const char *name, uint64_t value)
{
	if (!value)
		return;
	if (!strcmp(name, "interp_head")) {
		/* 3.6: a static, in .symtab only; alone it could be anyone's */
		b->interp_head = value;
		return;
	}
	if (!strcmp(name, "_PyRuntime"))
		b->runtime = value;
	else if (!strcmp(name, "Py_Version"))
		b->py_version = value;
	else if (!strcmp(name, "PyCode_Type"))
		b->code_type = value;
	else if (!strcmp(name, "_Py_NoneStruct"))
		b->none = value;
	else if (!strcmp(name, "_PyThreadState_Current"))
		b->tstate_current = value;	/* 3.6 */
	else
		return;
	b->has_python = 1;
}

static void scan_symbols(Elf *elf, Elf_Scn *scn, GElf_Shdr *sh,
			 struct pybinary *b)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t i, n;

	if (!data || !sh->sh_entsize)
		return;
	n = sh->sh_size / sh->sh_entsize;
	for (i = 0; i < n; i++) {
		GElf_Sym sym;
		const char *name;

		if (!gelf_getsym(data, (int)i, &sym) ||
		    sym.st_shndx == SHN_UNDEF ||
		    GELF_ST_TYPE(sym.st_info) != STT_OBJECT)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (name && (name[0] == '_' || name[0] == 'P' || name[0] == 'i'))
			note_symbol(b, name, sym.st_value);
	}
}

/*
 * The files inspected so far this run, by identity: every process of a
 * machine (record -a) maps the same few executables, and most are no
 * CPython.  A file changed in place has another size or time.
 */
#define SEEN_FILES 64

static struct seen_file {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
	int result;		/* pybinary_inspect's */
	struct pybinary b;
} seen[SEEN_FILES];
static unsigned nr_seen;

static struct seen_file *seen_find(const struct stat *st)
{
	for (unsigned i = 0; i < nr_seen && i < SEEN_FILES; i++) {
		struct seen_file *f = &seen[i];

		if (f->dev == st->st_dev && f->ino == st->st_ino &&
		    f->size == st->st_size &&
		    f->mtime.tv_sec == st->st_mtim.tv_sec &&
		    f->mtime.tv_nsec == st->st_mtim.tv_nsec)
			return f;
	}
	return NULL;
}

static int seen_add(const struct stat *st, int result,
		    const struct pybinary *b)
{
	struct seen_file *f = &seen[nr_seen++ % SEEN_FILES];

	f->dev = st->st_dev;
	f->ino = st->st_ino;
	f->size = st->st_size;
	f->mtime = st->st_mtim;
	f->result = result;
	f->b = *b;
	return result;
}

int pybinary_inspect(const char *path, struct pybinary *b)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx, nphdr, i;
	struct seen_file *known;
	struct stat st;
	int fd, first = 1, have_st;

	memset(b, 0, sizeof(*b));
	elf_version(EV_CURRENT);
	/* path comes from the target's maps: only a regular file, never a
	 * FIFO that would block */
	fd = file_open_regular(path, 0, NULL);
	if (fd < 0)
		return -1;
	have_st = fstat(fd, &st) == 0;
	if (have_st && (known = seen_find(&st))) {
		close(fd);
		*b = known->b;
		return known->result;
	}
	/* mapped, not read: read, libpython's symbol tables (750 KB) were
	 * copied into fresh memory whose page faults, on a VM, cost more
	 * than the rest of attaching to the interpreter */
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!elf || elf_kind(elf) != ELF_K_ELF) {
		if (elf)
			elf_end(elf);
		close(fd);
		return have_st ? seen_add(&st, -1, b) : -1;
	}
	if (!elf_getphdrnum(elf, &nphdr)) {
		for (i = 0; i < nphdr; i++) {
			GElf_Phdr ph;

			if (!gelf_getphdr(elf, (int)i, &ph) || ph.p_type != PT_LOAD)
				continue;
			if (first) {
				uint64_t align = ph.p_align ? ph.p_align : 1;

				b->load_base = ph.p_vaddr - ph.p_vaddr % align;
				first = 0;
			}
			if ((ph.p_flags & PF_W) && !b->rw_start) {
				b->rw_start = ph.p_vaddr;
				b->rw_end = ph.p_vaddr + ph.p_memsz;
				b->rw_offset = ph.p_offset;
			}
		}
	}
	if (elf_getshdrstrndx(elf, &shstrndx))
		shstrndx = 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		if (sh.sh_type == SHT_SYMTAB || sh.sh_type == SHT_DYNSYM) {
			scan_symbols(elf, scn, &sh, b);
			continue;
		}
		name = shstrndx ? elf_strptr(elf, shstrndx, sh.sh_name) : NULL;
		if (name && !strcmp(name, ".PyRuntime")) {
			b->runtime_section = sh.sh_addr;
			b->has_python = 1;
		}
	}
	elf_end(elf);
	close(fd);
	return have_st ? seen_add(&st, 0, b) : 0;
}

int pybinary_version_from_name(const char *path, int *major, int *minor)
{
	const char *base = strrchr(path, '/');
	const char *p;

	base = base ? base + 1 : path;
	/* python3.12, libpython3.6m.so.1.0, libpython2.7.so */
	for (p = strstr(base, "python"); p; p = strstr(p + 1, "python")) {
		if ((p[6] != '2' && p[6] != '3') || p[7] != '.' ||
		    !isdigit((unsigned char)p[8]))
			continue;
		*major = p[6] - '0';
		*minor = atoi(p + 8);
		return 1;
	}
	return 0;
}
