/*
 * perfdata_buildid.c - which file to read for a binary a perf.data names:
 * the file at its recorded path when its build id matches the one perf
 * recorded, else perf's build-id cache copy (~/.debug/.build-id/xx/rest/elf).
 *
 * Owns only that choice (and reading a file's GNU build-id note); never
 * symbolizes and never prints.  See perfdata_buildid.h.
 */
#include <fcntl.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/perfdata.h"
#include "formats/perfdata_buildid.h"
#include "symbols/elf_build_id.h"
#include "util/file_open.h"

size_t perfdata_file_build_id(const char *path, uint8_t *id, size_t max)
{
	Elf *elf;
	size_t got;
	int fd = file_open_regular(path, 0, NULL);

	if (fd < 0)
		return 0;
	elf_version(EV_CURRENT);
	elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	got = elf_build_id(elf, id, max);
	if (elf)
		elf_end(elf);
	close(fd);
	return got;
}

/* ~/.debug/.build-id/ab/cdef.../elf, as `perf buildid-cache` lays it out. */
static int cache_path(const struct perfdata_buildid *b, char *out, size_t size)
{
	const char *home = getenv("HOME");
	size_t n, i;

	if (!home || !*home || b->size < 2)
		return -1;
	n = (size_t)snprintf(out, size, "%s/.debug/.build-id/%02x/", home,
			     b->id[0]);
	for (i = 1; i < b->size && n + 3 < size; i++)
		n += (size_t)snprintf(out + n, size - n, "%02x", b->id[i]);
	if (n + 5 >= size)
		return -1;
	snprintf(out + n, size - n, "/elf");
	return 0;
}

int perfdata_resolve_binary(const struct perfdata_header *h, const char *path,
			    char *out, size_t size)
{
	const struct perfdata_buildid *b = NULL;
	uint8_t id[20];
	size_t i, n;

	for (i = 0; i < h->nr_buildids; i++)
		if (h->buildids[i].filename &&
		    !strcmp(h->buildids[i].filename, path)) {
			b = &h->buildids[i];
			break;
		}
	if (!b || !b->size)
		return 0;
	n = perfdata_file_build_id(path, id, sizeof(id));
	if (n == b->size && !memcmp(id, b->id, n))
		return 0;		/* the recorded file is still there */
	/* the cached copy must be a regular file with the recorded id */
	if (cache_path(b, out, size) ||
	    perfdata_file_build_id(out, id, sizeof(id)) != b->size ||
	    memcmp(id, b->id, b->size))
		return -1;		/* changed or gone, and not cached */
	return 1;
}
