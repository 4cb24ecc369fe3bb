/*
 * threadnames.c - threading.Thread names read out of the target.
 *
 * Path: interp->modules (sys.modules) ["threading"] -> module __dict__
 * ["_active"] -> {ident: Thread} -> the Thread's "_name" attribute.  Dict
 * and instance-attribute layouts differ per version (layouts.h); every
 * read is bounded and any inconsistency just leaves a name unknown (the
 * reader's /proc comm name stays).  Runs only when a new thread appears.
 */
#include <stdlib.h>
#include <string.h>

#include "python/reader.h"
#include "python/remote.h"
#include "python/snapshot.h"
#include "python/threadnames.h"
#include "python/unicode.h"
#include "util/xalloc.h"

#define DICT_MAX_ENTRIES 4096

/* A dict's key/value arrays, copied out. */
struct dict_view {
	uint64_t *keys, *values;
	size_t nr;
};

static void dict_view_release(struct dict_view *v)
{
	free(v->keys);
	free(v->values);
	memset(v, 0, sizeof(*v));
}

/*
 * Reads the entries of a keys object; values_addr (split/managed values)
 * or the entries' own values.  Returns 0 or -1.
 */
static int read_keys(const struct pyreader *r, uint64_t keys_addr,
		     uint64_t values_addr, struct dict_view *v)
{
	const struct py_layout *l = &r->layout;
	unsigned char h[48];
	uint64_t entries, nentries, esize, key_at, value_at;
	unsigned char *buf;
	size_t i;

	memset(v, 0, sizeof(*v));
	if (remote_read(r->pid, keys_addr, h, sizeof(h)) < 0)
		return -1;
	if (l->dict_keys_compact) {
		unsigned log2_index_bytes = h[9], kind = h[10];

		if (log2_index_bytes > 24 || kind > 2)
			return -1;
		nentries = remote_u64(h, 24);
		entries = keys_addr + 32 + (1ULL << log2_index_bytes);
		esize = kind == 0 ? 24 : 16;
		key_at = kind == 0 ? 8 : 0;
	} else {
		uint64_t size = remote_u64(h, 8), width;

		if (!size || size > (1u << 24) || (size & (size - 1)))
			return -1;
		width = size <= 0xff ? 1 : size <= 0xffff ? 2 :
			size <= 0xffffffffULL ? 4 : 8;
		nentries = remote_u64(h, 32);
		entries = keys_addr + 40 + size * width;
		esize = 24;
		key_at = 8;
	}
	value_at = key_at + 8;
	if (nentries > DICT_MAX_ENTRIES)
		return -1;
	v->nr = (size_t)nentries;
	if (!v->nr)
		return 0;
	buf = xmalloc(v->nr * esize);
	v->keys = xcalloc(v->nr, 8);
	v->values = xcalloc(v->nr, 8);
	if (remote_read(r->pid, entries, buf, v->nr * esize) < 0)
		goto fail;
	for (i = 0; i < v->nr; i++) {
		v->keys[i] = remote_u64(buf, i * esize + key_at);
		v->values[i] = remote_u64(buf, i * esize + value_at);
	}
	if (values_addr && remote_read(r->pid, values_addr + l->dict_values_header,
				       v->values, v->nr * 8) < 0)
		goto fail;
	free(buf);
	return 0;
fail:
	free(buf);
	dict_view_release(v);
	return -1;
}

static int read_dict(const struct pyreader *r, uint64_t dict,
		     struct dict_view *v)
{
	uint64_t kv[2];

	if (remote_read(r->pid, dict + 32, kv, sizeof(kv)) < 0 || !kv[0])
		return -1;
	return read_keys(r, kv[0], kv[1], v);
}

/*
 * Does the str object whose first bytes are at p (want bytes of them)
 * equal the ASCII name of length len?  Dict keys here are compact ASCII
 * strings, whose characters follow the header.
 */
static int key_is(const struct py_layout *l, const unsigned char *p,
		  const char *name, size_t len)
{
	uint32_t state;

	memcpy(&state, p + 32, sizeof(state));
	return remote_u64(p, 16) == len && ((state >> 5) & 1) &&
		((state >> 6) & 1) &&
		!memcmp(p + l->unicode_ascii_size, name, len);
}

/*
 * The value whose key is name.  Keys are read in batches, one system
 * call for up to SNAPSHOT_MAX_SPANS of them (a module's dict has
 * hundreds), header and characters together.
 */
static uint64_t view_lookup(const struct pyreader *r,
			    const struct dict_view *v, const char *name)
{
	const struct py_layout *l = &r->layout;
	struct snapshot snap = { 0 };
	size_t len = strlen(name), want = l->unicode_ascii_size + len;
	size_t i, start;
	uint64_t found = 0;

	if (want < 40)
		want = 40;
	for (start = 0; start < v->nr && !found; start += SNAPSHOT_MAX_SPANS) {
		size_t end = start + SNAPSHOT_MAX_SPANS < v->nr ?
			start + SNAPSHOT_MAX_SPANS : v->nr;

		snapshot_reset(&snap);
		for (i = start; i < end; i++)
			if (v->keys[i] && v->values[i])
				snapshot_want(&snap, v->keys[i], want, SNAPSHOT_FIRST);
		if (snapshot_read(&snap, r->pid) < 0)
			break;
		for (i = start; i < end && !found; i++) {
			const unsigned char *p;

			if (!v->keys[i] || !v->values[i])
				continue;
			p = snapshot_find(&snap, SNAPSHOT_FIRST, v->keys[i], want);
			if (p && key_is(l, p, name, len))
				found = v->values[i];
		}
	}
	snapshot_release(&snap);
	return found;
}

static uint64_t dict_lookup(const struct pyreader *r, uint64_t dict,
			    const char *name)
{
	struct dict_view v;
	uint64_t found;

	if (read_dict(r, dict, &v) < 0)
		return 0;
	found = view_lookup(r, &v, name);
	dict_view_release(&v);
	return found;
}

/* An instance attribute, whichever way the version stores it. */
static uint64_t attribute(const struct pyreader *r, uint64_t obj,
			  const char *name)
{
	const struct py_layout *l = &r->layout;
	uint64_t type, dict = 0, values = 0, w[2], keys;
	struct dict_view v;

	if (remote_read(r->pid, obj + 8, &type, sizeof(type)) < 0)
		return 0;
	switch (l->instance_dict) {
	case PY_DICT_AT_OFFSET: {
		int64_t off;

		if (remote_read(r->pid, type + 288, &off, sizeof(off)) < 0 ||
		    off <= 0 || off > 4096 ||
		    remote_read(r->pid, obj + (uint64_t)off, &dict, 8) < 0)
			return 0;
		break;
	}
	case PY_DICT_MANAGED_311:
		if (remote_read(r->pid, obj - 32, w, sizeof(w)) < 0)
			return 0;
		values = w[0];
		dict = w[1];
		break;
	case PY_DICT_MANAGED_312:
		if (remote_read(r->pid, obj - 24, w, 8) < 0)
			return 0;
		if (w[0] & 1)
			values = w[0] + 1;	/* tagged char pointer, odd */
		else
			dict = w[0];
		break;
	case PY_DICT_INLINE_313: {
		int64_t basicsize;
		unsigned char head[4];

		if (remote_read(r->pid, obj - 24, &dict, 8) < 0)
			return 0;
		if (dict)
			break;
		if (remote_read(r->pid, type + 32, &basicsize, 8) < 0 ||
		    basicsize <= 0 || basicsize > 4096)
			return 0;
		values = obj + (uint64_t)basicsize;
		if (remote_read(r->pid, values, head, sizeof(head)) < 0 ||
		    !head[3])
			return 0;	/* not valid: the dict took over */
		break;
	}
	}
	if (dict)
		return dict_lookup(r, dict, name);
	if (!values ||
	    remote_read(r->pid, type + l->type_cached_keys, &keys, 8) < 0 ||
	    !keys || read_keys(r, keys, values, &v) < 0)
		return 0;
	{
		uint64_t found = view_lookup(r, &v, name);

		dict_view_release(&v);
		return found;
	}
}

/* A non-negative int object's value (thread idents are). */
static int read_int(const struct pyreader *r, uint64_t obj, uint64_t *out)
{
	unsigned char b[40];
	int64_t ndigits;
	uint64_t v = 0;
	int i;

	if (remote_read(r->pid, obj, b, sizeof(b)) < 0)
		return -1;
	if (r->layout.long_tagged) {
		uint64_t tag = remote_u64(b, 16);

		if (tag & 3)
			return -1;	/* negative or zero sign bits */
		ndigits = (int64_t)(tag >> 3);
	} else {
		ndigits = (int64_t)remote_u64(b, 16);
	}
	if (ndigits < 0 || ndigits > 3)
		return -1;
	for (i = (int)ndigits - 1; i >= 0; i--) {
		uint32_t d;

		memcpy(&d, b + 24 + 4 * i, 4);
		v = (v << 30) | (d & 0x3fffffff);
	}
	*out = v;
	return 0;
}

int pythread_names_update(struct pyreader *r)
{
	const struct py_layout *l = &r->layout;
	uint64_t interp, modules, threading, mdict, active;
	struct dict_view v;
	size_t i;
	int named = 0;

	if (!l->interp_modules ||
	    remote_read(r->pid, r->runtime + l->runtime_interp_head, &interp, 8) < 0 ||
	    remote_read(r->pid, interp + l->interp_modules, &modules, 8) < 0 ||
	    !modules)
		return 0;
	threading = dict_lookup(r, modules, "threading");
	if (!threading || remote_read(r->pid, threading + 16, &mdict, 8) < 0)
		return 0;
	active = dict_lookup(r, mdict, "_active");
	if (!active || read_dict(r, active, &v) < 0)
		return 0;
	for (i = 0; i < v.nr; i++) {
		uint64_t ident, name_obj;
		char *name;

		if (!v.keys[i] || !v.values[i] ||
		    read_int(r, v.keys[i], &ident) < 0)
			continue;
		name_obj = attribute(r, v.values[i], "_name");
		name = name_obj ? py_read_string(r->pid, l, name_obj) : NULL;
		if (!name)
			continue;
		if (pyreader_set_thread_name(r, ident, name))
			named++;
		free(name);
	}
	dict_view_release(&v);
	return named;
}

/* Exported for asyncio.c: the same lookups, on any object or dict. */
uint64_t pyobject_attribute(const struct pyreader *r, uint64_t obj,
			    const char *name)
{
	return attribute(r, obj, name);
}

uint64_t pydict_lookup(const struct pyreader *r, uint64_t dict,
		       const char *name)
{
	return dict_lookup(r, dict, name);
}
