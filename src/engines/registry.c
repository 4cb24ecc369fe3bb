/*
 * registry.c - the table of sampling engines, in the order the session
 * asks them to take a target.
 *
 * To add an engine: write engines/NAME/ with its row (struct engine,
 * engine.h), declare the row in engines/engines.h and add it below where
 * it should be asked.  The order is the choice: the BPF engine first, but
 * it takes only what --engine bpf or -a gave it; --native (mixed) next,
 * then the Python reader for any CPython, then the perf_event engine for
 * what is left.
 */
#include <string.h>

#include "engines/engine.h"
#include "engines/engines.h"

const struct engine *const engine_table[] = {
	&bpf_engine,
	&mixed_engine,
	&python_engine,
	&native_engine,
};

const unsigned engine_table_size =
	sizeof(engine_table) / sizeof(engine_table[0]);

const struct engine *engine_find(const char *name)
{
	for (unsigned i = 0; i < engine_table_size; i++)
		if (!strcmp(engine_table[i]->name, name))
			return engine_table[i];
	return NULL;
}
