/*
 * report.c - `scorch report [opts] PROFILE`: where the time went, as a
 * terminal table of functions (or lines, files, modules, threads) by self
 * and total weight, or as a call tree (--tree) or callers tree
 * (--callers NAME).  Reads any format through the registry; the numbers
 * come from model/aggregate.c and model/filter.c.  Never writes files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common_options.h"
#include "formats/format.h"
#include "model/aggregate.h"
#include "model/filter.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/options.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

struct report_options {
	const char *sort, *by, *focus, *ignore, *callers, *value_name;
	int limit, tree, threads, truncate;
	double min_percent;
	int colour;
	int value;		/* value index reported */
	enum aggregate_by by_key;
};

/* ------------------------------------------------------------------ */
/* Output helpers.                                                    */

static const char *colour_for(const struct report_options *o, double percent)
{
	if (!o->colour)
		return "";
	if (percent >= 10)
		return "\033[31m";
	if (percent >= 1)
		return "\033[33m";
	return "";
}

static const char *colour_end(const struct report_options *o, double percent)
{
	return o->colour && percent >= 1 ? "\033[m" : "";
}

static void add_name(struct strbuf *sb, const char *name,
		     const struct report_options *o)
{
	size_t n = strlen(name);

	if (o->truncate > 3 && n > (size_t)o->truncate) {
		strbuf_add(sb, name, (size_t)o->truncate - 3);
		strbuf_addstr(sb, "...");
	} else {
		strbuf_add(sb, name, n);
	}
}

static int number_width(double v)
{
	struct strbuf sb;
	int n;

	strbuf_init(&sb);
	strbuf_add_number(&sb, v);
	n = (int)sb.len;
	strbuf_release(&sb);
	return n;
}

static void print_number(double v, int width)
{
	struct strbuf sb;

	strbuf_init(&sb);
	strbuf_add_number(&sb, v);
	printf("%*s", width, strbuf_str(&sb));
	strbuf_release(&sb);
}

static double percent(double v, double sum)
{
	return sum > 0 ? 100.0 * v / sum : 0;
}

/* ------------------------------------------------------------------ */
/* The table.                                                         */

/* Percentages are of base: the whole profile, even when filtered. */
static void print_table(const struct aggregate *a, const struct report_options *o,
			double base)
{
	uint32_t n, i, *ids = aggregate_sorted(a, !strcmp(o->sort, "self"), &n);
	int wself = 4, wtotal = 5;
	struct strbuf name;

	if (o->limit > 0 && n > (uint32_t)o->limit)
		n = (uint32_t)o->limit;
	for (i = 0; i < n; i++) {
		int w = number_width(a->self[ids[i]]);

		if (w > wself)
			wself = w;
		w = number_width(a->total[ids[i]]);
		if (w > wtotal)
			wtotal = w;
	}
	printf("%s%*s  %7s  %*s  %7s  %s%s\n", o->colour ? "\033[1m" : "",
	       wself, "Self", "Self%", wtotal, "Total", "Total%",
	       aggregate_by_heading(o->by_key), o->colour ? "\033[m" : "");
	strbuf_init(&name);
	for (i = 0; i < n; i++) {
		double s = percent(a->self[ids[i]], base);
		double t = percent(a->total[ids[i]], base);

		print_number(a->self[ids[i]], wself);
		printf("  %s%6.2f%%%s  ", colour_for(o, s), s, colour_end(o, s));
		print_number(a->total[ids[i]], wtotal);
		printf("  %s%6.2f%%%s  ", colour_for(o, t), t, colour_end(o, t));
		strbuf_reset(&name);
		add_name(&name, strtab_get(&a->keys, ids[i]), o);
		printf("%s\n", strbuf_str(&name));
	}
	strbuf_release(&name);
	free(ids);
}

/* ------------------------------------------------------------------ */
/* Call trees: nodes merged by key, children found through a hash.    */

struct tree_node {
	uint32_t key, parent, child, next;
	double total, self;
};

struct tree {
	struct tree_node *nodes;	/* nodes[0] = root */
	uint32_t nr, alloc;
	struct hash_index *index;
};

struct tree_key {
	const struct tree *t;
	uint32_t parent, key;
};

static int tree_equals(const void *ctx, uint32_t id)
{
	const struct tree_key *k = ctx;

	return k->t->nodes[id].parent == k->parent && k->t->nodes[id].key == k->key;
}

static void tree_init(struct tree *t)
{
	memset(t, 0, sizeof(*t));
	grow_array32((void **)&t->nodes, sizeof(*t->nodes), 1, &t->alloc);
	memset(&t->nodes[0], 0, sizeof(t->nodes[0]));
	t->nr = 1;
	t->index = hash_index_new();
}

static void tree_release(struct tree *t)
{
	free(t->nodes);
	hash_index_free(t->index);
}

static uint32_t tree_child(struct tree *t, uint32_t parent, uint32_t key)
{
	struct tree_key k = { t, parent, key };
	uint64_t h = hash_mix(parent, key);
	uint32_t id = hash_index_find(t->index, h, tree_equals, &k);

	if (id)
		return id;
	grow_array32((void **)&t->nodes, sizeof(*t->nodes), t->nr + 1, &t->alloc);
	id = t->nr++;
	memset(&t->nodes[id], 0, sizeof(t->nodes[id]));
	t->nodes[id].key = key;
	t->nodes[id].parent = parent;
	t->nodes[id].next = t->nodes[parent].child;
	t->nodes[parent].child = id;
	hash_index_insert(t->index, h, id);
	return id;
}

/* Adds one path of keys (outermost first) with weight v. */
static void tree_add_path(struct tree *t, const uint32_t *keys, uint32_t n,
			  double v)
{
	uint32_t node = 0, i;

	t->nodes[0].total += v;
	for (i = 0; i < n; i++) {
		node = tree_child(t, node, keys[i]);
		t->nodes[node].total += v;
	}
	t->nodes[node].self += v;
}

static const struct tree *sort_tree;

static int compare_children(const void *x, const void *y)
{
	const struct tree_node *a = &sort_tree->nodes[*(const uint32_t *)x];
	const struct tree_node *b = &sort_tree->nodes[*(const uint32_t *)y];

	if (a->total != b->total)
		return a->total > b->total ? -1 : 1;
	return a->key < b->key ? -1 : a->key > b->key;
}

static void print_tree_node(const struct tree *t, uint32_t node, int depth,
			    double sum, const struct strtab *keys,
			    const struct report_options *o, int width)
{
	uint32_t *children, n = 0, c, i;
	struct strbuf name;

	if (node) {
		double pc = percent(t->nodes[node].total, sum);

		printf("%s%6.2f%%%s  ", colour_for(o, pc), pc, colour_end(o, pc));
		print_number(t->nodes[node].total, width);
		printf("  %*s", 2 * (depth - 1), "");
		strbuf_init(&name);
		add_name(&name, strtab_get(keys, t->nodes[node].key), o);
		printf("%s\n", strbuf_str(&name));
		strbuf_release(&name);
	}
	for (c = t->nodes[node].child; c; c = t->nodes[c].next)
		n++;
	if (!n)
		return;
	children = xmalloc(n * sizeof(*children));
	n = 0;
	for (c = t->nodes[node].child; c; c = t->nodes[c].next)
		children[n++] = c;
	sort_tree = t;
	qsort(children, n, sizeof(*children), compare_children);
	for (i = 0; i < n; i++)
		if (percent(t->nodes[children[i]].total, sum) >= o->min_percent)
			print_tree_node(t, children[i], depth + 1, sum, keys, o,
					width);
	free(children);
}

/*
 * Builds the call tree (callers == NULL) or the callers tree of a key:
 * each path runs from the function outwards to the root, through its
 * innermost occurrence.
 */
static int build_tree(struct tree *t, struct strtab *keys,
		      const struct profile *p, const uint8_t *keep,
		      const struct report_options *o)
{
	uint32_t *frame_key = xcalloc(p->nr_frames + 1, sizeof(uint32_t));
	uint32_t *frames = NULL, *path = NULL, i, target = 0;
	size_t alloc = 0, alloc_path = 0;
	struct strbuf label;
	enum aggregate_by by = o->by_key == AGGREGATE_THREAD ?
			       AGGREGATE_FUNCTION : o->by_key;

	strbuf_init(&label);
	for (i = 1; i < p->nr_frames; i++) {
		strbuf_reset(&label);
		aggregate_label(p, by, i, 0, &label);
		frame_key[i] = strtab_intern(keys, strbuf_str(&label), label.len);
		/* NAME may be the bare function name or the full key */
		if (o->callers && !target &&
		    (!strcmp(strbuf_str(&label), o->callers) ||
		     !strcmp(profile_str(p, p->frames[i].name), o->callers)))
			target = frame_key[i];
	}
	if (o->callers && !target) {
		strbuf_release(&label);
		free(frame_key);
		return error("--callers: no function named '%s' in the profile (see 'scorch report' for the names)",
			     o->callers);
	}
	for (i = 0; i < p->nr_totals; i++) {
		const struct stack_total *st = &p->totals[i];
		uint32_t depth = p->stacks[st->stack].depth, d, n = 0;

		if (keep && !keep[st->stack])
			continue;
		grow_array((void **)&frames, sizeof(*frames), depth + 1, &alloc);
		grow_array((void **)&path, sizeof(*path), depth + 1, &alloc_path);
		profile_stack_frames(p, st->stack, frames);
		if (!o->callers) {
			for (d = 0; d < depth; d++)
				path[n++] = frame_key[frames[d]];
		} else {
			for (d = depth; d-- > 0;)
				if (frame_key[frames[d]] == target)
					break;
			if (d == (uint32_t)-1)
				continue;
			for (;; d--) {
				path[n++] = frame_key[frames[d]];
				if (!d)
					break;
			}
		}
		tree_add_path(t, path, n, st->value[o->value]);
	}
	strbuf_release(&label);
	free(frames);
	free(path);
	free(frame_key);
	return 0;
}

static int print_tree(const struct profile *p, const uint8_t *keep,
		      const struct report_options *o, double sum)
{
	struct strtab keys;
	struct tree t;
	int ret;

	strtab_init(&keys);
	tree_init(&t);
	ret = build_tree(&t, &keys, p, keep, o);
	if (!ret) {
		double base = o->callers ? t.nodes[0].total : sum;

		if (o->callers)
			printf("Callers of %s (%.2f%% of all samples); percentages of its total:\n",
			       o->callers, percent(t.nodes[0].total, sum));
		printf("%s%7s  %*s  %s%s\n", o->colour ? "\033[1m" : "", "Total%",
		       number_width(t.nodes[0].total) > 5 ?
		       number_width(t.nodes[0].total) : 5, "Total",
		       o->callers ? "Function <- callers" : "Call tree",
		       o->colour ? "\033[m" : "");
		print_tree_node(&t, 0, 0, base, &keys, o,
				number_width(t.nodes[0].total) > 5 ?
				number_width(t.nodes[0].total) : 5);
	}
	tree_release(&t);
	strtab_release(&keys);
	return ret;
}

/* ------------------------------------------------------------------ */

static int find_value(const struct profile *p, const char *name)
{
	int v;

	if (!name)
		return 0;
	for (v = 0; v < p->nr_values; v++)
		if (!strcmp(profile_str(p, p->value_types[v].type), name))
			return v;
	/* by unit too: --value nanoseconds, --value count */
	for (v = 0; v < p->nr_values; v++)
		if (!strcmp(profile_str(p, p->value_types[v].unit), name))
			return v;
	return error("--value: the profile has no value '%s' (it has: %s%s%s%s%s%s%s)",
		     name, profile_str(p, p->value_types[0].type),
		     p->nr_values > 1 ? " " : "",
		     p->nr_values > 1 ? profile_str(p, p->value_types[1].type) : "",
		     p->nr_values > 2 ? " " : "",
		     p->nr_values > 2 ? profile_str(p, p->value_types[2].type) : "",
		     p->nr_values > 3 ? " " : "",
		     p->nr_values > 3 ? profile_str(p, p->value_types[3].type) : "");
}

static void print_header(const struct profile *p, const char *path,
			 const struct report_options *o, double sum, double all)
{
	struct strbuf sb;

	strbuf_init(&sb);
	strbuf_add_number(&sb, sum);
	if (sum != all) {
		strbuf_addstr(&sb, " of ");
		strbuf_add_number(&sb, all);
	}
	printf("# %s: %s %s (%s)", path, strbuf_str(&sb),
	       profile_str(p, p->value_types[o->value].type),
	       profile_str(p, p->value_types[o->value].unit));
	if (!strcmp(profile_str(p, p->value_types[o->value].unit), "nanoseconds"))
		printf(" = %.3f s", sum / 1e9);
	for (int v = 0; v < p->nr_values; v++)
		if (v != o->value && !p->meta.differential &&
		    !strcmp(profile_str(p, p->value_types[v].type), "samples")) {
			strbuf_reset(&sb);
			strbuf_add_number(&sb, profile_sum(p, v));
			printf(", %s samples", strbuf_str(&sb));
		}
	if (p->nr_threads > 1)
		printf(", %u thread%s", p->nr_threads - 1,
		       p->nr_threads == 2 ? "" : "s");
	if (o->focus)
		printf(", focus '%s'", o->focus);
	if (o->ignore)
		printf(", ignore '%s'", o->ignore);
	printf("\n");
	strbuf_release(&sb);
}

static int run_report(const struct profile *p, const char *path,
		      struct report_options *o)
{
	uint8_t *keep = NULL;
	struct aggregate a;
	int ret = 0;
	uint32_t t;
	double all = profile_sum(p, o->value);

	if (o->focus || o->ignore) {
		keep = filter_stacks(p, o->focus, o->ignore);
		if (!keep)
			return -1;
	}
	aggregate_init(&a, o->by_key);
	aggregate_add(&a, p, o->value, keep, 0, 0);
	print_header(p, path, o, a.sum, all);
	if (o->tree || o->callers) {
		ret = print_tree(p, keep, o, all);
	} else if (o->threads && o->by_key != AGGREGATE_THREAD) {
		struct aggregate threads;
		uint32_t n, i, *ids;

		/* one table per thread, busiest first */
		aggregate_init(&threads, AGGREGATE_THREAD);
		aggregate_add(&threads, p, o->value, keep, 0, 0);
		ids = aggregate_sorted(&threads, 0, &n);
		for (i = 0; i < n; i++) {
			const char *want = strtab_get(&threads.keys, ids[i]);
			struct aggregate one;
			struct strbuf label;

			for (t = 0; t < p->nr_threads; t++) {
				strbuf_init(&label);
				aggregate_label(p, AGGREGATE_THREAD, 0, t, &label);
				if (!strcmp(strbuf_str(&label), want)) {
					strbuf_release(&label);
					break;
				}
				strbuf_release(&label);
			}
			aggregate_init(&one, o->by_key);
			aggregate_add(&one, p, o->value, keep, 1, t);
			printf("\n## thread %s: %.2f%% of all\n", want,
			       percent(threads.total[ids[i]], all));
			print_table(&one, o, all);
			aggregate_release(&one);
		}
		free(ids);
		aggregate_release(&threads);
	} else {
		print_table(&a, o, all);
	}
	aggregate_release(&a);
	free(keep);
	return ret;
}

int cmd_report(int argc, const char **argv)
{
	struct report_options o;
	const char *input_format = NULL;
	struct profile p;
	int nargs, ret, by;
	const char *no_colour = getenv("NO_COLOR");
	const struct option opts[] = {
		{ OPTION_STRING, 's', "sort", &o.sort, "self|total",
		  "order of the table (default: self)", NULL },
		{ OPTION_INT, 'n', "limit", &o.limit, "N",
		  "show only the first N rows (default: all)", NULL },
		{ OPTION_STRING, 0, "by", &o.by, "KEY",
		  "group by function|line|file|module|thread|name (default: function)",
		  NULL },
		OPT_FOCUS_IGNORE(&o.focus, &o.ignore),
		{ OPTION_BOOL, 0, "threads", &o.threads, NULL,
		  "one table per thread", NULL },
		{ OPTION_BOOL, 0, "tree", &o.tree, NULL,
		  "call tree from the roots, with percentages", NULL },
		{ OPTION_STRING, 0, "callers", &o.callers, "NAME",
		  "tree of the callers of function NAME", NULL },
		{ OPTION_DOUBLE, 0, "min-percent", &o.min_percent, "P",
		  "trees: hide nodes below P% (default: 0.5)", NULL },
		{ OPTION_INT, 0, "truncate", &o.truncate, "N",
		  "cut names longer than N characters", NULL },
		{ OPTION_STRING, 0, "value", &o.value_name, "TYPE",
		  "which sample value to report (default: the first)", NULL },
		OPT_INPUT_FORMAT(&input_format),
		OPT_END(),
	};

	static const struct command_usage usage = {
		"scorch report [options] PROFILE", 0, 1, 1, "give one profile",
	};

	memset(&o, 0, sizeof(o));
	o.sort = "self";
	o.by = "function";
	o.min_percent = 0.5;
	if ((ret = parse_command(argc, argv, opts, &usage, &nargs)) >= 0)
		return ret;
	if (strcmp(o.sort, "self") && strcmp(o.sort, "total")) {
		error("report: --sort %s: unknown order (use self or total)", o.sort);
		return 2;
	}
	by = aggregate_by_parse(o.by);
	if (by < 0) {
		error("report: --by %s: unknown key (use function, line, file, module, thread or name)",
		      o.by);
		return 2;
	}
	o.by_key = (enum aggregate_by)by;
	o.colour = isatty(STDOUT_FILENO) && !no_colour;

	profile_init(&p);
	ret = format_read_path(argv[0], input_format, &p, NULL);
	if (!ret) {
		o.value = find_value(&p, o.value_name);
		ret = o.value < 0 ? -1 : run_report(&p, argv[0], &o);
	}
	profile_release(&p);
	fflush(stdout);
	return ret ? 1 : 0;
}
