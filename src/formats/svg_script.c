/*
 * svg_script.c - the flame graph's embedded script as a C string.
 *
 * The script itself is svg_script.js; the Makefile turns it into
 * $(BUILD)/gen/svg_script.inc (one C string literal per line), included
 * here.  Edit the .js file, never the generated one.
 */
#include "formats/svg.h"

const char svg_script[] =
#include "svg_script.inc"
	;
