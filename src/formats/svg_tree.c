/*
 * svg_tree.c - builds the merged frame tree of a flame graph from the
 * profile's stack prefix tree.  See svg_tree.h.
 *
 * The common case maps every profile stack to a tree node in one pass in
 * id order (a stack's parent always has a lower id), then turns self
 * sizes into inclusive ones in one backwards pass: no per-frame
 * allocation and no string work per sample.  Reversed graphs, thread
 * roots and flame charts walk each stack's frames instead.
 */
#include <assert.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formats/svg_tree.h"
#include "model/profile.h"
#include "util/hash.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

struct child_key {
	const struct svg_tree *t;
	uint32_t parent, label;
};

static int child_equals(const void *ctx, uint32_t id)
{
	const struct child_key *k = ctx;
	const struct svg_node *n = &k->t->nodes[id];

	return n->parent == k->parent && n->label == k->label;
}

static uint32_t add_node(struct svg_tree *t, uint32_t parent, uint32_t label,
			 int kind)
{
	struct svg_node *n, *p;
	uint32_t id;

	if (t->nr + 1 > t->alloc) {
		grow_array32((void **)&t->nodes, sizeof(*t->nodes), t->nr + 1,
			     &t->alloc);
		t->last_child = xrealloc(t->last_child,
					 t->alloc * sizeof(*t->last_child));
	}
	id = t->nr++;
	n = &t->nodes[id];
	memset(n, 0, sizeof(*n));
	n->label = label;
	n->kind = (uint8_t)kind;
	n->parent = parent;
	t->last_child[id] = 0;
	if (id == 0)
		return id;
	p = &t->nodes[parent];
	n->depth = p->depth + 1;
	n->waker = p->waker ||
		   (parent && !strcmp(strtab_get(&t->labels, p->label), "--"));
	if (t->last_child[parent])
		t->nodes[t->last_child[parent]].next_sibling = id;
	else
		p->first_child = id;
	t->last_child[parent] = id;
	return id;
}

/* The child of parent labelled label, added when new. */
static uint32_t child(struct svg_tree *t, uint32_t parent, uint32_t label,
		      int kind)
{
	struct child_key k = { t, parent, label };
	uint64_t h = hash_mix(parent, label);
	uint32_t id = hash_index_find(t->index, h, child_equals, &k);

	if (id)
		return id;
	id = add_node(t, parent, label, kind);
	hash_index_insert(t->index, h, id);
	return id;
}

/* Label ids for every frame (index = frame id) and thread (when wanted). */
static uint32_t *frame_labels(struct svg_tree *t, const struct profile *p)
{
	uint32_t *labels = xcalloc(p->nr_frames + 1, sizeof(*labels)), i;
	struct strbuf sb;

	strbuf_init(&sb);
	for (i = 1; i < p->nr_frames; i++) {
		strbuf_reset(&sb);
		profile_frame_label(p, i, &sb);
		labels[i] = strtab_intern(&t->labels, strbuf_str(&sb), sb.len);
	}
	strbuf_release(&sb);
	return labels;
}

static uint32_t *thread_labels(struct svg_tree *t, const struct profile *p)
{
	uint32_t *labels = xcalloc(p->nr_threads + 1, sizeof(*labels)), i;
	struct strbuf sb;

	strbuf_init(&sb);
	for (i = 1; i < p->nr_threads; i++) {
		const struct thread_info *th = &p->threads[i];

		strbuf_reset(&sb);
		if (th->name)
			strbuf_addf(&sb, "%s-%lld", profile_str(p, th->name),
				    (long long)th->tid);
		else
			strbuf_addf(&sb, "thread-%lld", (long long)th->tid);
		labels[i] = strtab_intern(&t->labels, strbuf_str(&sb), sb.len);
	}
	strbuf_release(&sb);
	return labels;
}

static void add_value(struct svg_tree *t, uint32_t node, const double *value)
{
	if (t->differential) {
		t->nodes[node].value += value[1];
		if (t->differential == PROFILE_DIFF_BOTH)
			t->nodes[node].value += value[0];
		t->nodes[node].after += value[1];
		t->nodes[node].delta += value[1] - value[0];
	} else {
		t->nodes[node].value += value[0];
	}
}

/* The label sequence of one (stack, thread), in drawing order. */
struct path {
	uint32_t *labels;
	uint8_t *kinds;
	size_t nr, alloc, alloc_kinds;
	uint32_t *frames;
	size_t alloc_frames;
};

static void path_fill(struct path *path, const struct profile *p,
		      const uint32_t *flabels, const uint32_t *tlabels,
		      uint32_t stack, uint32_t thread,
		      const struct svg_tree_options *o)
{
	uint32_t depth = p->stacks[stack].depth, i;
	size_t n = 0;

	grow_array((void **)&path->frames, sizeof(*path->frames), depth + 1,
		   &path->alloc_frames);
	grow_array((void **)&path->labels, sizeof(*path->labels), depth + 2,
		   &path->alloc);
	grow_array((void **)&path->kinds, sizeof(*path->kinds), depth + 2,
		   &path->alloc_kinds);
	profile_stack_frames(p, stack, path->frames);
	if (tlabels && thread) {
		path->labels[n] = tlabels[thread];
		path->kinds[n++] = FRAME_PROCESS;
	}
	for (i = 0; i < depth; i++) {
		uint32_t f = path->frames[o->reverse ? depth - 1 - i : i];

		path->labels[n] = flabels[f];
		path->kinds[n++] = p->frames[f].kind;
	}
	path->nr = n;
}

/* When no two frames share a label, the tree is the profile's stack tree
 * itself: node i is stack i, and no lookup is needed. */
static int labels_unique(const struct svg_tree *t, const struct profile *p,
			 const uint32_t *flabels)
{
	unsigned char *seen = xcalloc(t->labels.nr + 1, 1);
	uint32_t i;
	int unique = 1;

	for (i = 1; i < p->nr_frames && unique; i++) {
		if (seen[flabels[i]])
			unique = 0;
		seen[flabels[i]] = 1;
	}
	free(seen);
	return unique;
}

/*
 * Unique labels: the tree is the profile's stack tree, so sizes are summed
 * per stack in plain arrays and only the children of drawn nodes become
 * tree nodes.  Returns 1 when it built the tree (values inclusive), 0 when
 * labels repeat and the caller must merge by label.
 */
static int build_pruned(struct svg_tree *t, const struct profile *p,
			const uint32_t *flabels, double min_value)
{
	uint32_t *node_of, s, none = UINT32_MAX;
	double *size, *delta = NULL, *after = NULL;

	if (!labels_unique(t, p, flabels))
		return 0;
	size = xcalloc(p->nr_stacks + 1, sizeof(*size));
	if (t->differential) {
		delta = xcalloc(p->nr_stacks + 1, sizeof(*delta));
		after = xcalloc(p->nr_stacks + 1, sizeof(*after));
	}
	for (s = 0; s < p->nr_totals; s++) {
		const struct stack_total *tot = &p->totals[s];

		if (t->differential) {
			size[tot->stack] += tot->value[1];
			if (t->differential == PROFILE_DIFF_BOTH)
				size[tot->stack] += tot->value[0];
			after[tot->stack] += tot->value[1];
			delta[tot->stack] += tot->value[1] - tot->value[0];
		} else {
			size[tot->stack] += tot->value[0];
		}
	}
	if (delta)
		for (s = 0; s < p->nr_stacks; s++)
			if (fabs(delta[s]) > t->max_delta)
				t->max_delta = fabs(delta[s]);
	for (s = p->nr_stacks; s-- > 1;) {
		assert(p->stacks[s].parent < s);
		size[p->stacks[s].parent] += size[s];
		if (after)
			after[p->stacks[s].parent] += after[s];
	}
	node_of = xmalloc((p->nr_stacks + 1) * sizeof(*node_of));
	node_of[0] = 0;
	t->nodes[0].value = size[0];
	t->nodes[0].delta = delta ? delta[0] : 0;
	t->nodes[0].after = after ? after[0] : 0;
	for (s = 1; s < p->nr_stacks; s++) {
		const struct stack_node *sn = &p->stacks[s];
		uint32_t parent = node_of[sn->parent], n;
		const struct svg_node *pn;

		node_of[s] = none;
		if (parent == none)
			continue;
		pn = &t->nodes[parent];
		if (parent && !(pn->value > 0 && pn->value >= min_value))
			continue;
		n = add_node(t, parent, flabels[sn->frame],
			     p->frames[sn->frame].kind);
		t->nodes[n].value = size[s];
		t->nodes[n].delta = delta ? delta[s] : 0;
		t->nodes[n].after = after ? after[s] : 0;
		node_of[s] = n;
	}
	free(node_of);
	free(size);
	free(delta);
	free(after);
	return 1;
}

static void build_by_prefix(struct svg_tree *t, const struct profile *p,
			    const uint32_t *flabels)
{
	uint32_t *node_of = xmalloc((p->nr_stacks + 1) * sizeof(*node_of)), s;

	node_of[0] = 0;
	for (s = 1; s < p->nr_stacks; s++) {
		const struct stack_node *sn = &p->stacks[s];

		assert(sn->parent < s);
		node_of[s] = child(t, node_of[sn->parent], flabels[sn->frame],
				   p->frames[sn->frame].kind);
	}
	for (s = 0; s < p->nr_totals; s++)
		add_value(t, node_of[p->totals[s].stack], p->totals[s].value);
	free(node_of);
}

static void build_by_path(struct svg_tree *t, const struct profile *p,
			  const uint32_t *flabels, const uint32_t *tlabels,
			  const struct svg_tree_options *o)
{
	struct path path = { 0 };
	uint32_t i;
	size_t j;

	for (i = 0; i < p->nr_totals; i++) {
		const struct stack_total *tot = &p->totals[i];
		uint32_t node = 0;

		path_fill(&path, p, flabels, tlabels, tot->stack, tot->thread, o);
		for (j = 0; j < path.nr; j++)
			node = child(t, node, path.labels[j], path.kinds[j]);
		add_value(t, node, tot->value);
	}
	free(path.frames);
	free(path.labels);
	free(path.kinds);
}

/* Flame chart: in order, a stack continues the previous one's frames only
 * as far as their labels agree. */
static void build_chart(struct svg_tree *t, const struct profile *p,
			const uint32_t *flabels, const uint32_t *tlabels,
			const struct svg_tree_options *o)
{
	struct path path = { 0 };
	uint32_t *open = NULL;		/* open[d] = node at depth d */
	size_t alloc_open = 0, nr_open = 1, i, j, n;

	grow_array((void **)&open, sizeof(*open), 1, &alloc_open);
	open[0] = 0;
	n = p->nr_samples ? p->nr_samples : p->nr_totals;
	for (i = 0; i < n; i++) {
		uint32_t stack, thread;
		const double *value;

		if (p->nr_samples) {
			stack = p->samples[i].stack;
			thread = p->samples[i].thread;
			value = p->samples[i].value;
		} else {
			stack = p->totals[i].stack;
			thread = p->totals[i].thread;
			value = p->totals[i].value;
		}
		path_fill(&path, p, flabels, tlabels, stack, thread, o);
		for (j = 0; j < path.nr && j + 1 < nr_open; j++)
			if (t->nodes[open[j + 1]].label != path.labels[j])
				break;
		grow_array((void **)&open, sizeof(*open), path.nr + 1,
			   &alloc_open);
		nr_open = j + 1;
		for (; j < path.nr; j++)
			open[nr_open++] = add_node(t, open[j], path.labels[j],
						   path.kinds[j]);
		add_value(t, open[nr_open - 1], value);
	}
	free(open);
	free(path.frames);
	free(path.labels);
	free(path.kinds);
}

void svg_tree_build(struct svg_tree *t, const struct profile *p,
		    const struct svg_tree_options *o, double min_value)
{
	uint32_t *flabels, *tlabels = NULL, i;
	int inclusive = 0;

	memset(t, 0, sizeof(*t));
	strtab_init(&t->labels);
	t->index = hash_index_new();
	t->differential = p->nr_values >= 2 ? p->meta.differential : 0;
	add_node(t, 0, strtab_intern(&t->labels, "all", 3), FRAME_MARKER);

	flabels = frame_labels(t, p);
	if (o->with_threads)
		tlabels = thread_labels(t, p);
	if (o->flamechart)
		build_chart(t, p, flabels, tlabels, o);
	else if (o->reverse || tlabels)
		build_by_path(t, p, flabels, tlabels, o);
	else if (build_pruned(t, p, flabels, min_value))
		inclusive = 1;
	else
		build_by_prefix(t, p, flabels);
	free(flabels);
	free(tlabels);

	/* self sizes -> inclusive sizes; children have higher indexes */
	for (i = t->nr; i-- > 0;) {
		if (!inclusive && i) {
			t->nodes[t->nodes[i].parent].value += t->nodes[i].value;
			t->nodes[t->nodes[i].parent].after += t->nodes[i].after;
		}
		if (fabs(t->nodes[i].delta) > t->max_delta)
			t->max_delta = fabs(t->nodes[i].delta);
	}
	if (t->max_delta <= 0)
		t->max_delta = 1;
}

static const struct svg_tree *sort_tree;

static int compare_labels(const void *a, const void *b)
{
	const struct svg_tree *t = sort_tree;
	uint32_t x = t->nodes[*(const uint32_t *)a].label;
	uint32_t y = t->nodes[*(const uint32_t *)b].label;
	uint32_t lx = strtab_len(&t->labels, x), ly = strtab_len(&t->labels, y);
	int c = memcmp(strtab_get(&t->labels, x), strtab_get(&t->labels, y),
		       lx < ly ? lx : ly);

	if (c)
		return c;
	return lx < ly ? -1 : lx > ly;
}

/* Orders node's children by label. */
static void sort_children(struct svg_tree *t, uint32_t node, uint32_t **kids,
			  size_t *alloc)
{
	uint32_t c;
	size_t n = 0;

	for (c = t->nodes[node].first_child; c; c = t->nodes[c].next_sibling) {
		grow_array((void **)kids, sizeof(**kids), n + 1, alloc);
		(*kids)[n++] = c;
	}
	if (n < 2)
		return;
	sort_tree = t;
	qsort(*kids, n, sizeof(**kids), compare_labels);
	t->nodes[node].first_child = (*kids)[0];
	for (c = 0; c + 1 < n; c++)
		t->nodes[(*kids)[c]].next_sibling = (*kids)[c + 1];
	t->nodes[(*kids)[n - 1]].next_sibling = 0;
}

void svg_tree_layout(struct svg_tree *t, int sort, double min_value)
{
	uint32_t *kids = NULL, i, c;
	size_t alloc = 0;

	free(t->visible);
	t->visible = xcalloc(t->nr + 1, 1);
	t->max_depth = 0;
	if (!t->nr)
		return;
	t->nodes[0].start = 0;
	t->visible[0] = 1;
	/* parents come before children, so one pass in index order sees
	 * every visible node after its parent placed it */
	for (i = 0; i < t->nr; i++) {
		double cursor;

		if (!t->visible[i])
			continue;
		if (t->nodes[i].depth > t->max_depth)
			t->max_depth = t->nodes[i].depth;
		if (sort)
			sort_children(t, i, &kids, &alloc);
		/* the node's own (self) share comes first, then its
		 * children, as flamegraph.pl draws them */
		cursor = t->nodes[i].start + t->nodes[i].value;
		for (c = t->nodes[i].first_child; c; c = t->nodes[c].next_sibling)
			cursor -= t->nodes[c].value;
		if (cursor < t->nodes[i].start)
			cursor = t->nodes[i].start;
		for (c = t->nodes[i].first_child; c; c = t->nodes[c].next_sibling) {
			t->nodes[c].start = cursor;
			cursor += t->nodes[c].value;
			t->visible[c] = t->nodes[c].value > 0 &&
					t->nodes[c].value >= min_value;
		}
	}
	free(kids);
}

void svg_tree_release(struct svg_tree *t)
{
	free(t->nodes);
	free(t->last_child);
	free(t->visible);
	hash_index_free(t->index);
	strtab_release(&t->labels);
	memset(t, 0, sizeof(*t));
}
