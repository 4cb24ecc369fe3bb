/*
 * output_path.h - where an output name leads, and so how to write it.
 *
 * A regular file, or a name that does not exist yet, is replaced
 * atomically (a temporary file in its directory, then rename).  Anything
 * else is written in place and never replaced: a character device, a
 * FIFO, a socket, or one of our own descriptors named as /dev/stdout,
 * /dev/fd/N or /proc/self/fd/N.  Symbolic links are followed, so the
 * file replaced is the link's target, in the target's own directory, and
 * the link stays.  Directories and block devices are refused.  Nothing
 * here opens the destination or writes anything (util/output.c does).
 */
#ifndef SCORCH_UTIL_OUTPUT_PATH_H
#define SCORCH_UTIL_OUTPUT_PATH_H

#include <sys/types.h>

enum output_kind {
	OUTPUT_REPLACE,		/* temporary file + rename over file */
	OUTPUT_IN_PLACE,	/* open(file) and write: device, FIFO, socket */
	OUTPUT_DESCRIPTOR,	/* write to our own descriptor fd */
};

struct output_path {
	enum output_kind kind;
	char *file;		/* REPLACE/IN_PLACE: the path, links followed */
	int fd;			/* DESCRIPTOR: the descriptor number */
	int exists;		/* REPLACE: file exists (keep its mode, owner) */
	mode_t mode;		/* st_mode of the existing file */
	uid_t uid;
	gid_t gid;
};

/*
 * Finds where name leads.  Returns 0 and fills *where (free with
 * output_path_release), or -1 after reporting why it cannot be written
 * ("scorch: NAME: ..." naming the given name).
 */
int output_path_resolve(const char *name, struct output_path *where);
void output_path_release(struct output_path *where);
/* The directory part of path: "." when it has none (caller frees). */
char *output_path_dir(const char *path);

#endif
