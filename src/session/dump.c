/*
 * dump.c - scorch dump's session (dump.h): the first row of the engine
 * table (engines/registry.c) whose dump op takes the process prints its
 * stacks.  Attaches only to read; never stops or starts a target.
 */
#include "engines/engine.h"
#include "session/dump.h"
#include "util/error.h"
#include "util/strbuf.h"

int dump_session(const struct dump_options *o, FILE *out)
{
	struct strbuf why = { 0 };
	int status = 1;

	for (unsigned i = 0; i < engine_table_size; i++) {
		const struct engine *e = engine_table[i];

		if (!e->dump)
			continue;
		strbuf_reset(&why);
		switch (e->dump(o, out, &why, &status)) {
		case ENGINE_TAKE:
			strbuf_release(&why);
			return status;
		case ENGINE_PASS:
		case ENGINE_GONE:
			continue;
		case ENGINE_FAIL:
			strbuf_release(&why);
			return 1;
		}
	}
	if (why.len)
		error("%s", why.buf);
	else
		error("dump: pid %d: no engine can show its stacks (scorch dump reads Python programs)",
		      (int)o->pid);
	strbuf_release(&why);
	return 1;
}
