/*
 * progress.h - what a recording says on stderr: the progress line while
 * it runs (on a terminal, without -q) and the summary at the end.
 *
 * The progress line is drawn through the engines' live-view hook
 * (record_options.view), so every engine shows it without drawing it.
 */
#ifndef SCORCH_SESSION_PROGRESS_H
#define SCORCH_SESSION_PROGRESS_H

#include <stdint.h>

#include "engines/engine.h"

struct progress {
	const struct record_stats *stats;
	/* the command's own view (scorch top), called as it asked */
	void (*view)(void *ctx, const struct profile *p, int64_t elapsed_ns);
	int (*view_poll)(void *ctx, const struct profile *p, int64_t elapsed_ns);
	void *view_ctx;
	int64_t view_every_ns, last_view_ns;
	int shown;
};

/*
 * When o asks for a progress line (not quiet, stderr a terminal): makes
 * eo, a copy of o whose view hook draws it into stats' counts (and still
 * calls o's own view and poll), and returns 1.  Else eo is o; returns 0.
 */
int progress_hook(struct progress *pr, const struct record_options *o,
		  struct record_options *eo, const struct record_stats *stats);
/* Clears the line once the recording ends. */
void progress_end(struct progress *pr);

#endif
