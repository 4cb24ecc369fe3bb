/*
 * strmap.c - byte strings to uint32_t values: entries in an array, keys
 * in an arena, found through a util/hash.h index.  See strmap.h.
 */
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define CHUNK_SIZE (64 * 1024)

struct strmap_entry {
	const char *key;
	uint32_t len, value;
};

struct strmap_chunk {
	struct strmap_chunk *next;
	size_t used, size;
	char data[];
};

void strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
	m->index = hash_index_new();
}

void strmap_release(struct strmap *m)
{
	struct strmap_chunk *c = m->chunks;

	while (c) {
		struct strmap_chunk *next = c->next;

		free(c);
		c = next;
	}
	hash_index_free(m->index);
	free(m->entries);
	memset(m, 0, sizeof(*m));
}

/* The entry id of s[0..len), or 0 with *pr where it goes. */
static inline uint32_t find(const struct strmap *m, const char *s, size_t len,
			    struct hash_probe *pr)
{
	uint32_t id;

	hash_probe_start(m->index, hash_bytes(s, len, 0), pr);
	while ((id = hash_probe_next(m->index, pr))) {
		const struct strmap_entry *e = &m->entries[id - 1];

		if (e->len == len && !memcmp(e->key, s, len))
			return id;
	}
	return 0;
}

int strmap_get(const struct strmap *m, const char *s, size_t len,
	       uint32_t *value)
{
	struct hash_probe pr;
	uint32_t id = find(m, s, len, &pr);

	if (!id)
		return 0;
	*value = m->entries[id - 1].value;
	return 1;
}

static char *copy_key(struct strmap *m, const char *s, size_t len)
{
	struct strmap_chunk *c = m->chunks;

	if (!c || c->size - c->used < len + 1) {
		size_t size = len + 1 > CHUNK_SIZE ? len + 1 : CHUNK_SIZE;

		c = xmalloc(sizeof(*c) + size);
		c->next = m->chunks;
		c->used = 0;
		c->size = size;
		m->chunks = c;
	}
	memcpy(c->data + c->used, s, len);
	c->data[c->used + len] = '\0';
	c->used += len + 1;
	return c->data + c->used - len - 1;
}

void strmap_put(struct strmap *m, const char *s, size_t len, uint32_t value)
{
	struct hash_probe pr;
	uint32_t id = find(m, s, len, &pr);
	struct strmap_entry *e;

	if (id) {
		m->entries[id - 1].value = value;
		return;
	}
	grow_array((void **)&m->entries, sizeof(*m->entries), m->count + 1,
		   &m->alloc);
	e = &m->entries[m->count++];
	e->key = copy_key(m, s, len);
	e->len = (uint32_t)len;
	e->value = value;
	hash_index_insert_at(m->index, &pr, (uint32_t)m->count);
}

size_t strmap_count(const struct strmap *m)
{
	return m->count;
}
