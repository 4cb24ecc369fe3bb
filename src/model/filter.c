/*
 * filter.c - --focus / --ignore over a profile's stack tree (filter.h).
 *
 * Each frame is matched once; a stack's verdict is its parent's verdict
 * plus its own frame, so the walk is linear in the number of stacks.
 * Never modifies the profile.
 */
#include <regex.h>
#include <stdlib.h>

#include "model/filter.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

static int compile(regex_t *re, const char *pattern, const char *option)
{
	int r = regcomp(re, pattern, REG_EXTENDED | REG_NOSUB);
	char why[200];

	if (!r)
		return 0;
	regerror(r, re, why, sizeof(why));
	regfree(re);
	return error("%s '%s': %s (use a POSIX extended regular expression)",
		     option, pattern, why);
}

/* Per frame: bit 1 = matches focus, bit 2 = matches ignore. */
static uint8_t *match_frames(const struct profile *p, regex_t *focus,
			     regex_t *ignore)
{
	uint8_t *m = xcalloc(p->nr_frames + 1, 1);
	struct strbuf label;
	uint32_t i;

	strbuf_init(&label);
	for (i = 1; i < p->nr_frames; i++) {
		strbuf_reset(&label);
		profile_frame_label(p, i, &label);
		if (focus && !regexec(focus, strbuf_str(&label), 0, NULL, 0))
			m[i] |= 1;
		if (ignore && !regexec(ignore, strbuf_str(&label), 0, NULL, 0))
			m[i] |= 2;
	}
	strbuf_release(&label);
	return m;
}

uint8_t *filter_stacks(const struct profile *p, const char *focus,
		       const char *ignore)
{
	regex_t focus_re, ignore_re;
	uint8_t *frames, *seen, *keep;
	uint32_t i;

	if (focus && compile(&focus_re, focus, "--focus"))
		return NULL;
	if (ignore && compile(&ignore_re, ignore, "--ignore")) {
		if (focus)
			regfree(&focus_re);
		return NULL;
	}
	frames = match_frames(p, focus ? &focus_re : NULL,
			      ignore ? &ignore_re : NULL);
	/* stacks are created after their parents, so one forward pass sees
	 * every parent first */
	seen = xcalloc(p->nr_stacks + 1, 1);
	keep = xcalloc(p->nr_stacks + 1, 1);
	for (i = 1; i < p->nr_stacks; i++)
		seen[i] = seen[p->stacks[i].parent] | frames[p->stacks[i].frame];
	for (i = 0; i < p->nr_stacks; i++)
		keep[i] = (!focus || (seen[i] & 1)) && !(seen[i] & 2);
	free(seen);
	free(frames);
	if (focus)
		regfree(&focus_re);
	if (ignore)
		regfree(&ignore_re);
	return keep;
}
