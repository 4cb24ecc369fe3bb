/*
 * diff.c - `scorch diff [opts] BEFORE AFTER`: a differential profile of
 * two profiles (value[0] = before, value[1] = after, normalised to the same
 * total unless --no-normalize), written with any writer (-o diff.svg, -f
 * folded for the two-count text), and a table of the functions whose share
 * changed most.  Reads through the registry; never writes a format itself.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "formats/format.h"
#include "model/aggregate.h"
#include "model/filter.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/options.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* Copies stacks of one profile into another, frame by frame. */
struct stack_copier {
	const struct profile *from;
	struct profile *to;
	uint32_t *frame_map;	/* from frame id -> to frame id */
	uint32_t *stack_map;	/* from stack id -> to stack id */
};

static void copier_init(struct stack_copier *c, const struct profile *from,
			struct profile *to)
{
	c->from = from;
	c->to = to;
	c->frame_map = xcalloc(from->nr_frames + 1, sizeof(uint32_t));
	c->stack_map = xcalloc(from->nr_stacks + 1, sizeof(uint32_t));
}

static void copier_release(struct stack_copier *c)
{
	free(c->frame_map);
	free(c->stack_map);
}

static uint32_t copy_string(struct stack_copier *c, uint32_t id)
{
	if (!id)
		return 0;
	return profile_intern_len(c->to, profile_str(c->from, id),
				  strtab_len(&c->from->strings, id));
}

static uint32_t copy_frame(struct stack_copier *c, uint32_t id)
{
	struct frame f;

	if (!c->frame_map[id]) {
		f = c->from->frames[id];
		f.name = copy_string(c, f.name);
		f.file = copy_string(c, f.file);
		f.module = copy_string(c, f.module);
		c->frame_map[id] = profile_frame(c->to, &f);
	}
	return c->frame_map[id];
}

static uint32_t copy_stack(struct stack_copier *c, uint32_t id)
{
	if (!id)
		return 0;
	if (!c->stack_map[id]) {
		uint32_t parent = copy_stack(c, c->from->stacks[id].parent);

		c->stack_map[id] = profile_stack_push(c->to, parent,
						      copy_frame(c, c->from->stacks[id].frame));
	}
	return c->stack_map[id];
}

/* Adds every total of `from` into slot (0 = before, 1 = after) of d. */
static void add_side(struct profile *d, const struct profile *from, int slot,
		     double scale, const uint8_t *keep)
{
	struct stack_copier c;
	uint32_t i;

	copier_init(&c, from, d);
	/* iterate stacks in creation order so parents are copied first and
	 * the recursion in copy_stack stays shallow */
	for (i = 1; i < from->nr_stacks; i++)
		copy_stack(&c, i);
	for (i = 0; i < from->nr_totals; i++) {
		const struct stack_total *t = &from->totals[i];
		double v[PROFILE_MAX_VALUES] = { 0 };

		if (keep && !keep[t->stack])
			continue;
		v[slot] = t->value[0] * scale;
		profile_add(d, copy_stack(&c, t->stack), 0, -1, v);
	}
	copier_release(&c);
}

struct change {
	const char *name;
	double before, after;	/* percent */
};

static int compare_changes(const void *x, const void *y)
{
	const struct change *a = x, *b = y;
	double da = fabs(a->after - a->before), db = fabs(b->after - b->before);

	if (da != db)
		return da > db ? -1 : 1;
	return strcmp(a->name, b->name);
}

static double share(const struct aggregate *a, uint32_t key)
{
	return key && a->sum > 0 ? 100.0 * a->total[key] / a->sum : 0;
}

/* Prints the table of changed shares; returns the number of keys the
 * two sides have in common. */
static uint32_t print_changes(FILE *out, const struct aggregate *before,
			      const struct aggregate *after, int limit,
			      int colour)
{
	struct change *changes;
	uint32_t n = 0, i, common = 0;

	changes = xmalloc((before->keys.nr + after->keys.nr + 1) * sizeof(*changes));
	for (i = 1; i < before->keys.nr; i++) {
		const char *name = strtab_get(&before->keys, i);
		uint32_t other = strtab_lookup(&after->keys, name,
					       strtab_len(&before->keys, i));

		if (other)
			common++;
		changes[n].name = name;
		changes[n].before = share(before, i);
		changes[n].after = share(after, other);
		n++;
	}
	for (i = 1; i < after->keys.nr; i++) {
		const char *name = strtab_get(&after->keys, i);

		if (strtab_lookup(&before->keys, name, strtab_len(&after->keys, i)))
			continue;
		changes[n].name = name;
		changes[n].before = 0;
		changes[n].after = share(after, i);
		n++;
	}
	qsort(changes, n, sizeof(*changes), compare_changes);
	if (limit > 0 && n > (uint32_t)limit)
		n = (uint32_t)limit;
	fprintf(out, "%s%8s  %8s  %9s  %s%s\n", colour ? "\033[1m" : "",
		"Before%", "After%", "Delta", "Total share of",
		colour ? "\033[m" : "");
	for (i = 0; i < n; i++) {
		double delta = changes[i].after - changes[i].before;
		const char *c = !colour || fabs(delta) < 0.005 ? "" :
				delta > 0 ? "\033[31m" : "\033[34m";

		fprintf(out, "%7.2f%%  %7.2f%%  %s%+8.2f%%%s  %s\n",
			changes[i].before, changes[i].after, c, delta,
			*c ? "\033[m" : "", changes[i].name);
	}
	free(changes);
	return common;
}

int cmd_diff(int argc, const char **argv)
{
	struct read_options ro = { 0 };
	struct write_options wo = { 0 };
	const char *input_format = NULL, *output = NULL, *format = NULL;
	const char *focus = NULL, *ignore = NULL, *by_name = "function";
	int nargs, ret, normalize = 1, limit = 10, by;
	struct profile before, after, d;
	static const char *const types[] = { "before", "after" };
	static const char *const units[] = { "count", "count" };
	const struct option opts[] = {
		{ OPTION_STRING, 'o', "output", &output, "FILE",
		  "write the differential profile (e.g. diff.svg, diff.folded)",
		  NULL },
		{ OPTION_STRING, 'f', "format", &format, "FORMAT",
		  "format of -o (default: from its extension; folded = two counts)",
		  NULL },
		{ OPTION_BOOL, 0, "normalize", &normalize, NULL,
		  "scale BEFORE to AFTER's total (default; --no-normalize)", NULL },
		{ OPTION_INT, 'n', "limit", &limit, "N",
		  "rows in the table of changes (default: 10, 0 = all)", NULL },
		{ OPTION_STRING, 0, "by", &by_name, "KEY",
		  "table rows: function|line|file|module|name (default: function; name ignores files)",
		  NULL },
		{ OPTION_STRING, 0, "focus", &focus, "REGEX",
		  "keep only stacks with a frame matching REGEX", NULL },
		{ OPTION_STRING, 0, "ignore", &ignore, "REGEX",
		  "drop stacks with a frame matching REGEX", NULL },
		{ OPTION_STRING, 0, "title", &wo.title, "TEXT",
		  "title of the flame graph", NULL },
		{ OPTION_STRING, 0, "input-format", &input_format, "FORMAT",
		  "force the input format of both profiles", NULL },
		{ OPTION_END, 0, NULL, NULL, NULL, NULL, NULL },
	};

	nargs = parse_options(argc, argv, opts,
			      "scorch diff [options] BEFORE AFTER", 0);
	if (nargs == -2)
		return 0;
	if (nargs < 0)
		return 2;
	if (nargs != 2) {
		error("diff: give two profiles, BEFORE and AFTER (see 'scorch diff --help')");
		return 2;
	}
	if (format && !output)
		output = "-";
	by = aggregate_by_parse(by_name);
	if (by < 0 || by == AGGREGATE_THREAD) {
		error("diff: --by %s: unknown key (use function, line, file, module or name)",
		      by_name);
		return 2;
	}

	profile_init(&before);
	profile_init(&after);
	profile_init(&d);
	ret = format_read_path(argv[0], input_format, &before, &ro);
	if (!ret)
		ret = format_read_path(argv[1], input_format, &after, &ro);
	if (!ret) {
		uint8_t *keep_before = NULL, *keep_after = NULL;
		struct aggregate agg_before, agg_after;
		double sum_before, sum_after, scale = 1;
		FILE *table = output && !strcmp(output, "-") ? stderr : stdout;
		int colour = isatty(fileno(table)) && !getenv("NO_COLOR");

		if (focus || ignore) {
			keep_before = filter_stacks(&before, focus, ignore);
			keep_after = keep_before ?
				     filter_stacks(&after, focus, ignore) : NULL;
			if (!keep_after)
				ret = -1;
		}
		if (!ret) {
			aggregate_init(&agg_before, (enum aggregate_by)by);
			aggregate_init(&agg_after, (enum aggregate_by)by);
			aggregate_add(&agg_before, &before, 0, keep_before, 0, 0);
			aggregate_add(&agg_after, &after, 0, keep_after, 0, 0);
			sum_before = agg_before.sum;
			sum_after = agg_after.sum;
			if (normalize && sum_before > 0 && sum_after > 0)
				scale = sum_after / sum_before;

			profile_set_value_types(&d, 2, types, units);
			d.meta.differential = 1;
			add_side(&d, &before, 0, scale, keep_before);
			add_side(&d, &after, 1, 1, keep_after);

			if (output)
				ret = format_write_path(output, format, "folded",
							&d, &wo);
			if (!ret) {
				uint32_t common;

				fprintf(table, "# before: %s, after: %s%s\n",
					argv[0], argv[1],
					normalize && scale != 1 ?
					" (before scaled to after's total)" : "");
				common = print_changes(table, &agg_before,
						       &agg_after, limit, colour);
				if (!common && (agg_before.keys.nr > 1 ||
						agg_after.keys.nr > 1))
					warning("%s and %s have no function in common (are they profiles of the same program?)",
						argv[0], argv[1]);
			}
			aggregate_release(&agg_before);
			aggregate_release(&agg_after);
		}
		free(keep_before);
		free(keep_after);
	}
	profile_release(&before);
	profile_release(&after);
	profile_release(&d);
	return ret ? 1 : 0;
}
