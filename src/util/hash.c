/*
 * hash.c - a 64-bit byte hash and an open-addressing id index.
 *
 * The index is linear probing over (tag, id) slots, kept at most half full;
 * the tag is the upper half of the hash and also picks the home slot, so
 * growing needs no keys.  Slots with id 0 are empty.
 */
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/xalloc.h"

static inline uint64_t read64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

uint64_t hash_bytes(const void *data, size_t len, uint64_t seed)
{
	const unsigned char *p = data;
	uint64_t h = seed ^ (len * 0x9e3779b97f4a7c15ULL);

	while (len >= 8) {
		h = hash_mix(h, read64(p));
		p += 8;
		len -= 8;
	}
	if (len) {
		uint64_t tail = 0;

		memcpy(&tail, p, len);
		h = hash_mix(h, tail ^ ((uint64_t)len << 59));
	}
	return hash_mix(h, 0x2545f4914f6cdd1dULL);
}

struct slot {
	uint32_t tag;		/* upper 32 bits of the hash; also the position */
	uint32_t id;		/* 0 = empty */
};

struct hash_index {
	struct slot *slots;
	size_t mask;		/* number of slots - 1, below 2^32 */
	size_t count;
};

struct hash_index *hash_index_new(void)
{
	struct hash_index *h = xcalloc(1, sizeof(*h));

	h->mask = 63;
	h->slots = xcalloc(h->mask + 1, sizeof(*h->slots));
	return h;
}

void hash_index_free(struct hash_index *h)
{
	if (!h)
		return;
	free(h->slots);
	free(h);
}

uint32_t hash_index_find(const struct hash_index *h, uint64_t hash,
			 hash_eq_fn eq, const void *ctx)
{
	uint32_t tag = (uint32_t)(hash >> 32);
	size_t i = tag & h->mask;

	for (;;) {
		const struct slot *s = &h->slots[i];

		if (!s->id)
			return 0;
		if (s->tag == tag && eq(ctx, s->id))
			return s->id;
		i = (i + 1) & h->mask;
	}
}

static void place(struct slot *slots, size_t mask, uint32_t tag, uint32_t id)
{
	size_t i = tag & mask;

	while (slots[i].id)
		i = (i + 1) & mask;
	slots[i].tag = tag;
	slots[i].id = id;
}

void hash_index_insert(struct hash_index *h, uint64_t hash, uint32_t id)
{
	if ((h->count + 1) * 2 > h->mask + 1) {
		struct slot *old = h->slots;
		size_t oldn = h->mask + 1, i;

		h->mask = h->mask * 2 + 1;
		h->slots = xcalloc(h->mask + 1, sizeof(*h->slots));
		for (i = 0; i < oldn; i++)
			if (old[i].id)
				place(h->slots, h->mask, old[i].tag, old[i].id);
		free(old);
	}
	place(h->slots, h->mask, (uint32_t)(hash >> 32), id);
	h->count++;
}

size_t hash_index_count(const struct hash_index *h)
{
	return h->count;
}

void hash_index_clear(struct hash_index *h)
{
	memset(h->slots, 0, (h->mask + 1) * sizeof(*h->slots));
	h->count = 0;
}
