/*
 * perfscript.h - the `perf script` text grammar, as stackcollapse-perf.pl
 * reads it (reference formats.md sections 2 and 6).
 *
 * perfscript_line.c owns the line grammar: sample header lines, callchain
 * frame lines and the name tidying rules; it never touches a profile.
 * perfscript.c owns the reader (registered as "perfscript"), which turns
 * the lines into samples.  All strings below point into the caller's line
 * (they are not NUL-terminated and are valid as long as the line is).
 */
#ifndef SCORCH_FORMATS_PERFSCRIPT_H
#define SCORCH_FORMATS_PERFSCRIPT_H

#include <stddef.h>
#include <stdint.h>

#include "perf/script_names.h"

struct strbuf;

/* A sample header: "comm pid/tid [cpu] time: period event:". */
struct perfscript_header {
	const char *comm;
	size_t comm_len;
	const char *first;	/* the pid, or the tid when only one number */
	size_t first_len;
	const char *tid;	/* after "pid/", NULL when absent */
	size_t tid_len;
	const char *event;	/* NULL when the line has no "event:" ending */
	size_t event_len;
	const char *period;	/* NULL when no period precedes the event */
	size_t period_len;
	int64_t time_ns;	/* -1 when no "seconds.fraction:" field */
};

/*
 * Matches a header line the way stackcollapse-perf.pl does: the comm is
 * the shortest prefix (two characters or more) followed by blanks and a
 * number, optionally "/number", and a blank.  Returns 1 and fills h, or 0.
 * The event part is matched separately and may be missing (h->event NULL).
 */
int perfscript_parse_header(const char *line, size_t len,
			    struct perfscript_header *h);

/* Returns 1 when line has the shape of a frame line, 0 otherwise. */
int perfscript_parse_frame_line(const char *line, size_t len,
				struct perfscript_frame_line *f);

#endif
