/*
 * html.h - the HTML viewer writer's embedded script.
 *
 * The page's own script (html_script.js, turned into a C string at build
 * time) runs beside the flame graph's (svg_script.js); see html.c.
 */
#ifndef SCORCH_FORMATS_HTML_H
#define SCORCH_FORMATS_HTML_H

extern const char html_script[];

#endif
