/*
 * record_stats.c - words for the counters every sampling engine reports
 * (struct record_stats, record_options.h): what the dropped samples were,
 * for the summary `record` prints.  Never prints itself.
 */
#include "engines/engine.h"
#include "util/strbuf.h"

/* What record_stats.errors were, by kind: singular, plural. */
static const char *const error_names[RECORD_ERROR_KINDS][2] = {
	[RECORD_ERROR_THREAD_LIST] = { "thread list changed while read",
				       "thread lists changed while read" },
	[RECORD_ERROR_STACK] = { "stack changed or gone while read",
				 "stacks changed or gone while read" },
	[RECORD_ERROR_NO_FRAMES] = { "sample with no frame to unwind",
				     "samples with no frame to unwind" },
	[RECORD_ERROR_MIXED_PYTHON] = { "Python stack unreadable with --native",
					"Python stacks unreadable with --native" },
};

void record_stats_describe_errors(const struct record_stats *s,
				  struct strbuf *sb)
{
	unsigned long known = 0;
	const char *sep = " (";

	if (!s->errors) {
		strbuf_addstr(sb, "no errors");
		return;
	}
	strbuf_addf(sb, "%lu error%s", s->errors, s->errors == 1 ? "" : "s");
	for (int k = 0; k < RECORD_ERROR_KINDS; k++) {
		unsigned long n = s->error_kinds[k];
		if (!n)
			continue;
		strbuf_addf(sb, "%s%lu %s", sep, n, error_names[k][n != 1]);
		sep = ", ";
		known += n;
	}
	if (s->errors > known)	/* counted by code that does not say why */
		strbuf_addf(sb, "%s%lu of unknown kind", sep, s->errors - known);
	strbuf_addch(sb, ')');
}
