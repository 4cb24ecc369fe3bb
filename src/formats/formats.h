/*
 * formats.h - every reader and writer scorch knows; registry.c lists them.
 */
#ifndef SCORCH_FORMATS_FORMATS_H
#define SCORCH_FORMATS_FORMATS_H

#include "formats/format.h"

extern const struct format_reader folded_reader;
extern const struct format_writer folded_writer;
extern const struct format_reader perfscript_reader;
extern const struct format_reader perfdata_reader;
extern const struct format_writer svg_writer;
extern const struct format_writer html_writer;
extern const struct format_reader pprof_reader;
extern const struct format_writer pprof_writer;
extern const struct format_reader speedscope_reader;
extern const struct format_writer speedscope_writer;

#endif
