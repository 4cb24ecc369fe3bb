/*
 * jitmap.c - names of JIT-compiled code of one process, from the perf map
 * file /tmp/perf-PID.map ("START SIZE name" lines, hex) and the jitdump
 * file /tmp/jit-PID.dump (CODE_LOAD / CODE_MOVE records).  Layouts:
 * ../shared/reference/formats.md section 5.  Both files are re-read when
 * they grow.  Malformed lines/records are skipped, never fatal.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "symbols/symbols_internal.h"
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
		uint32_t id = read_u32(data + pos, swap);
		uint32_t size = read_u32(data + pos + 4, swap);
		const unsigned char *r = data + pos;

		if (size < 16 || size > len - pos)
			break;	/* truncated: still being written */
		if (id == 0 && size >= 56) {		/* CODE_LOAD */
			uint64_t code_addr = read_u64(r + 32, swap);
			uint64_t code_size = read_u64(r + 40, swap);
			const char *name = (const char *)r + 56;
			size_t max = size - 56;
			size_t n = strnlen(name, max);
			if (n < max) {
				jitmap_add(jit, code_addr, code_size, name, n);
				accepted++;
			}
		} else if (id == 1 && size >= 64) {	/* CODE_MOVE */
			uint64_t old_addr = read_u64(r + 32, swap);
			uint64_t new_addr = read_u64(r + 40, swap);
			for (size_t i = 0; i < jit->nr; i++)
				if (jit->syms[i].start == old_addr)
					jit->syms[i].start = new_addr;
			accepted++;
		}
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
	free(jit->map_path);
	free(jit->dump_path);
	free(jit);
}

static int read_whole(const char *path, struct strbuf *sb)
{
	FILE *fp = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (!fp)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(sb, buf, n);
	fclose(fp);
	return 0;
}

static long long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long long)st.st_size;
}

/* Re-reads both files when either changed size since the last load. */
static void jitmap_refresh(struct symbols_process *proc)
{
	struct symbols_jit *jit = proc->jit;
	long long map_size, dump_size;
	struct strbuf sb;

	if (!jit) {
		struct strbuf path;
		jit = proc->jit = xcalloc(1, sizeof(*jit));
		jit->map_size = jit->dump_size = -1;
		char *tmp = proc_file_path(proc, "/tmp");
		pid_t ns_pid = proc_ns_pid(proc);

		/* in the process's own /tmp, named by its own pid */
		strbuf_init(&path);
		strbuf_addf(&path, "%s/perf-%d.map", tmp, (int)ns_pid);
		jit->map_path = strbuf_detach(&path);
		strbuf_addf(&path, "%s/jit-%d.dump", tmp, (int)ns_pid);
		jit->dump_path = strbuf_detach(&path);
		free(tmp);
	}
	map_size = file_size(jit->map_path);
	dump_size = file_size(jit->dump_path);
	if (map_size == jit->map_size && dump_size == jit->dump_size)
		return;
	jit->map_size = map_size;
	jit->dump_size = dump_size;
	for (size_t i = 0; i < jit->nr; i++)
		free(jit->syms[i].name);
	jit->nr = 0;
	strbuf_init(&sb);
	if (map_size > 0 && !read_whole(jit->map_path, &sb))
		jitmap_parse_perf_map(jit, sb.buf ? sb.buf : "", sb.len);
	strbuf_reset(&sb);
	if (dump_size > 0 && !read_whole(jit->dump_path, &sb))
		jitmap_parse_jitdump(jit, (const unsigned char *)strbuf_str(&sb),
				     sb.len);
	strbuf_release(&sb);
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
