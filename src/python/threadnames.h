/*
 * threadnames.h - names of Python threads (threading.Thread.name), read
 * from the target's threading module; /proc comm is the fallback.
 */
#ifndef SCORCH_PYTHON_THREADNAMES_H
#define SCORCH_PYTHON_THREADNAMES_H

#include <stdint.h>

struct pyreader;

/* Refreshes the names of the reader's known threads from the target's
 * threading._active; threads it cannot name keep their current name.
 * Returns the number of threads named. */
int pythread_names_update(struct pyreader *r);

/* The str-keyed entry name of a dict, or an instance attribute (however
 * the version stores it); 0 when absent or unreadable. */
uint64_t pydict_lookup(const struct pyreader *r, uint64_t dict,
		       const char *name);
uint64_t pyobject_attribute(const struct pyreader *r, uint64_t obj,
			    const char *name);

#endif
