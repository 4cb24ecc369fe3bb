/*
 * output_path.c - following an output name to what it names, to decide
 * whether it is replaced atomically or written in place (output_path.h).
 * Only looks (lstat, readlink, realpath); never opens or creates.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/output_path.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* as the kernel's limit on nested links */
#define MAX_LINK_HOPS 40

char *output_path_dir(const char *path)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

/*
 * A name in a /proc/PID/fd or /proc/PID/task/TID/fd directory (where
 * /dev/stdout, /dev/fd/N and /proc/self/fd/N all lead) is a descriptor of
 * process PID, not a file to replace.  Returns PID and sets *fd, else 0.
 */
static pid_t proc_fd_link(const char *path, int *fd)
{
	const char *base = strrchr(path, '/');
	char *dir, *real;
	int pid = 0, tid, len = -1;
	long n;

	base = base ? base + 1 : path;
	if (!*base || strlen(base) > 9 ||
	    strspn(base, "0123456789") != strlen(base))
		return 0;
	n = strtol(base, NULL, 10);
	dir = output_path_dir(path);
	real = realpath(dir, NULL);
	free(dir);
	if (!real)
		return 0;
	if (!(sscanf(real, "/proc/%d/fd%n", &pid, &len) == 1 &&
	      len == (int)strlen(real))) {
		len = -1;
		if (!(sscanf(real, "/proc/%d/task/%d/fd%n", &pid, &tid, &len) == 2 &&
		      len == (int)strlen(real)))
			pid = 0;
	}
	free(real);
	*fd = (int)n;
	return pid > 0 ? pid : 0;
}

/* Where the link at path points, relative to the link's directory. */
static char *follow(const char *path, const char *name)
{
	char target[PATH_MAX];
	struct strbuf next;
	ssize_t n = readlink(path, target, sizeof(target));

	if (n < 0 || n == (ssize_t)sizeof(target)) {
		error("%s: cannot follow the link %s: %s (fix or remove the link)",
		      name, path, n < 0 ? strerror(errno) : "target too long");
		return NULL;
	}
	strbuf_init(&next);
	if (target[0] != '/' && strchr(path, '/')) {
		char *dir = output_path_dir(path);

		strbuf_addstr(&next, dir);
		if (strcmp(dir, "/"))
			strbuf_addch(&next, '/');
		free(dir);
	}
	strbuf_add(&next, target, (size_t)n);
	return strbuf_detach(&next);
}

int output_path_resolve(const char *name, struct output_path *where)
{
	char *cur = xstrdup(name), *next;
	struct stat st;
	int hops, fd = -1;
	pid_t pid;

	memset(where, 0, sizeof(*where));
	where->fd = -1;
	for (hops = 0;; hops++) {
		pid = proc_fd_link(cur, &fd);
		if (pid == getpid()) {
			free(cur);
			where->kind = OUTPUT_DESCRIPTOR;
			where->fd = fd;
			return 0;
		}
		if (pid) {
			/* another process's descriptor: whatever it has open */
			where->kind = OUTPUT_IN_PLACE;
			where->file = cur;
			return 0;
		}
		if (lstat(cur, &st) < 0) {
			if (errno == ENOENT) {
				/* a new name (a missing directory is for
				 * creating the file to say) */
				where->kind = OUTPUT_REPLACE;
				where->file = cur;
				return 0;
			}
			error("%s: cannot create output: %s (check the directories on its path)",
			      name, strerror(errno));
			free(cur);
			return -1;
		}
		if (!S_ISLNK(st.st_mode))
			break;
		if (hops == MAX_LINK_HOPS) {
			error("%s: cannot create output: too many levels of symbolic links (is there a loop?)",
			      name);
			free(cur);
			return -1;
		}
		next = follow(cur, name);
		free(cur);
		if (!next)
			return -1;
		cur = next;
	}

	if (S_ISREG(st.st_mode)) {
		where->kind = OUTPUT_REPLACE;
		where->exists = 1;
		where->mode = st.st_mode;
		where->uid = st.st_uid;
		where->gid = st.st_gid;
	} else if (S_ISDIR(st.st_mode)) {
		error("%s: cannot create output: it is a directory (give a file name)",
		      name);
		free(cur);
		return -1;
	} else if (S_ISBLK(st.st_mode)) {
		error("%s: will not write onto block device %s: it holds a disk or a file system (give a file name)",
		      name, cur);
		free(cur);
		return -1;
	} else {
		/* character device, FIFO, socket: write into it */
		where->kind = OUTPUT_IN_PLACE;
	}
	where->file = cur;
	return 0;
}

void output_path_release(struct output_path *where)
{
	free(where->file);
	where->file = NULL;
}
