/*
 * html_script.c - the HTML viewer page's script as a C string.
 *
 * The script itself is html_script.js; the Makefile turns it into
 * $(BUILD)/gen/html_script.inc (one C string literal per line), included
 * here.  Edit the .js file, never the generated one.
 */
#include "formats/html.h"

const char html_script[] =
#include "html_script.inc"
	;
