/*
 * script_names.c - tidies frame names with the exact rules
 * stackcollapse-perf.pl applies (reference formats.md sections 2 and 6),
 * for both the `perf script` reader and the perf.data stack builder.  It
 * never allocates except through the caller's strbuf.
 */
#include <string.h>

#include "perf/script_names.h"
#include "util/strbuf.h"
#include "util/text.h"

static inline int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

enum perfscript_frame_kind perfscript_dso_kind(const char *dso, size_t len)
{
	const char *p, *end = dso + len;

	if (len == 7 && !memcmp(dso, "inlined", 7))
		return PERFSCRIPT_DSO_INLINED;
	if ((len && dso[0] == '[') || text_ends_with(dso, len, "vmlinux")) {
		if (!text_contains(dso, len, "unknown"))
			return PERFSCRIPT_KERNEL;
	}
	/* m:/tmp/perf-\d+\.map: anywhere */
	for (p = dso; p < end; p++) {
		const char *q;

		p = memmem(p, (size_t)(end - p), "/tmp/perf-", 10);
		if (!p)
			break;
		q = p + 10;
		if (q >= end || !is_digit((unsigned char)*q))
			continue;
		while (q < end && is_digit((unsigned char)*q))
			q++;
		if (end - q >= 4 && !memcmp(q, ".map", 4))
			return PERFSCRIPT_JIT;
	}
	return PERFSCRIPT_PLAIN;
}

/* m/\.\(.*\)\./: a ".(" with a ")." somewhere after it. */
static int looks_like_go_method(const char *s, size_t len)
{
	const char *first = memmem(s, len, ".(", 2);
	size_t k;

	if (!first)
		return 0;
	for (k = len; k-- > 1;)
		if (s[k] == '.' && s[k - 1] == ')')
			return s + k - 1 >= first + 2;
	return 0;
}

void perfscript_tidy_name(const char *func, size_t len,
			  const struct perfscript_frame_line *f, int addrs,
			  int java, struct strbuf *out)
{
	size_t i, start, cut;

	strbuf_reset(out);
	if (len == 9 && !memcmp(func, "[unknown]", 9)) {
		strbuf_addch(out, '[');
		if (f->dso_len == 9 && !memcmp(f->dso, "[unknown]", 9)) {
			strbuf_addstr(out, "unknown");
		} else {
			const char *slash = memrchr(f->dso, '/', f->dso_len);

			start = slash ? (size_t)(slash - f->dso) + 1 : 0;
			strbuf_add(out, f->dso + start, f->dso_len - start);
		}
		if (addrs) {
			strbuf_addstr(out, " <");
			strbuf_add(out, f->address, f->address_len);
			strbuf_addch(out, '>');
		}
		strbuf_addch(out, ']');
	} else {
		strbuf_add(out, func, len);
	}
	for (i = 0; i < out->len; i++)
		if (out->buf[i] == ';')
			out->buf[i] = ':';
	if (!looks_like_go_method(out->buf, out->len)) {
		/* drop from the first '(' not opening "(anonymous namespace)" */
		for (cut = 0; cut < out->len; cut++) {
			if (out->buf[cut] != '(')
				continue;
			if (out->len - cut - 1 >= 20 &&
			    !memcmp(out->buf + cut + 1, "anonymous namespace)", 20))
				continue;
			strbuf_setlen(out, cut);
			break;
		}
	}
	for (i = start = 0; i < out->len; i++)
		if (out->buf[i] != '"' && out->buf[i] != '\'')
			out->buf[start++] = out->buf[i];
	strbuf_setlen(out, start);
	if (java && out->len && out->buf[0] == 'L' &&
	    memchr(out->buf, '/', out->len)) {
		memmove(out->buf, out->buf + 1, out->len - 1);
		strbuf_setlen(out, out->len - 1);
	}
}

int perfscript_python_trampoline(const char *name, size_t len,
				 size_t *func_len, const char **file,
				 size_t *file_len)
{
	const char *colon;

	if (len >= 4 && !memcmp(name + len - 4, "_[j]", 4))
		len -= 4;
	if (len < 7 || memcmp(name, "py::", 4))
		return 0;
	/* qualnames have no ':'; file names may */
	colon = memchr(name + 4, ':', len - 4);
	if (!colon || colon == name + 4 || colon + 1 == name + len)
		return 0;
	*func_len = (size_t)(colon - name - 4);
	*file = colon + 1;
	*file_len = (size_t)(name + len - colon - 1);
	return 1;
}
