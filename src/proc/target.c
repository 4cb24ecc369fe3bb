/*
 * target.c - fork/exec with a go pipe, attach checks, liveness, exit codes.
 *
 * The child blocks reading the go pipe, so anything that must exist
 * before the program's first instruction (perf events, a reader that is
 * ready) can be set up in between.  exec errors come back through a
 * close-on-exec pipe.  A spawned program dies with scorch: the kernel
 * sends it SIGKILL when scorch ends (PR_SET_PDEATHSIG), however scorch
 * ends.  Never ptraces, never kills an attached process.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc/target.h"
#include "util/error.h"

static int open_stat(pid_t pid)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	return open(path, O_RDONLY | O_CLOEXEC);
}

void target_init(struct target *t)
{
	memset(t, 0, sizeof(*t));
	t->go_fd = t->exec_fd = t->stat_fd = -1;
}

int target_spawn(struct target *t, const char *const *argv)
{
	int go[2], ex[2];
	pid_t pid, parent = getpid();

	target_init(t);
	if (!argv || !argv[0])
		return error("%s: no command to run (give -p PID or -- COMMAND ARGS)",
			     error_command());
	if (pipe2(go, O_CLOEXEC) < 0 || pipe2(ex, O_CLOEXEC) < 0)
		return error("%s: pipe: %s (close some files or raise the limit: ulimit -n)",
			     error_command(), strerror(errno));
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(go[0]);
		close(go[1]);
		close(ex[0]);
		close(ex[1]);
		return error("%s: fork: %s (too many processes or too little memory: end some and retry)",
			     error_command(), strerror(errno));
	}
	if (pid == 0) {
		char byte;
		int err;

		/* die with scorch, even by SIGKILL; had scorch already died
		 * before this line, we were reparented: leave now */
		if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 || getppid() != parent)
			_exit(127);
		close(go[1]);
		close(ex[0]);
		if (read(go[0], &byte, 1) != 1)
			_exit(127);	/* the parent gave up */
		close(go[0]);
		execvp(argv[0], (char *const *)argv);
		err = errno;
		if (write(ex[1], &err, sizeof(err)) < 0)
			_exit(127);
		_exit(127);
	}
	close(go[0]);
	close(ex[1]);
	t->pid = pid;
	t->spawned = 1;
	t->go_fd = go[1];
	t->exec_fd = ex[0];
	t->argv0 = argv[0];
	return 0;
}

int target_start(struct target *t)
{
	int err;
	ssize_t n;

	if (write(t->go_fd, "g", 1) != 1) {
		close(t->go_fd);
		t->go_fd = -1;
		target_wait(t);
		return error("%s: could not start the command: %s (run it once by hand to see why)",
			     error_command(), strerror(errno));
	}
	close(t->go_fd);
	t->go_fd = -1;
	do
		n = read(t->exec_fd, &err, sizeof(err));
	while (n < 0 && errno == EINTR);
	close(t->exec_fd);
	t->exec_fd = -1;
	if (n == (ssize_t)sizeof(err)) {
		target_wait(t);
		return error("%s: cannot run '%s': %s (check the command name and PATH)",
			     error_command(),
			     t->argv0, strerror(err));
	}
	return 0;
}

void target_abort(struct target *t)
{
	if (t->go_fd >= 0) {
		close(t->go_fd);
		t->go_fd = -1;
	}
	if (t->exec_fd >= 0) {
		close(t->exec_fd);
		t->exec_fd = -1;
	}
	if (t->spawned && !t->exited)
		target_wait(t);
}

int target_attach(struct target *t, pid_t pid)
{
	target_init(t);
	t->pid = pid;
	if (pid <= 0)
		return error("%s: invalid pid %d (give the pid of a running process)",
			     error_command(), (int)pid);
	if (kill(pid, 0) < 0 && errno == ESRCH)
		return error("pid %d: no such process (check the pid with ps)", (int)pid);
	t->stat_fd = open_stat(pid);
	return 0;
}

void target_release(struct target *t)
{
	if (t->stat_fd >= 0)
		close(t->stat_fd);
	t->stat_fd = -1;
}

/* Whether an attached target is a zombie or gone.  Its /proc/PID/stat,
 * kept open, is read again at each look: one system call, where kill,
 * open, read and close were four (the loop looks 100 times a second).
 * Once the process is reaped the open file reads ESRCH, even when its
 * pid has been reused. */
static int zombie_or_gone(struct target *t)
{
	char buf[512], *paren;
	ssize_t n;
	int fd = t->stat_fd;

	if (fd < 0) {
		if (kill(t->pid, 0) < 0 && errno == ESRCH)
			return 1;
		fd = open_stat(t->pid);
		if (fd < 0)
			return 1;
	}
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	if (fd != t->stat_fd)
		close(fd);
	if (n <= 0)
		return 1;
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	return paren && (paren[2] == 'Z' || paren[2] == 'X');
}

int target_alive(struct target *t)
{
	if (t->exited)
		return 0;
	if (t->spawned) {
		int status;
		pid_t r = waitpid(t->pid, &status, WNOHANG);

		if (r == t->pid) {
			t->exited = 1;
			t->status = status;
		} else if (r < 0 && errno == ECHILD) {
			t->exited = 1;
		}
	} else if (zombie_or_gone(t)) {
		t->exited = 1;
	}
	return !t->exited;
}

int target_wait(struct target *t)
{
	int status;

	while (t->spawned && !t->exited) {
		pid_t r = waitpid(t->pid, &status, 0);

		if (r == t->pid) {
			t->exited = 1;
			t->status = status;
		} else if (r < 0 && errno != EINTR) {
			t->exited = 1;
		} else if (r < 0) {
			return -1;	/* interrupted: the caller decides */
		}
	}
	return target_exit_code(t);
}

int target_exit_code(const struct target *t)
{
	if (!t->spawned || !t->exited)
		return 0;
	if (WIFEXITED(t->status))
		return WEXITSTATUS(t->status);
	if (WIFSIGNALED(t->status))
		return 128 + WTERMSIG(t->status);
	return 1;
}

const char *target_exit_text(const struct target *t, char *buf, size_t n)
{
	if (WIFSIGNALED(t->status))
		snprintf(buf, n, "was killed by signal %d (%s)",
			 WTERMSIG(t->status), strsignal(WTERMSIG(t->status)));
	else if (WIFEXITED(t->status))
		snprintf(buf, n, "exited with status %d",
			 WEXITSTATUS(t->status));
	else
		snprintf(buf, n, "ended (wait status %#x)", t->status);
	return buf;
}
