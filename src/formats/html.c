/*
 * html.c - the HTML viewer writer ("html"): one self-contained page.
 *
 * The page holds a summary of the profile, the interactive flame graph
 * (the svg writer's output, inlined), and a table of every function by
 * self and total weight that sorts, filters, and highlights a clicked
 * function in the flame graph, with its callers and callees beside it
 * (from the stack tree, written as JSON for the script).  Its script is html_script.js, turned into
 * a C string at build time (html_script.c); nothing is loaded from the
 * network.  Only reads the profile; names pass through svg_text_escape.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"
#include "formats/html.h"
#include "formats/svg.h"
#include "formats/svg_text.h"
#include "model/aggregate.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Rows beyond this are left out of the table (the flame graph has all). */
#define HTML_MAX_ROWS 10000
/* Profiles with more stacks than this get no callers/callees panel: its
 * data (about 15 bytes a stack) would outweigh the rest of the page. */
#define HTML_MAX_CALL_STACKS 400000

static const char page_style[] =
	"body { font-family: Verdana, sans-serif; margin: 0 1.5em 2em; color: #222; }\n"
	"h1 { font-size: 1.4em; margin: 0.8em 0 0.2em; }\n"
	"h2 { font-size: 1.1em; margin: 1.5em 0 0.5em; }\n"
	".viewer-meta { color: #555; margin: 0 0 1em; font-size: 0.9em; }\n"
	"#viewer-flame svg { width: 100%; height: auto; display: block; }\n"
	"#viewer-filter { font-size: 1em; padding: 3px 6px; width: 24em; }\n"
	"#viewer-count { color: #555; margin-left: 1em; font-size: 0.9em; }\n"
	"#viewer-table { border-collapse: collapse; width: 100%; margin-top: 0.5em; font-size: 0.9em; }\n"
	"#viewer-table th { text-align: left; border-bottom: 2px solid #999; padding: 4px 8px;"
	" cursor: pointer; user-select: none; white-space: nowrap; }\n"
	"#viewer-table th[data-dir=down]::after { content: ' \\25BE'; }\n"
	"#viewer-table th[data-dir=up]::after { content: ' \\25B4'; }\n"
	"#viewer-table td { padding: 2px 8px; border-bottom: 1px solid #eee; }\n"
	"#viewer-table .num { text-align: right; white-space: nowrap;"
	" font-variant-numeric: tabular-nums; }\n"
	"#viewer-table td.fn { word-break: break-all; }\n"
	"#viewer-table a { color: #124; text-decoration: none; }\n"
	"#viewer-table a:hover { text-decoration: underline; }\n"
	".viewer-file { color: #777; }\n"
	"tr.viewer-selected { background: #f8d8f8; }\n"
	"#viewer-calls { display: flex; gap: 2em; flex-wrap: wrap; }\n"
	"#viewer-calls > div { flex: 1 1 30em; }\n"
	"#viewer-calls table { border-collapse: collapse; width: 100%; font-size: 0.9em; }\n"
	"#viewer-calls td { padding: 2px 8px; border-bottom: 1px solid #eee; }\n"
	"#viewer-calls td.num { text-align: right; white-space: nowrap;"
	" font-variant-numeric: tabular-nums; }\n"
	"#viewer-calls a { color: #124; text-decoration: none; }\n"
	"#viewer-calls h3 { font-size: 1em; margin: 0.8em 0 0.3em; }\n"
	"#viewer-table td.grew { color: #c00; }\n"
	"#viewer-table td.shrank { color: #00c; }\n";

/* The flame graph, written by the svg writer for inlining in the page. */
static int add_flame_graph(struct strbuf *sb, const struct profile *p,
			   const struct write_options *wo)
{
	struct svg_options so;
	struct write_options w = *wo;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int r;

	if (wo->svg)
		so = *wo->svg;
	else
		svg_options_init(&so);
	so.embedded = 1;
	w.svg = &so;
	mem = open_memstream(&buf, &len);
	if (!mem)
		return error("html: out of memory for the flame graph (free some memory, or draw a smaller profile)");
	r = svg_writer.write(p, mem, &w);
	if (fclose(mem) != 0)
		r = -1;
	if (r == 0)
		strbuf_add(sb, buf, len);
	free(buf);
	return r;
}

static void add_escaped(struct strbuf *sb, const char *s)
{
	svg_text_escape(sb, s, strlen(s));
}

/* "1,234 samples (count) - 2 threads - 6.0 s - 100 Hz - cpu-clock - cmd" */
static void add_summary(struct strbuf *sb, const struct profile *p, int value,
			double sum)
{
	const struct value_type *vt = &p->value_types[value];

	strbuf_addstr(sb, "<p class=\"viewer-meta\">");
	svg_text_add_count(sb, sum);
	strbuf_addch(sb, ' ');
	add_escaped(sb, profile_str(p, vt->type));
	strbuf_addstr(sb, " (");
	add_escaped(sb, profile_str(p, vt->unit));
	strbuf_addch(sb, ')');
	if (p->nr_threads > 1)
		strbuf_addf(sb, " &#183; %u thread%s", p->nr_threads - 1,
			    p->nr_threads == 2 ? "" : "s");
	if (p->meta.duration_ns > 0)
		strbuf_addf(sb, " &#183; %.1f s", (double)p->meta.duration_ns / 1e9);
	if (p->meta.rate_hz > 0)
		strbuf_addf(sb, " &#183; %g Hz", p->meta.rate_hz);
	if (p->meta.event) {
		strbuf_addstr(sb, " &#183; ");
		add_escaped(sb, profile_str(p, p->meta.event));
	}
	if (p->meta.command) {
		strbuf_addstr(sb, " &#183; <code>");
		add_escaped(sb, profile_str(p, p->meta.command));
		strbuf_addstr(sb, "</code>");
	}
	strbuf_addstr(sb, "</p>\n");
}

static void add_cell_number(struct strbuf *sb, double v)
{
	strbuf_addstr(sb, "<td class=\"num\">");
	svg_text_add_count(sb, v);
	strbuf_addstr(sb, "</td>");
}

static void add_cell_percent(struct strbuf *sb, double v, double sum)
{
	strbuf_addstr(sb, "<td class=\"num\">");
	svg_text_add_fixed(sb, sum > 0 ? 100 * v / sum : 0, 2);
	strbuf_addstr(sb, "%</td>");
}

static void add_row(struct strbuf *sb, const struct profile *p,
		    const struct aggregate *a, uint32_t key, uint32_t frame,
		    uint32_t row)
{
	const struct frame *f = &p->frames[frame];
	const char *name = profile_str(p, f->name);
	const char *file = f->file ? profile_str(p, f->file) : "";

	strbuf_addf(sb, "<tr data-row=\"%u\" data-name=\"", row);
	add_escaped(sb, name);
	strbuf_addstr(sb, "\" data-file=\"");
	add_escaped(sb, file);
	strbuf_addstr(sb, "\" data-self=\"");
	svg_text_add_value(sb, a->self[key]);
	strbuf_addstr(sb, "\" data-total=\"");
	svg_text_add_value(sb, a->total[key]);
	strbuf_addstr(sb, "\"><td class=\"fn\"><a href=\"#viewer-flame\">");
	add_escaped(sb, name);
	strbuf_addstr(sb, "</a>");
	if (*file) {
		strbuf_addstr(sb, " <span class=\"viewer-file\">");
		add_escaped(sb, file);
		strbuf_addstr(sb, "</span>");
	}
	strbuf_addstr(sb, "</td>");
	add_cell_number(sb, a->self[key]);
	add_cell_percent(sb, a->self[key], a->sum);
	add_cell_number(sb, a->total[key]);
	add_cell_percent(sb, a->total[key], a->sum);
	strbuf_addstr(sb, "</tr>\n");
}

/*
 * The data behind the callers/callees panel, as JSON for the script: the
 * stack tree (parent of each stack, its innermost function as a row
 * number of the table or -1 for a function left out, the weight of the
 * samples that end there).  Parents come before children in the profile,
 * so the script can add weights up in one backward pass.
 */
static void add_call_data(struct strbuf *sb, const struct profile *p,
			  int value, const struct aggregate *a,
			  const int32_t *row_of_key)
{
	int32_t *row_of_frame;
	double *self;
	struct strbuf label;
	uint32_t i;

	if (p->nr_stacks > HTML_MAX_CALL_STACKS) {
		strbuf_addf(sb, "<p class=\"viewer-meta\">No callers and callees "
			    "here: %u stacks are too many for the page (use "
			    "<code>scorch report --callers NAME</code>).</p>\n",
			    p->nr_stacks);
		return;
	}
	row_of_frame = xmalloc((p->nr_frames + 1) * sizeof(*row_of_frame));
	for (i = 0; i <= p->nr_frames; i++)
		row_of_frame[i] = -2;		/* not looked up yet */
	self = xcalloc(p->nr_stacks + 1, sizeof(*self));
	for (i = 0; i < p->nr_totals; i++)
		self[p->totals[i].stack] += p->totals[i].value[value];

	strbuf_init(&label);
	strbuf_addstr(sb, "<script type=\"application/json\" id=\"viewer-call-data\">\n"
		      "{\"parent\":[");
	for (i = 1; i < p->nr_stacks; i++)
		strbuf_addf(sb, i > 1 ? ",%u" : "%u", p->stacks[i].parent);
	strbuf_addstr(sb, "],\n\"row\":[");
	for (i = 1; i < p->nr_stacks; i++) {
		uint32_t f = p->stacks[i].frame;

		if (row_of_frame[f] == -2) {
			uint32_t key;

			strbuf_reset(&label);
			aggregate_label(p, AGGREGATE_FUNCTION, f, 0, &label);
			key = strtab_lookup(&a->keys, strbuf_str(&label), label.len);
			row_of_frame[f] = key ? row_of_key[key] : -1;
		}
		strbuf_addf(sb, i > 1 ? ",%d" : "%d", row_of_frame[f]);
	}
	strbuf_addstr(sb, "],\n\"self\":[");
	for (i = 1; i < p->nr_stacks; i++) {
		if (i > 1)
			strbuf_addch(sb, ',');
		svg_text_add_value(sb, self[i]);
	}
	strbuf_addstr(sb, "]}\n</script>\n");
	strbuf_release(&label);
	free(self);
	free(row_of_frame);
}

static void add_table(struct strbuf *sb, const struct profile *p, int value)
{
	struct aggregate a;
	uint32_t *order, n, i, rows = 0;
	int32_t *row_of_key;

	aggregate_init(&a, AGGREGATE_FUNCTION);
	aggregate_add(&a, p, value, NULL, 0, 0);
	order = aggregate_sorted(&a, 0, &n);
	row_of_key = xmalloc((n + 1) * sizeof(*row_of_key));
	for (i = 0; i <= n; i++)
		row_of_key[i] = -1;
	strbuf_addstr(sb, "<h2>Functions</h2>\n"
		      "<input id=\"viewer-filter\" type=\"search\" "
		      "placeholder=\"Filter by function or file\">"
		      "<span id=\"viewer-count\"></span>\n"
		      "<div id=\"viewer-calls\"></div>\n"
		      "<table id=\"viewer-table\">\n<thead><tr>"
		      "<th data-key=\"name\">Function</th>"
		      "<th class=\"num\" data-key=\"self\">Self</th>"
		      "<th class=\"num\" data-key=\"self\">Self %</th>"
		      "<th class=\"num\" data-key=\"total\" data-dir=\"down\">Total</th>"
		      "<th class=\"num\" data-key=\"total\">Total %</th>"
		      "</tr></thead>\n<tbody id=\"viewer-rows\">\n");
	for (i = 0; i < n && rows < HTML_MAX_ROWS; i++) {
		if (!a.frame[order[i]])
			continue;
		row_of_key[order[i]] = rows;
		add_row(sb, p, &a, order[i], a.frame[order[i]], rows);
		rows++;
	}
	strbuf_addstr(sb, "</tbody>\n</table>\n");
	if (i < n)
		strbuf_addf(sb, "<p class=\"viewer-meta\">%u more functions "
			    "(under %.2f%% of the total each) are only in the "
			    "flame graph.</p>\n", n - i,
			    a.sum > 0 ? 100 * a.total[order[i]] / a.sum : 0.0);
	add_call_data(sb, p, value, &a, row_of_key);
	free(row_of_key);
	free(order);
	aggregate_release(&a);
}

static int compare_abs_delta(const void *x, const void *y, void *arg)
{
	const double *delta = arg;
	uint32_t i = *(const uint32_t *)x, j = *(const uint32_t *)y;
	double a = delta[i] < 0 ? -delta[i] : delta[i];
	double b = delta[j] < 0 ? -delta[j] : delta[j];

	return a != b ? (a > b ? -1 : 1) : (i > j) - (i < j);
}

static void add_diff_cell(struct strbuf *sb, double v, int sign)
{
	strbuf_addf(sb, "<td class=\"num%s\">",
		    !sign || v == 0 ? "" : v > 0 ? " grew" : " shrank");
	if (sign && v > 0)
		strbuf_addch(sb, '+');
	svg_text_add_count(sb, v);
	strbuf_addstr(sb, "</td>");
}

/* "Before → after: 4,487 → 39 samples (-99.1%)" and what the colours say. */
static void add_diff_summary(struct strbuf *sb, const struct profile *p)
{
	double before = profile_sum(p, 0), after = profile_sum(p, 1);
	const char *unit;

	strbuf_addstr(sb, "<p class=\"viewer-meta\" id=\"viewer-diff-total\">Before \xe2\x86\x92 after: ");
	svg_text_add_count(sb, before);
	strbuf_addstr(sb, " \xe2\x86\x92 ");
	svg_text_add_count(sb, after);
	strbuf_addch(sb, ' ');
	unit = profile_str(p, p->value_types[0].unit);
	add_escaped(sb, !strcmp(unit, "count") ? "samples" : unit);
	if (before > 0)
		strbuf_addf(sb, " (%+.1f%%)", 100 * (after - before) / before);
	strbuf_addstr(sb, p->meta.differential == PROFILE_DIFF_BOTH ?
		      " &#183; frame width: before + after" :
		      " &#183; frame width: after");
	strbuf_addstr(sb, " &#183; blue: shrank, red: grew (the frame's own samples)</p>\n");
}

/* A differential profile's table: each function's total before and
 * after, the change and the relative change, biggest change first. */
static void add_diff_table(struct strbuf *sb, const struct profile *p)
{
	struct aggregate b, a;
	uint32_t *order, n, i, rows = 0;
	double *delta;

	aggregate_init(&b, AGGREGATE_FUNCTION);
	aggregate_init(&a, AGGREGATE_FUNCTION);
	aggregate_add(&b, p, 0, NULL, 0, 0);
	aggregate_add(&a, p, 1, NULL, 0, 0);
	/* one profile, one frame table: both aggregates have the same keys
	 * in the same order */
	n = b.keys.nr > 1 ? b.keys.nr - 1 : 0;
	order = xmalloc((n + 1) * sizeof(*order));
	delta = xcalloc(b.keys.nr + 1, sizeof(*delta));
	for (i = 1; i <= n; i++) {
		order[i - 1] = i;
		delta[i] = a.total[i] - b.total[i];
	}
	qsort_r(order, n, sizeof(*order), compare_abs_delta, delta);
	strbuf_addstr(sb, "<h2>Functions</h2>\n"
		      "<input id=\"viewer-filter\" type=\"search\" "
		      "placeholder=\"Filter by function or file\">"
		      "<span id=\"viewer-count\"></span>\n"
		      "<div id=\"viewer-calls\"></div>\n"
		      "<table id=\"viewer-table\" class=\"viewer-diff\">\n<thead><tr>"
		      "<th data-key=\"name\">Function</th>"
		      "<th class=\"num\" data-key=\"before\">Before</th>"
		      "<th class=\"num\" data-key=\"after\">After</th>"
		      "<th class=\"num\" data-key=\"delta\">Delta</th>"
		      "<th class=\"num\" data-key=\"change\">Change</th>"
		      "<th class=\"num\" data-key=\"beforeshare\">Before %</th>"
		      "<th class=\"num\" data-key=\"aftershare\">After %</th>"
		      "</tr></thead>\n<tbody id=\"viewer-rows\">\n");
	for (i = 0; i < n && rows < HTML_MAX_ROWS; i++) {
		uint32_t k = order[i];
		const struct frame *f;
		const char *name, *file;
		double change = b.total[k] > 0 ? 100 * delta[k] / b.total[k] : 0;

		if (!b.frame[k])
			continue;
		f = &p->frames[b.frame[k]];
		name = profile_str(p, f->name);
		file = f->file ? profile_str(p, f->file) : "";
		strbuf_addf(sb, "<tr data-row=\"%u\" data-name=\"", rows++);
		add_escaped(sb, name);
		strbuf_addstr(sb, "\" data-file=\"");
		add_escaped(sb, file);
		strbuf_addstr(sb, "\" data-before=\"");
		svg_text_add_value(sb, b.total[k]);
		strbuf_addstr(sb, "\" data-after=\"");
		svg_text_add_value(sb, a.total[k]);
		strbuf_addstr(sb, "\" data-delta=\"");
		svg_text_add_value(sb, delta[k]);
		strbuf_addstr(sb, "\" data-change=\"");
		svg_text_add_value(sb, b.total[k] > 0 ? change : 1e300);
		strbuf_addstr(sb, "\" data-beforeshare=\"");
		svg_text_add_value(sb, b.sum > 0 ? 100 * b.total[k] / b.sum : 0);
		strbuf_addstr(sb, "\" data-aftershare=\"");
		svg_text_add_value(sb, a.sum > 0 ? 100 * a.total[k] / a.sum : 0);
		strbuf_addstr(sb, "\"><td class=\"fn\"><a href=\"#viewer-flame\">");
		add_escaped(sb, name);
		strbuf_addstr(sb, "</a>");
		if (*file) {
			strbuf_addstr(sb, " <span class=\"viewer-file\">");
			add_escaped(sb, file);
			strbuf_addstr(sb, "</span>");
		}
		strbuf_addstr(sb, "</td>");
		add_diff_cell(sb, b.total[k], 0);
		add_diff_cell(sb, a.total[k], 0);
		add_diff_cell(sb, delta[k], 1);
		if (b.total[k] > 0)
			strbuf_addf(sb, "<td class=\"num%s\">%+.1f%%</td>",
				    delta[k] > 0 ? " grew" : delta[k] < 0 ?
				    " shrank" : "", change);
		else
			strbuf_addstr(sb, "<td class=\"num grew\">new</td>");
		add_cell_percent(sb, b.total[k], b.sum);
		add_cell_percent(sb, a.total[k], a.sum);
		strbuf_addstr(sb, "</tr>\n");
	}
	strbuf_addstr(sb, "</tbody>\n</table>\n");
	if (i < n)
		strbuf_addf(sb, "<p class=\"viewer-meta\">%u more functions "
			    "are only in the flame graph.</p>\n", n - i);
	free(delta);
	free(order);
	aggregate_release(&b);
	aggregate_release(&a);
}

static int html_write(const struct profile *p, FILE *out,
		      const struct write_options *wo)
{
	/* the flame graph's value: "after" for a differential profile */
	int value = p->meta.differential && p->nr_values >= 2 ? 1 : 0;
	const char *title = wo->svg && wo->svg->title ? wo->svg->title :
			    wo->title && *wo->title ? wo->title :
			    p->meta.command ? profile_str(p, p->meta.command) :
			    "scorch profile";
	struct strbuf sb;
	int r;

	strbuf_init(&sb);
	strbuf_addstr(&sb, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n"
		      "<meta charset=\"utf-8\">\n"
		      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		      "<meta name=\"generator\" content=\"scorch\">\n<title>");
	add_escaped(&sb, title);
	strbuf_addstr(&sb, "</title>\n<style>\n");
	strbuf_addstr(&sb, page_style);
	strbuf_addstr(&sb, "</style>\n<script>\n");
	strbuf_addstr(&sb, svg_script);
	strbuf_addstr(&sb, html_script);
	strbuf_addstr(&sb, "</script>\n</head>\n<body>\n<h1>");
	add_escaped(&sb, title);
	strbuf_addstr(&sb, "</h1>\n");
	if (p->meta.differential && p->nr_values >= 2)
		add_diff_summary(&sb, p);
	else
		add_summary(&sb, p, value, profile_sum(p, value));
	strbuf_addstr(&sb, "<div id=\"viewer-flame\">\n");
	r = add_flame_graph(&sb, p, wo);
	strbuf_addstr(&sb, "</div>\n");
	if (r == 0) {
		if (p->meta.differential && p->nr_values >= 2)
			add_diff_table(&sb, p);
		else
			add_table(&sb, p, value);
		strbuf_addstr(&sb, "</body>\n</html>\n");
		fwrite(sb.buf, 1, sb.len, out);
	}
	strbuf_release(&sb);
	return r < 0 || ferror(out) ? -1 : 0;
}

const struct format_writer html_writer = {
	.name = "html",
	.extensions = ".html .htm",
	.write = html_write,
};
