/*
 * kallsyms.c - kernel text symbols from /proc/kallsyms, searched by
 * address.  A symbol covers everything up to the next one.  Never fails
 * loudly: hidden addresses (kptr_restrict) simply give no symbols and
 * kernel frames print as [unknown].
 *
 * The file is read once per process (reading it costs the kernel tens to
 * hundreds of milliseconds) into one table that every struct symbols
 * borrows and none frees.  The read may run in a background thread
 * (kallsyms_preload); every reader joins it first (kallsyms_load).
 * Before reading it, lookups ask this boot's saved copy of the core
 * kernel's symbols (kallsyms_cache.c); a full read saves that copy.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "symbols/symbols_internal.h"
#include "util/xalloc.h"

static int kernel_symbol_cmp(const void *a, const void *b)
{
	const struct kernel_symbol *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* The process-wide table: written once under table_once, then read-only. */
static char *table_text;			/* /proc/kallsyms contents */
static struct kernel_symbol *table;
static size_t table_nr;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;
/* This boot's saved core symbols, opened once: mapped for good. */
static struct kallsyms_cache cache;
static int cache_ok;
static pthread_once_t cache_once = PTHREAD_ONCE_INIT;

static void cache_open(void)
{
	cache_ok = !kallsyms_cache_open(&cache);
}

/* The hexadecimal number at *p (advanced past it); -1 digits = none. */
static uint64_t parse_hex(char **p, int *digits)
{
	uint64_t v = 0;
	char *q = *p;
	int n = 0;

	for (;; q++, n++) {
		unsigned c = (unsigned char)*q, d;

		if (c - '0' < 10)
			d = c - '0';
		else if ((c | 0x20) - 'a' < 6)
			d = (c | 0x20) - 'a' + 10;
		else
			break;
		v = v << 4 | d;
	}
	*p = q;
	*digits = n;
	return v;
}

/* Reads all of /proc/kallsyms with read() straight into one buffer (no
 * stdio copy); NUL-terminated, malloc'ed; NULL when unreadable. */
static char *read_all(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t alloc = 8 << 20, n = 0;
	char *buf;
	ssize_t got;

	if (fd < 0)
		return NULL;
	buf = xmalloc(alloc);
	for (;;) {
		if (alloc - n < 65536 + 1) {
			alloc *= 2;
			buf = xrealloc(buf, alloc);
		}
		got = read(fd, buf + n, alloc - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
}

static void table_read(void)
{
	size_t alloc = 0, i, len;
	uint64_t first_tagged = UINT64_MAX;	/* module, BPF, trampoline */
	uint64_t etext = 0, einittext = 0;	/* ends of the core's text */
	char *p, *end;

	table_text = read_all("/proc/kallsyms", &len);
	if (!table_text)
		return;
	p = table_text;
	end = p + len;
	while (p < end) {
		char *line_end = memchr(p, '\n', (size_t)(end - p));
		char *type, *name, *q = p;
		uint64_t addr;
		int digits;

		if (!line_end)
			line_end = end;
		*line_end = '\0';
		addr = parse_hex(&q, &digits);
		if (!digits || *q != ' ')
			goto next;
		type = q + 1;
		if (!*type || type[1] != ' ')
			goto next;
		if (*type != 't' && *type != 'T' && *type != 'w' && *type != 'W')
			goto next;
		name = type + 2;
		q = memchr(name, '\t', (size_t)(line_end - name)); /* "\t[module]" */
		if (q)
			*q = '\0';
		if (!addr)
			goto next;
		if (q && addr < first_tagged)
			first_tagged = addr;
		if (!q && !strcmp(name, "_etext"))
			etext = addr;
		if (!q && !strcmp(name, "_einittext"))
			einittext = addr;
		if (table_nr == alloc) {
			alloc = alloc ? alloc * 2 : 65536;
			table = xrealloc(table, alloc * sizeof(*table));
		}
		table[table_nr].start = addr;
		table[table_nr].name = name;
		table_nr++;
next:
		p = line_end + 1;
	}
	/* the kernel lists them sorted already; qsort (stable in glibc)
	 * would keep that order, so skip it when there is nothing to do */
	for (i = 1; i < table_nr; i++)
		if (table[i].start < table[i - 1].start)
			break;
	if (i < table_nr)
		qsort(table, table_nr, sizeof(*table), kernel_symbol_cmp);
	/* the cache holds the core's text only: below its end markers and
	 * below the first tagged symbol (BPF programs JITed later land in
	 * the module area, which a kernel without modules lists nothing
	 * of); no marker, no cache */
	if (einittext < etext)
		einittext = etext;
	pthread_once(&cache_once, cache_open);
	if (table_nr && !cache_ok && einittext)
		kallsyms_cache_save(table, table_nr,
				    einittext < first_tagged ? einittext :
							       first_tagged);
}

static void kallsyms_read(struct symbols *s)
{
	pthread_once(&table_once, table_read);
	s->kernel = table;
	s->nr_kernel = table_nr;
}

static void *kallsyms_thread(void *arg)
{
	kallsyms_read(arg);
	return NULL;
}

void kallsyms_preload(struct symbols *s)
{
	if (s->kernel_tried || (s->flags & SYMBOLS_NO_KERNEL))
		return;
	pthread_once(&cache_once, cache_open);
	if (cache_ok)
		return;		/* most lookups need no read */
	s->kernel_tried = 1;
	if (!pthread_create(&s->kernel_thread, NULL, kallsyms_thread, s))
		s->kernel_loading = 1;
	else
		kallsyms_read(s);
}

void kallsyms_join(struct symbols *s)
{
	if (s->kernel_loading) {
		pthread_join(s->kernel_thread, NULL);
		s->kernel_loading = 0;
	}
}

void kallsyms_load(struct symbols *s)
{
	kallsyms_join(s);
	if (s->kernel_tried)
		return;
	s->kernel_tried = 1;
	kallsyms_read(s);
}

int kallsyms_find(struct symbols *s, uint64_t addr, struct kernel_symbol *out)
{
	size_t lo = 0, hi;

	if (!s->kernel_tried || s->kernel_loading) {
		int found;

		pthread_once(&cache_once, cache_open);
		found = cache_ok ? kallsyms_cache_find(&cache, addr, out) : -1;
		if (found >= 0)
			return found ? 0 : -1;
	}
	kallsyms_load(s);
	hi = s->nr_kernel;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->kernel[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return -1;
	*out = s->kernel[lo - 1];
	return 0;
}

size_t symbols_kernel_count(struct symbols *s)
{
	kallsyms_load(s);
	return s->nr_kernel;
}
