/*
 * diff.c - `scorch diff [opts] BEFORE AFTER`: the differential profile of
 * two profiles (model/diff.c matches their functions; value[0] = before,
 * value[1] = after, absolute unless --normalize), written with any writer
 * (-o diff.svg, diff.html, -f folded for the two-count text), and a table
 * of the biggest absolute changes with both totals.  Reads and writes
 * through the registry; never writes a format itself.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common_options.h"
#include "formats/format.h"
#include "model/aggregate.h"
#include "model/diff.h"
#include "model/filter.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/options.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

/* What one side's values measure: samples (with seconds per sample when
 * the period is a time), or seconds, or something else. */
struct side_unit {
	int samples;		/* values count samples */
	double seconds;		/* seconds per value, 0 = unknown */
	const char *what;	/* "cpu", "wall", ... or NULL */
};

static void side_unit(const struct profile *p, struct side_unit *u)
{
	const char *unit = profile_str(p, p->value_types[0].unit);
	const char *type = profile_str(p, p->value_types[0].type);

	memset(u, 0, sizeof(*u));
	if (!strcmp(unit, "nanoseconds")) {
		u->seconds = 1e-9;
		u->what = type;
	} else if (!strcmp(unit, "count") || !strcmp(type, "samples")) {
		u->samples = 1;
		if (p->meta.period > 0 && p->meta.period_type.unit &&
		    !strcmp(profile_str(p, p->meta.period_type.unit), "nanoseconds")) {
			u->seconds = (double)p->meta.period * 1e-9;
			u->what = profile_str(p, p->meta.period_type.type);
		}
	}
}

/* How the table shows numbers. */
struct table_units {
	int samples;		/* columns count samples */
	double seconds;		/* seconds per table value, 0 = no seconds */
	const char *unit;	/* "samples", "s" or the profiles' unit */
	const char *what;	/* "cpu", "wall" or NULL */
	int fraction;		/* values may have fractions (scaled) */
};

struct change {
	const char *name;
	double before, after;		/* absolute, in table units */
	double before_pct, after_pct;	/* share of each side's total */
	double self_delta;		/* change of the key's own samples */
};

/* changes closer than this fraction of the larger are ordered by where
 * they happened (their own samples), then by name */
#define CHANGE_CLOSE 0.02

static int compare_changes(const void *x, const void *y)
{
	const struct change *a = x, *b = y;
	double da = fabs(a->after - a->before), db = fabs(b->after - b->before);

	if (fabs(da - db) > CHANGE_CLOSE * (da > db ? da : db))
		return da > db ? -1 : 1;
	/* (nearly) equal changes, as of a function and its callers (whose
	 * totals also hold a few samples of their own work): the one whose
	 * own samples changed, where the change happened, first */
	if (fabs(a->self_delta) != fabs(b->self_delta))
		return fabs(a->self_delta) > fabs(b->self_delta) ? -1 : 1;
	if (da != db)
		return da > db ? -1 : 1;
	return strcmp(a->name, b->name);
}

static double pct(double v, double sum)
{
	return sum > 0 ? 100.0 * v / sum : 0;
}

static void print_value(FILE *out, const struct table_units *u, double v,
			int sign)
{
	if (u->samples && u->fraction)
		fprintf(out, sign ? "%+9.1f" : "%9.1f", v);
	else if (u->samples)
		fprintf(out, sign ? "%+9.0f" : "%9.0f", v);
	else if (!strcmp(u->unit, "s"))
		fprintf(out, sign ? "%+9.3f" : "%9.3f", v);
	else	/* the profiles' own unit: bytes, events, ... */
		fprintf(out, sign ? "%+9.6g" : "%9.6g", v);
}

/* "4487 → 39 samples (-97.5%), 44.87 s → 0.39 s cpu" or, when the
 * values are seconds, "0.520 s → 0.125 s cpu (-76.0%)" */
static void print_totals(FILE *out, const struct table_units *u,
			 double before, double after)
{
	int secs = !strcmp(u->unit, "s");
	int digits = secs ? 3 : u->fraction ? 1 : 0;

	if (!u->samples && !secs)
		fprintf(out, "# total: %.6g \xe2\x86\x92 %.6g %s", before, after,
			u->unit);
	else
		fprintf(out, "# total: %.*f%s \xe2\x86\x92 %.*f %s", digits, before,
			secs ? " s" : "", digits, after, u->unit);
	if (secs && u->what)
		fprintf(out, " %s", u->what);
	if (before > 0)
		fprintf(out, " (%+.1f%%)", 100.0 * (after - before) / before);
	if (u->samples && u->seconds > 0)
		fprintf(out, ", %.2f s \xe2\x86\x92 %.2f s%s%s", before * u->seconds,
			after * u->seconds, u->what ? " " : "",
			u->what ? u->what : "");
	fputc('\n', out);
}

/* Prints the table of changes, biggest absolute change first; returns
 * the number of keys both sides have. */
static uint32_t print_changes(FILE *out, const struct aggregate *before,
			      const struct aggregate *after,
			      const struct table_units *u, int limit,
			      int colour)
{
	struct change *changes;
	uint32_t n = 0, i, common = 0;
	int secs = u->samples && u->seconds > 0;

	changes = xmalloc((before->keys.nr + after->keys.nr + 1) * sizeof(*changes));
	for (i = 1; i < before->keys.nr; i++) {
		const char *name = strtab_get(&before->keys, i);
		uint32_t other = strtab_lookup(&after->keys, name,
					       strtab_len(&before->keys, i));

		changes[n].name = name;
		changes[n].before = before->total[i];
		changes[n].after = other ? after->total[other] : 0;
		changes[n].self_delta = (other ? after->self[other] : 0) -
					before->self[i];
		if (changes[n].before > 0 && changes[n].after > 0)
			common++;
		n++;
	}
	for (i = 1; i < after->keys.nr; i++) {
		const char *name = strtab_get(&after->keys, i);

		if (strtab_lookup(&before->keys, name, strtab_len(&after->keys, i)))
			continue;
		changes[n].name = name;
		changes[n].before = 0;
		changes[n].after = after->total[i];
		changes[n].self_delta = after->self[i];
		n++;
	}
	for (i = 0; i < n; i++) {
		changes[i].before_pct = pct(changes[i].before, before->sum);
		changes[i].after_pct = pct(changes[i].after, after->sum);
	}
	qsort(changes, n, sizeof(*changes), compare_changes);
	if (limit > 0 && n > (uint32_t)limit)
		n = (uint32_t)limit;
	fprintf(out, "%s%9s%9s%9s", colour ? "\033[1m" : "",
		u->samples || strcmp(u->unit, "s") ? "Before" : "Before s",
		u->samples || strcmp(u->unit, "s") ? "After" : "After s",
		u->samples || strcmp(u->unit, "s") ? "Delta" : "Delta s");
	if (secs)
		fprintf(out, "%10s%10s", "Before s", "After s");
	fprintf(out, "%9s%9s  %s%s\n", "Before%", "After%",
		aggregate_by_heading(before->by), colour ? "\033[m" : "");
	for (i = 0; i < n; i++) {
		const struct change *c = &changes[i];
		double delta = c->after - c->before;
		const char *on = !colour || delta == 0 ? "" :
				 delta > 0 ? "\033[31m" : "\033[34m";

		print_value(out, u, c->before, 0);
		print_value(out, u, c->after, 0);
		fputs(on, out);
		print_value(out, u, delta, 1);
		fputs(*on ? "\033[m" : "", out);
		if (secs)
			fprintf(out, "%10.2f%10.2f", c->before * u->seconds,
				c->after * u->seconds);
		fprintf(out, "%8.2f%%%8.2f%%  %s\n", c->before_pct, c->after_pct,
			c->name);
	}
	free(changes);
	return common;
}

/* Picks the table's units and each side's scale so both sides count the
 * same thing: samples when both count samples of one period, else
 * seconds when both can say, else the raw values (with a warning). */
static void choose_units(const struct profile *before,
			 const struct profile *after, const char *nb,
			 const char *na, struct table_units *u,
			 struct diff_options *o)
{
	struct side_unit b, a;

	side_unit(before, &b);
	side_unit(after, &a);
	memset(u, 0, sizeof(*u));
	if (b.samples && a.samples && (b.seconds == a.seconds || !b.seconds ||
				       !a.seconds)) {
		u->samples = 1;
		u->unit = "samples";
		u->seconds = b.seconds == a.seconds ? b.seconds : 0;
		u->what = b.what;
	} else if (b.seconds > 0 && a.seconds > 0) {
		u->unit = "s";
		u->what = b.what ? b.what : a.what;
		o->scale_before = b.seconds;
		o->scale_after = a.seconds;
		o->unit = "seconds";
	} else {
		const char *ub = profile_str(before, before->value_types[0].unit);
		const char *ua = profile_str(after, after->value_types[0].unit);

		u->unit = ub;
		if (strcmp(ub, ua))
			warning("diff: %s counts %s and %s counts %s: the absolute numbers compare unlike things (use --normalize)",
				nb, ub, na, ua);
	}
}

int cmd_diff(int argc, const char **argv)
{
	struct read_options ro = { 0 };
	struct write_options wo = { 0 };
	const char *input_format = NULL, *output = NULL, *format = NULL;
	const char *focus = NULL, *ignore = NULL, *by_name = "function";
	int nargs, ret, normalize = 0, limit = 10, by;
	struct profile before, after, d;
	struct strbuf title = { 0 };
	const struct option opts[] = {
		OPT_OUTPUT(&output, "write the differential profile (e.g. diff.svg, diff.html, diff.folded)"),
		OPT_FORMAT(&format, "FORMAT", "format of -o (default: from its extension; folded = two counts)"),
		{ OPTION_BOOL, 0, "normalize", &normalize, NULL,
		  "scale BEFORE to AFTER's total (for recordings of different lengths; default: absolute numbers)",
		  NULL },
		{ OPTION_INT, 'n', "limit", &limit, "N",
		  "rows in the table of changes (default: 10, 0 = all)", NULL },
		{ OPTION_STRING, 0, "by", &by_name, "KEY",
		  "match and draw by function|line|file|module|name (default: function = name + file base name; name ignores files)",
		  NULL },
		OPT_FOCUS_IGNORE(&focus, &ignore),
		OPT_TITLE(&wo.title, "title of the flame graph (default: \"BEFORE \xe2\x86\x92 AFTER\")"),
		OPT_INPUT_FORMAT(&input_format),
		OPT_END(),
	};

	static const struct command_usage usage = {
		"scorch diff [options] BEFORE AFTER\n\n"
		"Functions match across the two profiles by name and by the base name\n"
		"of their file (pkg/__init__.py keeps its directory), without lines\n"
		"(--by line keeps them).  When the two runs had differently named main\n"
		"scripts (before.py, after.py) that define a function of the same name,\n"
		"those two files count as one, shown as \"before.py \xe2\x86\x92 after.py\".\n"
		"Numbers are absolute (samples, and seconds when the profile says how\n"
		"long a sample is); the table lists the biggest changes first.  The\n"
		"flame graph sizes each frame by before + after, so what shrank stays\n"
		"visible: blue shrank, red grew (by the frame's own samples).\n",
		0, 2, 2, "give two profiles, BEFORE and AFTER",
	};

	if ((ret = parse_command(argc, argv, opts, &usage, &nargs)) >= 0)
		return ret;
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
		struct diff_options dopt = { 0 };
		struct table_units units;
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
			struct aggregate agg_before, agg_after;
			uint32_t renamed = 0, common;
			enum aggregate_by key = (enum aggregate_by)by;

			dopt.by = key;
			dopt.keep_before = keep_before;
			dopt.keep_after = keep_after;
			choose_units(&before, &after, argv[0], argv[1], &units, &dopt);
			if (normalize && diff_normalize(&before, &after, &dopt))
				units.fraction = 1;
			diff_profiles(&d, &before, &after, &dopt, &renamed);
			if (!wo.title) {
				strbuf_addf(&title, "%s \xe2\x86\x92 %s", argv[0], argv[1]);
				wo.title = strbuf_str(&title);
			}
			if (output)
				ret = format_write_path(output, format, "folded",
							&d, &wo);
			if (!ret) {
				/* the table reads the matched profile, so its
				 * rows are the flame graph's frames */
				aggregate_init(&agg_before, key);
				aggregate_init(&agg_after, key);
				aggregate_add(&agg_before, &d, 0, NULL, 0, 0);
				aggregate_add(&agg_after, &d, 1, NULL, 0, 0);
				fprintf(table, "# before: %s, after: %s%s\n",
					argv[0], argv[1],
					units.fraction ?
					" (before scaled to after's total)" : "");
				print_totals(table, &units, agg_before.sum,
					     agg_after.sum);
				if (renamed)
					fprintf(table, "# main script %s: its functions match by name\n",
						profile_str(&d, renamed));
				common = print_changes(table, &agg_before,
						       &agg_after, &units,
						       limit, colour);
				if (!common && agg_before.sum > 0 &&
				    agg_after.sum > 0)
					warning("%s and %s have no function in common (are they profiles of the same program?)",
						argv[0], argv[1]);
				aggregate_release(&agg_before);
				aggregate_release(&agg_after);
			}
		}
		free(keep_before);
		free(keep_after);
	}
	profile_release(&before);
	profile_release(&after);
	profile_release(&d);
	strbuf_release(&title);
	return ret ? 1 : 0;
}
