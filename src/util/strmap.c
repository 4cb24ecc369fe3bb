/*
 * strmap.c - byte strings to uint32_t values: linear probing over slots
 * holding (hash, length, value, key), kept at most half full.  See
 * strmap.h.
 */
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/strmap.h"
#include "util/xalloc.h"

#define CHUNK_SIZE (64 * 1024)

struct strmap_slot {
	uint64_t hash;
	const char *key;	/* NULL = empty slot */
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
	m->mask = 63;
	m->slots = xcalloc(m->mask + 1, sizeof(*m->slots));
}

void strmap_release(struct strmap *m)
{
	struct strmap_chunk *c = m->chunks;

	while (c) {
		struct strmap_chunk *next = c->next;

		free(c);
		c = next;
	}
	free(m->slots);
	memset(m, 0, sizeof(*m));
}

static struct strmap_slot *find(const struct strmap *m, const char *s,
				size_t len, uint64_t hash)
{
	size_t i = hash & m->mask;

	for (;;) {
		struct strmap_slot *slot = &m->slots[i];

		if (!slot->key || (slot->hash == hash && slot->len == len &&
				   !memcmp(slot->key, s, len)))
			return slot;
		i = (i + 1) & m->mask;
	}
}

int strmap_get(const struct strmap *m, const char *s, size_t len,
	       uint32_t *value)
{
	const struct strmap_slot *slot = find(m, s, len, hash_bytes(s, len, 0));

	if (!slot->key)
		return 0;
	*value = slot->value;
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

static void grow(struct strmap *m)
{
	struct strmap_slot *old = m->slots;
	size_t n = m->mask + 1, i;

	m->mask = m->mask * 2 + 1;
	m->slots = xcalloc(m->mask + 1, sizeof(*m->slots));
	for (i = 0; i < n; i++) {
		size_t j;

		if (!old[i].key)
			continue;
		j = old[i].hash & m->mask;
		while (m->slots[j].key)
			j = (j + 1) & m->mask;
		m->slots[j] = old[i];
	}
	free(old);
}

void strmap_put(struct strmap *m, const char *s, size_t len, uint32_t value)
{
	uint64_t hash = hash_bytes(s, len, 0);
	struct strmap_slot *slot = find(m, s, len, hash);

	if (slot->key) {
		slot->value = value;
		return;
	}
	if ((m->count + 1) * 2 > m->mask + 1) {
		grow(m);
		slot = find(m, s, len, hash);
	}
	slot->hash = hash;
	slot->len = (uint32_t)len;
	slot->value = value;
	slot->key = copy_key(m, s, len);
	m->count++;
}

size_t strmap_count(const struct strmap *m)
{
	return m->count;
}
