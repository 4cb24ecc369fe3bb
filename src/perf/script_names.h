/*
 * script_names.h - frame names as `perf script | stackcollapse-perf.pl`
 * prints them: the kind of a frame from its dso, the tidying of one
 * function name, and CPython's perf-trampoline names.  Shared by the
 * `perf script` text reader (formats/perfscript) and the perf.data stack
 * builder (perf/stack.c, under its perf-script naming policy), so both
 * name a frame the same way.  All strings point into the caller's buffer.
 */
#ifndef SCORCH_PERF_SCRIPT_NAMES_H
#define SCORCH_PERF_SCRIPT_NAMES_H

#include <stddef.h>

struct strbuf;

/* A callchain line: "ADDR SYMBOL+0xOFF (DSO)". */
struct perfscript_frame_line {
	const char *address;
	size_t address_len;
	const char *symbol;	/* raw, "+0x.." still attached */
	size_t symbol_len;
	const char *dso;	/* between the last " (" and the last ")" */
	size_t dso_len;
};

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
