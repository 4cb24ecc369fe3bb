/*
 * svg_color.h - flame graph colours: palettes, name-keyed colour choice,
 * differential red/blue, backgrounds, and the consistent-palette map file.
 *
 * A palette turns a frame name (and its kind) into "rgb(r,g,b)".  Colours
 * are chosen from the name, so the same function gets the same colour in
 * every graph; a palette map file ("name->rgb(r,g,b)" lines) pins them.
 * Nothing here writes to the SVG; the map file is read and written only
 * by svg_palette_load/svg_palette_save.
 */
#ifndef SCORCH_FORMATS_SVG_COLOR_H
#define SCORCH_FORMATS_SVG_COLOR_H

#include <stddef.h>
#include <stdint.h>

#define SVG_COLOR_LEN 24	/* room for "rgb(255,255,255)" and NUL */

enum svg_color_mode {
	SVG_COLOR_BY_NAME = 0,	/* one pseudo-random value per name */
	SVG_COLOR_BY_HASH,	/* similar name prefixes, similar colours */
	SVG_COLOR_RANDOM,	/* a fresh random colour per frame */
};

/* Nonzero when name is a palette svg_color_pick knows. */
int svg_color_palette_valid(const char *name);
/* Space-separated palette names, for help and errors. */
const char *svg_color_palette_names(void);

/*
 * Writes the colour for one frame into out (SVG_COLOR_LEN bytes).
 * palette: a valid palette name; name/len: the frame's full name with any
 * "_[k]"-style annotation; kind: enum frame_kind; waker: the frame sits
 * above a "--" separator (chain graphs).  rng: state for SVG_COLOR_RANDOM.
 */
void svg_color_pick(const char *palette, enum svg_color_mode mode,
		    const char *name, size_t len, int kind, int waker,
		    uint64_t *rng, char *out);

/* The plain palette the "kind" palette uses for a frame kind: Python
 * green, native red, kernel orange, JIT yellow, inlined aqua, synthetic
 * frames purple (disjoint colour ranges). */
const char *svg_color_kind_palette(int kind);
/* A colour of a plain palette: v = 0 is its lowest value on every
 * channel, 1 its highest (svg_color_pick stays within them), 0.5 the
 * middle, e.g. for a legend. */
void svg_color_of_palette(const char *plain, double v, char *out);

/* Differential colour: red when delta > 0, blue when < 0, white at 0,
 * saturated at |delta| == max_delta. */
void svg_color_delta(double delta, double max_delta, char *out);

/* The two background gradient stops for bg ("yellow", "blue", "green",
 * "grey", "#rrggbb"; NULL or "" = the palette's default).  Returns 0, or
 * -1 when bg is not recognised. */
int svg_color_background(const char *bg, const char *palette,
			 const char **top, const char **bottom);

/* A map from frame name to colour, for consistent colours across graphs. */
struct svg_palette;

struct svg_palette *svg_palette_new(void);
void svg_palette_free(struct svg_palette *pal);
/* Reads "name->colour" lines from path into pal; a missing file is an
 * empty map.  Bad lines are warnings.  Returns 0 or -1 (reported). */
int svg_palette_load(struct svg_palette *pal, const char *path);
/* Writes pal to path atomically, sorted by name.  Returns 0 or -1. */
int svg_palette_save(const struct svg_palette *pal, const char *path);
/* The colour stored for name, or NULL. */
const char *svg_palette_get(const struct svg_palette *pal, const char *name,
			    size_t len);
/* Stores colour (copied) for name, replacing any earlier one. */
void svg_palette_set(struct svg_palette *pal, const char *name, size_t len,
		     const char *colour);
/* Number of names in the map. */
uint32_t svg_palette_count(const struct svg_palette *pal);

#endif
