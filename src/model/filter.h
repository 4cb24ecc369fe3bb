/*
 * filter.h - which stacks of a profile pass --focus / --ignore.
 *
 * A stack passes when some frame matches the focus pattern (or there is
 * none) and no frame matches the ignore pattern.  Patterns are POSIX
 * extended regular expressions matched against the frame's label
 * ("name (file:line)").  Only reads the profile.
 */
#ifndef SCORCH_MODEL_FILTER_H
#define SCORCH_MODEL_FILTER_H

#include <stdint.h>

struct profile;

/* Returns a malloc'ed array of p->nr_stacks flags (1 = keep), caller
 * frees; or NULL after reporting a bad pattern.  NULL patterns match
 * nothing (no focus = keep all). */
uint8_t *filter_stacks(const struct profile *p, const char *focus,
		       const char *ignore);

#endif
