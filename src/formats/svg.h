/*
 * svg.h - the interactive flame graph writer ("svg") and its settings.
 *
 * The writer turns a profile into one self-contained SVG file: frames as
 * rectangles with tooltips, plus an embedded script for zoom and search
 * that needs no network.  It only reads the profile and writes to the
 * stream it is given; reading and updating a palette file is the caller's
 * job (format_write_path does it for options.palette_file).
 */
#ifndef SCORCH_FORMATS_SVG_H
#define SCORCH_FORMATS_SVG_H

#include "formats/flame_options.h"

/* The embedded script (svg_script.js, turned into a C string at build
 * time). */
extern const char svg_script[];

#endif
