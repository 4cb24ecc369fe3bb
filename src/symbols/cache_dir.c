/*
 * cache_dir.c - the path of a file in scorch's cache directory (see
 * cache_dir.h), and the boot id that keys what holds for one boot.
 * Creates directories, never files.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols/cache_dir.h"
#include "util/strbuf.h"

char *cache_dir_path(const char *name, int make)
{
	const char *dir = getenv("SCORCH_CACHE_DIR");
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	const char *sub;
	struct strbuf sb;

	strbuf_init(&sb);
	if (dir) {
		if (!*dir)
			return NULL;
		strbuf_addstr(&sb, dir);
	} else if (xdg && *xdg) {
		strbuf_addf(&sb, "%s/scorch", xdg);
	} else if (home && *home) {
		strbuf_addf(&sb, "%s/.cache", home);
		if (make)
			mkdir(sb.buf, 0700);
		strbuf_addstr(&sb, "/scorch");
	} else {
		return NULL;
	}
	if (make)
		mkdir(sb.buf, 0700);
	sub = strchr(name, '/');
	if (sub && make) {
		size_t at = sb.len;
		strbuf_addf(&sb, "/%.*s", (int)(sub - name), name);
		mkdir(sb.buf, 0700);
		sb.len = at;
		sb.buf[at] = '\0';
	}
	strbuf_addf(&sb, "/%s", name);
	return strbuf_detach(&sb);
}

int cache_dir_open_own(const char *name, struct stat *st)
{
	char *path = cache_dir_path(name, 0);
	int fd;

	if (!path)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd >= 0 && (fstat(fd, st) || !S_ISREG(st->st_mode) ||
			st->st_uid != geteuid())) {
		close(fd);
		fd = -1;
	}
	return fd;
}

int cache_dir_boot_id(char id[40])
{
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	memset(id, 0, 40);
	n = read(fd, id, 39);
	close(fd);
	if (n < 36)
		return -1;
	id[36] = '\0';
	return 0;
}
