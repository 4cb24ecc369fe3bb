/*
 * children.c - a process's descendants from /proc (children.h).
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "proc/children.h"
#include "util/xalloc.h"

/* appends the children of every thread of pid */
static void children_of(pid_t pid, pid_t **out, size_t *nr, size_t *alloc)
{
	char path[320];
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d))) {
		FILE *fp;
		long child;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%s/children",
			 (int)pid, de->d_name);
		fp = fopen(path, "re");
		if (!fp)
			continue;
		while (*nr < PROC_DESCENDANTS_MAX &&
		       fscanf(fp, "%ld", &child) == 1) {
			grow_array((void **)out, sizeof(**out), *nr + 1, alloc);
			(*out)[(*nr)++] = (pid_t)child;
		}
		fclose(fp);
	}
	closedir(d);
}

size_t proc_descendants(pid_t root, pid_t **out)
{
	size_t nr = 0, alloc = 0;

	*out = NULL;
	children_of(root, out, &nr, &alloc);
	/* breadth first: nr grows while we walk */
	for (size_t i = 0; i < nr && nr < PROC_DESCENDANTS_MAX; i++)
		children_of((*out)[i], out, &nr, &alloc);
	return nr;
}
