/*
 * pyrecord.h - the Python engine: samples one or more CPython processes
 * at a fixed rate into a profile, with the reader of src/python/.
 *
 * It owns the readers of the target and (with --subprocesses) of its
 * Python descendants, the tick loop, and the turning of reader stacks into
 * profile frames.  It never writes output and prints only warnings; its
 * row (python_engine.c) plugs it into the engine table, and the session
 * (session/) chooses the engine and draws the progress line.
 */
#ifndef SCORCH_ENGINES_PYTHON_PYRECORD_H
#define SCORCH_ENGINES_PYTHON_PYRECORD_H

#include <signal.h>

#include "engines/engine.h"
#include "proc/target.h"
#include "python/reader.h"

struct profile;
struct strbuf;

/*
 * Waits (bounded) until t runs an initialised CPython and opens a reader
 * on it.  A spawned target that exits meanwhile gives PYREAD_GONE with
 * t->exited set.  On failure why holds the reason.
 */
enum pyread_status pyrecord_open(struct target *t, struct pyreader **out,
				 struct strbuf *why);

/*
 * Samples until the target and its followed children are gone, the
 * duration passes, or *stop becomes nonzero.  Takes ownership of reader.
 * Counts go to stats.  Returns 0.
 */
int pyrecord_run(const struct record_options *o, struct target *t,
		 struct pyreader *reader, struct profile *p,
		 struct record_stats *stats, volatile sig_atomic_t *stop);

#endif
