/*
 * strings.c - string interning over an arena of large chunks.
 */
#include <stdlib.h>
#include <string.h>

#include "model/strings.h"
#include "util/hash.h"
#include "util/xalloc.h"

#define CHUNK_SIZE (256 * 1024)

struct strtab_chunk {
	struct strtab_chunk *next;
	size_t used, size;
	char data[];
};

struct lookup_key {
	const struct strtab *t;
	const char *s;
	size_t len;
};

static int key_equals(const void *ctx, uint32_t id)
{
	const struct lookup_key *k = ctx;

	return k->t->len[id] == k->len && !memcmp(k->t->ptr[id], k->s, k->len);
}

static char *arena_alloc(struct strtab *t, size_t n)
{
	struct strtab_chunk *c = t->chunks;

	if (!c || c->size - c->used < n) {
		size_t size = n > CHUNK_SIZE ? n : CHUNK_SIZE;

		c = xmalloc(sizeof(*c) + size);
		c->next = t->chunks;
		c->used = 0;
		c->size = size;
		t->chunks = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

void strtab_init(struct strtab *t)
{
	memset(t, 0, sizeof(*t));
	t->index = hash_index_new();
	grow_array32((void **)&t->ptr, sizeof(*t->ptr), 1, &t->alloc);
	t->len = xmalloc(t->alloc * sizeof(*t->len));
	t->ptr[0] = "";
	t->len[0] = 0;
	t->nr = 1;
}

void strtab_release(struct strtab *t)
{
	struct strtab_chunk *c = t->chunks;

	while (c) {
		struct strtab_chunk *next = c->next;

		free(c);
		c = next;
	}
	free(t->ptr);
	free(t->len);
	hash_index_free(t->index);
	memset(t, 0, sizeof(*t));
}

uint32_t strtab_lookup(const struct strtab *t, const char *s, size_t len)
{
	struct lookup_key k = { t, s, len };

	if (!len)
		return 0;
	return hash_index_find(t->index, hash_bytes(s, len, 0), key_equals, &k);
}

uint32_t strtab_intern(struct strtab *t, const char *s, size_t len)
{
	struct lookup_key k = { t, s, len };
	uint64_t h;
	uint32_t id;
	char *copy;

	if (!len)
		return 0;
	h = hash_bytes(s, len, 0);
	id = hash_index_find(t->index, h, key_equals, &k);
	if (id)
		return id;
	if (t->nr == t->alloc) {
		grow_array32((void **)&t->ptr, sizeof(*t->ptr), t->nr + 1,
			     &t->alloc);
		t->len = xrealloc(t->len, t->alloc * sizeof(*t->len));
	}
	copy = arena_alloc(t, len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	id = t->nr++;
	t->ptr[id] = copy;
	t->len[id] = (uint32_t)len;
	hash_index_insert(t->index, h, id);
	return id;
}
