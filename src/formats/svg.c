/*
 * svg.c - the "svg" writer: an interactive flame graph (or icicle graph,
 * or flame chart) in one self-contained SVG file.
 *
 * It builds the merged frame tree (svg_tree.c), lays it out, and writes
 * one <g> per frame that is wide enough: a tooltip <title>, a <rect> and
 * a fitted label.  The embedded script (svg_script.js) adds hover
 * details, click-to-zoom and search; it needs no network.  Writers never
 * read files: the palette map is loaded and saved by the command.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "formats/formats.h"
#include "formats/svg.h"
#include "formats/svg_color.h"
#include "formats/svg_text.h"
#include "formats/svg_tree.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define SVG_XPAD 10.0		/* left and right margin, px */
#define SVG_FRAMEPAD 1.0	/* gap between rows, px */
#define SVG_FLUSH_AT (1 << 20)	/* write out the buffer past 1 MiB */

void svg_options_init(struct svg_options *o)
{
	memset(o, 0, sizeof(*o));
}

/* The options with every default filled in. */
struct svg_layout {
	struct svg_options o;
	const char *bg_top, *bg_bottom;
	enum svg_color_mode color_mode;
	double ypad_top, ypad_bottom, subtitle_pad;
	double legend_pad;	/* the legend's row, 0 = no legend */
	int auto_colors;	/* no --colors: by kind, or hot for a graph
				   of native frames only */
	unsigned kinds;		/* kinds drawn: bit (1 << enum frame_kind) */
	double total;		/* the 100% width in count units */
	double width_per_count;
	double image_height;
	uint32_t max_depth;
	uint64_t rng;
};

static int resolve(struct svg_layout *l, const struct write_options *wo)
{
	struct svg_options *o = &l->o;

	if (wo->svg)
		*o = *wo->svg;
	else
		svg_options_init(o);
	if (!o->title)
		o->title = wo->title;
	if (!o->title || !*o->title)
		o->title = o->flamechart ? "Flame Chart" :
			   o->inverted ? "Icicle Graph" : "Flame Graph";
	if (!o->font_type)
		o->font_type = "Verdana";
	if (!o->count_name)
		o->count_name = "samples";
	if (!o->name_type)
		o->name_type = "Function:";
	if (!o->colors) {
		o->colors = "kind";
		l->auto_colors = 1;
	}
	if (o->width == 0)
		o->width = 1200;
	if (o->frame_height == 0)
		o->frame_height = 16;
	if (o->font_size == 0)
		o->font_size = 12;
	if (o->font_width == 0)
		o->font_width = 0.59;
	if (o->min_width == 0 && !o->min_width_percent)
		o->min_width = 0.1;
	if (o->factor == 0)
		o->factor = 1;

	if (!svg_color_palette_valid(o->colors))
		return error("flame graph: unknown palette '%s' (known: %s)",
			     o->colors, svg_color_palette_names());
	if (svg_color_background(o->bg_colors, o->colors, &l->bg_top,
				 &l->bg_bottom) < 0)
		return error("flame graph: unknown background '%s' (use yellow, blue, green, grey or #rrggbb)",
			     o->bg_colors);
	if (!(o->width > 2 * SVG_XPAD) || !(o->frame_height > 0) ||
	    !(o->font_size > 0) || !(o->font_width > 0) ||
	    !(o->min_width >= 0) || !(o->factor > 0) || !(o->total >= 0) ||
	    !isfinite(o->width + o->frame_height + o->font_size +
		      o->font_width + o->min_width + o->factor + o->total))
		return error("flame graph: a size, factor or total is out of range (sizes must be positive numbers)");
	l->color_mode = o->random ? SVG_COLOR_RANDOM :
			o->hash ? SVG_COLOR_BY_HASH : SVG_COLOR_BY_NAME;
	l->rng = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
	l->ypad_top = o->font_size * 3;
	l->ypad_bottom = o->font_size * 2 + 10;
	l->subtitle_pad = o->subtitle && *o->subtitle ? o->font_size * 2 : 0;
	return 0;
}

static void flush_if_full(struct strbuf *sb, FILE *out)
{
	if (sb->len < SVG_FLUSH_AT)
		return;
	fwrite(sb->buf, 1, sb->len, out);
	strbuf_reset(sb);
}

static void add_escaped(struct strbuf *sb, const char *s)
{
	svg_text_escape(sb, s, strlen(s));
}

/* Text for an XML comment: "--" may not appear inside one. */
static void add_comment_text(struct strbuf *sb, const char *s)
{
	struct strbuf tmp;
	size_t i;

	strbuf_init(&tmp);
	svg_text_escape(&tmp, s, strlen(s));
	for (i = 0; i < tmp.len; i++) {
		strbuf_addch(sb, tmp.buf[i]);
		if (tmp.buf[i] == '-' && (i + 1 == tmp.len || tmp.buf[i + 1] == '-'))
			strbuf_addch(sb, ' ');
	}
	strbuf_release(&tmp);
}

static void write_header(struct strbuf *sb, const struct svg_layout *l,
			 double height, int interactive)
{
	const struct svg_options *o = &l->o;

	if (!o->embedded)
		strbuf_addstr(sb, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n");
	strbuf_addf(sb, "<svg version=\"1.1\" width=\"%g\" height=\"%g\" viewBox=\"0 0 %g %g\"%s "
		    "xmlns=\"http://www.w3.org/2000/svg\">\n"
		    "<!-- Flame graph written by scorch. Hover for details, click to zoom, "
		    "Ctrl-F or Search to highlight. -->\n",
		    o->width, height, o->width, height,
		    interactive && !o->embedded ? " onload=\"scorch_init(evt)\"" : "");
	if (o->notes && *o->notes) {
		strbuf_addstr(sb, "<!-- NOTES: ");
		add_comment_text(sb, o->notes);
		strbuf_addstr(sb, " -->\n");
	}
	strbuf_addf(sb, "<defs>\n<linearGradient id=\"background\" y1=\"0\" y2=\"1\" x1=\"0\" x2=\"0\">\n"
		    "<stop stop-color=\"%s\" offset=\"5%%\"/>\n"
		    "<stop stop-color=\"%s\" offset=\"95%%\"/>\n"
		    "</linearGradient>\n</defs>\n",
		    l->bg_top, l->bg_bottom);
	strbuf_addstr(sb, "<style type=\"text/css\">\ntext { font-family:");
	add_escaped(sb, o->font_type);
	strbuf_addf(sb, "; font-size:%gpx; fill:rgb(0,0,0); }\n"
		    "#title { text-anchor:middle; font-size:%gpx; }\n"
		    "#subtitle { text-anchor:middle; fill:rgb(160,160,160); }\n"
		    "#search, #ignorecase { opacity:0.1; cursor:pointer; }\n"
		    "#search:hover, #search.show, #ignorecase:hover, #ignorecase.show { opacity:1; }\n"
		    "#unzoom { cursor:pointer; }\n"
		    "#frames > *:hover { stroke:black; stroke-width:0.5; cursor:pointer; }\n"
		    ".hide { display:none; }\n"
		    ".parent { opacity:0.5; }\n"
		    "</style>\n",
		    o->font_size, o->font_size + 5);
}

static void write_script(struct strbuf *sb)
{
	strbuf_addstr(sb, "<script type=\"text/ecmascript\"><![CDATA[\n");
	strbuf_addstr(sb, svg_script);
	strbuf_addstr(sb, "]]></script>\n");
}

static void write_text(struct strbuf *sb, const char *id, double x, double y,
		       const char *extra, const char *text)
{
	strbuf_addf(sb, "<text id=\"%s\" x=\"%.2f\" y=\"%.2f\"%s>", id, x, y,
		    extra);
	add_escaped(sb, text);
	strbuf_addstr(sb, "</text>\n");
}

static void write_chrome(struct strbuf *sb, const struct svg_layout *l,
			 double height)
{
	const struct svg_options *o = &l->o;

	strbuf_addf(sb, "<rect x=\"0\" y=\"0\" width=\"%g\" height=\"%g\" fill=\"url(#background)\"/>\n",
		    o->width, height);
	write_text(sb, "title", floor(o->width / 2), o->font_size * 2, "",
		   o->title);
	if (o->subtitle && *o->subtitle)
		write_text(sb, "subtitle", floor(o->width / 2), o->font_size * 4,
			   "", o->subtitle);
	write_text(sb, "details", SVG_XPAD, height - l->ypad_bottom / 2, "", " ");
	write_text(sb, "unzoom", SVG_XPAD, o->font_size * 2, " class=\"hide\"",
		   "Reset Zoom");
	write_text(sb, "search", o->width - SVG_XPAD - 100, o->font_size * 2, "",
		   "Search");
	write_text(sb, "ignorecase", o->width - SVG_XPAD - 16, o->font_size * 2,
		   "", "ic");
	write_text(sb, "matched", o->width - SVG_XPAD - 220,
		   height - l->ypad_bottom / 2, "", " ");
}

static int write_empty(const struct svg_layout *l, FILE *out)
{
	double height = l->o.font_size * 5;
	struct strbuf sb;

	warning("flame graph: no samples to draw (the input had no stacks with counts); writing an empty graph");
	strbuf_init(&sb);
	write_header(&sb, l, height, 0);
	strbuf_addf(&sb, "<rect x=\"0\" y=\"0\" width=\"%g\" height=\"%g\" fill=\"url(#background)\"/>\n",
		    l->o.width, height);
	write_text(&sb, "title", floor(l->o.width / 2), l->o.font_size * 2,
		   " style=\"text-anchor:middle\"", l->o.title);
	write_text(&sb, "nosamples", floor(l->o.width / 2), l->o.font_size * 4,
		   " style=\"text-anchor:middle\"", "No samples: the input had no stacks with counts.");
	strbuf_addstr(&sb, "</svg>\n");
	fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
	return ferror(out) ? -1 : 0;
}

static void frame_colour(const struct svg_layout *l, const struct svg_tree *t,
			 uint32_t node, char *colour, uint64_t *rng)
{
	const struct svg_node *n = &t->nodes[node];
	size_t len;
	const char *name = svg_tree_label(t, node, &len);
	const char *pinned;

	if (node && len == 2 && !memcmp(name, "--", 2)) {
		strcpy(colour, "rgb(160,160,160)");
	} else if (node && len == 1 && name[0] == '-') {
		strcpy(colour, "rgb(200,200,200)");
	} else if (t->differential) {
		svg_color_delta(l->o.negate ? -n->delta : n->delta, t->max_delta,
				colour);
	} else if (l->o.palette &&
		   (pinned = svg_palette_get(l->o.palette, name, len))) {
		snprintf(colour, SVG_COLOR_LEN, "%s", pinned);
	} else {
		svg_color_pick(l->o.colors, l->color_mode, name, len, n->kind,
			       n->waker, rng, colour);
		if (l->o.palette)
			svg_palette_set(l->o.palette, name, len, colour);
	}
}

/* Nonzero for an "rgb(r,g,b)" colour black text is hard to read on. */
static int is_dark(const char *colour)
{
	int r, g, b;

	if (sscanf(colour, "rgb(%d,%d,%d)", &r, &g, &b) != 3)
		return 0;
	return 299 * r + 587 * g + 114 * b < 90000;
}

/* The tooltip's numbers of a frame: "4,401 → 3 samples, -99.9%"
 * (before and after, inclusive) for scorch diff's graphs, else "N
 * samples, P%" and, differential, the change as a share of the total. */
static void add_tooltip_numbers(struct strbuf *sb, const struct svg_layout *l,
				const struct svg_tree *t, uint32_t node)
{
	const struct svg_options *o = &l->o;
	const struct svg_node *n = &t->nodes[node];
	double pct = 100 * n->value / l->total;

	if (t->differential == PROFILE_DIFF_BOTH) {
		double before = n->value - n->after;

		svg_text_add_count(sb, before * o->factor);
		strbuf_addstr(sb, " \xe2\x86\x92 ");
		svg_text_add_count(sb, n->after * o->factor);
		strbuf_addch(sb, ' ');
		add_escaped(sb, o->count_name);
		if (before > 0) {
			strbuf_addstr(sb, n->after > before ? ", +" : ", ");
			svg_text_add_fixed(sb, 100 * (n->after - before) / before, 1);
			strbuf_addch(sb, '%');
		} else {
			strbuf_addstr(sb, ", new");
		}
		return;
	}
	svg_text_add_count(sb, n->value * o->factor);
	strbuf_addch(sb, ' ');
	add_escaped(sb, o->count_name);
	if (node) {
		strbuf_addstr(sb, ", ");
		svg_text_add_fixed(sb, pct, 2);
		strbuf_addch(sb, '%');
	} else {
		strbuf_addstr(sb, ", 100%");
	}
	if (t->differential && node) {
		double d = o->negate ? -n->delta : n->delta;

		strbuf_addstr(sb, d > 0 ? "; +" : "; ");
		svg_text_add_fixed(sb, 100 * d / l->total, 2);
		strbuf_addch(sb, '%');
	}
}

static void write_frame(struct strbuf *sb, const struct svg_layout *l,
			const struct svg_tree *t, uint32_t node, uint64_t *rng)
{
	const struct svg_options *o = &l->o;
	const struct svg_node *n = &t->nodes[node];
	char colour[SVG_COLOR_LEN];
	double x1, x2, y1, y2;
	size_t len, shown;
	const char *name = svg_tree_label(t, node, &len);

	x1 = SVG_XPAD + n->start * l->width_per_count;
	x2 = SVG_XPAD + (node ? n->start + n->value : l->total) *
			l->width_per_count;
	if (o->inverted) {
		y1 = l->ypad_top + l->subtitle_pad + l->legend_pad +
		     n->depth * o->frame_height;
		y2 = y1 + o->frame_height - SVG_FRAMEPAD;
	} else {
		y2 = l->image_height - l->ypad_bottom - n->depth * o->frame_height;
		y1 = y2 - o->frame_height + SVG_FRAMEPAD;
	}
	/* round as drawn, so widths add up to the parent's */
	x1 = round(x1 * 10) / 10;
	x2 = round(x2 * 10) / 10;
	shown = svg_text_strip_annotation(name, len);

	strbuf_addstr(sb, "<g data-n=\"");
	svg_text_add_value(sb, n->value);
	strbuf_addstr(sb, "\"><title>");
	svg_text_escape(sb, name, shown);
	strbuf_addstr(sb, " (");
	add_tooltip_numbers(sb, l, t, node);
	strbuf_addstr(sb, ")</title><rect x=\"");
	frame_colour(l, t, node, colour, rng);
	svg_text_add_fixed(sb, x1, 1);
	strbuf_addstr(sb, "\" y=\"");
	svg_text_add_fixed(sb, y1, 1);
	strbuf_addstr(sb, "\" width=\"");
	svg_text_add_fixed(sb, x2 - x1, 1);
	strbuf_addstr(sb, "\" height=\"");
	svg_text_add_fixed(sb, y2 - y1, 1);
	strbuf_addstr(sb, "\" fill=\"");
	strbuf_addstr(sb, colour);
	strbuf_addstr(sb, "\" rx=\"2\" ry=\"2\"/><text x=\"");
	svg_text_add_fixed(sb, x1 + 3, 2);
	strbuf_addstr(sb, "\" y=\"");
	svg_text_add_fixed(sb, 3 + (y1 + y2) / 2, 1);
	/* white names on dark frames (a deep blue "shrank") */
	strbuf_addstr(sb, is_dark(colour) ? "\" style=\"fill:rgb(255,255,255)\">" : "\">");
	svg_text_fit(sb, name, shown,
		     (long)floor((x2 - x1) / (o->font_size * o->font_width)));
	strbuf_addstr(sb, "</text></g>\n");
}

/* Which kinds the graph draws; with automatic colours, a graph of
 * native frames only keeps flamegraph.pl's "hot" colours and no legend. */
static void choose_legend(struct svg_layout *l, const struct svg_tree *t)
{
	uint32_t i;

	for (i = 0; i < t->nr; i++)
		if (t->visible[i])
			l->kinds |= 1u << t->nodes[i].kind;
	if (l->auto_colors && !t->differential &&
	    !(l->kinds & ~((1u << FRAME_NATIVE) | (1u << FRAME_PROCESS) |
			   (1u << FRAME_MARKER))))
		l->o.colors = "hot";
	if (t->differential || !strcmp(l->o.colors, "kind"))
		l->legend_pad = l->o.font_size * 1.6;
}

static void legend_item(struct strbuf *sb, const struct svg_layout *l,
			double *x, double y, const char *id,
			const char *colour, const char *lo, const char *hi,
			const char *label)
{
	double size = l->o.font_size;

	strbuf_addf(sb, "<g class=\"legend-item\" data-kind=\"%s\"", id);
	if (lo)
		strbuf_addf(sb, " data-min=\"%s\" data-max=\"%s\"", lo, hi);
	strbuf_addf(sb, "><rect x=\"%.1f\" y=\"%.1f\" width=\"%g\" height=\"%g\" fill=\"%s\" rx=\"2\" ry=\"2\"/>",
		    *x, y - size + 2, size, size - 1, colour);
	strbuf_addf(sb, "<text x=\"%.1f\" y=\"%.1f\">", *x + size + 4, y);
	add_escaped(sb, label);
	strbuf_addstr(sb, "</text></g>\n");
	/* proportional fonts average about half the size per character */
	*x += size + 4 + strlen(label) * size * 0.5 + size * 1.5;
}

/* One row under the title: what the colours mean. */
static void write_legend(struct strbuf *sb, const struct svg_layout *l,
			 const struct svg_tree *t)
{
	static const struct {
		int kind;
		const char *id, *label;
	} kinds[] = {
		{ FRAME_PYTHON, "python", "Python" },
		{ FRAME_NATIVE, "native", "native" },
		{ FRAME_KERNEL, "kernel", "kernel" },
		{ FRAME_JIT, "jit", "JIT" },
		{ FRAME_INLINED, "inlined", "inlined" },
		{ FRAME_MARKER, "other", "all, thread, marker" },
	};
	double x = SVG_XPAD, y = l->ypad_top + l->subtitle_pad + l->o.font_size;
	char colour[SVG_COLOR_LEN], lo[SVG_COLOR_LEN], hi[SVG_COLOR_LEN];
	size_t i;

	if (!l->legend_pad)
		return;
	strbuf_addstr(sb, "<g id=\"legend\">\n");
	if (t->differential) {
		svg_color_delta(-1, 1, colour);
		legend_item(sb, l, &x, y, "shrank", colour, NULL, NULL,
			    "shrank (the frame's own samples)");
		svg_color_delta(1, 1, colour);
		legend_item(sb, l, &x, y, "grew", colour, NULL, NULL, "grew");
		legend_item(sb, l, &x, y, "same", "rgb(255,255,255)", NULL, NULL,
			    t->differential == PROFILE_DIFF_BOTH ?
			    "same; width: before + after" : "same; width: after");
	} else {
		for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
			const char *plain = svg_color_kind_palette(kinds[i].kind);
			unsigned bits = 1u << kinds[i].kind;

			if (kinds[i].kind == FRAME_MARKER)
				bits |= 1u << FRAME_PROCESS;
			if (!(l->kinds & bits))
				continue;
			svg_color_of_palette(plain, 0.5, colour);
			svg_color_of_palette(plain, 0, lo);
			svg_color_of_palette(plain, 1, hi);
			legend_item(sb, l, &x, y, kinds[i].id, colour, lo, hi,
				    kinds[i].label);
		}
	}
	strbuf_addstr(sb, "</g>\n");
}

static int svg_write(const struct profile *p, FILE *out,
		     const struct write_options *wo)
{
	struct svg_tree_options to = { 0 };
	struct svg_layout l;
	struct svg_tree t;
	struct strbuf sb;
	double min_count, sum;
	uint32_t i;

	memset(&l, 0, sizeof(l));
	if (resolve(&l, wo) < 0)
		return -1;
	to.reverse = l.o.reverse;
	to.flamechart = l.o.flamechart;
	to.with_threads = wo->with_threads;
	sum = profile_sum(p, p->meta.differential && p->nr_values >= 2 ? 1 : 0);
	if (p->meta.differential == PROFILE_DIFF_BOTH && p->nr_values >= 2)
		sum += profile_sum(p, 0);
	if (!(sum > 0))
		return write_empty(&l, out);
	l.total = sum;
	if (l.o.total > 0) {
		if (l.o.total >= sum)
			l.total = l.o.total;
		else if (l.o.total / sum < 0.98)
			warning("flame graph: --total %g is less than the actual total %g; ignored",
				l.o.total, sum);
	}
	l.width_per_count = (l.o.width - 2 * SVG_XPAD) / l.total;
	min_count = l.o.min_width_percent ? l.total * l.o.min_width / 100 :
		    l.o.min_width / l.width_per_count;
	svg_tree_build(&t, p, &to, min_count);
	svg_tree_layout(&t, !l.o.flamechart, min_count);
	l.max_depth = t.max_depth;
	choose_legend(&l, &t);
	l.image_height = (l.max_depth + 1) * l.o.frame_height + l.ypad_top +
			 l.ypad_bottom + l.subtitle_pad + l.legend_pad;

	strbuf_init(&sb);
	strbuf_grow(&sb, SVG_FLUSH_AT + 65536);
	write_header(&sb, &l, l.image_height, 1);
	if (!l.o.embedded)
		write_script(&sb);
	write_chrome(&sb, &l, l.image_height);
	write_legend(&sb, &l, &t);
	strbuf_addf(&sb, "<g id=\"frames\" data-total=\"%.17g\" data-factor=\"%.17g\" "
		    "data-width=\"%g\" data-xpad=\"%g\" data-fontsize=\"%g\" "
		    "data-fontwidth=\"%g\" data-inverted=\"%d\" data-nametype=\"",
		    l.total, l.o.factor, l.o.width, SVG_XPAD, l.o.font_size,
		    l.o.font_width, l.o.inverted ? 1 : 0);
	add_escaped(&sb, l.o.name_type);
	strbuf_addstr(&sb, "\" data-countname=\"");
	add_escaped(&sb, l.o.count_name);
	strbuf_addstr(&sb, "\">\n");
	for (i = 0; i < t.nr; i++) {
		if (!t.visible[i])
			continue;
		write_frame(&sb, &l, &t, i, &l.rng);
		flush_if_full(&sb, out);
	}
	strbuf_addstr(&sb, "</g>\n</svg>\n");
	fwrite(sb.buf, 1, sb.len, out);
	strbuf_release(&sb);
	svg_tree_release(&t);
	return ferror(out) ? -1 : 0;
}

const struct format_writer svg_writer = {
	.name = "svg",
	.extensions = ".svg",
	.write = svg_write,
};
