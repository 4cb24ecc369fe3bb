/*
 * strings.h - interned strings: each distinct string gets one uint32_t id.
 *
 * Id 0 is always "".  Strings are stored NUL-terminated in one growing
 * arena and never move once interned (strtab_get pointers stay valid until
 * strtab_release).  Strings may contain any bytes except NUL.
 */
#ifndef SCORCH_MODEL_STRINGS_H
#define SCORCH_MODEL_STRINGS_H

#include <stddef.h>
#include <stdint.h>

struct hash_index;
struct strtab_chunk;

struct strtab {
	const char **ptr;		/* id -> string */
	uint32_t *len;			/* id -> length */
	uint32_t nr, alloc;
	struct hash_index *index;
	struct strtab_chunk *chunks;	/* arena holding the bytes */
};

void strtab_init(struct strtab *t);
void strtab_release(struct strtab *t);
uint32_t strtab_intern(struct strtab *t, const char *s, size_t len);
/* Returns the id of s or 0 when it was never interned (or is ""). */
uint32_t strtab_lookup(const struct strtab *t, const char *s, size_t len);
static inline const char *strtab_get(const struct strtab *t, uint32_t id)
{
	return id < t->nr ? t->ptr[id] : "";
}
static inline uint32_t strtab_len(const struct strtab *t, uint32_t id)
{
	return id < t->nr ? t->len[id] : 0;
}

#endif
