/*
 * input.c - buffered, optionally gunzipped input with line splitting.
 *
 * The buffer holds [start, end) of not-yet-consumed decoded bytes.  Lines
 * are returned in place; the buffer grows only when a single line does not
 * fit.  Raw bytes come from a file descriptor or memory; gzip members are
 * inflated with zlib (concatenated members are supported).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "util/error.h"
#include "util/input.h"
#include "util/xalloc.h"

#define INPUT_BLOCK (1 << 20)

struct input {
	char *name;
	int fd;			/* -1 for memory input */
	const unsigned char *mem;	/* memory input */
	size_t mem_len, mem_pos;

	int gzip, gzip_done, eof, failed;
	z_stream z;
	unsigned char *raw;	/* compressed bytes (gzip only) */

	unsigned char *buf;	/* decoded bytes */
	size_t start, end, alloc;
	unsigned long line_no;
};

static long raw_read(struct input *in, unsigned char *dst, size_t n)
{
	if (in->fd < 0) {
		size_t left = in->mem_len - in->mem_pos;

		if (n > left)
			n = left;
		memcpy(dst, in->mem + in->mem_pos, n);
		in->mem_pos += n;
		return (long)n;
	}
	for (;;) {
		ssize_t r = read(in->fd, dst, n);

		if (r >= 0)
			return (long)r;
		if (errno == EINTR)
			continue;
		error("%s: read failed: %s (check the file or device it comes from)",
		      in->name, strerror(errno));
		return -1;
	}
}

/* Appends decoded bytes at in->end; returns bytes added, 0 at end, -1 error. */
static long fill_decoded(struct input *in, unsigned char *dst, size_t n)
{
	if (!in->gzip)
		return raw_read(in, dst, n);
	in->z.next_out = dst;
	in->z.avail_out = (uInt)n;
	while (in->z.avail_out == n) {
		int ret;

		if (in->z.avail_in == 0 && !in->gzip_done) {
			long r = raw_read(in, in->raw, INPUT_BLOCK);

			if (r < 0)
				return -1;
			if (r == 0) {
				if (in->z.total_in && !in->gzip_done) {
					error("%s: truncated gzip data (the file ends inside a compressed stream; re-copy it)",
					      in->name);
					return -1;
				}
				return 0;
			}
			in->z.next_in = in->raw;
			in->z.avail_in = (uInt)r;
		}
		if (in->gzip_done)
			return 0;
		ret = inflate(&in->z, Z_NO_FLUSH);
		if (ret == Z_STREAM_END) {
			/* Another member may follow. */
			if (in->z.avail_in == 0) {
				long r = raw_read(in, in->raw, INPUT_BLOCK);

				if (r <= 0) {
					in->gzip_done = 1;
					break;
				}
				in->z.next_in = in->raw;
				in->z.avail_in = (uInt)r;
			}
			inflateReset(&in->z);
			continue;
		}
		if (ret != Z_OK && ret != Z_BUF_ERROR) {
			error("%s: corrupt gzip data (%s)", in->name,
			      in->z.msg ? in->z.msg : "inflate failed");
			return -1;
		}
		if (ret == Z_BUF_ERROR && in->z.avail_in == 0 && in->gzip_done)
			break;
	}
	return (long)(n - in->z.avail_out);
}

/* Makes sure at least want bytes are buffered (or end of input). */
static int ensure(struct input *in, size_t want)
{
	while (in->end - in->start < want && !in->eof && !in->failed) {
		long r;

		if (in->start > 0 && in->start == in->end) {
			in->start = in->end = 0;
		} else if (in->start > 0 && in->alloc - in->end < INPUT_BLOCK) {
			memmove(in->buf, in->buf + in->start, in->end - in->start);
			in->end -= in->start;
			in->start = 0;
		}
		if (in->alloc - in->end < INPUT_BLOCK)
			grow_array((void **)&in->buf, 1, in->end + INPUT_BLOCK,
				   &in->alloc);
		r = fill_decoded(in, in->buf + in->end, in->alloc - in->end);
		if (r < 0)
			in->failed = 1;
		else if (r == 0)
			in->eof = 1;
		else
			in->end += (size_t)r;
	}
	return in->failed ? -1 : 0;
}

static struct input *input_new(const char *name)
{
	struct input *in = xcalloc(1, sizeof(*in));

	in->name = xstrdup(name);
	in->fd = -1;
	return in;
}

static int start_gzip_detection(struct input *in)
{
	unsigned char magic[2];
	long r = raw_read(in, magic, 2);

	if (r < 0)
		return -1;
	if (r == 2 && magic[0] == 0x1f && magic[1] == 0x8b) {
		in->gzip = 1;
		in->raw = xmalloc(INPUT_BLOCK);
		memset(&in->z, 0, sizeof(in->z));
		if (inflateInit2(&in->z, 15 + 16) != Z_OK)
			return error("%s: cannot start gzip decoder (free some memory and retry)",
				     in->name);
		in->raw[0] = magic[0];
		in->raw[1] = magic[1];
		in->z.next_in = in->raw;
		in->z.avail_in = 2;
		return 0;
	}
	grow_array((void **)&in->buf, 1, INPUT_BLOCK, &in->alloc);
	memcpy(in->buf, magic, (size_t)r);
	in->end = (size_t)r;
	if (r < 2)
		in->eof = 1;
	return 0;
}

struct input *input_open(const char *path)
{
	struct input *in;
	struct stat st;
	int fd;

	if (!strcmp(path, "-")) {
		fd = 0;
		in = input_new("<stdin>");
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			error("%s: cannot open: %s (%s)", path, strerror(errno),
			      errno == EACCES ? "check its permissions" :
			      errno == EISDIR ? "give a file, not a directory" :
			      "check the path");
			return NULL;
		}
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			error("%s: is a directory (give a file)", path);
			close(fd);
			return NULL;
		}
		in = input_new(path);
	}
	in->fd = fd;
	if (start_gzip_detection(in) < 0) {
		input_close(in);
		return NULL;
	}
	return in;
}

struct input *input_from_memory(const void *data, size_t len, const char *name)
{
	struct input *in = input_new(name);

	in->mem = data;
	in->mem_len = len;
	if (start_gzip_detection(in) < 0) {
		input_close(in);
		return NULL;
	}
	return in;
}

void input_close(struct input *in)
{
	if (!in)
		return;
	if (in->gzip)
		inflateEnd(&in->z);
	if (in->fd > 0)
		close(in->fd);
	free(in->raw);
	free(in->buf);
	free(in->name);
	free(in);
}

const char *input_name(const struct input *in)
{
	return in->name;
}

int input_was_gzip(const struct input *in)
{
	return in->gzip;
}

size_t input_peek(struct input *in, const unsigned char **data, size_t n)
{
	ensure(in, n);
	*data = in->buf ? in->buf + in->start : (const unsigned char *)"";
	return in->end - in->start < n ? in->end - in->start : n;
}

int input_getline(struct input *in, const char **line, size_t *len)
{
	size_t scanned = 0;

	for (;;) {
		/* an empty input has no buffer: NULL + 0 is undefined */
		unsigned char *p = in->buf ? in->buf + in->start : NULL;
		size_t avail = in->end - in->start;
		unsigned char *nl = avail > scanned ?
			memchr(p + scanned, '\n', avail - scanned) : NULL;

		if (nl) {
			*line = (const char *)p;
			*len = (size_t)(nl - p);
			in->start += *len + 1;
			in->line_no++;
			return 1;
		}
		scanned = avail;
		if (in->eof || in->failed) {
			if (in->failed)
				return -1;
			if (!avail)
				return 0;
			*line = (const char *)p;
			*len = avail;
			in->start = in->end;
			in->line_no++;
			return 1;
		}
		if (ensure(in, avail + 1) < 0)
			return -1;
	}
}

unsigned long input_line_number(const struct input *in)
{
	return in->line_no;
}

long input_read(struct input *in, void *buf, size_t n)
{
	size_t avail;

	if (ensure(in, n < INPUT_BLOCK ? n : INPUT_BLOCK) < 0)
		return -1;
	avail = in->end - in->start;
	if (n > avail)
		n = avail;
	if (!n)
		return 0;	/* in->buf may be NULL */
	memcpy(buf, in->buf + in->start, n);
	in->start += n;
	return (long)n;
}

int input_read_all(struct input *in, unsigned char **data, size_t *len,
		   size_t max)
{
	unsigned char *out = NULL;
	size_t n = 0, alloc = 0;

	for (;;) {
		long r;

		grow_array((void **)&out, 1, n + INPUT_BLOCK, &alloc);
		r = input_read(in, out + n, alloc - n);
		if (r < 0) {
			free(out);
			return -1;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (max && n > max) {
			free(out);
			return error("%s: larger than %zu bytes (give a smaller file)",
				     in->name, max);
		}
	}
	*data = out;
	*len = n;
	return 0;
}
