/*
 * asyncio_debug.c - the _AsyncioDebug block of CPython 3.14+: where the
 * interpreter itself says a Task keeps its name, coroutine, awaiters and
 * list node, and where a thread state keeps its running task and task
 * list.  The block (Py_AsyncioModuleDebugOffsets, thirteen uint64_t) is
 * the .AsyncioDebug section of whichever mapped file holds the _asyncio
 * module: the executable or libpython when it is built in (Debian's
 * 3.15), else _asyncio.cpython-3X-*.so once `import asyncio` loaded it
 * (Debian's 3.14).  Read from the target's memory; every offset is
 * checked against its struct's size before it replaces the built-in row.
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "python/asyncio.h"
#include "python/remote.h"

#define BLOCK_WORDS 13

/* The link-time address of section .AsyncioDebug and the file's load
 * base (first PT_LOAD rounded to its alignment); 0 when absent. */
static uint64_t section_addr(const char *path, uint64_t *load_base)
{
	Elf *elf;
	Elf_Scn *scn = NULL;
	GElf_Phdr ph;
	size_t shstrndx, i, nph;
	uint64_t addr = 0;
	int fd, first = 1;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ, NULL);
	if (!elf || elf_getphdrnum(elf, &nph) || elf_getshdrstrndx(elf, &shstrndx))
		goto out;
	for (i = 0; i < nph && first; i++)
		if (gelf_getphdr(elf, (int)i, &ph) && ph.p_type == PT_LOAD) {
			uint64_t align = ph.p_align ? ph.p_align : 1;

			*load_base = ph.p_vaddr - ph.p_vaddr % align;
			first = 0;
		}
	while (!first && (scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".AsyncioDebug") &&
		    sh.sh_size >= BLOCK_WORDS * 8) {
			addr = sh.sh_addr;
			break;
		}
	}
out:
	if (elf)
		elf_end(elf);
	close(fd);
	return addr;
}

/* A file that may hold the block: _asyncio, libpython, the executable. */
static int candidate(const char *path, const char *exe)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strncmp(base, "_asyncio.", 9) ||
		!strncmp(base, "libpython3", 10) || !strcmp(path, exe);
}

int py_async_debug_block(const uint64_t *w, size_t n,
			 struct py_async_layout *al)
{
	uint64_t tsize, isize, ssize;
	int i;

	if (n < BLOCK_WORDS)
		return 0;
	tsize = w[0];
	isize = w[7];
	ssize = w[9];
	if (tsize < 64 || tsize > 4096 || isize < 1024 || isize > (1u << 24) ||
	    ssize < 128 || ssize > (1u << 16))
		return 0;
	for (i = 1; i <= 6; i++)
		if (w[i] >= tsize)
			return 0;
	if (w[6] + 16 > tsize || w[8] + 16 > isize || w[10] + 8 > ssize ||
	    w[11] + 8 > ssize || w[12] + 16 > ssize ||
	    w[1] == w[2] || w[1] == w[5] || w[2] == w[5] || w[10] == w[11])
		return 0;
	al->task_size = (uint32_t)tsize;
	al->task_name = (uint32_t)w[1];
	al->task_awaited_by = (uint32_t)w[2];
	al->task_awaited_by_is_set = (uint32_t)w[4];
	al->task_coro = (uint32_t)w[5];
	al->task_node = (uint32_t)w[6];
	al->interp_tasks_head = (uint32_t)w[8];
	al->tstate_running_task = (uint32_t)w[11];
	al->tstate_tasks_head = (uint32_t)w[12];
	return 1;
}

int py_async_debug_offsets(int pid, struct py_async_layout *al)
{
	struct remote_maps maps;
	char exe[4096], path[4200];
	uint64_t w[BLOCK_WORDS];
	size_t i;
	int found = 0;

	if (remote_exe_path(pid, exe, sizeof(exe)) < 0)
		exe[0] = '\0';
	if (remote_maps_read(pid, &maps) < 0)
		return 0;
	for (i = 0; i < maps.nr && !found; i++) {
		const struct remote_mapping *m = &maps.items[i];
		uint64_t base = 0, addr;

		if (m->offset != 0 || !m->path[0] || !candidate(m->path, exe))
			continue;
		/* the file as the process sees it (a chroot's, a container's) */
		snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx", pid,
			 (unsigned long long)m->start, (unsigned long long)m->end);
		addr = section_addr(path, &base);
		if (!addr) {
			snprintf(path, sizeof(path), "/proc/%d/root%s", pid, m->path);
			addr = section_addr(path, &base);
		}
		if (!addr || remote_read(pid, addr - base + m->start, w, sizeof(w)) < 0)
			continue;
		found = py_async_debug_block(w, BLOCK_WORDS, al);
	}
	remote_maps_release(&maps);
	return found;
}
