/*
 * python_dump.h - the Python reader's dump op, for its engine row
 * (python_engine.c); see engine.h's struct engine.
 */
#ifndef SCORCH_ENGINES_PYTHON_PYTHON_DUMP_H
#define SCORCH_ENGINES_PYTHON_PYTHON_DUMP_H

#include <stdio.h>

#include "engines/engine.h"

enum engine_verdict python_dump(const struct dump_options *o, FILE *out,
				struct strbuf *why, int *status);

#endif
