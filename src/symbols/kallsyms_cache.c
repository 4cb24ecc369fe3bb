/*
 * kallsyms_cache.c - the core kernel's text symbols saved for this boot,
 * so that a run need not read /proc/kallsyms (the kernel formats every
 * one of its ~120k lines, tens of milliseconds of CPU) to name a few
 * kernel frames.  The file ("kallsyms" in cache_dir.h's directory, mode
 * 0600) holds the sorted
 * prefix of kallsyms.c's table below the end of the core's text
 * (_einittext, else _etext) and the first module/BPF/trampoline symbol:
 * text that never moves until the next boot.  It is trusted
 * only for the boot it names (/proc/sys/kernel/random/boot_id) and when
 * the first lines of /proc/kallsyms, readable by this process, give the
 * same first symbol (so hidden addresses never come from a file).
 *
 * Layout (native endian): struct kallsyms_cache_header, nr struct kallsyms_cache_entry
 * sorted by start, then the NUL-terminated names.  Never fails loudly:
 * any problem means "no cache", and kallsyms.c reads the real file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols/cache_dir.h"
#include "symbols/symbols_internal.h"
#include "util/xalloc.h"

#define CACHE_MAGIC "SCKSYM02"	/* 01 could hold no upper bound */

struct kallsyms_cache_header {
	char magic[8];
	char boot_id[40];
	uint64_t nr;		/* entries */
	uint64_t limit;		/* trusted for first start <= addr < limit */
	uint64_t names_size;
};

struct kallsyms_cache_entry {
	uint64_t start;
	uint64_t name;		/* offset into the names */
};

/* The first text symbol /proc/kallsyms shows this process: its address
 * (0 when hidden or unreadable) and name. */
static uint64_t live_first_symbol(char *name, size_t size)
{
	char buf[4096 + 1];
	int fd = open("/proc/kallsyms", O_RDONLY | O_CLOEXEC);
	ssize_t n;
	char *p, *end;

	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	for (p = buf; (end = strchr(p, '\n')); p = end + 1) {
		unsigned long long addr;
		char type, sym[256];

		*end = '\0';
		if (sscanf(p, "%llx %c %255s", &addr, &type, sym) != 3)
			continue;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		if (!addr)
			return 0;
		snprintf(name, size, "%s", sym);
		return addr;
	}
	return 0;
}

int kallsyms_cache_open(struct kallsyms_cache *c)
{
	struct kallsyms_cache_header h;
	const struct kallsyms_cache_entry *e;
	char boot[40], first[256];
	struct stat st;
	uint64_t first_addr;
	void *map;
	int fd;

	memset(c, 0, sizeof(*c));
	if (cache_dir_boot_id(boot) ||
	    (fd = cache_dir_open_own("kallsyms", &st)) < 0)
		return -1;
	if ((size_t)st.st_size < sizeof(h) ||
	    pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, CACHE_MAGIC, 8) || memcmp(h.boot_id, boot, 40) ||
	    !h.nr || h.nr > (1u << 24) || h.names_size > (1u << 28) ||
	    (uint64_t)st.st_size != sizeof(h) + h.nr * sizeof(*e) +
				    h.names_size) {
		close(fd);
		return -1;
	}
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return -1;
	e = (const struct kallsyms_cache_entry *)((const char *)map + sizeof(h));
	c->names = (const char *)(e + h.nr);
	first_addr = live_first_symbol(first, sizeof(first));
	if (!first_addr || e[0].start != first_addr ||
	    e[0].name >= h.names_size ||
	    strncmp(c->names + e[0].name, first, h.names_size - e[0].name) ||
	    c->names[h.names_size - 1] != '\0') {
		munmap(map, (size_t)st.st_size);
		memset(c, 0, sizeof(*c));
		return -1;
	}
	c->map = map;
	c->map_size = (size_t)st.st_size;
	c->entries = e;
	c->nr = h.nr;
	c->names_size = h.names_size;
	c->limit = h.limit;
	return 0;
}

int kallsyms_cache_find(const struct kallsyms_cache *c, uint64_t addr,
			struct kernel_symbol *out)
{
	const struct kallsyms_cache_entry *e = c->entries;
	size_t lo = 0, hi = c->nr;

	if (!c->map || addr >= c->limit)
		return -1;		/* not known here: read the kernel's */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (e[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo || e[lo - 1].name >= c->names_size)
		return 0;		/* below the first symbol: none */
	out->start = e[lo - 1].start;
	out->name = c->names + e[lo - 1].name;
	return 1;
}

void kallsyms_cache_save(const struct kernel_symbol *table, size_t nr,
			 uint64_t limit)
{
	struct kallsyms_cache_header h;
	struct kallsyms_cache_entry *e;
	char boot[40], *path, *tmp;
	size_t i, n, names = 0, len;
	FILE *f;
	int fd, ok;

	for (n = 0; n < nr && table[n].start < limit; n++)
		names += strlen(table[n].name) + 1;
	if (!n || cache_dir_boot_id(boot) || !(path = cache_dir_path("kallsyms", 1)))
		return;
	len = strlen(path) + 16;
	tmp = xmalloc(len);
	snprintf(tmp, len, "%s.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		if (fd >= 0)
			close(fd);
		free(tmp);
		free(path);
		return;
	}
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, CACHE_MAGIC, 8);
	memcpy(h.boot_id, boot, 40);
	h.nr = n;
	h.limit = n < nr ? limit : table[n - 1].start;
	h.names_size = names;
	e = xmalloc(n * sizeof(*e));
	for (i = 0, names = 0; i < n; i++) {
		e[i].start = table[i].start;
		e[i].name = names;
		names += strlen(table[i].name) + 1;
	}
	ok = fwrite(&h, sizeof(h), 1, f) == 1 &&
	     fwrite(e, sizeof(*e), n, f) == n;
	for (i = 0; ok && i < n; i++)
		ok = fwrite(table[i].name, strlen(table[i].name) + 1, 1, f) == 1;
	free(e);
	if (fclose(f) || !ok || rename(tmp, path))
		unlink(tmp);
	free(tmp);
	free(path);
}
