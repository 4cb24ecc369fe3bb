/*
 * debug_inflated.c - separate debug files whose DWARF sections are
 * compressed (SHF_COMPRESSED, as distributions ship glibc's) kept once
 * inflated in scorch's cache directory (cache_dir.h), named by build id:
 * debug/<build-id>.debug.  libdw inflates every compressed debug section
 * of a file in full when it opens it (megabytes for glibc, to name a
 * handful of addresses); the inflated copy is mapped instead, so a run
 * pays only for the pages it reads.  The copy is made the first time such
 * a file is used; any failure just leaves the original in use.
 */
#include <fcntl.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols/cache_dir.h"
#include "symbols/debug_inflated.h"
#include "symbols/elf_build_id.h"
#include "util/file_open.h"
#include "util/strbuf.h"

/* Files with less compressed DWARF than this are used as they are. */
#define INFLATE_MIN_BYTES (256u << 10)

/* How many bytes of compressed .debug_* sections elf holds. */
static uint64_t compressed_debug_bytes(Elf *elf)
{
	Elf_Scn *scn = NULL;
	size_t shstrndx;
	uint64_t total = 0;

	if (elf_getshdrstrndx(elf, &shstrndx))
		return 0;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_COMPRESSED))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strncmp(name, ".debug_", 7))
			total += sh.sh_size;
	}
	return total;
}

/* Copies the file open on from into path's temporary twin, inflates its
 * compressed sections there and renames it to path; 0 on success. */
static int make_inflated(int from, const char *path)
{
	struct strbuf tmp;
	struct stat st;
	Elf *elf = NULL;
	Elf_Scn *scn = NULL;
	off_t off = 0;
	int fd, ok = 0;

	if (fstat(from, &st))
		return -1;
	strbuf_init(&tmp);
	strbuf_addf(&tmp, "%s.%ld", path, (long)getpid());
	fd = open(tmp.buf, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		goto out;
	while (off < st.st_size)
		if (sendfile(fd, from, &off, (size_t)(st.st_size - off)) <= 0)
			goto out;
	elf = elf_begin(fd, ELF_C_RDWR, NULL);
	if (!elf)
		goto out;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (!gelf_getshdr(scn, &sh) || !(sh.sh_flags & SHF_COMPRESSED))
			continue;
		if (elf_compress(scn, 0, 0) < 0)
			goto out;
	}
	ok = elf_update(elf, ELF_C_WRITE) >= 0;
out:
	if (elf)
		elf_end(elf);
	if (fd >= 0 && close(fd))
		ok = 0;
	if (fd >= 0 && (!ok || rename(tmp.buf, path)))
		unlink(tmp.buf);
	strbuf_release(&tmp);
	return ok ? 0 : -1;
}

/* The cached copy at path when it is there, ours and of this build id;
 * else -1. */
static int open_cached(const char *path, const unsigned char *bits, int len)
{
	struct stat st;
	int cached = file_open_regular(path, 0, &st);

	if (cached >= 0 && st.st_uid == geteuid() &&
	    elf_fd_has_build_id(cached, bits, len))
		return cached;
	if (cached >= 0)
		close(cached);
	return -1;
}

/* The cache is looked in first: a copy there was made from a file of
 * this build id with enough compressed DWARF, so the original need not
 * be mapped and its sections scanned again at each run. */
int debug_inflated_open(int fd, const unsigned char *bits, int len,
			char **name)
{
	struct strbuf sb;
	char *path;
	Elf *elf;
	uint64_t compressed;
	int cached;

	if (len <= 1)
		return fd;
	strbuf_init(&sb);
	strbuf_addstr(&sb, "debug/");
	strbuf_add_hex(&sb, bits, (size_t)len);
	strbuf_addstr(&sb, ".debug");
	path = cache_dir_path(sb.buf, 0);
	cached = path ? open_cached(path, bits, len) : -1;
	if (path && cached < 0) {
		elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
		compressed = elf ? compressed_debug_bytes(elf) : 0;
		if (elf)
			elf_end(elf);
		if (compressed >= INFLATE_MIN_BYTES) {
			free(path);	/* the same, its directories made */
			path = cache_dir_path(sb.buf, 1);
			if (path && !make_inflated(fd, path))
				cached = open_cached(path, bits, len);
		}
	}
	strbuf_release(&sb);
	if (cached < 0) {
		free(path);
		return fd;
	}
	close(fd);
	free(*name);
	*name = path;
	return cached;
}
