/*
 * flame_options.c - the check of the flame graph settings a command was
 * given (formats/flame_options.h).
 */
#include "formats/flame_options.h"
#include "formats/svg_color.h"
#include "util/error.h"

int svg_options_check(const struct svg_options *o, const char *cmd)
{
	const char *top, *bottom;

	if (o->colors && !svg_color_palette_valid(o->colors))
		return error("%s: unknown palette '%s' (known: %s)", cmd,
			     o->colors, svg_color_palette_names());
	if (svg_color_background(o->bg_colors, o->colors ? o->colors : "hot",
				 &top, &bottom) < 0)
		return error("%s: unknown background '%s' (use yellow, blue, green, grey or #rrggbb)",
			     cmd, o->bg_colors);
	return 0;
}
