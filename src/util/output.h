/*
 * output.h - all-or-nothing output files.
 *
 * output_open() writes to a temporary file beside the target; only
 * output_commit() renames it into place, so a failed or interrupted run
 * never leaves a half-written file.  "-" writes to stdout directly.
 */
#ifndef SCORCH_UTIL_OUTPUT_H
#define SCORCH_UTIL_OUTPUT_H

#include <stdio.h>

struct output {
	FILE *fp;		/* write here */
	char *path;		/* final path, NULL for stdout */
	char *tmp_path;		/* temporary path, NULL for stdout */
};

/* Returns 0, or -1 after reporting why the file cannot be created. */
int output_open(struct output *out, const char *path);
/* Flushes, checks for write errors, renames into place.  Returns 0 or -1
 * (reported; the temporary file is removed). */
int output_commit(struct output *out);
/* Checks, before long work, that path could be written: a temporary
 * file beside it is created and removed.  Returns 0 or -1 (reported). */
int output_check(const char *path);
/* Discards everything written; the target is left as it was. */
void output_abort(struct output *out);

/* Removes any temporary file still open: for signal-driven exits. */
void output_abort_all(void);

#endif
