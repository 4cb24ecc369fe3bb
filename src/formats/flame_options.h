/*
 * flame_options.h - the flame graph writers' settings (svg, and html,
 * which embeds it), as commands give them through format.h's
 * write_options.svg, and their check.
 */
#ifndef SCORCH_FORMATS_FLAME_OPTIONS_H
#define SCORCH_FORMATS_FLAME_OPTIONS_H

struct svg_palette;

/* Flame graph settings.  Zero / NULL means the default given beside each
 * field; svg_options_init() sets exactly those zeros. */
struct svg_options {
	const char *title;		/* "Flame Graph" / "Icicle Graph" /
					   "Flame Chart" */
	const char *subtitle;		/* none */
	const char *notes;		/* none; an XML comment in the file */
	const char *font_type;		/* "Verdana" */
	const char *count_name;		/* "samples" */
	const char *name_type;		/* "Function:" */
	const char *colors;		/* palette name, "hot"; see svg_color.h */
	const char *bg_colors;		/* "yellow" "blue" "green" "grey" or
					   "#rrggbb"; default by palette */
	double width;			/* image width in px, 1200 */
	double frame_height;		/* px per frame row, 16 */
	double font_size;		/* px, 12 */
	double font_width;		/* average glyph width / font size, 0.59 */
	double min_width;		/* omit narrower frames, 0.1 (px) */
	int min_width_percent;		/* min_width is a % of the total */
	double factor;			/* scale displayed counts, 1 */
	double total;			/* override the sum of counts, 0 = none */
	int hash;			/* colour by name hash (similar names,
					   similar colours) */
	int random;			/* random colours */
	int reverse;			/* leaf frames at the bottom */
	int inverted;			/* icicle graph: root at the top */
	int flamechart;			/* keep sample order, merge only
					   adjacent equal stacks */
	int negate;			/* swap differential red/blue */
	const char *palette_file;	/* consistent colours across graphs:
					   format_write_path reads this
					   palette file before writing and
					   updates it after; NULL = none */
	struct svg_palette *palette;	/* ... the palette read from it:
					   looked up and extended (not
					   owned), NULL = none */
	int embedded;			/* inside an HTML page: no XML
					   declaration, and the page calls
					   scorch_init() itself */
};

void svg_options_init(struct svg_options *o);

/*
 * Checks the settings a command was given: the palette name and the
 * background.  Returns 0, or -1 after reporting as "cmd: ..." what is
 * wrong and what would do.
 */
int svg_options_check(const struct svg_options *o, const char *cmd);

#endif
