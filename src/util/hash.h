/*
 * hash.h - hashing and scorch's one hash map.
 *
 * A hash_index maps 64-bit hashes to nonzero uint32_t ids.  It stores no
 * keys: the owner keeps the items in its own array (id = index + 1, or
 * the item's own id) and answers equality, so one index type serves
 * strings, frames, stacks, totals, code objects by address and lines of
 * text.  Use it rather than a private open-addressing table;
 * util/pidtable.h is the same for processes by pid.
 *
 * Two ways to look up: hash_index_find with an equality callback (the
 * simple one), or, on hot paths, a hash_probe walked inline so the
 * owner's key test is inlined too and a miss leaves the empty slot
 * where hash_index_insert_at puts the new id without probing again.
 * The index owns its slots; ids and keys stay the owner's.
 */
#ifndef SCORCH_UTIL_HASH_H
#define SCORCH_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

uint64_t hash_bytes(const void *data, size_t len, uint64_t seed);
static inline uint64_t hash_mix(uint64_t a, uint64_t b)
{
	uint64_t h = (a ^ (b + 0x9e3779b97f4a7c15ULL)) * 0xbf58476d1ce4e5b9ULL;

	h ^= h >> 31;
	h *= 0x94d049bb133111ebULL;
	return h ^ (h >> 29);
}

/* The hash of a 64-bit key (an address, a pid) for a hash_index. */
static inline uint64_t hash_u64(uint64_t key)
{
	return hash_mix(key, 0x6a09e667f3bcc909ULL);
}

/* A slot: the upper half of the hash (it also picks the home slot, so
 * growing needs no keys) and the id, 0 = empty.  Read through the
 * functions below only. */
struct hash_slot {
	uint32_t tag;
	uint32_t id;
};

struct hash_index {
	struct hash_slot *slots;
	size_t mask;		/* number of slots - 1, below 2^32 */
	size_t count;
	size_t limit;		/* count that makes it grow */
	unsigned fill;		/* percent of the slots it may fill */
};

/* Returns nonzero when item id equals the key the caller is looking for. */
typedef int (*hash_eq_fn)(const void *ctx, uint32_t id);

/* An index at most half full. */
struct hash_index *hash_index_new(void);
/* An index at most fill percent full (25 to 90): fuller is smaller, at
 * the price of longer probes -- for tables of millions of ids. */
struct hash_index *hash_index_new_fill(unsigned fill);
void hash_index_free(struct hash_index *h);
/* Returns the id of the first entry with this hash that eq accepts, else 0. */
uint32_t hash_index_find(const struct hash_index *h, uint64_t hash,
			 hash_eq_fn eq, const void *ctx);
size_t hash_index_count(const struct hash_index *h);
/* Forgets every entry (the owner clears its items), keeping the room. */
void hash_index_clear(struct hash_index *h);
/* Forgets every entry and makes room for n: for an owner that adds
 * its ids again from its items' hashes (after growing them in bulk,
 * or to double a table of millions with the old slots freed first). */
void hash_index_clear_for(struct hash_index *h, size_t n);
/* Nonzero when the next insert grows the index. */
static inline int hash_index_full(const struct hash_index *h)
{
	return h->count >= h->limit;
}

/*
 * Inline probing:
 *
 *	struct hash_probe pr;
 *	uint32_t id;
 *
 *	hash_probe_start(h, hash, &pr);
 *	while ((id = hash_probe_next(h, &pr)))
 *		if (items[id - 1] equals key)
 *			return id;
 *	id = new item's id;
 *	hash_index_insert_at(h, &pr, id);
 *
 * The probe is valid until the index changes.
 */
struct hash_probe {
	size_t pos;
	uint32_t tag;
};

static inline void hash_probe_start(const struct hash_index *h, uint64_t hash,
				    struct hash_probe *pr)
{
	pr->tag = (uint32_t)(hash >> 32);
	pr->pos = pr->tag & h->mask;
}

/* The next id whose hash may be the probe's (its tag agrees), or 0 at
 * the first empty slot, which the probe then points at. */
static inline uint32_t hash_probe_next(const struct hash_index *h,
				       struct hash_probe *pr)
{
	for (;;) {
		const struct hash_slot *s = &h->slots[pr->pos];

		if (!s->id)
			return 0;
		pr->pos = (pr->pos + 1) & h->mask;
		if (s->tag == pr->tag)
			return s->id;
	}
}

/* Moves the probe to the empty slot ending its run, comparing nothing:
 * for a key known to be absent. */
static inline void hash_probe_skip(const struct hash_index *h,
				   struct hash_probe *pr)
{
	while (h->slots[pr->pos].id)
		pr->pos = (pr->pos + 1) & h->mask;
}

/* Grows the index to twice its slots (hash_index_insert_at's slow path). */
void hash_index_grow(struct hash_index *h);

/* Adds id (nonzero) where a probe that hash_probe_next ended (returned
 * 0) points. */
static inline void hash_index_insert_at(struct hash_index *h,
					const struct hash_probe *pr,
					uint32_t id)
{
	size_t pos = pr->pos;

	if (hash_index_full(h)) {
		hash_index_grow(h);
		pos = pr->tag & h->mask;
		while (h->slots[pos].id)
			pos = (pos + 1) & h->mask;
	}
	h->slots[pos].tag = pr->tag;
	h->slots[pos].id = id;
	h->count++;
}

/* Adds id (nonzero) under hash; duplicates are the caller's business.
 * Inline, for owners that refill an index from their items. */
static inline void hash_index_insert(struct hash_index *h, uint64_t hash,
				     uint32_t id)
{
	struct hash_probe pr;

	hash_probe_start(h, hash, &pr);
	hash_probe_skip(h, &pr);
	hash_index_insert_at(h, &pr, id);
}

/* Starts loading the home slot of hash, for a lookup soon after. */
static inline void hash_index_prefetch(const struct hash_index *h,
				       uint64_t hash)
{
	__builtin_prefetch(&h->slots[(uint32_t)(hash >> 32) & h->mask]);
}

#endif
