/*
 * flamegraph.c - `scorch flamegraph`: any profile input(s) to an
 * interactive SVG flame graph, with flamegraph.pl's options.
 *
 * Owns option parsing and validation, merging several inputs into one
 * profile.  The consistent-palette file (--cp / --palfile) is a writer
 * option format_write_path reads and updates.  Drawing
 * is the svg writer's job (formats/svg.c); this file never formats SVG.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common_options.h"
#include "formats/format.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/options.h"

static const struct command_usage usage = {
	"scorch flamegraph [options] [INPUT...|-] [-o FILE]", 0, 0, -1, NULL,
};

/* "12", "0.5" or "1%" -> value and percent flag; -1 if malformed. */
static int parse_min_width(const char *s, double *value, int *percent)
{
	char *end;

	errno = 0;
	*value = strtod(s, &end);
	if (end == s || errno || *value < 0)
		return -1;
	*percent = 0;
	if (*end == '%') {
		*percent = 1;
		end++;
	}
	return *end ? -1 : 0;
}

static int check_positive(const char *name, double value, int allow_zero)
{
	if (value > 0 || (allow_zero && value == 0))
		return 0;
	return error("flamegraph: --%s %g is out of range (give a number %s 0)",
		     name, value, allow_zero ? ">=" : ">");
}

/* -f as given; else svg for stdout, else what the output's extension
 * names, which must be .svg or .html/.htm.  NULL (reported) otherwise. */
static const char *flame_graph_format(const char *format, const char *output)
{
	const struct format_writer *w;

	if (format)
		return format;
	if (!strcmp(output, "-"))
		return "svg";
	w = format_writer_for_path(output);
	if (w && (!strcmp(w->name, "svg") || !strcmp(w->name, "html")))
		return w->name;
	error("flamegraph: %s: a flame graph is written as svg or html (name it .svg or .html, or give -f svg|html%s)",
	      output, w ? "; other formats: scorch convert" : "");
	return NULL;
}

int cmd_flamegraph(int argc, const char **argv)
{
	struct read_options ro = { 0 };
	struct write_options wo = { 0 };
	struct svg_options so;
	const char *input_format = NULL, *output = "-", *min_width = NULL;
	const char *format = NULL;
	const char *palette_file = NULL;
	int consistent = 0, nargs, i, ret = 0;
	struct profile p;
	const struct option opts[] = {
		{ OPTION_GROUP, 0, NULL, NULL, NULL, "Text", NULL },
		OPT_TITLE(&so.title, "title (default \"Flame Graph\", \"Icicle Graph\" with --inverted)"),
		{ OPTION_STRING, 0, "subtitle", &so.subtitle, "TEXT",
		  "second title line", NULL },
		{ OPTION_STRING, 0, "countname", &so.count_name, "TEXT",
		  "what the counts are (default \"samples\")", NULL },
		{ OPTION_STRING, 0, "nametype", &so.name_type, "TEXT",
		  "what the names are (default \"Function:\")", NULL },
		{ OPTION_STRING, 0, "notes", &so.notes, "TEXT",
		  "notes kept as a comment in the SVG", NULL },
		{ OPTION_GROUP, 0, NULL, NULL, NULL, "Size and font", NULL },
		{ OPTION_DOUBLE, 0, "width", &so.width, "PX",
		  "image width (default 1200)", NULL },
		{ OPTION_DOUBLE, 0, "height", &so.frame_height, "PX",
		  "height of each frame (default 16)", NULL },
		{ OPTION_STRING, 0, "minwidth", &min_width, "PX|N%",
		  "omit frames narrower than PX pixels or N% of the total (default 0.1)", NULL },
		{ OPTION_STRING, 0, "fonttype", &so.font_type, "FONT",
		  "font family (default Verdana)", NULL },
		{ OPTION_DOUBLE, 0, "fontsize", &so.font_size, "PX",
		  "font size (default 12)", NULL },
		{ OPTION_DOUBLE, 0, "fontwidth", &so.font_width, "RATIO",
		  "average glyph width / font size (default 0.59)", NULL },
		{ OPTION_GROUP, 0, NULL, NULL, NULL, "Colours", NULL },
		{ OPTION_STRING, 0, "colors", &so.colors, "PALETTE",
		  "kind (default: Python green, native red, kernel orange, JIT yellow, inlined aqua, with a legend; "
		  "hot when every frame is native) hot mem io red green blue aqua yellow purple orange java js perl python wakeup chain", NULL },
		{ OPTION_STRING, 0, "color", &so.colors, "PALETTE",
		  "the same as --colors", NULL },
		{ OPTION_STRING, 0, "bgcolors", &so.bg_colors, "COLOR",
		  "background: yellow blue green grey or #rrggbb", NULL },
		{ OPTION_BOOL, 0, "hash", &so.hash, NULL,
		  "colour by name hash (similar names, similar colours)", NULL },
		{ OPTION_BOOL, 0, "random", &so.random, NULL,
		  "random colours", NULL },
		{ OPTION_BOOL, 0, "cp", &consistent, NULL,
		  "consistent colours across graphs via palette.map (read and updated)", NULL },
		{ OPTION_STRING, 0, "palfile", &palette_file, "FILE",
		  "palette file for --cp (implies --cp)", NULL },
		{ OPTION_BOOL, 0, "negate", &so.negate, NULL,
		  "differential: swap red and blue", NULL },
		{ OPTION_GROUP, 0, NULL, NULL, NULL, "Shape", NULL },
		{ OPTION_BOOL, 0, "reverse", &so.reverse, NULL,
		  "reverse the stacks (merge from the leaf)", NULL },
		{ OPTION_BOOL, 0, "inverted", &so.inverted, NULL,
		  "icicle graph: root at the top", NULL },
		{ OPTION_BOOL, 0, "flamechart", &so.flamechart, NULL,
		  "keep input order, merge only adjacent equal stacks", NULL },
		{ OPTION_BOOL, 0, "threads", &wo.with_threads, NULL,
		  "one root frame per thread (inputs that record threads)", NULL },
		{ OPTION_DOUBLE, 0, "factor", &so.factor, "N",
		  "multiply displayed counts by N", NULL },
		{ OPTION_DOUBLE, 0, "total", &so.total, "N",
		  "use N as the 100% total when larger than the sum", NULL },
		{ OPTION_GROUP, 0, NULL, NULL, NULL, "Input and output", NULL },
		OPT_INPUT_FORMAT(&input_format),
		OPT_OUTPUT(&output, "write to FILE instead of stdout (FILE.html: the HTML viewer)"),
		OPT_FORMAT(&format, "svg|html", "svg (default) or html (the viewer page), whatever -o says"),
		OPT_END(),
	};

	svg_options_init(&so);
	if ((ret = parse_command(argc, argv, opts, &usage, &nargs)) >= 0)
		return ret;
	ret = 0;

	if (min_width && parse_min_width(min_width, &so.min_width,
					 &so.min_width_percent) < 0) {
		error("flamegraph: --minwidth '%s' is not a width (give pixels like 0.5 or a percentage like 1%%)",
		      min_width);
		return 2;
	}
	if (svg_options_check(&so, "flamegraph") < 0)
		return 2;
	if (so.width != 0 && !(so.width > 20)) {
		error("flamegraph: --width %g is too small (give more than 20 pixels)",
		      so.width);
		return 2;
	}
	if ((so.frame_height != 0 && check_positive("height", so.frame_height, 0) < 0) ||
	    (so.font_size != 0 && check_positive("fontsize", so.font_size, 0) < 0) ||
	    (so.font_width != 0 && check_positive("fontwidth", so.font_width, 0) < 0) ||
	    (so.factor != 0 && check_positive("factor", so.factor, 0) < 0) ||
	    check_positive("total", so.total, 1) < 0)
		return 2;
	if (so.notes && strpbrk(so.notes, "<>")) {
		error("flamegraph: --notes may not contain '<' or '>' (leave them out)");
		return 2;
	}
	if (format && strcmp(format, "svg") && strcmp(format, "html")) {
		error("flamegraph: -f %s is not svg or html (other formats: scorch convert)",
		      format);
		return 2;
	}
	format = flame_graph_format(format, output);
	if (!format)
		return 2;
	if (so.flamechart)
		ro.keep_samples = 1;
	if (palette_file)
		consistent = 1;
	if (consistent)
		so.palette_file = palette_file ? palette_file : "palette.map";

	profile_init(&p);
	if (!nargs)
		ret = format_read_path("-", input_format, &p, &ro);
	for (i = 0; i < nargs && !ret; i++)
		ret = format_read_path(argv[i], input_format, &p, &ro);
	/* the stack and totals tables are not drawn: their memory goes
	 * before the flame graph's */
	profile_trim(&p);
	if (!ret) {
		wo.svg = &so;
		ret = format_write_path(output, format, NULL, &p, &wo);
	}
	profile_release(&p);
	return ret ? 1 : 0;
}
