/*
 * exec_watch.c - whether a started process has stopped exec'ing: the
 * list of known exec wrappers and the settle rule (exec_watch.h).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc/exec_watch.h"

int exec_wrapper_name(const char *base)
{
	static const char *const wrappers[] = {
		"sh", "bash", "dash", "zsh", "ksh", "busybox", "env", "exec",
		"chroot", "unshare", "nsenter", "setpriv", "setsid", "runuser",
		"sudo", "su", "doas", "nice", "ionice", "chrt", "taskset",
		"numactl", "prlimit", "time", "timeout", "stdbuf", "nohup",
		"xargs", "make", "firejail", "bwrap", "systemd-run",
		"pyenv", "uv", "poetry", "pipenv", "conda", NULL,
	};
	size_t i;

	for (i = 0; wrappers[i]; i++)
		if (!strcmp(base, wrappers[i]))
			return 1;
	return 0;
}

/* CPU time the whole process used so far, from /proc/PID/schedstat of
 * its main thread (ns on CPU is the first field); -1 if unreadable. */
static int64_t cpu_ns(pid_t pid)
{
	char path[64];
	unsigned long long run = 0;
	FILE *f;
	int n;

	snprintf(path, sizeof(path), "/proc/%d/schedstat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fscanf(f, "%llu", &run);
	fclose(f);
	return n == 1 ? (int64_t)run : -1;
}

int exec_watch_settled(struct exec_watch *w, pid_t pid, int64_t now_ns)
{
	char path[64], exe[4096];
	const char *base;
	struct stat st;
	int64_t cpu;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	if (stat(path, &st) < 0)
		return 0;
	cpu = cpu_ns(pid);
	if (!w->seen || st.st_dev != w->dev || st.st_ino != w->ino) {
		if (w->seen)
			w->changes++;
		w->seen = 1;
		w->dev = st.st_dev;
		w->ino = st.st_ino;
		w->since_ns = now_ns;
		w->cpu_at_since = cpu;
		return 0;
	}
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n <= 0)
		return 0;
	exe[n] = '\0';
	base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	if (exec_wrapper_name(base))
		return 0;
	if (now_ns - w->since_ns >= EXEC_SETTLE_WALL_NS)
		return 1;
	return cpu >= 0 && w->cpu_at_since >= 0 &&
		cpu - w->cpu_at_since >= EXEC_SETTLE_CPU_NS;
}
