/*
 * svg_text.h - text helpers for the SVG writer: XML escaping that always
 * yields well-formed UTF-8, label fitting, and number formatting.
 *
 * Frame names come from untrusted input: everything written between tags
 * or inside attributes must pass through svg_text_escape.  Nothing here
 * allocates except by growing the caller's strbuf.
 */
#ifndef SCORCH_FORMATS_SVG_TEXT_H
#define SCORCH_FORMATS_SVG_TEXT_H

#include <stddef.h>

struct strbuf;

/* Appends s[0..len) escaped for XML text and attribute values: & < > " '
 * become entities, invalid UTF-8 and characters XML 1.0 forbids (controls
 * other than tab) become U+FFFD. */
void svg_text_escape(struct strbuf *out, const char *s, size_t len);

/* Appends the label that fits in max_chars characters (code points):
 * the whole name, or its first max_chars - 2 characters and "..", or
 * nothing when max_chars < 3.  Escaped as svg_text_escape does. */
void svg_text_fit(struct strbuf *out, const char *s, size_t len,
		  long max_chars);

/* Length of name without a trailing frame-kind annotation "_[k]", "_[j]",
 * "_[i]" or "_[w]". */
size_t svg_text_strip_annotation(const char *s, size_t len);

/* Appends value rounded to an integer with thousands separators:
 * 1234567.4 -> "1,234,567". */
void svg_text_add_count(struct strbuf *out, double value);

/* Appends value with exactly decimals (0-6) digits after the point, as
 * printf's "%.Nf" would, but without printf's cost (the writer prints
 * several coordinates per frame).  Falls back to printf beyond 1e15. */
void svg_text_add_fixed(struct strbuf *out, double value, int decimals);

/* Appends value as an integer when it is one, else with 15 significant
 * digits: the exact count a frame stands for. */
void svg_text_add_value(struct strbuf *out, double value);

#endif
