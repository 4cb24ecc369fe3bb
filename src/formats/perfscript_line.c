/*
 * perfscript_line.c - the line grammar of `perf script` text output.
 *
 * Owns recognising sample headers and callchain frame lines, with the
 * exact matching rules stackcollapse-perf.pl applies (so `scorch collapse`
 * prints the same bytes); the names in them are tidied by
 * perf/script_names.c, which the perf.data reader shares.  It never touches a
 * profile and never allocates except through the caller's strbuf.
 * Grammar: reference formats.md section 2; the rules are in perfscript.h.
 */
#include <stdint.h>
#include <string.h>

#include "formats/perfscript.h"
#include "util/text.h"
#include "util/strbuf.h"

/* Perl's \s on byte strings: space, \t, \n, \v, \f, \r. */
static inline int is_blank(unsigned char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

static inline int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* Perl's \w on byte strings. */
static inline int is_word(unsigned char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z') || c == '_';
}

/* "seconds.fraction" ending just before end; -1 when it is not one. */
static int64_t parse_time(const char *start, const char *end)
{
	const char *p = end, *dot = NULL;
	int64_t sec = 0, frac = 0, scale = 1000000000;

	while (p > start && (is_digit((unsigned char)p[-1]) || p[-1] == '.')) {
		p--;
		if (*p == '.') {
			if (dot)
				return -1;
			dot = p;
		}
	}
	if (!dot || dot == p || dot + 1 == end || end - p > 30)
		return -1;
	for (; p < dot; p++) {
		sec = sec * 10 + (*p - '0');
		if (sec > INT64_MAX / 1000000000)
			return -1;	/* no time in ns holds it */
	}
	for (p = dot + 1; p < end; p++) {
		scale /= 10;
		frac += (*p - '0') * scale;
	}
	if (frac > INT64_MAX - sec * 1000000000)
		return -1;
	return sec * 1000000000 + frac;
}

/*
 * The event part: ":\s*(\d+)*\s+(\S+):\s*$".  The line, without trailing
 * blanks, ends in "TOKEN:" after a blank; before that come blanks, an
 * optional period and blanks, right after a ':' (the time's).
 */
static void parse_event(const char *s, size_t n, struct perfscript_header *h)
{
	size_t end = n, tok, ws, digits, colon;

	while (end > 0 && is_blank((unsigned char)s[end - 1]))
		end--;
	if (end < 2 || s[end - 1] != ':')
		return;
	tok = end - 1;
	while (tok > 0 && !is_blank((unsigned char)s[tok - 1]))
		tok--;
	if (tok == end - 1 || tok == 0)
		return;
	ws = tok;
	while (ws > 0 && is_blank((unsigned char)s[ws - 1]))
		ws--;
	digits = ws;
	while (digits > 0 && is_digit((unsigned char)s[digits - 1]))
		digits--;
	colon = digits;
	while (colon > 0 && is_blank((unsigned char)s[colon - 1]))
		colon--;
	if (colon == 0 || s[colon - 1] != ':')
		return;
	h->event = s + tok;
	h->event_len = end - 1 - tok;
	if (digits < ws) {
		h->period = s + digits;
		h->period_len = ws - digits;
	}
	h->time_ns = parse_time(s, s + colon - 1);
}

int perfscript_parse_header(const char *line, size_t len,
			    struct perfscript_header *h)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t e;

	memset(h, 0, sizeof(*h));
	h->time_ns = -1;
	if (len < 2 || is_blank(s[0]))
		return 0;
	/* the shortest comm (2+ bytes) followed by blanks, digits, slashes, digits, a blank */
	for (e = 2; e < len; e++) {
		size_t i, num, num_end, tid;

		if (!is_blank(s[e]))
			continue;
		for (i = e; i < len && is_blank(s[i]); i++)
			;
		num = i;
		while (i < len && is_digit(s[i]))
			i++;
		if (i == num) {
			e = i - 1;
			continue;
		}
		num_end = i;
		while (i < len && s[i] == '/')
			i++;
		tid = i;
		while (i < len && is_digit(s[i]))
			i++;
		if (i == len || !is_blank(s[i])) {
			e = i - 1;
			continue;
		}
		h->comm = line;
		h->comm_len = e;
		h->first = line + num;
		h->first_len = num_end - num;
		if (i > tid) {
			h->tid = line + tid;
			h->tid_len = i - tid;
		}
		parse_event(line, len, h);
		return 1;
	}
	return 0;
}

/* Last " (" that starts before position limit - 1, or -1. */
static long last_open_paren(const char *s, size_t limit)
{
	size_t k;

	if (limit < 2)
		return -1;
	for (k = limit - 1; k-- > 0;)
		if (s[k] == ' ' && s[k + 1] == '(')
			return (long)k;
	return -1;
}

int perfscript_parse_frame_line(const char *line, size_t len,
				struct perfscript_frame_line *f)
{
	const unsigned char *s = (const unsigned char *)line;
	const char *close;
	size_t i = 0, word, word_end, after, last_close, start;
	long open;

	/* ^\s*(\w+)\s*(.+) \((.*)\) */
	while (i < len && is_blank(s[i]))
		i++;
	word = i;
	while (i < len && is_word(s[i]))
		i++;
	if (i == word)
		return 0;
	word_end = i;
	while (i < len && is_blank(s[i]))
		i++;
	after = i;
	close = memrchr(line, ')', len);
	if (!close)
		return 0;
	last_close = (size_t)(close - line);
	open = last_open_paren(line, last_close);
	if (open < 0 || (size_t)open < word + 2)
		return 0;
	/* (.+) needs one byte: back off the blanks, then the word */
	start = after;
	if ((size_t)open < start + 1)
		start = (size_t)open - 1;
	if (start < word + 1)
		return 0;
	f->address = line + word;
	f->address_len = (start < word_end ? start : word_end) - word;
	f->symbol = line + start;
	f->symbol_len = (size_t)open - start;
	f->dso = line + open + 2;
	f->dso_len = last_close - (size_t)open - 2;
	return 1;
}
