/*
 * file_open.c - the one way scorch opens a file named by an input: a
 * regular file or nothing (see file_open.h).  Reading limits are the
 * callers' business; this file only guarantees that open() returns at
 * once and that what was opened is a regular file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file_open.h"

int file_open_regular(const char *path, int flags, struct stat *st)
{
	struct stat before, after;
	int fd, oflags = O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY;

	if (!path || !*path) {
		errno = ENOENT;
		return -1;
	}
	if (flags & FILE_OPEN_NOFOLLOW) {
		oflags |= O_NOFOLLOW;
		if (lstat(path, &before))
			return -1;
		if (S_ISLNK(before.st_mode)) {
			errno = ELOOP;
			return -1;
		}
	} else if (stat(path, &before)) {
		return -1;
	}
	if (!S_ISREG(before.st_mode)) {
		errno = EINVAL;
		return -1;
	}
	fd = open(path, oflags);
	if (fd < 0)
		return -1;
	if (fstat(fd, &after) || !S_ISREG(after.st_mode) ||
	    after.st_dev != before.st_dev || after.st_ino != before.st_ino) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	if (st)
		*st = after;
	return fd;
}

FILE *file_fopen_regular(const char *path)
{
	int fd = file_open_regular(path, 0, NULL);
	FILE *fp;

	if (fd < 0)
		return NULL;
	fp = fdopen(fd, "rb");
	if (!fp)
		close(fd);
	return fp;
}
