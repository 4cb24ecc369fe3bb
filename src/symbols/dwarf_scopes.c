/*
 * dwarf_scopes.c - per compile unit, an in-memory tree of the DIEs that
 * have code ranges, built by one walk of the CU the first time an
 * address in it is asked about, so the function and inline chain of
 * every further address costs a descent through arrays instead of a
 * fresh DIE walk (libdw's dwarf_getscopes reparses the CU from its
 * start on every call: on CPython's ceval.c that is most of the time
 * scorch spent on a perf.data).
 *
 * The descent picks what dwarf_getscopes + dwarf_getscopes_die pick:
 * at each level the first DIE, in DIE order, whose ranges hold the
 * address; it only looks inside the DIEs libdw looks inside (scopes,
 * namespaces, classes, structures, and imported units' children in
 * place).  dso_scopes_check() compares the two for tests.
 *
 * Owns: struct dso_scopes (hung off a struct symbols_dso) and the
 * Dwarf_Die copies in it, valid while the dso's Dwfl lives.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/symbols_internal.h"
#include "util/hash.h"
#include "util/xalloc.h"

#define NONE UINT32_MAX
#define MAX_IMPORT_DEPTH 8

struct scope_node {
	Dwarf_Die die;
	uint32_t parent, first_child, last_child, next;
	uint32_t range, nr_ranges;	/* into cu_scopes.ranges */
	int tag;
};

struct scope_range {
	uint64_t lo, hi;		/* [lo, hi) */
};

struct cu_scopes {
	void *key;			/* the CU DIE's addr: stable */
	struct scope_node *nodes;
	size_t nr, alloc;
	struct scope_range *ranges;
	size_t nr_ranges, alloc_ranges;
	uint32_t first_top, last_top;	/* children of the CU */
	int failed;			/* walk failed: use libdw */
};

struct dso_scopes {
	struct cu_scopes *cus;		/* id - 1 in index */
	size_t used, alloc;
	struct hash_index *index;	/* by key */
	unsigned long built;		/* CUs walked (for tests) */
};

/* The DIEs libdw's scope walk descends into. */
static int may_have_scopes(int tag)
{
	switch (tag) {
	case DW_TAG_compile_unit:
	case DW_TAG_module:
	case DW_TAG_lexical_block:
	case DW_TAG_with_stmt:
	case DW_TAG_catch_block:
	case DW_TAG_try_block:
	case DW_TAG_entry_point:
	case DW_TAG_inlined_subroutine:
	case DW_TAG_subprogram:
	case DW_TAG_namespace:
	case DW_TAG_class_type:
	case DW_TAG_structure_type:
		return 1;
	}
	return 0;
}

/* The DIEs that never carry code addresses (no DW_AT_low_pc with
 * DW_AT_high_pc, no DW_AT_ranges): most of a CU, whose ranges need not
 * be asked for.  A tag not listed is asked. */
static int never_holds_code(int tag)
{
	switch (tag) {
	case DW_TAG_variable:
	case DW_TAG_formal_parameter:
	case DW_TAG_member:
	case DW_TAG_typedef:
	case DW_TAG_base_type:
	case DW_TAG_pointer_type:
	case DW_TAG_reference_type:
	case DW_TAG_rvalue_reference_type:
	case DW_TAG_const_type:
	case DW_TAG_volatile_type:
	case DW_TAG_restrict_type:
	case DW_TAG_array_type:
	case DW_TAG_subrange_type:
	case DW_TAG_enumeration_type:
	case DW_TAG_enumerator:
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
	case DW_TAG_subroutine_type:
	case DW_TAG_unspecified_parameters:
	case DW_TAG_template_type_parameter:
	case DW_TAG_template_value_parameter:
	case DW_TAG_call_site:
	case DW_TAG_call_site_parameter:
	case DW_TAG_GNU_call_site:
	case DW_TAG_GNU_call_site_parameter:
	case DW_TAG_imported_declaration:
	case DW_TAG_imported_module:
		return 1;
	}
	return 0;
}

static uint32_t add_node(struct cu_scopes *c, Dwarf_Die *die, int tag,
			 uint32_t parent, size_t first_range)
{
	struct scope_node *n;
	uint32_t id, *last;

	grow_array((void **)&c->nodes, sizeof(*c->nodes), c->nr + 1,
		   &c->alloc);
	id = (uint32_t)c->nr++;
	n = &c->nodes[id];
	n->die = *die;
	n->tag = tag;
	n->parent = parent;
	n->first_child = n->last_child = n->next = NONE;
	n->range = (uint32_t)first_range;
	n->nr_ranges = (uint32_t)(c->nr_ranges - first_range);
	last = parent == NONE ? &c->last_top : &c->nodes[parent].last_child;
	if (*last == NONE) {
		if (parent == NONE)
			c->first_top = id;
		else
			c->nodes[parent].first_child = id;
	} else {
		c->nodes[*last].next = id;
	}
	*last = id;
	return id;
}

/* Adds the children of die under parent (an imported unit's children
 * in place, as libdw does).  Returns 0, or -1 on bad DWARF. */
static int walk(struct cu_scopes *c, Dwarf_Die *die, uint32_t parent,
		int imports)
{
	Dwarf_Die child;
	int r;

	r = dwarf_child(die, &child);
	if (r < 0)
		return -1;
	if (r > 0)
		return 0;
	do {
		int tag = dwarf_tag(&child);
		Dwarf_Addr base, lo, hi;
		ptrdiff_t off = 0;
		size_t first_range = c->nr_ranges;
		uint32_t id;

		if (tag == DW_TAG_imported_unit) {
			Dwarf_Attribute attr;
			Dwarf_Die unit;

			if (imports >= MAX_IMPORT_DEPTH)
				return -1;
			if (dwarf_attr(&child, DW_AT_import, &attr) &&
			    dwarf_formref_die(&attr, &unit) &&
			    walk(c, &unit, parent, imports + 1))
				return -1;
			continue;
		}
		if (never_holds_code(tag))
			continue;
		while ((off = dwarf_ranges(&child, off, &base, &lo, &hi)) > 0) {
			grow_array((void **)&c->ranges, sizeof(*c->ranges),
				   c->nr_ranges + 1, &c->alloc_ranges);
			c->ranges[c->nr_ranges].lo = lo;
			c->ranges[c->nr_ranges].hi = hi;
			c->nr_ranges++;
		}
		if (c->nr_ranges == first_range)
			continue;	/* holds no address: libdw prunes it */
		id = add_node(c, &child, tag, parent, first_range);
		if (may_have_scopes(tag) && dwarf_haschildren(&child) > 0 &&
		    walk(c, &child, id, imports))
			return -1;
	} while ((r = dwarf_siblingof(&child, &child)) == 0);
	return r < 0 ? -1 : 0;
}

static void cu_release(struct cu_scopes *c)
{
	free(c->nodes);
	free(c->ranges);
}

void dso_scopes_free(struct dso_scopes *ds)
{
	if (!ds)
		return;
	for (size_t i = 0; i < ds->used; i++)
		cu_release(&ds->cus[i]);
	free(ds->cus);
	hash_index_free(ds->index);
	free(ds);
}

struct cu_key {
	const struct dso_scopes *ds;
	const void *key;
};

static int cu_eq(const void *ctx, uint32_t id)
{
	const struct cu_key *k = ctx;

	return k->ds->cus[id - 1].key == k->key;
}

/* The index of cudie, walking the CU the first time; valid until the
 * next call. */
static struct cu_scopes *cu_get(struct dso_scopes *ds, Dwarf_Die *cudie)
{
	struct cu_key k = { ds, cudie->addr };
	uint64_t hash = hash_u64((uint64_t)(uintptr_t)cudie->addr);
	struct cu_scopes *c;
	uint32_t id;

	if (!ds->index)
		ds->index = hash_index_new();
	id = hash_index_find(ds->index, hash, cu_eq, &k);
	if (id)
		return &ds->cus[id - 1];
	grow_array((void **)&ds->cus, sizeof(*ds->cus), ds->used + 1,
		   &ds->alloc);
	c = &ds->cus[ds->used++];
	memset(c, 0, sizeof(*c));
	c->key = cudie->addr;
	c->first_top = c->last_top = NONE;
	if (walk(c, cudie, NONE, 0))
		c->failed = 1;
	hash_index_insert(ds->index, hash, (uint32_t)ds->used);
	ds->built++;
	return c;
}

static int node_has(const struct cu_scopes *c, const struct scope_node *n,
		    uint64_t pc)
{
	for (uint32_t k = 0; k < n->nr_ranges; k++) {
		const struct scope_range *r = &c->ranges[n->range + k];

		if (pc >= r->lo && pc < r->hi)
			return 1;
	}
	return 0;
}

int dso_scopes_chain(struct dso_scopes **dsp, Dwarf_Die *cudie, uint64_t pc,
		     Dwarf_Die *out, int *tags, int max)
{
	struct cu_scopes *c;
	uint32_t id, inner = NONE;
	int n = 0;

	if (!*dsp)
		*dsp = xcalloc(1, sizeof(**dsp));
	c = cu_get(*dsp, cudie);
	if (c->failed)
		return -1;
	/* down: the first holder in DIE order at each level */
	for (id = c->first_top; id != NONE;) {
		if (node_has(c, &c->nodes[id], pc)) {
			inner = id;
			id = c->nodes[id].first_child;
		} else {
			id = c->nodes[id].next;
		}
	}
	/* up: the inline chain (at most max), then the real function */
	for (id = inner; id != NONE; id = c->nodes[id].parent) {
		int tag = c->nodes[id].tag;

		if ((tag == DW_TAG_inlined_subroutine && n < max) ||
		    tag == DW_TAG_subprogram) {
			out[n] = c->nodes[id].die;
			tags[n] = tag;
			n++;
		}
		if (tag == DW_TAG_subprogram)
			break;
	}
	return n;
}

unsigned long dso_scopes_built(const struct dso_scopes *ds)
{
	return ds ? ds->built : 0;
}
