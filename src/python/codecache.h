/*
 * codecache.h - code objects copied out of the target, cached by address.
 *
 * A struct pycode holds what every sample of that function needs (name,
 * file, first line, line table) so a sample costs no string reads.  The
 * cache owns every pycode; pointers stay valid until pycode_cache_clear or
 * pycode_cache_release.  The consumer may keep ids of its own in the
 * name_id/file_id slots (0 = unset); clearing the cache forgets them.
 */
#ifndef SCORCH_PYTHON_CODECACHE_H
#define SCORCH_PYTHON_CODECACHE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "python/layouts.h"

#define PYCODE_LINES_KEPT 4

struct pycode {
	uint64_t addr;
	char *name;		/* co_qualname (3.11+) or co_name, UTF-8 */
	char *file;		/* co_filename, UTF-8 */
	int firstlineno;
	unsigned char *lines;	/* line table bytes */
	size_t lines_len;
	int hidden;		/* interpreter-internal (3.13 _Py_InitCleanup) */
	uint64_t name_ptr;	/* the name and filename objects' addresses */
	uint64_t file_ptr;	/* when read: pycode_validate compares them */
	uint64_t nr_units;	/* bytecode length in code units (3.11+),
				   0 when not known */
	int64_t checked_ns;	/* when last known to be this object; the
				   reader keeps it (0 = never) */
	int64_t loaded_ns;	/* when first read (the reader sets it) */
	/* the last PYCODE_LINES_KEPT line lookups, reused: a hot loop
	 * comes back to a few positions of its code in turn */
	int last_pos[PYCODE_LINES_KEPT], last_line[PYCODE_LINES_KEPT];
	unsigned last_next;		/* the slot the next lookup takes */
	uint32_t name_id, file_id;	/* consumer's slots */
};

struct hash_index;

struct pycode_cache {
	struct pycode **codes;	/* [id - 1], ids from index */
	struct hash_index *index;	/* address -> id (util/hash.h) */
	size_t nr, alloc;
	uint64_t code_type;	/* address of PyCode_Type once known */
	unsigned long epoch;	/* bumped by every clear */
};

void pycode_cache_init(struct pycode_cache *c);
void pycode_cache_clear(struct pycode_cache *c);
void pycode_cache_release(struct pycode_cache *c);
/* Clears the cache when it has grown too big; call only between samples
 * (it frees every pycode). */
void pycode_cache_trim(struct pycode_cache *c);

/*
 * Freed code objects' addresses are reused, so a cached one is checked
 * against the target (pycode_validate) when its last check is
 * PYCODE_RECHECK_NS old, and at every use (every new now) while it is
 * younger than young_ns: the codes that get freed, module bodies after
 * an import, are freed young.
 */
#define PYCODE_RECHECK_NS 20000000
static inline int pycode_due(const struct pycode *c, int64_t now,
			     int64_t young_ns)
{
	return now - c->checked_ns > PYCODE_RECHECK_NS ||
	       (now - c->loaded_ns < young_ns && c->checked_ns < now);
}

/*
 * The source line of bytecode position pos in code (see py_line_for for
 * what pos counts), remembering the last lookup in code; firstlineno for
 * a position past what an int holds.
 */
int pycode_line_at(struct pycode *code, enum py_linetable_format format,
		   int64_t pos);

/*
 * 3.11+: the source line of a frame of code (at code_addr) whose
 * instruction pointer is instr; the first line for a pointer outside the
 * code's bytecode.
 */
int pycode_line_of_instr(struct pycode *code, const struct py_layout *l,
			 uint64_t code_addr, uint64_t instr);

/*
 * <= 3.10: the source line of a frame of code whose f_lasti is lasti;
 * the first line before the first instruction (lasti < 0).
 */
int pycode_line_of_lasti(struct pycode *code, const struct py_layout *l,
			 int32_t lasti);

/*
 * Returns the code object at addr, reading and caching it on first use.
 * Returns NULL when addr is not a readable code object (checked through
 * its type) or its fields are implausible.
 */
struct pycode *pycode_get(struct pycode_cache *c, pid_t pid,
			  const struct py_layout *l, uint64_t addr);

/*
 * A code object's address can be reused by a new code object once the old
 * one is freed, so a cached entry may describe a dead function.  This
 * checks the codes[] of one walk in a single system call: each entry's
 * first line, name and filename pointers must still be what they were.
 * Entries that changed are reloaded in place (their consumer ids reset).
 * Returns how many were reloaded (the caller re-walks to recompute lines),
 * or -1 when the memory cannot be read or is no longer a code object.
 */
int pycode_validate(struct pycode_cache *c, pid_t pid,
		    const struct py_layout *l, struct pycode *const *codes,
		    size_t n);

#endif
