/*
 * folded.c - Brendan Gregg's folded stacks ("a;b;c 12"), read and write.
 *
 * Reading follows flamegraph.pl's grammar (reference formats.md section 6):
 * the count is the trailing number, a second trailing number makes the
 * line differential (before after).  Invalid lines are skipped with one
 * warning each and a total.  Writing prints one line per distinct stack,
 * sorted bytewise like stackcollapse-perf.pl, with the counts summed.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/folded.h"
#include "formats/perfscript.h"
#include "formats/formats.h"
#include "model/profile.h"
#include "model/stack_queue.h"
#include "util/error.h"
#include "util/input.h"
#include "util/strbuf.h"
#include "util/strmap.h"
#include "util/text.h"
#include "util/xalloc.h"

#define MAX_WARNINGS 10

static int is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parses a number ending at end (exclusive) of the form \d+(\.\d*)?;
 * returns its start or NULL. */
static const char *number_before(const char *start, const char *end, double *v)
{
	const char *p = end, *digits_end;

	while (p > start && is_digit(p[-1]))
		p--;
	if (p > start && p[-1] == '.') {
		digits_end = p - 1;
		p--;
		while (p > start && is_digit(p[-1]))
			p--;
		if (p == digits_end)
			return NULL;
	} else if (p == end) {
		return NULL;
	}
	/* the number must be preceded by whitespace */
	if (p == start || !is_space(p[-1]))
		return NULL;
	{
		char tmp[64];
		size_t n = (size_t)(end - p);

		if (n >= sizeof(tmp)) {
			char *big = xstrndup(p, n);

			*v = strtod(big, NULL);
			free(big);
		} else {
			memcpy(tmp, p, n);
			tmp[n] = '\0';
			*v = strtod(tmp, NULL);
		}
	}
	return p;
}

int folded_split_line(const char *line, size_t len, size_t *stack_len,
		      double counts[2])
{
	const char *end = line + len, *p, *q;
	double a, b;

	while (end > line && (end[-1] == '\r' || end[-1] == '\n'))
		end--;
	p = number_before(line, end, &a);
	if (!p)
		return 0;
	/* flamegraph.pl's \s+? takes exactly one separator before the count */
	p--;
	q = number_before(line, p, &b);
	if (q && q - 1 > line) {
		counts[0] = b;
		counts[1] = a;
		*stack_len = (size_t)(q - 1 - line);
		return 2;
	}
	if (p == line)
		return 0;
	counts[0] = a;
	counts[1] = 0;
	*stack_len = (size_t)(p - line);
	return 1;
}

/* 1 when the line ends in a negative count ("a;b -5"): flamegraph.pl's
 * grammar has no sign, so such a line is invalid, but it is still a
 * folded line and must not make the file look like something else. */
static int has_negative_count(const char *line, size_t len)
{
	const char *end = line + len, *p;

	while (end > line && (end[-1] == '\r' || end[-1] == '\n'))
		end--;
	p = end;
	while (p > line && (is_digit(p[-1]) || p[-1] == '.'))
		p--;
	return p < end && is_digit(*p) && p - line > 2 && p[-1] == '-' &&
		is_space(p[-2]);
}

/* No NUL or control character but tab and CR: text, not binary. */
static int is_printable(const unsigned char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (s[i] < 0x20 && s[i] != '\t' && s[i] != '\r')
			return 0;
	return 1;
}

/* Counts at or above 2^63 fit no 64-bit counter (pprof's) and their sums
 * reach infinity; such input is refused rather than drawn as "inf". */
#define FOLDED_MAX_COUNT 9223372036854775808.0

/* A Python source file, or one of CPython's pseudo-files (<frozen os>,
 * <string>, <stdin>), which only Python frames name. */
static int has_py_extension(const char *s, size_t len)
{
	return text_ends_with(s, len, ".py") || text_ends_with(s, len, ".pyw") ||
	       (len > 2 && s[0] == '<' && s[len - 1] == '>');
}

uint32_t folded_frame(struct profile *p, const char *name, size_t len)
{
	struct frame f;
	const char *file;
	size_t func_len, file_len;

	memset(&f, 0, sizeof(f));
	/* "py::f:file" from a `python -X perf` recording: a Python frame */
	if (perfscript_python_trampoline(name, len, &func_len, &file,
					 &file_len)) {
		f.name = profile_intern_len(p, name + 4, func_len);
		f.file = profile_intern_len(p, file, file_len);
		f.kind = FRAME_PYTHON;
		return profile_frame(p, &f);
	}
	f.kind = FRAME_NATIVE;
	if (text_ends_with(name, len, "_[k]"))
		f.kind = FRAME_KERNEL;
	else if (text_ends_with(name, len, "_[j]"))
		f.kind = FRAME_JIT;
	else if (text_ends_with(name, len, "_[i]"))
		f.kind = FRAME_INLINED;

	/* "func (path/file.py:12)" -> name, file, line */
	if (f.kind == FRAME_NATIVE && len > 5 && name[len - 1] == ')') {
		const char *open = NULL, *colon = NULL, *s;
		long line = 0;

		for (s = name + len - 2; s > name; s--) {
			if (*s == ':' && !colon)
				colon = s;
			if (s[0] == '(' && s[-1] == ' ') {
				open = s;
				break;
			}
		}
		if (open && colon && colon > open + 1 && colon[1] != '0' &&
		    colon + 1 < name + len - 1) {
			for (s = colon + 1; s < name + len - 1 && is_digit(*s); s++)
				line = line * 10 + (*s - '0');
			if (s == name + len - 1 && line > 0 && line < 1000000000) {
				f.name = profile_intern_len(p, name,
							    (size_t)(open - 1 - name));
				f.file = profile_intern_len(p, open + 1,
							    (size_t)(colon - open - 1));
				f.line = (int32_t)line;
				if (has_py_extension(open + 1,
						     (size_t)(colon - open - 1)))
					f.kind = FRAME_PYTHON;
				return profile_frame(p, &f);
			}
		}
	}
	f.name = profile_intern_len(p, name, len);
	return profile_frame(p, &f);
}

static int folded_probe(const unsigned char *head, size_t len)
{
	size_t line_len, stack_len;
	double counts[2];
	const unsigned char *nl;

	/* skip leading "#" comment lines (austin writes metadata there) */
	while (len && head[0] == '#') {
		nl = memchr(head, '\n', len);
		if (!nl)
			return 0;
		len -= (size_t)(nl + 1 - head);
		head = nl + 1;
	}
	if (!len)
		return 0;
	nl = memchr(head, '\n', len);
	line_len = nl ? (size_t)(nl - head) : len;
	if (memchr(head, '\0', line_len))
		return 0;
	if (folded_split_line((const char *)head, line_len, &stack_len, counts) ||
	    has_negative_count((const char *)head, line_len))
		return 50;
	/*
	 * A first line longer than the window (one stack of millions of
	 * frames) cannot show its count here.  No other text format has a
	 * first line that long except one-line JSON, which starts with '{';
	 * frames separated by ';' in printable text are taken as folded.
	 */
	if (!nl && len >= 4096 && head[0] != '{' && head[0] != '<' &&
	    memchr(head, ';', len) && is_printable(head, len))
		return 20;
	return 0;
}

/*
 * The frames of the previous line, kept so that a line sharing a prefix of
 * frames with it (the common case: folded files are usually sorted) reuses
 * those frames, and the queue their stack ids, instead of interning every
 * frame again.
 */
struct prefix_cache {
	struct strbuf text;	/* previous line's stack text */
	size_t *frame_end;	/* byte offset where frame i ends */
	uint32_t *frame;	/* frame id of frame i */
	size_t nr, alloc_end, alloc_frame;
	struct strmap ids;	/* frame text -> frame id, which spares
				   parsing and interning a name again */
};

static size_t common_prefix(const char *a, size_t alen, const char *b,
			    size_t blen)
{
	size_t n = alen < blen ? alen : blen, i = 0;

	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/* Interns the frames of line[0..len) that differ from the previous
 * line's; returns how many leading frames the two share (c->frame[0..nr)
 * holds all of this line's frame ids). */
static size_t folded_frames(struct profile *p, struct prefix_cache *c,
			    const char *line, size_t len)
{
	size_t same = common_prefix(c->text.buf ? c->text.buf : "", c->text.len,
				    line, len);
	size_t keep = 0, start, i;

	if (same == len && same == c->text.len)
		return c->nr;
	/* frame k is the same when the ';' after it is common to both */
	while (keep < c->nr && c->frame_end[keep] < same)
		keep++;
	c->nr = keep;
	start = keep ? c->frame_end[keep - 1] + 1 : 0;
	for (i = start; i <= len; i++) {
		if (i < len && line[i] != ';')
			continue;
		grow_array((void **)&c->frame_end, sizeof(*c->frame_end),
			   c->nr + 1, &c->alloc_end);
		grow_array((void **)&c->frame, sizeof(*c->frame), c->nr + 1,
			   &c->alloc_frame);
		c->frame_end[c->nr] = i;
		if (!strmap_get(&c->ids, line + start, i - start,
				&c->frame[c->nr])) {
			c->frame[c->nr] = folded_frame(p, line + start,
						       i - start);
			strmap_put(&c->ids, line + start, i - start,
				   c->frame[c->nr]);
		}
		c->nr++;
		start = i + 1;
	}
	strbuf_reset(&c->text);
	strbuf_add(&c->text, line, len);
	return keep;
}

static int folded_read(struct input *in, struct profile *p,
		       const struct read_options *o)
{
	static const char *const diff_types[] = { "before", "after" };
	static const char *const diff_units[] = { "count", "count" };
	const char *line;
	size_t len;
	unsigned long bad = 0, good = 0, negative = 0;
	int shape = 0, r;
	struct prefix_cache cache;
	struct stack_queue *queue = NULL;

	memset(&cache, 0, sizeof(cache));
	strbuf_init(&cache.text);
	strmap_init(&cache.ids);
	if (o->keep_samples)
		p->keep_samples = 1;
	while ((r = input_getline(in, &line, &len)) > 0) {
		double counts[2], values[PROFILE_MAX_VALUES] = { 0 };
		size_t stack_len, keep;
		int n;

		/* blank lines, and "#" comments/metadata (austin, perf) */
		if (len == 0 || (len == 1 && line[0] == '\r') || line[0] == '#')
			continue;
		n = folded_split_line(line, len, &stack_len, counts);
		if (n && !shape) {
			shape = n;
			if (n == 2 && p->nr_totals == 0) {
				profile_set_value_types(p, 2, diff_types,
							diff_units);
				p->meta.differential = PROFILE_DIFF_AFTER;
			}
		}
		if (!n || (n == 2 && !p->meta.differential)) {
			int neg = !n && has_negative_count(line, len);

			negative += neg;
			if (++bad <= MAX_WARNINGS)
				warning("%s:%lu: skipped line: %s", input_name(in),
					input_line_number(in),
					n ? "two counts in a one-count input" :
					neg ? "negative count (counts are >= 0)" :
					"no count at the end (expected 'frame;frame COUNT')");
			continue;
		}
		if (counts[0] >= FOLDED_MAX_COUNT ||
		    (n == 2 && counts[1] >= FOLDED_MAX_COUNT)) {
			r = error("%s:%lu: count %.6g is too large (at most 2^63; scale the counts down)",
				  input_name(in), input_line_number(in),
				  counts[0] >= FOLDED_MAX_COUNT ? counts[0] : counts[1]);
			break;
		}
		values[0] = counts[0];
		if (p->meta.differential)
			values[1] = n == 2 ? counts[1] : 0;
		/* the value types are settled: stacks may go to the queue */
		if (!queue)
			queue = stack_queue_new(p);
		keep = folded_frames(p, &cache, line, stack_len);
		stack_queue_add(queue, (uint32_t)keep, cache.frame + keep,
				cache.nr - keep, 0, (int64_t)input_line_number(in),
				values);
		good++;
	}
	if (queue)
		stack_queue_finish(queue);
	strbuf_release(&cache.text);
	free(cache.frame_end);
	strmap_release(&cache.ids);
	free(cache.frame);
	if (r < 0)
		return -1;
	if (bad)
		warning("%s: skipped %lu invalid line%s of %lu%s", input_name(in),
			bad, bad == 1 ? "" : "s", bad + good,
			negative ? " (lines with negative counts included)" : "");
	return 0;
}

/* Everything the writer sorts: one label string per total. */
struct folded_line {
	size_t offset, len;	/* into the text buffer */
	uint32_t total;		/* index into p->totals */
};

static const char *sort_text;

static int compare_lines(const void *a, const void *b)
{
	const struct folded_line *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(sort_text + x->offset, sort_text + y->offset, n);

	if (c)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

static const char *kind_suffix(const struct write_options *o, int kind)
{
	if (kind == FRAME_KERNEL && o->annotate_kernel)
		return "_[k]";
	if (kind == FRAME_JIT && o->annotate_jit)
		return "_[j]";
	if (kind == FRAME_INLINED && o->annotate_inline)
		return "_[i]";
	return NULL;
}

void folded_append_stack(const struct profile *p, uint32_t stack,
			 uint32_t thread, const struct write_options *o,
			 struct strbuf *sb, uint32_t **scratch, size_t *alloc)
{
	uint32_t depth = p->stacks[stack].depth, i;
	int first = 1;

	grow_array((void **)scratch, sizeof(**scratch), depth + 1, alloc);
	profile_stack_frames(p, stack, *scratch);
	if (o->with_threads && thread) {
		const struct thread_info *t = &p->threads[thread];

		if (t->name)
			strbuf_addf(sb, "%s-%lld", profile_str(p, t->name),
				    (long long)t->tid);
		else
			strbuf_addf(sb, "thread-%lld", (long long)t->tid);
		first = 0;
	}
	for (i = 0; i < depth; i++) {
		const struct frame *f = &p->frames[(*scratch)[i]];
		const char *suffix = kind_suffix(o, f->kind);
		size_t before;

		if (!first)
			strbuf_addch(sb, ';');
		first = 0;
		before = sb->len;
		profile_frame_label(p, (*scratch)[i], sb);
		/* ';' separates frames; a name must never contain one */
		for (; before < sb->len; before++)
			if (sb->buf[before] == ';')
				sb->buf[before] = ':';
		if (suffix && !(sb->len >= 4 &&
				!memcmp(sb->buf + sb->len - 4, suffix, 4)))
			strbuf_addstr(sb, suffix);
	}
}

static int folded_write(const struct profile *p, FILE *out,
			const struct write_options *o)
{
	struct strbuf text, line;
	struct folded_line *lines;
	uint32_t *scratch = NULL;
	size_t alloc = 0, n = 0, i;
	int v, nv = p->meta.differential ? 2 : 1;

	strbuf_init(&text);
	strbuf_init(&line);
	lines = xmalloc((p->nr_totals + 1) * sizeof(*lines));
	for (i = 0; i < p->nr_totals; i++) {
		const struct stack_total *t = &p->totals[i];

		if (t->stack == 0)
			continue;
		lines[n].offset = text.len;
		folded_append_stack(p, t->stack, t->thread, o, &text, &scratch,
				    &alloc);
		lines[n].len = text.len - lines[n].offset;
		lines[n].total = (uint32_t)i;
		n++;
	}
	sort_text = strbuf_str(&text);
	qsort(lines, n, sizeof(*lines), compare_lines);
	for (i = 0; i < n;) {
		double sum[2] = { 0, 0 };
		size_t j = i;

		while (j < n && lines[j].len == lines[i].len &&
		       !memcmp(text.buf + lines[j].offset,
			       text.buf + lines[i].offset, lines[i].len)) {
			for (v = 0; v < nv; v++)
				sum[v] += p->totals[lines[j].total].value[v];
			j++;
		}
		strbuf_reset(&line);
		strbuf_add(&line, text.buf + lines[i].offset, lines[i].len);
		for (v = 0; v < nv; v++) {
			strbuf_addch(&line, ' ');
			strbuf_add_number(&line, sum[v]);
		}
		strbuf_addch(&line, '\n');
		fwrite(line.buf, 1, line.len, out);
		i = j;
	}
	free(lines);
	free(scratch);
	strbuf_release(&text);
	strbuf_release(&line);
	return ferror(out) ? -1 : 0;
}

const struct format_reader folded_reader = {
	.name = "folded",
	.probe = folded_probe,
	.read = folded_read,
};

const struct format_writer folded_writer = {
	.name = "folded",
	.extensions = ".folded .txt .collapsed",
	.write = folded_write,
};
