/*
 * container.c - naming the container a process runs in (container.h):
 * its pid namespace compared with scorch's, then its cgroup v2 path's
 * leaf.  The parser of /proc/PID/cgroup text is separate from the
 * reading so the unit test (tests/unit/test_container.c) can feed it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "proc/container.h"

/* the v2 line's path ("0::/a/b" -> "/a/b"), its length in *len */
static const char *cgroup_v2_path(const char *text, size_t *len)
{
	const char *line = text;

	while (line && *line) {
		const char *end = strchr(line, '\n');
		size_t n = end ? (size_t)(end - line) : strlen(line);

		if (n >= 3 && !strncmp(line, "0::", 3)) {
			*len = n - 3;
			return line + 3;
		}
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

static int all_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strchr("0123456789abcdef", s[i]))
			return 0;
	return n > 0;
}

size_t container_cgroup_label(const char *text, char *out, size_t room)
{
	static const char *const prefixes[] = {
		"docker-", "libpod-", "cri-containerd-", "crio-",
	};
	size_t len, n;
	const char *path = cgroup_v2_path(text, &len), *leaf;

	if (!room)
		return 0;
	out[0] = '\0';
	while (path && len && path[len - 1] == '/')
		len--;
	if (!path || !len)
		return 0;
	leaf = path + len;
	while (leaf > path && leaf[-1] != '/')
		leaf--;
	n = (size_t)(path + len - leaf);
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t p = strlen(prefixes[i]), id = n - p;

		if (n <= p || strncmp(leaf, prefixes[i], p))
			continue;
		if (id > 6 && !strncmp(leaf + n - 6, ".scope", 6))
			id -= 6;
		if (!all_hex(leaf + p, id))
			continue;
		leaf += p;
		n = id < 12 ? id : 12;
		break;
	}
	if (n >= room)
		n = room - 1;
	memcpy(out, leaf, n);
	out[n] = '\0';
	return n;
}

/* the whole of /proc/PID/cgroup (pid 0: scorch's own) into buf */
static int read_cgroup(pid_t pid, char *buf, size_t room)
{
	char path[64];
	FILE *fp;
	size_t n;

	if (pid)
		snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	else
		snprintf(path, sizeof(path), "/proc/self/cgroup");
	fp = fopen(path, "re");
	if (!fp)
		return -1;
	n = fread(buf, 1, room - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return 0;
}

int container_pid_namespace(pid_t pid, unsigned long long *dev,
			    unsigned long long *ino)
{
	char path[64];
	struct stat them, us;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	if (stat(path, &them) < 0 || stat("/proc/self/ns/pid", &us) < 0 ||
	    them.st_ino == us.st_ino)
		return 0;
	*dev = (unsigned long long)them.st_dev;
	*ino = (unsigned long long)them.st_ino;
	return 1;
}

size_t container_label(pid_t pid, char *out, size_t room)
{
	char theirs[4096], ours[4096];
	unsigned long long dev, ino;

	if (!room)
		return 0;
	out[0] = '\0';
	if (!container_pid_namespace(pid, &dev, &ino))
		return 0;
	if (!read_cgroup(pid, theirs, sizeof(theirs)) &&
	    !read_cgroup(0, ours, sizeof(ours)) && strcmp(theirs, ours)) {
		size_t n = container_cgroup_label(theirs, out, room);
		if (n)
			return n;
	}
	return (size_t)snprintf(out, room, "pidns:%llu", ino) < room ?
		strlen(out) : 0;
}
