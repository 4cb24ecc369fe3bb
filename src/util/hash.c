/*
 * hash.c - a 64-bit byte hash and an open-addressing id index.
 *
 * The index is linear probing over (tag, id) slots, kept at most its
 * fill percent full; the tag is the upper half of the hash and also
 * picks the home slot, so growing needs no keys.  Slots with id 0 are
 * empty.  See hash.h.
 */
#include <stdlib.h>
#include <string.h>

#include "util/hash.h"
#include "util/xalloc.h"

#define MIN_SLOTS 64

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

static size_t limit_of(size_t slots, unsigned fill)
{
	return slots / 100 * fill + slots % 100 * fill / 100;
}

struct hash_index *hash_index_new_fill(unsigned fill)
{
	/* on a line of its own: the profile's stack table, written on
	 * every new stack by stack_queue's worker, and the indexes the
	 * reading thread probes meanwhile must not share one */
	struct hash_index *h = xcalloc_line(sizeof(*h));

	if (fill < 25)
		fill = 25;
	if (fill > 90)
		fill = 90;
	h->fill = fill;
	h->mask = MIN_SLOTS - 1;
	h->limit = limit_of(MIN_SLOTS, fill);
	h->slots = xcalloc(MIN_SLOTS, sizeof(*h->slots));
	return h;
}

struct hash_index *hash_index_new(void)
{
	return hash_index_new_fill(50);
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
	struct hash_probe pr;
	uint32_t id;

	hash_probe_start(h, hash, &pr);
	while ((id = hash_probe_next(h, &pr)))
		if (eq(ctx, id))
			return id;
	return 0;
}

/* Moves the slots to a table of slots (a power of two) slots. */
static void resize(struct hash_index *h, size_t slots)
{
	struct hash_slot *old = h->slots;
	size_t oldn = h->mask + 1, i, mask = slots - 1;

	h->slots = xcalloc(slots, sizeof(*h->slots));
	h->mask = mask;
	h->limit = limit_of(slots, h->fill);
	for (i = 0; i < oldn; i++) {
		size_t j;

		if (!old[i].id)
			continue;
		j = old[i].tag & mask;
		while (h->slots[j].id)
			j = (j + 1) & mask;
		h->slots[j] = old[i];
	}
	free(old);
}

void hash_index_grow(struct hash_index *h)
{
	resize(h, (h->mask + 1) * 2);
}

void hash_index_clear_for(struct hash_index *h, size_t n)
{
	size_t slots = h->mask + 1;

	while (limit_of(slots, h->fill) < n)
		slots *= 2;
	h->count = 0;
	if (slots == h->mask + 1) {
		memset(h->slots, 0, slots * sizeof(*h->slots));
		return;
	}
	free(h->slots);
	h->slots = xcalloc(slots, sizeof(*h->slots));
	h->mask = slots - 1;
	h->limit = limit_of(slots, h->fill);
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
