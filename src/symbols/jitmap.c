/*
 * jitmap.c - names of JIT-compiled code of one process, from the perf map
 * file /tmp/perf-PID.map ("START SIZE name" lines, hex) and the jitdump
 * file /tmp/jit-PID.dump (CODE_LOAD / CODE_MOVE records).  Layouts:
 * ../shared/reference/formats.md section 5.  Anyone can create files in
 * /tmp, so a file is used only when it is a regular file (not a link)
 * owned by the profiled program's user or root; when it grows only the
 * appended lines/records are read, and at most JITMAP_MAX_BYTES of it.
 * Malformed lines/records are skipped, never fatal.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "symbols/symbols_internal.h"
#include "util/error.h"
#include "util/file_open.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static void jitmap_add(struct symbols_jit *jit, uint64_t start, uint64_t size,
		       const char *name, size_t name_len)
{
	if (!size || !name_len)
		return;
	grow_array((void **)&jit->syms, sizeof(*jit->syms), jit->nr + 1,
		   &jit->alloc);
	jit->syms[jit->nr].start = start;
	jit->syms[jit->nr].size = size;
	jit->syms[jit->nr].name = xstrndup(name, name_len);
	jit->nr++;
}

void jitmap_parse_perf_map(struct symbols_jit *jit, const char *text,
			   size_t len)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *eol = memchr(p, '\n', end - p);
		const char *q;
		char num[40];
		uint64_t start, size;
		size_t n;

		if (!eol)
			break;	/* an unterminated last line is being written */
		q = memchr(p, ' ', eol - p);
		if (!q || (size_t)(q - p) >= sizeof(num))
			goto next;
		memcpy(num, p, q - p);
		num[q - p] = '\0';
		start = strtoull(num, NULL, 16);
		p = q + 1;
		q = memchr(p, ' ', eol - p);
		if (!q || (size_t)(q - p) >= sizeof(num))
			goto next;
		memcpy(num, p, q - p);
		num[q - p] = '\0';
		size = strtoull(num, NULL, 16);
		n = eol - (q + 1);
		if (n && q[n] == '\r')
			n--;
		jitmap_add(jit, start, size, q + 1, n);
next:
		p = eol + 1;
	}
}

static uint32_t read_u32(const unsigned char *p, int swap)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return swap ? __builtin_bswap32(v) : v;
}

static uint64_t read_u64(const unsigned char *p, int swap)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return swap ? __builtin_bswap64(v) : v;
}

/* One jitdump record whose first len bytes (at most its size) are in r:
 * CODE_LOAD adds a name, CODE_MOVE moves one.  Returns 1 if used. */
static int jitmap_parse_record(struct symbols_jit *jit, const unsigned char *r,
			       size_t len, int swap)
{
	uint32_t id = read_u32(r, swap);

	if (id == 0 && len >= 56) {		/* CODE_LOAD */
		uint64_t code_addr = read_u64(r + 32, swap);
		uint64_t code_size = read_u64(r + 40, swap);
		const char *name = (const char *)r + 56;
		size_t max = len - 56;
		size_t n = strnlen(name, max);

		if (n < max) {
			jitmap_add(jit, code_addr, code_size, name, n);
			return 1;
		}
	} else if (id == 1 && len >= 64) {	/* CODE_MOVE */
		uint64_t old_addr = read_u64(r + 32, swap);
		uint64_t new_addr = read_u64(r + 40, swap);

		for (size_t i = 0; i < jit->nr; i++)
			if (jit->syms[i].start == old_addr)
				jit->syms[i].start = new_addr;
		return 1;
	}
	return 0;
}

size_t jitmap_parse_jitdump(struct symbols_jit *jit, const unsigned char *data,
			    size_t len)
{
	size_t pos, accepted = 0;
	int swap;
	uint32_t magic, header_size;

	if (len < 40)
		return 0;
	magic = read_u32(data, 0);
	if (magic == 0x4A695444)
		swap = 0;
	else if (magic == 0x4454694A)
		swap = 1;
	else
		return 0;
	header_size = read_u32(data + 8, swap);
	if (header_size < 40 || header_size > len)
		return 0;
	pos = header_size;
	while (pos + 16 <= len) {
		uint32_t size = read_u32(data + pos + 4, swap);

		if (size < 16 || size > len - pos)
			break;	/* truncated: still being written */
		accepted += (size_t)jitmap_parse_record(jit, data + pos, size, swap);
		pos += size;
	}
	return accepted;
}

static int jit_symbol_cmp(const void *a, const void *b)
{
	const struct jit_symbol *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

void jitmap_sort(struct symbols_jit *jit)
{
	qsort(jit->syms, jit->nr, sizeof(*jit->syms), jit_symbol_cmp);
}

void jitmap_free(struct symbols_jit *jit)
{
	if (!jit)
		return;
	for (size_t i = 0; i < jit->nr; i++)
		free(jit->syms[i].name);
	free(jit->syms);
	free(jit->map.path);
	free(jit->dump.path);
	free(jit);
}

/* The user whose files we trust for pid: the owner of /proc/PID, or, for
 * a process that is gone (a perf.data read later), ourselves. */
static uid_t target_uid(pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d", (int)pid);
	return stat(path, &st) ? getuid() : st.st_uid;
}

/* Opens f if it is a regular file, not a link, owned by the target's
 * user or root; else -1, with one warning per file when it exists. */
static int jit_file_open(struct symbols_jit *jit, struct jit_file *f,
			 struct stat *st)
{
	int fd = file_open_regular(f->path, FILE_OPEN_NOFOLLOW, st);

	if (fd < 0) {
		if (errno != ENOENT && !f->warned++)
			warning("%s: %s: ignored (a JIT symbol file must be a regular file, not a link)",
				f->path, errno == ELOOP ? "a symbolic link" :
				errno == EINVAL ? "not a regular file" :
				strerror(errno));
		return -1;
	}
	if (st->st_uid != 0 && st->st_uid != jit->target_uid) {
		if (!f->warned++)
			warning("%s: owned by uid %u, not by the profiled program's user (uid %u) or root: ignored",
				f->path, (unsigned)st->st_uid,
				(unsigned)jit->target_uid);
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads perf map lines appended since f->done: whole lines only (a line
 * being written is read again next time); a line longer than a chunk is
 * skipped.  Memory: one 64 KiB chunk, whatever the file's size. */
static void read_perf_map(struct symbols_jit *jit, struct jit_file *f, int fd,
			  uint64_t limit)
{
	char buf[65536];
	size_t have = 0;	/* unconsumed bytes at the start of buf */

	while (f->done + have < limit) {
		uint64_t left = limit - f->done - have;
		size_t want = sizeof(buf) - have < left ?
			sizeof(buf) - have : (size_t)left;
		ssize_t n = pread(fd, buf + have, want, (off_t)(f->done + have));
		const char *from = buf, *last;
		size_t used;

		if (n <= 0)
			break;
		jit->bytes_read += (uint64_t)n;
		have += (size_t)n;
		last = memrchr(buf, '\n', have);
		if (!last) {
			if (have == sizeof(buf)) {	/* an overlong line */
				f->done += have;
				have = 0;
				f->skip_line = 1;
			}
		} else {
			if (f->skip_line) {
				from = (const char *)memchr(buf, '\n', have) + 1;
				f->skip_line = 0;
			}
			jitmap_parse_perf_map(jit, from, (size_t)(last + 1 - from));
			used = (size_t)(last + 1 - buf);
			memmove(buf, buf + used, have - used);
			have -= used;
			f->done += used;
		}
		if ((size_t)n < want)
			break;		/* the end, or a line being written */
	}
}

/* Reads jitdump records appended since f->done, one pread per record of
 * at most its fixed part and a name; code bytes are never read. */
static void read_jitdump(struct symbols_jit *jit, struct jit_file *f, int fd,
			 uint64_t limit)
{
	unsigned char rec[56 + 4096];

	if (!f->done) {
		uint32_t magic, header_size;

		if (limit < 40 || pread(fd, rec, 40, 0) != 40)
			return;
		jit->bytes_read += 40;
		memcpy(&magic, rec, 4);
		if (magic != 0x4A695444 && magic != 0x4454694A)
			return;
		f->swap = magic == 0x4454694A;
		header_size = read_u32(rec + 8, f->swap);
		if (header_size < 40 || header_size > limit)
			return;
		f->done = header_size;
	}
	while (f->done + 16 <= limit) {
		uint64_t left = limit - f->done;
		size_t want = left < sizeof(rec) ? (size_t)left : sizeof(rec);
		ssize_t n = pread(fd, rec, want, (off_t)f->done);
		uint32_t size;

		if (n < 16)
			break;
		jit->bytes_read += (uint64_t)n;
		size = read_u32(rec + 4, f->swap);
		if (size < 16 || size > left)
			break;		/* still being written */
		jitmap_parse_record(jit, rec, (size_t)n < size ? (size_t)n : size,
				    f->swap);
		f->done += size;
	}
}

static void jit_drop_symbols(struct symbols_jit *jit)
{
	for (size_t i = 0; i < jit->nr; i++)
		free(jit->syms[i].name);
	jit->nr = 0;
	jit->map.done = jit->dump.done = 0;
	jit->map.skip_line = 0;
}

/* Looks at one file: reads what was appended, or everything again when
 * it was replaced or truncated.  Returns 1 when symbols were dropped. */
static int refresh_file(struct symbols_jit *jit, struct jit_file *f, int dump)
{
	struct stat st;
	uint64_t limit;
	int fd, dropped = 0;

	if (lstat(f->path, &st)) {
		f->size = -1;
		return 0;
	}
	if (f->size == (long long)st.st_size && f->dev == st.st_dev &&
	    f->ino == st.st_ino)
		return 0;		/* unchanged since the last look */
	f->size = -1;
	fd = jit_file_open(jit, f, &st);
	if (fd < 0)
		return 0;
	if (f->done && (f->dev != st.st_dev || f->ino != st.st_ino ||
			(uint64_t)st.st_size < f->done)) {
		jit_drop_symbols(jit);
		dropped = 1;
	}
	f->dev = st.st_dev;
	f->ino = st.st_ino;
	f->size = (long long)st.st_size;
	limit = (uint64_t)st.st_size;
	if (limit > JITMAP_MAX_BYTES) {
		if (!f->warned++)
			warning("%s: larger than %llu MiB: only its start is read",
				f->path, JITMAP_MAX_BYTES >> 20);
		limit = JITMAP_MAX_BYTES;
	}
	if (dump)
		read_jitdump(jit, f, fd, limit);
	else
		read_perf_map(jit, f, fd, limit);
	close(fd);
	return dropped;
}

void jitmap_refresh(struct symbols_process *proc)
{
	struct symbols_jit *jit = proc->jit;
	size_t before;

	if (!jit) {
		struct strbuf path;

		jit = proc->jit = xcalloc(1, sizeof(*jit));
		jit->map.size = jit->dump.size = -1;
		jit->target_uid = target_uid(proc->pid);
		char *tmp = proc_file_path(proc, "/tmp");
		pid_t ns_pid = proc_ns_pid(proc);

		/* in the process's own /tmp, named by its own pid */
		strbuf_init(&path);
		strbuf_addf(&path, "%s/perf-%d.map", tmp, (int)ns_pid);
		jit->map.path = strbuf_detach(&path);
		strbuf_addf(&path, "%s/jit-%d.dump", tmp, (int)ns_pid);
		jit->dump.path = strbuf_detach(&path);
		free(tmp);
	}
	before = jit->nr;
	if (refresh_file(jit, &jit->map, 0) | refresh_file(jit, &jit->dump, 1)) {
		/* one file was replaced: both are read again from the start */
		jit->map.size = jit->dump.size = -1;
		refresh_file(jit, &jit->map, 0);
		refresh_file(jit, &jit->dump, 1);
		before = 0;
	}
	if (jit->nr != before)
		jitmap_sort(jit);
}

static const struct jit_symbol *jitmap_search(struct symbols_jit *jit,
					      uint64_t addr)
{
	size_t lo = 0, hi = jit->nr;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (jit->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* later entries may overlap earlier ones: look back a little */
	for (size_t i = lo; i > 0 && lo - i < 8; i--) {
		const struct jit_symbol *j = &jit->syms[i - 1];
		if (addr - j->start < j->size)
			return j;
	}
	return NULL;
}

const struct jit_symbol *jitmap_find(struct symbols_process *proc,
				     uint64_t addr)
{
	const struct jit_symbol *j = proc->jit ?
		jitmap_search(proc->jit, addr) : NULL;

	if (j)
		return j;
	jitmap_refresh(proc);
	return jitmap_search(proc->jit, addr);
}
