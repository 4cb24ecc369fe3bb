/*
 * threadnames.h - names of Python threads (threading.Thread.name), read
 * from the target's threading module; /proc comm is the fallback.
 */
#ifndef SCORCH_PYTHON_THREADNAMES_H
#define SCORCH_PYTHON_THREADNAMES_H

struct pyreader;

/* Refreshes the names of the reader's known threads from the target's
 * threading._active; threads it cannot name keep their current name.
 * Returns the number of threads named. */
int pythread_names_update(struct pyreader *r);

#endif
