/*
 * json.h - a small JSON reader (whole document into a flat node table) and
 * the string escaper the JSON writers share.
 *
 * The parser never trusts its input: depth is bounded, every error is a
 * message with line and column, and nothing is read past len.  Writers use
 * json_append_string so control characters, quotes and invalid UTF-8 never
 * reach a consumer raw.  Format: RFC 8259.
 */
#ifndef SCORCH_FORMATS_JSON_H
#define SCORCH_FORMATS_JSON_H

#include <stddef.h>
#include <stdint.h>

struct strbuf;

enum json_type {
	JSON_NULL = 0,
	JSON_FALSE,
	JSON_TRUE,
	JSON_NUMBER,
	JSON_STRING,
	JSON_ARRAY,
	JSON_OBJECT,
};

/* Nodes are indexed from 1; 0 means "none".  Children of an array or
 * object are linked through next; an object member carries its key. */
struct json_node {
	uint8_t type;		/* enum json_type */
	uint32_t next;		/* next sibling */
	uint32_t key, key_len;	/* member key: offset and length in text */
	union {			/* by type; 24 bytes a node in all */
		double number;		/* JSON_NUMBER */
		uint32_t child;		/* JSON_ARRAY, JSON_OBJECT: first */
		struct {
			uint32_t text, len;	/* JSON_STRING: in doc->text */
		};
	};
};

struct json_doc {
	struct json_node *nodes;	/* nodes[0] unused, nodes[1] = root */
	uint32_t nr_nodes, alloc_nodes;
	char *text;			/* decoded strings, NUL-terminated */
	size_t text_len, text_alloc;
};

/* Parses a whole document.  Returns 0, or -1 with a message such as
 * "line 3 column 7: expected ',' or ']'" in err.  The doc owns its
 * memory; json_release frees it (also after a failed parse). */
int json_parse(struct json_doc *doc, const char *data, size_t len,
	       char *err, size_t err_len);
void json_release(struct json_doc *doc);

/* The member of object node `obj` named key, or 0. */
uint32_t json_member(const struct json_doc *doc, uint32_t obj, const char *key);
static inline const struct json_node *json_node(const struct json_doc *doc,
						uint32_t id)
{
	return &doc->nodes[id];
}
static inline const char *json_string(const struct json_doc *doc, uint32_t id)
{
	return doc->text + doc->nodes[id].text;
}

/* Appends s as a quoted JSON string: '"' '\\' and control characters
 * escaped, invalid UTF-8 replaced by U+FFFD. */
void json_append_string(struct strbuf *sb, const char *s, size_t len);

#endif
