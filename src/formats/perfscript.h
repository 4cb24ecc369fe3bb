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

/* A callchain line: "ADDR SYMBOL+0xOFF (DSO)". */
struct perfscript_frame_line {
	const char *address;
	size_t address_len;
	const char *symbol;	/* raw, "+0x.." still attached */
	size_t symbol_len;
	const char *dso;	/* between the last " (" and the last ")" */
	size_t dso_len;
};

/* Returns 1 when line has the shape of a frame line, 0 otherwise. */
int perfscript_parse_frame_line(const char *line, size_t len,
				struct perfscript_frame_line *f);

enum perfscript_frame_kind {
	PERFSCRIPT_PLAIN = 0,
	PERFSCRIPT_KERNEL,	/* stackcollapse adds "_[k]" with --kernel */
	PERFSCRIPT_JIT,		/* adds "_[j]" with --jit */
	PERFSCRIPT_INLINED,	/* "->"-split inline part: "_[i]" is in the name */
	PERFSCRIPT_DSO_INLINED,	/* perf's "(inlined)" frame */
};

/* Tells what kind of frame a dso names (ignoring "->" inlining). */
enum perfscript_frame_kind perfscript_dso_kind(const char *dso, size_t len);

/*
 * Tidies one function name (one "->" part) like stackcollapse-perf.pl:
 * "[unknown]" becomes "[dso-basename]" or "[unknown]" (with the address
 * when addrs is set), ';' becomes ':', argument lists after '(' go
 * (except Go method names and "(anonymous namespace)"), quotes go, and
 * Java names lose their leading 'L' when java is set.  Replaces out.
 */
void perfscript_tidy_name(const char *func, size_t len,
			  const struct perfscript_frame_line *f, int addrs,
			  int java, struct strbuf *out);

/*
 * CPython's perf trampolines (`python -X perf`, 3.12+) name each Python
 * function "py::QUALNAME:FILE" in /tmp/perf-PID.map.  Returns 1 when
 * name (len bytes; a "_[j]" suffix allowed) is such a name, with the
 * function at name + 4 (*func_len bytes) and the file in *file /
 * *file_len; 0 otherwise.
 */
int perfscript_python_trampoline(const char *name, size_t len,
				 size_t *func_len, const char **file,
				 size_t *file_len);

#endif
