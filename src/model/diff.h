/*
 * diff.h - the differential profile of two profiles of one program
 * (what `scorch diff` draws and tabulates): value[0] = before, value[1] =
 * after, each frame of either side mapped to one frame of the result so
 * that the same function matches across the two.
 *
 * The matching rule (the same for the table, the flame graph and every
 * writer): a frame is its function name plus its file's base name (a
 * package's __init__.py / __main__.py keeps its directory, so
 * pkg/__init__.py and other/__init__.py stay apart), without the line
 * unless lines are asked for.  When the two profiles ran differently named
 * main scripts (before.py and after.py) that define a function of the same
 * name (other than `<module>`), the files of the two main scripts are the
 * same file, labelled "before.py → after.py".  A main script is the
 * file of a `<module>` frame that is the outermost Python frame of its
 * stacks and, when the profile has its command line, is named on it (the
 * heaviest such file; `<...>` pseudo-files never are).  Only reads its
 * inputs.
 */
#ifndef SCORCH_MODEL_DIFF_H
#define SCORCH_MODEL_DIFF_H

#include <stdint.h>

#include "model/aggregate.h"

struct profile;

struct diff_options {
	/* AGGREGATE_LINE keeps lines, AGGREGATE_NAME drops files, every
	 * other key matches by function (name and file base name). */
	enum aggregate_by by;
	const uint8_t *keep_before;	/* per stack of before, NULL = all */
	const uint8_t *keep_after;
	double scale_before;		/* multiplies before's values (0 = 1) */
	double scale_after;
	const char *unit;		/* unit of both values, NULL = before's */
};

/* Sets d (freshly initialised) to the differential profile of value 0 of
 * before and after; d->meta.differential is PROFILE_DIFF_BOTH.  When the
 * main scripts were matched under a new name, *renamed (if not NULL) gets
 * d's string id of that name ("before.py → after.py"), else 0. */
void diff_profiles(struct profile *d, const struct profile *before,
		   const struct profile *after, const struct diff_options *o,
		   uint32_t *renamed);

/*
 * --normalize: sets o->scale_before so that before's total (of the
 * stacks o keeps, at o's scales) equals after's.  Returns 1 when it
 * changed the scale, 0 when the totals were equal or one was empty.
 */
int diff_normalize(const struct profile *before, const struct profile *after,
		   struct diff_options *o);

/* Sum of value 0 over the stacks keep lets through (NULL = all). */
double profile_kept_sum(const struct profile *p, const uint8_t *keep);

/* Appends the part of path a diff matches files by (see above). */
void diff_file_key(const char *path, struct strbuf *out);

/* The file (string id of p) of p's main script, or 0 when none. */
uint32_t diff_main_script(const struct profile *p);

#endif
