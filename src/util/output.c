/*
 * output.c - writing outputs: temporary file and rename for files, in
 * place for everything else (see output.h; output_path.c decides which).
 *
 * Writes go through a stdio stream of our own (fopencookie) so the first
 * failed write's errno is kept for the message: stdio alone only says
 * that something failed.  While a temporary file exists, a fatal signal
 * whose disposition is still the default removes it before scorch dies.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "util/error.h"
#include "util/output.h"
#include "util/output_path.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define MAX_OPEN_OUTPUTS 16

static struct output *volatile open_outputs[MAX_OPEN_OUTPUTS];

static void track(struct output *out, int add)
{
	int i;

	for (i = 0; i < MAX_OPEN_OUTPUTS; i++) {
		if (add && !open_outputs[i]) {
			open_outputs[i] = out;
			return;
		}
		if (!add && open_outputs[i] == out) {
			open_outputs[i] = NULL;
			return;
		}
	}
}

void output_abort_all(void)
{
	int i;

	for (i = 0; i < MAX_OPEN_OUTPUTS; i++) {
		struct output *out = open_outputs[i];

		if (out && out->tmp_path)
			unlink(out->tmp_path);
	}
}

static void on_fatal_signal(int sig)
{
	output_abort_all();
	raise(sig);	/* SA_RESETHAND: the default action, once we return */
}

/* Ctrl-C, a hangup, kill or a closed pipe during a write must not leave
 * a temporary file; signals a command handles itself are left alone. */
static void remove_temporaries_on_signals(void)
{
	static const int signals[] = { SIGINT, SIGTERM, SIGHUP, SIGPIPE };
	static int done;
	struct sigaction sa, old;
	size_t i;

	if (done)
		return;
	done = 1;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fatal_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if (sigaction(signals[i], NULL, &old) == 0 &&
		    !(old.sa_flags & SA_SIGINFO) && old.sa_handler == SIG_DFL)
			sigaction(signals[i], &sa, NULL);
}

/* fopencookie's write: all of buf, or -1 with the cause kept in out->err */
static ssize_t stream_write(void *cookie, const char *buf, size_t size)
{
	struct output *out = cookie;
	size_t done = 0;

	if (out->err)
		return -1;
	while (done < size) {
		ssize_t n = write(out->fd, buf + done, size - done);

		if (n > 0) {
			done += (size_t)n;
		} else if (n < 0 && errno == EINTR) {
			continue;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			/* someone made the descriptor non-blocking */
			struct pollfd p = { .fd = out->fd, .events = POLLOUT };

			poll(&p, 1, -1);
		} else {
			out->err = n < 0 ? errno : EIO;
			return -1;
		}
	}
	return (ssize_t)size;
}

static int start_stream(struct output *out)
{
	cookie_io_functions_t io = { .write = stream_write };

	out->fp = fopencookie(out, "w", io);
	if (!out->fp)
		return error("%s: cannot open an output stream: %s (free some memory and retry)",
			     out->path, strerror(errno));
	setvbuf(out->fp, NULL, _IOFBF, 1 << 16);
	return 0;
}

static const char *create_hint(int err)
{
	switch (err) {
	case ENOENT:
		return "does its directory exist?";
	case EACCES:
	case EPERM:
		return "check the directory's permissions";
	case EROFS:
		return "the file system is read-only; write elsewhere";
	case ENOSPC:
	case EDQUOT:
		return "the disk is full; free some space or write elsewhere";
	default:
		return "check the path and write somewhere else if it persists";
	}
}

/* A temporary file in the directory of the file it will replace:
 * NAME.tmp-XXXXXX, or .scorch-XXXXXX there when NAME is too long. */
static int create_temporary(const char *file, char **tmp_path)
{
	struct strbuf tmp;
	int fd;

	strbuf_init(&tmp);
	strbuf_addf(&tmp, "%s.tmp-XXXXXX", file);
	fd = mkostemp(tmp.buf, O_CLOEXEC);
	if (fd < 0 && errno == ENAMETOOLONG) {
		char *dir = output_path_dir(file);

		strbuf_reset(&tmp);
		strbuf_addf(&tmp, "%s/.scorch-XXXXXX", dir);
		free(dir);
		fd = mkostemp(tmp.buf, O_CLOEXEC);
	}
	if (fd < 0) {
		int err = errno;

		strbuf_release(&tmp);
		errno = err;
		return -1;
	}
	*tmp_path = strbuf_detach(&tmp);
	return fd;
}

static int open_replacement(struct output *out, const struct output_path *where)
{
	int fd = create_temporary(where->file, &out->tmp_path);

	if (fd < 0)
		return error("%s: cannot create output: %s (%s)", out->path,
			     strerror(errno), create_hint(errno));
	if (where->exists) {
		/* the replacement keeps the old file's permissions and, when
		 * we may, its owner (never set-id bits) */
		if (geteuid() == 0 && fchown(fd, where->uid, where->gid) < 0) {
			/* keep ours */
		}
		fchmod(fd, where->mode & 0777);
	} else {
		/* mkostemp makes 0600; outputs are ordinary files */
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	out->fd = fd;
	out->own_fd = 1;
	out->final_path = xstrdup(where->file);
	track(out, 1);
	remove_temporaries_on_signals();
	return 0;
}

/* A named socket is written by connecting to it. */
static int connect_socket(const char *file)
{
	struct sockaddr_un sa;
	int fd, err;

	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	if (strlen(file) >= sizeof(sa.sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sa.sun_path, file, strlen(file) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = errno;
		close(fd);
		errno = err;
		return -1;
	}
	return fd;
}

static int open_in_place(struct output *out, const struct output_path *where)
{
	/* O_TRUNC only ever truncates a regular file (another process's
	 * /proc/PID/fd/N): devices and FIFOs ignore it */
	int fd = open(where->file, O_WRONLY | O_TRUNC | O_NOCTTY | O_CLOEXEC);

	if (fd < 0 && errno == ENXIO) {
		struct stat st;

		if (stat(where->file, &st) == 0 && S_ISSOCK(st.st_mode))
			fd = connect_socket(where->file);
		else
			errno = ENXIO;
	}
	if (fd < 0)
		return error("%s: cannot open output: %s (%s)", out->path,
			     strerror(errno), errno == EACCES ?
			     "check its permissions" : "check the path");
	out->fd = fd;
	out->own_fd = 1;
	return 0;
}

/* Our own descriptor: checked for writing, then a duplicate of it is
 * written (at its offset, so "> file" and ">> file" work as for any
 * program writing to it). */
static int check_descriptor(const char *name, int fd)
{
	int flags = fcntl(fd, F_GETFL);

	if (flags < 0)
		return error("%s: descriptor %d is not open (open it, e.g. %d>FILE, or give a file name)",
			     name, fd, fd);
	if ((flags & O_ACCMODE) == O_RDONLY)
		return error("%s: descriptor %d is open for reading only (give a file name)",
			     name, fd);
	return 0;
}

static int open_descriptor(struct output *out, int fd)
{
	if (check_descriptor(out->path, fd) < 0)
		return -1;
	fflush(stdout);		/* what was printed before comes first */
	out->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	if (out->fd < 0)
		return error("%s: cannot use descriptor %d: %s (close some files or raise the limit: ulimit -n)",
			     out->path, fd, strerror(errno));
	out->own_fd = 1;
	return 0;
}

static void forget(struct output *out)
{
	track(out, 0);
	if (out->own_fd && out->fd >= 0)
		close(out->fd);
	out->fd = -1;
	out->own_fd = 0;
	free(out->path);
	free(out->tmp_path);
	free(out->final_path);
	out->path = out->tmp_path = out->final_path = NULL;
	out->fp = NULL;
}

int output_open(struct output *out, const char *path)
{
	struct output_path where;
	int ret;

	memset(out, 0, sizeof(*out));
	out->fd = -1;
	if (!strcmp(path, "-")) {
		out->path = xstrdup("<stdout>");
		ret = open_descriptor(out, 1);
	} else {
		out->path = xstrdup(path);
		if (output_path_resolve(path, &where) < 0) {
			forget(out);
			return -1;
		}
		if (where.kind == OUTPUT_REPLACE)
			ret = open_replacement(out, &where);
		else if (where.kind == OUTPUT_IN_PLACE)
			ret = open_in_place(out, &where);
		else
			ret = open_descriptor(out, where.fd);
		output_path_release(&where);
	}
	if (!ret)
		ret = start_stream(out);
	if (ret < 0) {
		if (out->tmp_path)
			unlink(out->tmp_path);
		forget(out);
		return -1;
	}
	return 0;
}

int output_write_failed(const struct output *out)
{
	return out->err || (out->fp && ferror(out->fp));
}

int output_check(const char *path)
{
	struct output_path where;
	char *tmp = NULL;
	int fd, ret = 0;

	if (!strcmp(path, "-"))
		return check_descriptor("<stdout>", 1);
	if (output_path_resolve(path, &where) < 0)
		return -1;
	switch (where.kind) {
	case OUTPUT_REPLACE:
		fd = create_temporary(where.file, &tmp);
		if (fd < 0) {
			ret = error("%s: cannot create output: %s (%s)", path,
				    strerror(errno), create_hint(errno));
			break;
		}
		close(fd);
		unlink(tmp);
		free(tmp);
		break;
	case OUTPUT_IN_PLACE:
		/* never opened here: a FIFO would wait for its reader */
		if (access(where.file, W_OK) < 0)
			ret = error("%s: cannot write to it: %s (check its permissions)",
				    path, strerror(errno));
		break;
	case OUTPUT_DESCRIPTOR:
		ret = check_descriptor(path, where.fd);
		break;
	}
	output_path_release(&where);
	return ret;
}

static void report_write_error(const struct output *out)
{
	int err = out->err ? out->err : EIO;
	struct strbuf why;

	strbuf_init(&why);
	if (err == ENOSPC || err == EDQUOT)
		strbuf_addstr(&why, "the disk is full; free some space or write elsewhere");
	else if (err == EPIPE)
		strbuf_addstr(&why, "the reader closed it before the end");
	else if (err == EIO)
		strbuf_addstr(&why, "the device failed; see the kernel log");
	if (out->tmp_path)
		strbuf_addf(&why, "%s%s", why.len ? "; " : "",
			    access(out->final_path, F_OK) == 0 ?
			    "the file was left as it was" : "no file was written");
	if (why.len)
		error("%s: write failed: %s (%s)", out->path, strerror(err), why.buf);
	else
		error("%s: write failed: %s (check the disk or whatever reads the output)",
		      out->path, strerror(err));
	strbuf_release(&why);
}

int output_commit(struct output *out)
{
	int failed;

	if (!out->fp)
		return -1;
	failed = fflush(out->fp) != 0 || ferror(out->fp);
	fclose(out->fp);
	out->fp = NULL;
	if (failed && !out->err)
		out->err = EIO;
	/* a full disk or a failing device often shows only here */
	if (!failed && out->tmp_path && fsync(out->fd) < 0 &&
	    errno != EINVAL && errno != EROFS) {
		out->err = errno;
		failed = 1;
	}
	if (out->own_fd && close(out->fd) < 0 && !failed && errno != EINTR) {
		out->err = errno;
		failed = 1;
	}
	out->own_fd = 0;
	out->fd = -1;
	if (failed) {
		if (out->tmp_path)
			unlink(out->tmp_path);
		report_write_error(out);
		forget(out);
		return -1;
	}
	if (out->tmp_path && rename(out->tmp_path, out->final_path) != 0) {
		error("%s: cannot rename into place: %s (check the directory's permissions)",
		      out->path, strerror(errno));
		unlink(out->tmp_path);
		forget(out);
		return -1;
	}
	forget(out);
	return 0;
}

void output_abort(struct output *out)
{
	if (!out->fp)
		return;
	out->err = ECANCELED;	/* fclose must not flush what is discarded */
	fclose(out->fp);
	out->fp = NULL;
	if (out->tmp_path)
		unlink(out->tmp_path);
	forget(out);
}
