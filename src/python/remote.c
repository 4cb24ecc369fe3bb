/*
 * remote.c - process_vm_readv and /proc parsing for the Python reader.
 *
 * Owns only reading; it never attaches with ptrace, never writes to the
 * target and never prints.  See remote.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "python/remote.h"
#include "util/xalloc.h"

ssize_t remote_read_partial(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local[2], remote[2];
	size_t first = len, nr = 1;
	uint64_t page_end = (addr | 4095) + 1;

	/* one iovec per page so that an unmapped second page still yields
	 * the bytes of the first */
	if (addr + len > page_end) {
		first = (size_t)(page_end - addr);
		nr = 2;
	}
	local[0].iov_base = buf;
	local[0].iov_len = first;
	remote[0].iov_base = (void *)(uintptr_t)addr;
	remote[0].iov_len = first;
	if (nr == 2) {
		local[1].iov_base = (char *)buf + first;
		local[1].iov_len = len - first;
		remote[1].iov_base = (void *)(uintptr_t)page_end;
		remote[1].iov_len = len - first;
	}
	return process_vm_readv(pid, local, nr, remote, nr, 0);
}

int remote_read(pid_t pid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local, remote;
	ssize_t n;

	if (!addr) {
		errno = EFAULT;
		return -1;
	}
	local.iov_base = buf;
	local.iov_len = len;
	remote.iov_base = (void *)(uintptr_t)addr;
	remote.iov_len = len;
	n = process_vm_readv(pid, &local, 1, &remote, 1, 0);
	if (n < 0)
		return -1;
	if ((size_t)n != len) {
		errno = EFAULT;
		return -1;
	}
	return 0;
}

int remote_maps_read(pid_t pid, struct remote_maps *maps)
{
	char path[64], *line = NULL;
	size_t cap = 0;
	FILE *fp;

	maps->items = NULL;
	maps->nr = maps->alloc = 0;
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return -1;
	while (getline(&line, &cap, fp) > 0) {
		struct remote_mapping m;
		unsigned long long start, end, offset, inode;
		unsigned dev_major, dev_minor;
		char perms[8];
		int consumed = 0;
		char *p;

		if (sscanf(line, "%llx-%llx %7s %llx %x:%x %llu%n", &start, &end,
			   perms, &offset, &dev_major, &dev_minor, &inode,
			   &consumed) < 7 || !consumed)
			continue;
		p = line + consumed;
		while (*p == ' ' || *p == '\t')
			p++;
		p[strcspn(p, "\n")] = '\0';
		m.start = start;
		m.end = end;
		m.offset = offset;
		m.dev_major = dev_major;
		m.dev_minor = dev_minor;
		m.inode = inode;
		memcpy(m.perms, perms, 4);
		m.perms[4] = '\0';
		m.path = xstrdup(p);
		grow_array((void **)&maps->items, sizeof(m), maps->nr + 1,
			   &maps->alloc);
		maps->items[maps->nr++] = m;
	}
	free(line);
	fclose(fp);
	return 0;
}

void remote_maps_release(struct remote_maps *maps)
{
	size_t i;

	for (i = 0; i < maps->nr; i++)
		free(maps->items[i].path);
	free(maps->items);
	maps->items = NULL;
	maps->nr = maps->alloc = 0;
}

int remote_maps_readable(const struct remote_maps *maps, uint64_t addr,
			 size_t len)
{
	size_t i;

	for (i = 0; i < maps->nr; i++) {
		const struct remote_mapping *m = &maps->items[i];

		if (addr >= m->start && addr + len <= m->end)
			return m->perms[0] == 'r';
	}
	return 0;
}

int remote_exe_path(pid_t pid, char *buf, size_t size)
{
	char link[64];
	ssize_t n;
	size_t len;
	static const char deleted[] = " (deleted)";

	snprintf(link, sizeof(link), "/proc/%d/exe", (int)pid);
	n = readlink(link, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	len = (size_t)n;
	if (len > sizeof(deleted) - 1 &&
	    !strcmp(buf + len - (sizeof(deleted) - 1), deleted))
		buf[len - (sizeof(deleted) - 1)] = '\0';
	return 0;
}
