/*
 * hash.h - hashing and scorch's one hash map.
 *
 * A hash_index maps 64-bit hashes to nonzero uint32_t ids.  It stores no
 * keys: the owner keeps the items in its own array (id = index + 1) and
 * answers equality through a callback, so one index type serves strings,
 * frames, stacks, code objects by address and lines of text.  Use it
 * rather than a private open-addressing table; util/pidtable.h is the
 * same for processes by pid.
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

struct hash_index;

/* Returns nonzero when item id equals the key the caller is looking for. */
typedef int (*hash_eq_fn)(const void *ctx, uint32_t id);

struct hash_index *hash_index_new(void);
void hash_index_free(struct hash_index *h);
/* Returns the id of the first entry with this hash that eq accepts, else 0. */
uint32_t hash_index_find(const struct hash_index *h, uint64_t hash,
			 hash_eq_fn eq, const void *ctx);
/* Adds id (nonzero) under hash; duplicates are the caller's business. */
void hash_index_insert(struct hash_index *h, uint64_t hash, uint32_t id);
size_t hash_index_count(const struct hash_index *h);
/* Forgets every entry (the owner clears its items), keeping the room. */
void hash_index_clear(struct hash_index *h);

/* The hash of a 64-bit key (an address, a pid) for a hash_index. */
static inline uint64_t hash_u64(uint64_t key)
{
	return hash_mix(key, 0x6a09e667f3bcc909ULL);
}

#endif
