/*
 * output.c - temporary-file-and-rename output.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/output.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define MAX_OPEN_OUTPUTS 16

static struct output *open_outputs[MAX_OPEN_OUTPUTS];

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

int output_open(struct output *out, const char *path)
{
	struct strbuf tmp;
	int fd;

	memset(out, 0, sizeof(*out));
	if (!strcmp(path, "-")) {
		out->fp = stdout;
		return 0;
	}
	strbuf_init(&tmp);
	strbuf_addf(&tmp, "%s.tmp-XXXXXX", path);
	fd = mkstemp(tmp.buf);
	if (fd < 0) {
		error("%s: cannot create output: %s%s", path, strerror(errno),
		      errno == ENOENT ? " (does its directory exist?)" :
		      errno == EACCES ? " (check the directory's permissions)" : "");
		strbuf_release(&tmp);
		return -1;
	}
	/* mkstemp makes 0600; outputs are ordinary files */
	{
		mode_t mask = umask(0);

		umask(mask);
		fchmod(fd, 0666 & ~mask);
	}
	out->fp = fdopen(fd, "w");
	if (!out->fp) {
		close(fd);
		unlink(tmp.buf);
		strbuf_release(&tmp);
		return error("%s: cannot open output stream", path);
	}
	setvbuf(out->fp, NULL, _IOFBF, 1 << 16);
	out->path = xstrdup(path);
	out->tmp_path = strbuf_detach(&tmp);
	track(out, 1);
	return 0;
}

int output_check(const char *path)
{
	struct output out;
	struct stat st;

	if (!strcmp(path, "-"))
		return 0;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
		return error("%s: cannot create output: it is a directory (give a file name)",
			     path);
	if (output_open(&out, path) < 0)
		return -1;
	output_abort(&out);
	return 0;
}

static void forget(struct output *out)
{
	track(out, 0);
	free(out->path);
	free(out->tmp_path);
	out->path = out->tmp_path = NULL;
	out->fp = NULL;
}

int output_commit(struct output *out)
{
	int failed;

	if (!out->fp)
		return -1;
	if (!out->path) {
		failed = fflush(out->fp) != 0 || ferror(out->fp);
		out->fp = NULL;
		if (failed && errno != EPIPE)
			return error("<stdout>: write failed: %s", strerror(errno));
		return failed ? -1 : 0;
	}
	failed = ferror(out->fp);
	if (fclose(out->fp) != 0)
		failed = 1;
	out->fp = NULL;
	if (failed) {
		error("%s: write failed: %s (is the disk full?)", out->path,
		      strerror(errno));
		unlink(out->tmp_path);
		forget(out);
		return -1;
	}
	if (rename(out->tmp_path, out->path) != 0) {
		error("%s: cannot rename into place: %s", out->path,
		      strerror(errno));
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
	if (!out->path) {
		fflush(out->fp);
		out->fp = NULL;
		return;
	}
	fclose(out->fp);
	unlink(out->tmp_path);
	forget(out);
}

void output_abort_all(void)
{
	int i;

	for (i = 0; i < MAX_OPEN_OUTPUTS; i++)
		if (open_outputs[i] && open_outputs[i]->tmp_path)
			unlink(open_outputs[i]->tmp_path);
}
