/*
 * kallsyms.c - kernel text symbols from /proc/kallsyms, searched by
 * address.  A symbol covers everything up to the next one.  Never fails
 * loudly: hidden addresses (kptr_restrict) simply give no symbols and
 * kernel frames print as [unknown].
 *
 * The file is read once per process (reading it costs the kernel a few
 * hundred milliseconds) into one table that every struct symbols borrows
 * and none frees.  The read may run in a background thread
 * (kallsyms_preload); every reader joins it first (kallsyms_load).
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/symbols_internal.h"
#include "util/strbuf.h"
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

static void table_read(void)
{
	FILE *fp;
	struct strbuf sb;
	char buf[65536];
	size_t n, alloc = 0, i;
	char *p, *end;

	fp = fopen("/proc/kallsyms", "r");
	if (!fp)
		return;
	strbuf_init(&sb);
	while ((n = fread(buf, 1, sizeof(buf), fp)) > 0)
		strbuf_add(&sb, buf, n);
	fclose(fp);
	table_text = strbuf_detach(&sb);
	p = table_text;
	end = p + strlen(p);
	while (p < end) {
		char *line_end = strchr(p, '\n');
		char *type, *name, *q;
		uint64_t addr;

		if (!line_end)
			line_end = end;
		*line_end = '\0';
		addr = strtoull(p, &q, 16);
		if (q == p || *q != ' ')
			goto next;
		type = q + 1;
		if (!*type || type[1] != ' ')
			goto next;
		if (*type != 't' && *type != 'T' && *type != 'w' && *type != 'W')
			goto next;
		name = type + 2;
		q = strchr(name, '\t');	/* "\t[module]" */
		if (q)
			*q = '\0';
		if (!addr)
			goto next;
		grow_array((void **)&table, sizeof(*table), table_nr + 1,
			   &alloc);
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

const struct kernel_symbol *kallsyms_find(struct symbols *s, uint64_t addr)
{
	size_t lo = 0, hi;

	kallsyms_load(s);
	hi = s->nr_kernel;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->kernel[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &s->kernel[lo - 1] : NULL;
}

size_t symbols_kernel_count(struct symbols *s)
{
	kallsyms_load(s);
	return s->nr_kernel;
}
