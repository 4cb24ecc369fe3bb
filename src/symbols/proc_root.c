/*
 * proc_root.c - where a process's files are, seen from here.  A process
 * in a chroot or another mount namespace (a container) names its files
 * by its own root: they are opened through /proc/PID/root, never as the
 * same path on this host, which may be another file entirely.  Its
 * per-process files (/tmp/perf-PID.map) carry the pid it has in its own
 * pid namespace (the last NSpid in /proc/PID/status).  And a file is
 * used for a mapping only when it is the very file mapped: the same
 * device and inode as /proc/PID/maps says.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "symbols/symbols_internal.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

enum { ROOT_UNKNOWN, ROOT_SAME, ROOT_OTHER };

/* Does the process see the file system as we do (same root directory
 * and mount namespace)?  When /proc says nothing, assume it does. */
static int root_state(struct symbols_process *proc)
{
	char path[64], mine[64], theirs[64];
	struct stat a, b;
	ssize_t n, m;

	if (proc->root_state != ROOT_UNKNOWN)
		return proc->root_state;
	proc->root_state = ROOT_SAME;
	snprintf(path, sizeof(path), "/proc/%d/root/", (int)proc->pid);
	if (stat(path, &a) || stat("/", &b))
		return proc->root_state;
	if (a.st_dev != b.st_dev || a.st_ino != b.st_ino) {
		proc->root_state = ROOT_OTHER;
		return proc->root_state;
	}
	snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)proc->pid);
	n = readlink(path, theirs, sizeof(theirs) - 1);
	m = readlink("/proc/self/ns/mnt", mine, sizeof(mine) - 1);
	if (n > 0 && m > 0 && (n != m || memcmp(mine, theirs, (size_t)n)))
		proc->root_state = ROOT_OTHER;
	return proc->root_state;
}

char *proc_file_path(struct symbols_process *proc, const char *path)
{
	struct strbuf sb;

	if (root_state(proc) == ROOT_SAME)
		return xstrdup(path);
	strbuf_init(&sb);
	strbuf_addf(&sb, "/proc/%d/root%s", (int)proc->pid, path);
	return strbuf_detach(&sb);
}

pid_t proc_ns_pid(struct symbols_process *proc)
{
	char path[64], line[256];
	FILE *fp;

	if (proc->ns_pid)
		return proc->ns_pid;
	proc->ns_pid = proc->pid;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)proc->pid);
	fp = fopen(path, "r");
	if (!fp)
		return proc->ns_pid;
	while (fgets(line, sizeof(line), fp)) {
		char *p, *end;
		long last = 0;

		if (strncmp(line, "NSpid:", 6))
			continue;
		/* outermost namespace first, the process's own last */
		for (p = line + 6;; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			last = v;
		}
		if (last > 0)
			proc->ns_pid = (pid_t)last;
		break;
	}
	fclose(fp);
	return proc->ns_pid;
}

int proc_file_is_mapped(const char *open_path, unsigned dev_major,
			unsigned dev_minor, unsigned long long inode)
{
	struct stat st;

	if (stat(open_path, &st))
		return 0;
	return st.st_ino == inode && major(st.st_dev) == dev_major &&
		minor(st.st_dev) == dev_minor;
}
