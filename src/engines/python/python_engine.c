/*
 * python_engine.c - the Python reader's row in the engine table: takes
 * any CPython target (pyrecord.c waits for a starting interpreter),
 * refuses the modes the target's version cannot record, and samples it
 * with pyrecord_run.  Its state is the target's pyreader.  Its dump op
 * (scorch dump) is python_dump.c.
 */
#include "engines/engine.h"
#include "engines/python/pyrecord.h"
#include "engines/python/python_dump.h"
#include "python/opcodes.h"
#include "python/reader.h"
#include "proc/target.h"
#include "util/error.h"
#include "util/strbuf.h"

static enum engine_verdict python_take(struct engine_run *r,
				       struct strbuf *why)
{
	struct pyreader *reader = NULL;

	if (r->target_gone)
		return ENGINE_PASS;
	switch (pyrecord_open(r->t, &reader, why)) {
	case PYREAD_OK:
		r->state = reader;
		return ENGINE_TAKE;
	case PYREAD_GONE:
		return ENGINE_GONE;
	case PYREAD_NOT_PYTHON:
		return ENGINE_PASS;	/* the perf_event engine's, perhaps */
	case PYREAD_NOT_READY:
		error("%s (it did not finish starting in time; try again or attach with -p once it runs)",
		      why->buf);
		break;
	case PYREAD_UNSUPPORTED:
		/* a reason that says its own fix keeps it */
		if (why->len && why->buf[why->len - 1] == ')')
			error("%s", why->buf);
		else
			error("%s (use CPython 3.6-3.15)", why->buf);
		break;
	case PYREAD_NO_PERMISSION:
		error("%s", why->buf);
		break;
	}
	return ENGINE_FAIL;
}

static int python_check(struct engine_run *r)
{
	const struct pyreader *reader = r->state;

	if (r->o->exception && !pyreader_knows_exceptions(reader)) {
		error("%s: --mode exception: scorch does not know where Python %s keeps a thread's exception (record without it)",
		      error_command(),
		      reader->version);
		return -1;
	}
	if (r->o->opcodes && !py_opcode_names(reader->layout.major,
					      reader->layout.minor)) {
		error("%s: --opcodes: scorch has no instruction names for Python %s (3.11 to 3.15 have them; record without --opcodes)",
		      error_command(),
		      reader->version);
		return -1;
	}
	return 0;
}

static int python_run(struct engine_run *r, struct profile *p,
		      struct record_stats *stats, volatile sig_atomic_t *stop)
{
	struct pyreader *reader = r->state;

	r->state = NULL;
	return pyrecord_run(r->o, r->t, reader, p, stats, stop);
}

static void python_discard(struct engine_run *r)
{
	if (r->state)
		pyreader_close(r->state);
	r->state = NULL;
}

const struct engine python_engine = {
	.name = "python",
	.summary = "CPython 3.6-3.15 read from outside (process_vm_readv)",
	.take = python_take,
	.check = python_check,
	.run = python_run,
	.discard = python_discard,
	.dump = python_dump,
};
