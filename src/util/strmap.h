/*
 * strmap.h - a map from byte strings to uint32_t values, for caches that
 * turn text straight into an id (a folded reader's frame names).
 *
 * Keys are copied into the map's own arena; each slot keeps the key's
 * 64-bit hash and length, so a lookup compares bytes only when those
 * agree, and never calls back into its owner (unlike hash_index, which
 * serves tables that keep their keys themselves).
 */
#ifndef SCORCH_UTIL_STRMAP_H
#define SCORCH_UTIL_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot;
struct strmap_chunk;

struct strmap {
	struct strmap_slot *slots;
	size_t mask;			/* number of slots - 1 */
	size_t count;
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
