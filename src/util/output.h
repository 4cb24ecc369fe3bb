/*
 * output.h - output files that are complete or absent, and outputs that
 * are not files at all.
 *
 * A regular file (or a new name) is written to a temporary file in its
 * own directory, synced, and renamed into place only by output_commit(),
 * so a failed or interrupted run leaves the old file as it was and no
 * temporary behind.  A symlink is followed: its target is replaced, the
 * link stays.  A character device, FIFO, socket, "-" (stdout) or one of
 * our own descriptors (/dev/stdout, /dev/fd/N, /proc/self/fd/N) is
 * written in place and never replaced (util/output_path.h decides).
 * Every write error is one line naming the output and the cause.
 */
#ifndef SCORCH_UTIL_OUTPUT_H
#define SCORCH_UTIL_OUTPUT_H

#include <stdio.h>

struct output {
	FILE *fp;		/* write here */
	char *path;		/* the name given ("<stdout>" for "-") */
	char *tmp_path;		/* temporary file; NULL when written in place */
	char *final_path;	/* the file tmp_path replaces (links followed) */
	int fd;			/* what fp writes to */
	int own_fd;		/* fd is ours to close */
	int err;		/* errno of the first failed write, 0 if none */
};

/* Returns 0, or -1 after reporting why the output cannot be opened. */
int output_open(struct output *out, const char *path);
/* Flushes, checks for write errors, syncs and renames a temporary file
 * into place.  Returns 0, or -1 (reported in one line; the temporary file
 * is removed, the old file left as it was). */
int output_commit(struct output *out);
/* Nonzero once a write to out has failed: a writer that stops on a write
 * error leaves the message to output_commit(). */
int output_write_failed(const struct output *out);
/* Checks, before long work, that path could be written: a temporary
 * file beside a file is created and removed; a device, FIFO or
 * descriptor is checked for write permission, never opened.  Returns 0
 * or -1 (reported). */
int output_check(const char *path);
/* Discards everything written, silently; a file is left as it was. */
void output_abort(struct output *out);

/* Removes any temporary file still open: for signal-driven exits. */
void output_abort_all(void);

#endif
