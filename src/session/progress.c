/*
 * progress.c - the progress line and the summary of a recording
 * (progress.h, session.h).
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "session/progress.h"
#include "session/session.h"
#include "util/error.h"
#include "util/strbuf.h"

#define PROGRESS_EVERY_NS 250000000LL

static void draw(void *ctx, const struct profile *p, int64_t elapsed_ns)
{
	struct progress *pr = ctx;
	const struct record_stats *s = pr->stats;

	if (pr->view && elapsed_ns - pr->last_view_ns >= pr->view_every_ns) {
		pr->last_view_ns = elapsed_ns;
		pr->view(pr->view_ctx, p, elapsed_ns);
	}
	fprintf(stderr, "\r\033[Kscorch: %.1fs  %lu samples  %lu error%s",
		(double)elapsed_ns / 1e9, s->samples, s->errors,
		s->errors == 1 ? "" : "s");
	fflush(stderr);
	pr->shown = 1;
}

static int poll_view(void *ctx, const struct profile *p, int64_t elapsed_ns)
{
	struct progress *pr = ctx;

	return pr->view_poll(pr->view_ctx, p, elapsed_ns);
}

int progress_hook(struct progress *pr, const struct record_options *o,
		  struct record_options *eo, const struct record_stats *stats)
{
	*eo = *o;
	memset(pr, 0, sizeof(*pr));
	if (o->quiet || !isatty(2))
		return 0;
	pr->stats = stats;
	pr->view = o->view;
	pr->view_poll = o->view_poll;
	pr->view_ctx = o->view_ctx;
	pr->view_every_ns = o->view_every_ns;
	eo->view = draw;
	eo->view_poll = o->view_poll ? poll_view : NULL;
	eo->view_ctx = pr;
	eo->view_every_ns = o->view && o->view_every_ns < PROGRESS_EVERY_NS ?
		o->view_every_ns : PROGRESS_EVERY_NS;
	return 1;
}

void progress_end(struct progress *pr)
{
	if (pr->stats)
		fputs("\r\033[K", stderr);
}

void record_summary(const struct record_options *o,
		    const struct record_stats *s, const char *output,
		    double seconds)
{
	struct strbuf errors = { 0 }, cost = { 0 };

	if (o->quiet)
		return;
	record_stats_describe_errors(s, &errors);
	/* the share of a CPU says what the overhead was: scorch's CPU time
	 * over the wall time of the same stretch, so it is measured, not
	 * estimated, and cannot pass 100% per scorch thread.  Per sample, at
	 * low rates, mostly measures what waking up costs on this machine */
	if (s->sampling_wall_us > 0)
		strbuf_addf(&cost, "; scorch used %.2f%% of one CPU",
			    100.0 * s->sampling_cpu_us / s->sampling_wall_us);
	if (s->samples)
		strbuf_addf(&cost, " (%.1f us per sample)",
			    s->sampling_cpu_us / (double)s->samples);
	notice("%lu sample%s in %.1fs, %lu late tick%s, %s%s -> %s",
	       s->samples, s->samples == 1 ? "" : "s", seconds,
	       s->late, s->late == 1 ? "" : "s", strbuf_str(&errors),
	       strbuf_str(&cost), output);
	strbuf_release(&errors);
	strbuf_release(&cost);
}
