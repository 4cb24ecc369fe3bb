/*
 * svg_text.c - escaping, label fitting and number formatting for the SVG
 * writer.  See svg_text.h.  Must never emit bytes that make the document
 * ill-formed, whatever the input bytes are.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "formats/svg_text.h"
#include "util/strbuf.h"

static const char replacement[] = "\xef\xbf\xbd";	/* U+FFFD */

/*
 * Length of the UTF-8 sequence at s (at most n bytes) if it is a valid
 * character XML allows, else 0.  *cp receives the code point.
 */
static size_t utf8_char(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0], need, min, i;

	if (c < 0x80) {
		*cp = c;
		if (c < 0x20 && c != '\t')
			return 0;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
		min = 0x80;
		c &= 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		min = 0x800;
		c &= 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		min = 0x10000;
		c &= 0x07;
	} else {
		return 0;
	}
	if (n < need + 1)
		return 0;
	for (i = 1; i <= need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) ||
	    c == 0xfffe || c == 0xffff)
		return 0;
	*cp = c;
	return need + 1;
}

/* Escapes one character (n bytes at s, already validated). */
static void add_char(struct strbuf *out, const char *s, size_t n)
{
	switch (*s) {
	case '&':
		strbuf_add(out, "&amp;", 5);
		break;
	case '<':
		strbuf_add(out, "&lt;", 4);
		break;
	case '>':
		strbuf_add(out, "&gt;", 4);
		break;
	case '"':
		strbuf_add(out, "&quot;", 6);
		break;
	case '\'':
		strbuf_add(out, "&#39;", 5);
		break;
	default:
		strbuf_add(out, s, n);
	}
}

void svg_text_escape(struct strbuf *out, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	strbuf_grow(out, len + 16);
	while (i < len) {
		size_t start = i;
		unsigned cp;
		size_t n;

		/* copy runs of plain ASCII in one go */
		while (i < len && p[i] >= 0x20 && p[i] < 0x80 && p[i] != '&' &&
		       p[i] != '<' && p[i] != '>' && p[i] != '"' && p[i] != '\'')
			i++;
		if (i > start)
			strbuf_add(out, s + start, i - start);
		if (i >= len)
			break;
		n = utf8_char(p + i, len - i, &cp);
		if (!n) {
			strbuf_add(out, replacement, 3);
			i++;
			continue;
		}
		add_char(out, s + i, n);
		i += n;
	}
}

void svg_text_fit(struct strbuf *out, const char *s, size_t len,
		  long max_chars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, cut = 0;
	long chars = 0;

	if (max_chars < 3)
		return;
	/* count characters (an invalid byte counts as one) up to the limit */
	while (i < len) {
		unsigned cp;
		size_t n = utf8_char(p + i, len - i, &cp);

		if (!n)
			n = 1;
		if (chars == max_chars - 2)
			cut = i;
		chars++;
		i += n;
		if (chars > max_chars)
			break;
	}
	if (chars <= max_chars) {
		svg_text_escape(out, s, len);
		return;
	}
	svg_text_escape(out, s, cut);
	strbuf_add(out, "..", 2);
}

size_t svg_text_strip_annotation(const char *s, size_t len)
{
	if (len >= 4 && s[len - 4] == '_' && s[len - 3] == '[' &&
	    s[len - 1] == ']' &&
	    (s[len - 2] == 'k' || s[len - 2] == 'j' || s[len - 2] == 'i' ||
	     s[len - 2] == 'w'))
		return len - 4;
	return len;
}

void svg_text_add_count(struct strbuf *out, double value)
{
	char digits[24];
	unsigned long long n;
	int len = 0, i;

	if (!isfinite(value) || fabs(value) >= 1e18)
		value = 0;
	n = (unsigned long long)llround(fabs(value));
	if (value < 0 && n)
		strbuf_addch(out, '-');
	do {
		digits[len++] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	for (i = len - 1; i >= 0; i--) {
		strbuf_addch(out, digits[i]);
		if (i && i % 3 == 0)
			strbuf_addch(out, ',');
	}
}

/* Appends the decimal digits of n. */
static void add_unsigned(struct strbuf *out, unsigned long long n)
{
	char digits[24];
	int i = sizeof(digits);

	do {
		digits[--i] = (char)('0' + n % 10);
		n /= 10;
	} while (n);
	strbuf_add(out, digits + i, sizeof(digits) - (size_t)i);
}

void svg_text_add_fixed(struct strbuf *out, double value, int decimals)
{
	static const double scale[] = { 1, 10, 100, 1e3, 1e4, 1e5, 1e6 };
	unsigned long long scaled, unit, frac;
	char fmt[8];
	int i;

	if (decimals < 0)
		decimals = 0;
	if (decimals > 6)
		decimals = 6;
	if (!isfinite(value) || fabs(value) >= 1e15) {
		char tmp[400];

		snprintf(fmt, sizeof(fmt), "%%.%df", decimals);
		snprintf(tmp, sizeof(tmp), fmt, value);
		strbuf_addstr(out, tmp);
		return;
	}
	scaled = (unsigned long long)llround(fabs(value) * scale[decimals]);
	if (value < 0 && scaled)
		strbuf_addch(out, '-');
	unit = (unsigned long long)scale[decimals];
	add_unsigned(out, scaled / unit);
	if (!decimals)
		return;
	strbuf_addch(out, '.');
	frac = scaled % unit;
	for (i = decimals - 1; i >= 0; i--) {
		unsigned long long div = (unsigned long long)scale[i];

		strbuf_addch(out, (char)('0' + (frac / div) % 10));
	}
}

void svg_text_add_value(struct strbuf *out, double value)
{
	if (value == floor(value) && fabs(value) < 1e15) {
		if (value < 0)
			strbuf_addch(out, '-');
		add_unsigned(out, (unsigned long long)fabs(value));
		return;
	}
	strbuf_addf(out, "%.15g", value);
}
