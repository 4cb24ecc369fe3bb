/*
 * svg_tree.h - the merged frame tree a flame graph draws.
 *
 * Built from a profile's stack prefix tree and totals: one node per
 * distinct path of frame labels (frames with equal labels merge), with
 * inclusive sizes, differential self deltas, and after svg_tree_layout
 * each node's start on the x axis in count units.  Nodes live in one
 * array; a parent's index is always below its children's.  The tree owns
 * its memory (svg_tree_release); it never changes the profile.
 */
#ifndef SCORCH_FORMATS_SVG_TREE_H
#define SCORCH_FORMATS_SVG_TREE_H

#include <stddef.h>
#include <stdint.h>

#include "model/strings.h"

struct profile;
struct hash_index;

struct svg_node {
	uint32_t label;		/* string id in tree->labels */
	uint32_t parent;	/* node index; the root is its own parent */
	uint32_t first_child;	/* 0 = none (node 0 is never a child) */
	uint32_t next_sibling;	/* 0 = none */
	uint32_t depth;		/* root = 0 */
	uint8_t kind;		/* enum frame_kind of the first frame seen */
	uint8_t waker;		/* below a "--" separator (chain graphs) */
	double value;		/* inclusive size (differential: "after",
				   or before + after for PROFILE_DIFF_BOTH) */
	double after;		/* differential: inclusive "after" */
	double delta;		/* differential: self after - before */
	double start;		/* x position in count units (layout) */
};

struct svg_tree {
	struct svg_node *nodes;		/* nodes[0] = the "all" root */
	uint32_t nr, alloc;
	struct strtab labels;		/* display names, with annotations */
	int differential;		/* enum profile_diff */
	double max_delta;		/* largest |delta|, at least 1 */
	unsigned char *visible;		/* by node, after svg_tree_layout */
	uint32_t max_depth;		/* deepest visible node */
	/* private */
	struct hash_index *index;
	uint32_t *last_child;
};

struct svg_tree_options {
	int reverse;		/* leaf frame first */
	int flamechart;		/* sample order, merge adjacent only */
	int with_threads;	/* thread label as the first frame */
};

/* Builds the tree of p.  Nodes below a node smaller than min_value may
 * be left out (they are never drawn).  Always succeeds (allocation
 * failure exits). */
void svg_tree_build(struct svg_tree *t, const struct profile *p,
		    const struct svg_tree_options *o, double min_value);
/* Marks the nodes to draw (value > 0 and >= min_value, parent drawn),
 * orders their children by label when sort is set, and assigns starts. */
void svg_tree_layout(struct svg_tree *t, int sort, double min_value);
void svg_tree_release(struct svg_tree *t);

static inline const char *svg_tree_label(const struct svg_tree *t,
					 uint32_t node, size_t *len)
{
	*len = strtab_len(&t->labels, t->nodes[node].label);
	return strtab_get(&t->labels, t->nodes[node].label);
}

#endif
