/*
 * json.c - JSON parsing into a flat node table, and JSON string escaping.
 *
 * Owns only generic JSON; what a document means (speedscope, ...) is the
 * business of the format that reads it.  Never reads past the buffer,
 * never recurses deeper than JSON_MAX_DEPTH.  See json.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "formats/json.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define JSON_MAX_DEPTH 200

struct json_parser {
	struct json_doc *doc;
	const char *data, *end, *pos;
	char *err;
	size_t err_len;
	int failed;
};

static int fail(struct json_parser *ps, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct json_parser *ps, const char *fmt, ...)
{
	unsigned long line = 1, column = 1;
	const char *s;
	char why[160];
	va_list ap;

	if (ps->failed)
		return -1;
	ps->failed = 1;
	for (s = ps->data; s < ps->pos && s < ps->end; s++) {
		if (*s == '\n') {
			line++;
			column = 1;
		} else {
			column++;
		}
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	snprintf(ps->err, ps->err_len, "line %lu column %lu: %s", line, column,
		 why);
	return -1;
}

static void skip_space(struct json_parser *ps)
{
	while (ps->pos < ps->end && (*ps->pos == ' ' || *ps->pos == '\t' ||
				     *ps->pos == '\n' || *ps->pos == '\r'))
		ps->pos++;
}

static uint32_t new_node(struct json_doc *doc, enum json_type type)
{
	uint32_t id;

	grow_array32((void **)&doc->nodes, sizeof(*doc->nodes),
		     doc->nr_nodes + 1, &doc->alloc_nodes);
	id = doc->nr_nodes++;
	memset(&doc->nodes[id], 0, sizeof(doc->nodes[id]));
	doc->nodes[id].type = (uint8_t)type;
	return id;
}

static void text_add(struct json_doc *doc, const char *s, size_t len)
{
	grow_array((void **)&doc->text, 1, doc->text_len + len + 1,
		   &doc->text_alloc);
	memcpy(doc->text + doc->text_len, s, len);
	doc->text_len += len;
}

static void text_add_codepoint(struct json_doc *doc, unsigned long c)
{
	char buf[4];
	size_t n;

	if (c == 0 || (c >= 0xd800 && c <= 0xdfff) || c > 0x10ffff)
		c = 0xfffd;
	if (c < 0x80) {
		buf[0] = (char)c;
		n = 1;
	} else if (c < 0x800) {
		buf[0] = (char)(0xc0 | (c >> 6));
		buf[1] = (char)(0x80 | (c & 0x3f));
		n = 2;
	} else if (c < 0x10000) {
		buf[0] = (char)(0xe0 | (c >> 12));
		buf[1] = (char)(0x80 | ((c >> 6) & 0x3f));
		buf[2] = (char)(0x80 | (c & 0x3f));
		n = 3;
	} else {
		buf[0] = (char)(0xf0 | (c >> 18));
		buf[1] = (char)(0x80 | ((c >> 12) & 0x3f));
		buf[2] = (char)(0x80 | ((c >> 6) & 0x3f));
		buf[3] = (char)(0x80 | (c & 0x3f));
		n = 4;
	}
	text_add(doc, buf, n);
}

static int hex4(struct json_parser *ps, unsigned long *out)
{
	unsigned long v = 0;
	int i;

	if (ps->end - ps->pos < 4)
		return fail(ps, "truncated \\u escape");
	for (i = 0; i < 4; i++) {
		char c = *ps->pos++;

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned long)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned long)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned long)(c - 'A' + 10);
		else
			return fail(ps, "bad hex digit in \\u escape");
	}
	*out = v;
	return 0;
}

/* Parses a string at ps->pos (on the quote) into doc->text. */
static int parse_string(struct json_parser *ps, uint32_t *offset,
			uint32_t *len)
{
	struct json_doc *doc = ps->doc;
	size_t start;

	ps->pos++;
	start = doc->text_len;
	for (;;) {
		const char *run = ps->pos;
		unsigned long c;

		while (ps->pos < ps->end && *ps->pos != '"' && *ps->pos != '\\' &&
		       (unsigned char)*ps->pos >= 0x20)
			ps->pos++;
		text_add(doc, run, (size_t)(ps->pos - run));
		if (ps->pos >= ps->end)
			return fail(ps, "unterminated string");
		if (*ps->pos == '"') {
			ps->pos++;
			break;
		}
		if ((unsigned char)*ps->pos < 0x20)
			return fail(ps, "control character inside a string");
		ps->pos++;
		if (ps->pos >= ps->end)
			return fail(ps, "unterminated string");
		switch (*ps->pos++) {
		case '"': text_add(doc, "\"", 1); break;
		case '\\': text_add(doc, "\\", 1); break;
		case '/': text_add(doc, "/", 1); break;
		case 'b': text_add(doc, "\b", 1); break;
		case 'f': text_add(doc, "\f", 1); break;
		case 'n': text_add(doc, "\n", 1); break;
		case 'r': text_add(doc, "\r", 1); break;
		case 't': text_add(doc, "\t", 1); break;
		case 'u':
			if (hex4(ps, &c))
				return -1;
			if (c >= 0xd800 && c <= 0xdbff && ps->end - ps->pos >= 6 &&
			    ps->pos[0] == '\\' && ps->pos[1] == 'u') {
				const char *save = ps->pos;
				unsigned long low;

				ps->pos += 2;
				if (hex4(ps, &low))
					return -1;
				if (low >= 0xdc00 && low <= 0xdfff)
					c = 0x10000 + ((c - 0xd800) << 10) +
					    (low - 0xdc00);
				else
					ps->pos = save;
			}
			text_add_codepoint(doc, c);
			break;
		default:
			return fail(ps, "unknown escape in a string");
		}
	}
	if (doc->text_len - start > UINT32_MAX || doc->text_len > UINT32_MAX)
		return fail(ps, "string too long");
	text_add(doc, "", 0);
	doc->text[doc->text_len++] = '\0';
	*offset = (uint32_t)start;
	*len = (uint32_t)(doc->text_len - 1 - start);
	return 0;
}

static int parse_number(struct json_parser *ps, double *out)
{
	const char *s = ps->pos;
	char buf[64];
	size_t n;

	if (ps->pos < ps->end && *ps->pos == '-')
		ps->pos++;
	if (ps->pos >= ps->end || *ps->pos < '0' || *ps->pos > '9')
		return fail(ps, "bad number");
	if (*ps->pos == '0')
		ps->pos++;
	else
		while (ps->pos < ps->end && *ps->pos >= '0' && *ps->pos <= '9')
			ps->pos++;
	if (ps->pos < ps->end && *ps->pos == '.') {
		ps->pos++;
		if (ps->pos >= ps->end || *ps->pos < '0' || *ps->pos > '9')
			return fail(ps, "bad number");
		while (ps->pos < ps->end && *ps->pos >= '0' && *ps->pos <= '9')
			ps->pos++;
	}
	if (ps->pos < ps->end && (*ps->pos == 'e' || *ps->pos == 'E')) {
		ps->pos++;
		if (ps->pos < ps->end && (*ps->pos == '+' || *ps->pos == '-'))
			ps->pos++;
		if (ps->pos >= ps->end || *ps->pos < '0' || *ps->pos > '9')
			return fail(ps, "bad number");
		while (ps->pos < ps->end && *ps->pos >= '0' && *ps->pos <= '9')
			ps->pos++;
	}
	n = (size_t)(ps->pos - s);
	if (n >= sizeof(buf))
		return fail(ps, "number too long");
	memcpy(buf, s, n);
	buf[n] = '\0';
	*out = strtod(buf, NULL);
	return 0;
}

static int match_word(struct json_parser *ps, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(ps->end - ps->pos) < n || memcmp(ps->pos, word, n))
		return fail(ps, "unexpected character");
	ps->pos += n;
	return 0;
}

static int parse_value(struct json_parser *ps, uint32_t *out, int depth);

static int parse_container(struct json_parser *ps, uint32_t id, int depth,
			   int object)
{
	struct json_doc *doc = ps->doc;
	char close = object ? '}' : ']';
	uint32_t last = 0;

	ps->pos++;
	skip_space(ps);
	if (ps->pos < ps->end && *ps->pos == close) {
		ps->pos++;
		return 0;
	}
	for (;;) {
		uint32_t key = 0, key_len = 0, child;

		skip_space(ps);
		if (object) {
			if (ps->pos >= ps->end || *ps->pos != '"')
				return fail(ps, "expected a string key");
			if (parse_string(ps, &key, &key_len))
				return -1;
			skip_space(ps);
			if (ps->pos >= ps->end || *ps->pos != ':')
				return fail(ps, "expected ':'");
			ps->pos++;
		}
		if (parse_value(ps, &child, depth + 1))
			return -1;
		doc->nodes[child].key = key;
		doc->nodes[child].key_len = key_len;
		if (last)
			doc->nodes[last].next = child;
		else
			doc->nodes[id].child = child;
		last = child;
		skip_space(ps);
		if (ps->pos < ps->end && *ps->pos == ',') {
			ps->pos++;
			continue;
		}
		if (ps->pos < ps->end && *ps->pos == close) {
			ps->pos++;
			return 0;
		}
		return fail(ps, object ? "expected ',' or '}'" : "expected ',' or ']'");
	}
}

static int parse_value(struct json_parser *ps, uint32_t *out, int depth)
{
	struct json_doc *doc = ps->doc;
	uint32_t id;

	if (depth > JSON_MAX_DEPTH)
		return fail(ps, "nested deeper than %d levels", JSON_MAX_DEPTH);
	skip_space(ps);
	if (ps->pos >= ps->end)
		return fail(ps, "unexpected end of data");
	switch (*ps->pos) {
	case '{':
	case '[':
		id = new_node(doc, *ps->pos == '{' ? JSON_OBJECT : JSON_ARRAY);
		*out = id;
		return parse_container(ps, id, depth, *ps->pos == '{');
	case '"': {
		uint32_t text, len;

		if (parse_string(ps, &text, &len))
			return -1;
		id = new_node(doc, JSON_STRING);
		doc->nodes[id].text = text;
		doc->nodes[id].len = len;
		*out = id;
		return 0;
	}
	case 't':
		*out = new_node(doc, JSON_TRUE);
		return match_word(ps, "true");
	case 'f':
		*out = new_node(doc, JSON_FALSE);
		return match_word(ps, "false");
	case 'n':
		*out = new_node(doc, JSON_NULL);
		return match_word(ps, "null");
	default: {
		double v = 0;

		if (parse_number(ps, &v))
			return -1;
		id = new_node(doc, JSON_NUMBER);
		doc->nodes[id].number = v;
		*out = id;
		return 0;
	}
	}
}

int json_parse(struct json_doc *doc, const char *data, size_t len, char *err,
	       size_t err_len)
{
	struct json_parser ps;
	uint32_t root;

	memset(doc, 0, sizeof(*doc));
	if (len <= UINT32_MAX) {
		/* every value but the first follows one of , : [ { so this
		 * bounds the node count: one allocation, no copying growth */
		uint32_t bound = 2;
		size_t i;

		for (i = 0; i < len; i++)
			if (data[i] == ',' || data[i] == ':' || data[i] == '[' ||
			    data[i] == '{')
				bound++;
		grow_array32((void **)&doc->nodes, sizeof(*doc->nodes), bound,
			     &doc->alloc_nodes);
	}
	new_node(doc, JSON_NULL);	/* node 0: "none" */
	text_add(doc, "", 0);
	doc->text[doc->text_len++] = '\0';	/* offset 0: "" */
	memset(&ps, 0, sizeof(ps));
	ps.doc = doc;
	ps.data = ps.pos = data;
	ps.end = data + len;
	ps.err = err;
	ps.err_len = err_len;
	if (len > UINT32_MAX)
		return fail(&ps, "document larger than 4 GiB");
	/* a UTF-8 byte order mark is allowed before the document */
	if (len >= 3 && !memcmp(data, "\xef\xbb\xbf", 3))
		ps.pos += 3;
	if (parse_value(&ps, &root, 0))
		return -1;
	skip_space(&ps);
	if (ps.pos != ps.end)
		return fail(&ps, "unexpected data after the document");
	return 0;
}

void json_release(struct json_doc *doc)
{
	free(doc->nodes);
	free(doc->text);
	memset(doc, 0, sizeof(*doc));
}

uint32_t json_member(const struct json_doc *doc, uint32_t obj, const char *key)
{
	size_t n = strlen(key);
	uint32_t c;

	if (!obj || doc->nodes[obj].type != JSON_OBJECT)
		return 0;
	for (c = doc->nodes[obj].child; c; c = doc->nodes[c].next)
		if (doc->nodes[c].key_len == n &&
		    !memcmp(doc->text + doc->nodes[c].key, key, n))
			return c;
	return 0;
}

/* Length of the valid UTF-8 sequence at s, or 0 if it is not valid. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
	size_t n, i;
	unsigned long c;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, c = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, c = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, c = s[0] & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		c = (c << 6) | (s[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && c < 0x10000) || c > 0x10ffff ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	return n;
}

void json_append_string(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;

	strbuf_addch(sb, '"');
	while (i < len) {
		size_t n;

		if (u[i] == '"' || u[i] == '\\') {
			strbuf_addch(sb, '\\');
			strbuf_addch(sb, u[i]);
			i++;
		} else if (u[i] < 0x20 || u[i] == 0x7f) {
			strbuf_addf(sb, "\\u%04x", u[i]);
			i++;
		} else if ((n = utf8_sequence(u + i, len - i)) != 0) {
			strbuf_add(sb, u + i, n);
			i += n;
		} else {
			strbuf_addstr(sb, "\\ufffd");
			i++;
		}
	}
	strbuf_addch(sb, '"');
}
