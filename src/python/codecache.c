/*
 * codecache.c - reading code objects once and keeping them by address.
 *
 * A code object is accepted only when its ob_type is PyCode_Type (known
 * from the symbol, or learned by reading a type's tp_name once).  The
 * table is cleared when it grows past CODECACHE_MAX entries, which also
 * bounds the damage of an address reused by a new code object.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>

#include "python/codecache.h"
#include "python/linetable.h"
#include "python/remote.h"
#include "python/unicode.h"
#include "util/hash.h"
#include "util/xalloc.h"

#define CODECACHE_MAX 65536
#define LINETABLE_MAX (1 << 20)

void pycode_cache_init(struct pycode_cache *c)
{
	c->codes = NULL;
	c->nr = c->alloc = 0;
	c->index = hash_index_new();
	c->code_type = 0;
}

static void pycode_free(struct pycode *p)
{
	free(p->name);
	free(p->file);
	free(p->lines);
	free(p);
}

void pycode_cache_clear(struct pycode_cache *c)
{
	size_t i;

	for (i = 0; i < c->nr; i++)
		pycode_free(c->codes[i]);
	c->nr = 0;
	hash_index_clear(c->index);
	c->epoch++;
}

void pycode_cache_release(struct pycode_cache *c)
{
	if (!c->index)
		return;
	pycode_cache_clear(c);
	free(c->codes);
	c->codes = NULL;
	c->alloc = 0;
	hash_index_free(c->index);
	c->index = NULL;
}

struct code_key {
	const struct pycode_cache *c;
	uint64_t addr;
};

static int code_at(const void *ctx, uint32_t id)
{
	const struct code_key *k = ctx;

	return k->c->codes[id - 1]->addr == k->addr;
}

static void insert(struct pycode_cache *c, struct pycode *p)
{
	grow_array((void **)&c->codes, sizeof(*c->codes), c->nr + 1,
		   &c->alloc);
	c->codes[c->nr++] = p;
	hash_index_insert(c->index, hash_u64(p->addr), (uint32_t)c->nr);
}

/* Is type the code type?  Learns PyCode_Type from its tp_name once. */
static int is_code_type(struct pycode_cache *c, pid_t pid, uint64_t type)
{
	uint64_t name;
	char buf[8];

	if (!type)
		return 0;
	if (c->code_type)
		return type == c->code_type;
	if (remote_read(pid, type + 24, &name, sizeof(name)) < 0 ||
	    remote_read(pid, name, buf, 5) < 0 || memcmp(buf, "code", 5))
		return 0;
	c->code_type = type;
	return 1;
}

static struct pycode *load(struct pycode_cache *c, pid_t pid,
			   const struct py_layout *l, uint64_t addr)
{
	unsigned char code[512], bytes_header[32];
	struct pycode *p;
	uint64_t table, size;

	if (l->code_size > sizeof(code) ||
	    remote_read(pid, addr, code, l->code_size) < 0 ||
	    !is_code_type(c, pid, remote_u64(code, 8)))
		return NULL;
	p = xcalloc(1, sizeof(*p));
	p->addr = addr;
	p->firstlineno = remote_i32(code, l->code_firstlineno);
	/* 3.11+ code objects are variable-sized: ob_size counts code units */
	if (l->interpreter_frames)
		p->nr_units = remote_u64(code, 16);
	for (int i = 0; i < PYCODE_LINES_KEPT; i++)
		p->last_pos[i] = -1;
	p->name_ptr = remote_u64(code, l->code_qualname ? l->code_qualname :
				 l->code_name);
	p->file_ptr = remote_u64(code, l->code_filename);
	p->name = py_read_string(pid, l, p->name_ptr);
	p->file = py_read_string(pid, l, p->file_ptr);
	if (!p->name || !p->file || p->firstlineno < 0)
		goto fail;
	table = remote_u64(code, l->code_linetable);
	/* the line table is a bytes object: its length, then its bytes */
	if (l->bytes_data > sizeof(bytes_header) ||
	    l->bytes_size + 8 > sizeof(bytes_header) ||
	    remote_read(pid, table, bytes_header, l->bytes_data) < 0)
		goto fail;
	size = remote_u64(bytes_header, l->bytes_size);
	if (size > LINETABLE_MAX)
		goto fail;
	p->lines_len = (size_t)size;
	p->lines = xmalloc(p->lines_len + 1);
	if (size && remote_read(pid, table + l->bytes_data, p->lines,
				p->lines_len) < 0)
		goto fail;
	/* the _Py_InitCleanup shim: a real code object with no source */
	p->hidden = l->code_init_shim && !strcmp(p->file, "__init__") &&
		!strcmp(p->name, "__init__");
	return p;
fail:
	pycode_free(p);
	return NULL;
}

void pycode_cache_trim(struct pycode_cache *c)
{
	if (c->nr >= CODECACHE_MAX)
		pycode_cache_clear(c);
}

struct pycode *pycode_get(struct pycode_cache *c, pid_t pid,
			  const struct py_layout *l, uint64_t addr)
{
	struct code_key k = { c, addr };
	uint32_t id = hash_index_find(c->index, hash_u64(addr), code_at, &k);
	struct pycode *p;

	if (id)
		return c->codes[id - 1];
	p = load(c, pid, l, addr);
	if (!p)
		return NULL;
	insert(c, p);
	return p;
}

/* The byte range of a code object holding first line, name and filename. */
static void identity_span(const struct py_layout *l, size_t *lo, size_t *hi)
{
	size_t name = (size_t)(l->code_qualname ? l->code_qualname : l->code_name);
	size_t file = (size_t)l->code_filename, first = (size_t)l->code_firstlineno;

	*lo = first < name ? first : name;
	if (file < *lo)
		*lo = file;
	*hi = (first + 4 > name + 8 ? first + 4 : name + 8);
	if (file + 8 > *hi)
		*hi = file + 8;
}

/* Replaces p's contents by a fresh read of the code object at p->addr. */
static int reload(struct pycode_cache *c, pid_t pid, const struct py_layout *l,
		  struct pycode *p)
{
	struct pycode *fresh = load(c, pid, l, p->addr);

	if (!fresh)
		return -1;
	free(p->name);
	free(p->file);
	free(p->lines);
	*p = *fresh;
	p->name_id = p->file_id = 0;
	free(fresh);
	return 0;
}

#define VALIDATE_BATCH 64
#define IDENTITY_MAX 128

int pycode_validate(struct pycode_cache *c, pid_t pid,
		    const struct py_layout *l, struct pycode *const *codes,
		    size_t n)
{
	struct iovec local[VALIDATE_BATCH], remote[VALIDATE_BATCH];
	unsigned char buf[VALIDATE_BATCH][IDENTITY_MAX];
	size_t lo, hi, done = 0, i;
	int reloaded = 0;

	identity_span(l, &lo, &hi);
	if (hi - lo > IDENTITY_MAX)
		return 0;
	while (done < n) {
		size_t batch = n - done < VALIDATE_BATCH ? n - done : VALIDATE_BATCH;
		ssize_t got;

		for (i = 0; i < batch; i++) {
			local[i].iov_base = buf[i];
			local[i].iov_len = hi - lo;
			remote[i].iov_base = (void *)(uintptr_t)(codes[done + i]->addr + lo);
			remote[i].iov_len = hi - lo;
		}
		got = process_vm_readv(pid, local, batch, remote, batch, 0);
		if (got != (ssize_t)(batch * (hi - lo)))
			return -1;
		for (i = 0; i < batch; i++) {
			struct pycode *p = codes[done + i];
			const unsigned char *b = buf[i] - lo;
			uint64_t name = remote_u64(b, l->code_qualname ?
						   l->code_qualname : l->code_name);

			if (remote_i32(b, l->code_firstlineno) == p->firstlineno &&
			    name == p->name_ptr &&
			    remote_u64(b, l->code_filename) == p->file_ptr)
				continue;
			if (reload(c, pid, l, p) < 0)
				return -1;
			reloaded++;
		}
		done += batch;
	}
	return reloaded;
}

int pycode_line_at(struct pycode *code, enum py_linetable_format format,
		   int64_t pos)
{
	unsigned slot;

	if (pos > INT32_MAX)
		return code->firstlineno;
	for (int i = 0; i < PYCODE_LINES_KEPT; i++)
		if (code->last_pos[i] == pos)
			return code->last_line[i];
	slot = code->last_next++ % PYCODE_LINES_KEPT;
	code->last_line[slot] = py_line_for(format, code->lines,
					    code->lines_len,
					    code->firstlineno, pos);
	code->last_pos[slot] = (int)pos;
	return code->last_line[slot];
}

int pycode_line_of_lasti(struct pycode *code, const struct py_layout *l,
			 int32_t lasti)
{
	if (lasti < 0)
		return code->firstlineno;
	return pycode_line_at(code, l->lines, l->lasti_in_units ?
			      2 * (int64_t)lasti : lasti);
}

int pycode_line_of_instr(struct pycode *code, const struct py_layout *l,
			 uint64_t code_addr, uint64_t instr)
{
	uint64_t first = code_addr + l->code_adaptive;
	int64_t pos;

	if (instr < first)
		return code->firstlineno;
	pos = (int64_t)((instr - first) / 2);
	if (code->nr_units && (uint64_t)pos >= code->nr_units)
		return code->firstlineno;
	return pycode_line_at(code, l->lines, pos);
}
