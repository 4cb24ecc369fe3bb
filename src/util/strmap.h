/*
 * strmap.h - a map from byte strings to uint32_t values, for caches that
 * turn text straight into an id (a folded reader's frame names).
 *
 * A thin layer over util/hash.h: the map keeps its entries (key, length,
 * value) in an array and copies the keys into its own arena; the
 * hash_index finds an entry's id by the key's 64-bit hash, and a lookup
 * compares bytes only when the hash's tag and the length agree.  The
 * caller owns the struct; strmap_release frees what the map holds.
 */
#ifndef SCORCH_UTIL_STRMAP_H
#define SCORCH_UTIL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct hash_index;
struct strmap_entry;
struct strmap_chunk;

struct strmap {
	struct hash_index *index;	/* key hash -> entry id (index + 1) */
	struct strmap_entry *entries;
	size_t count, alloc;
	struct strmap_chunk *chunks;	/* arena holding the keys */
};

void strmap_init(struct strmap *m);
void strmap_release(struct strmap *m);
/* 1 and *value when s[0..len) is in the map, else 0. */
int strmap_get(const struct strmap *m, const char *s, size_t len,
	       uint32_t *value);
/* Adds s[0..len) -> value, or replaces the value of an equal key. */
void strmap_put(struct strmap *m, const char *s, size_t len, uint32_t value);
size_t strmap_count(const struct strmap *m);

#endif
