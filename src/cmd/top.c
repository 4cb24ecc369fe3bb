/*
 * top.c - `scorch top`: a live table of where a program spends its time.
 *
 * Records exactly as `record` does (session/session.h: spawn or attach, any
 * engine) and, instead of writing a file, redraws a table of functions
 * every --interval: each function's share of the samples in the last
 * interval (self and total) and its time since the start.  On a terminal
 * the screen is redrawn in place; otherwise each table is printed in
 * turn, so the output can be piped or logged.  When recording ends, one
 * last table covers the whole run.  Never writes files.
 *
 * Watching a running process (-p) on a terminal, keys act at once:
 * s switches the order (self/total), b the grouping (function, line,
 * file, module, thread), q ends the recording.  The terminal goes back to
 * its settings when top ends.  A program top starts keeps the terminal
 * to itself: its input is not top's.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common_options.h"
#include "cmd/record_args.h"
#include "model/aggregate.h"
#include "model/profile.h"
#include "engines/engine.h"
#include "session/session.h"
#include "util/error.h"
#include "util/options.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

struct top {
	const struct record_options *o;
	enum aggregate_by by;
	int sort_total;		/* --sort total */
	int limit;		/* rows; 0 = fit the terminal */
	int terminal;		/* redraw in place */
	int colour;
	struct aggregate prev;	/* the whole profile at the last refresh */
	int64_t prev_ns;
	struct aggregate before;	/* ... and at the one before it */
	int64_t before_ns;
	int keys;		/* reading keys from the terminal */
};

/* The terminal's settings before top changed them, for restore_terminal. */
static struct termios saved_termios;
static int termios_changed;

/* Seconds a weight stands for: nanoseconds as they are, samples at the
 * sampling period. */
static double seconds_of(const struct profile *p, double v)
{
	const char *unit = profile_str(p, p->value_types[0].unit);

	if (!strcmp(unit, "nanoseconds"))
		return v / 1e9;
	return p->meta.rate_hz > 0 ? v / p->meta.rate_hz : v;
}

static int rows_to_show(const struct top *t)
{
	struct winsize ws;
	int other_lines = t->keys ? 6 : 5;

	if (t->limit > 0)
		return t->limit;
	if (t->terminal && ioctl(1, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_row > other_lines + 1)
		return ws.ws_row - other_lines;
	return 20;
}

/* One row's numbers: the interval's shares and the whole run's times. */
struct top_row {
	uint32_t key;
	double self, total;		/* this interval */
	double all_self, all_total;	/* since the start */
};

static int by_share(const void *a, const void *b, void *arg)
{
	const struct top_row *x = a, *y = b;
	const int *sort_total = arg;
	double dx = *sort_total ? x->total : x->self;
	double dy = *sort_total ? y->total : y->self;

	if (dx != dy)
		return dx < dy ? 1 : -1;
	if (x->all_self != y->all_self)
		return x->all_self < y->all_self ? 1 : -1;
	return x->key < y->key ? -1 : x->key > y->key;
}

/* The rows of now, with the interval measured against base. */
static struct top_row *make_rows(const struct aggregate *now,
				 const struct aggregate *base, uint32_t *nr)
{
	struct top_row *rows = xcalloc(now->keys.nr + 1, sizeof(*rows));
	uint32_t k, n = 0;

	for (k = 1; k < now->keys.nr; k++) {
		uint32_t old = strtab_lookup(&base->keys, strtab_get(&now->keys, k),
					     strtab_len(&now->keys, k));
		struct top_row *r = &rows[n++];

		r->key = k;
		r->all_self = now->self[k];
		r->all_total = now->total[k];
		r->self = now->self[k] - (old ? base->self[old] : 0);
		r->total = now->total[k] - (old ? base->total[old] : 0);
	}
	*nr = n;
	return rows;
}

static void add_percent(struct strbuf *sb, double v, double sum)
{
	strbuf_addf(sb, "%6.2f%%", sum > 0 ? 100 * v / sum : 0.0);
}

/* --by's values in the order the b key steps through them. */
static enum aggregate_by next_by(enum aggregate_by by)
{
	return by == AGGREGATE_THREAD ? AGGREGATE_FUNCTION : by + 1;
}

/*
 * Draws one table: the shares of the samples between base and now (the
 * last span_ns of the elapsed_ns recorded), or of the whole run when
 * whole is set.
 */
static void render(const struct top *t, const struct profile *p,
		   const struct aggregate *now, const struct aggregate *base,
		   int64_t span_ns, int64_t elapsed_ns, int whole)
{
	struct top_row *rows;
	struct strbuf sb;
	uint32_t nr, i;
	double sum = now->sum - base->sum;
	int limit = rows_to_show(t);
	int sort_total = t->sort_total;

	rows = make_rows(now, base, &nr);
	qsort_r(rows, nr, sizeof(*rows), by_share, &sort_total);

	strbuf_init(&sb);
	if (t->terminal && !whole)
		strbuf_addstr(&sb, "\033[H\033[2J");
	strbuf_addf(&sb, "scorch top: %s - %s %.1f s: %.0f samples; %.1f s recorded, %u thread%s\n",
		    p->meta.command ? profile_str(p, p->meta.command) : "?",
		    whole ? "whole run," : "last", (double)span_ns / 1e9, sum,
		    (double)elapsed_ns / 1e9, p->nr_threads ? p->nr_threads - 1 : 0,
		    p->nr_threads == 2 ? "" : "s");
	strbuf_addf(&sb, "%s  %%Self  %%Total    Self s   Total s  %s%s\n",
		    t->colour ? "\033[1m" : "", aggregate_by_heading(t->by),
		    t->colour ? "\033[m" : "");
	for (i = 0; i < nr && (int)i < limit; i++) {
		const struct top_row *r = &rows[i];

		if (r->self <= 0 && r->total <= 0)
			break;
		strbuf_addch(&sb, ' ');
		add_percent(&sb, r->self, sum);
		strbuf_addch(&sb, ' ');
		add_percent(&sb, r->total, sum);
		strbuf_addf(&sb, " %9.2f %9.2f  %s\n", seconds_of(p, r->all_self),
			    seconds_of(p, r->all_total), strtab_get(&now->keys, r->key));
	}
	if (!sum)
		strbuf_addstr(&sb, "  (no samples: the program was not on a CPU; try --idle)\n");
	if (t->keys && !whole)
		strbuf_addf(&sb, "%skeys: s sort by %s, b by %s, q quit%s\n",
			    t->colour ? "\033[2m" : "",
			    t->sort_total ? "self" : "total",
			    aggregate_by_name(next_by(t->by)), t->colour ? "\033[m" : "");
	if (!t->terminal || whole)
		strbuf_addch(&sb, '\n');
	fwrite(sb.buf, 1, sb.len, stdout);
	fflush(stdout);
	strbuf_release(&sb);
	free(rows);
}

/* Draws the samples since the last table (all of them when whole is
 * set) and makes now the base of the next one. */
static void draw(struct top *t, const struct profile *p, int64_t elapsed_ns,
		 int whole)
{
	struct aggregate now;

	aggregate_init(&now, t->by);
	aggregate_add(&now, p, 0, NULL, 0, 0);
	if (whole) {
		aggregate_release(&t->prev);
		aggregate_init(&t->prev, t->by);
		t->prev_ns = 0;
	}
	render(t, p, &now, &t->prev, elapsed_ns - t->prev_ns, elapsed_ns, whole);
	aggregate_release(&t->before);
	t->before = t->prev;
	t->before_ns = t->prev_ns;
	t->prev = now;
	t->prev_ns = elapsed_ns;
}

/* Starts over with grouping by: the next table counts from the start. */
static void regroup(struct top *t, enum aggregate_by by)
{
	t->by = by;
	aggregate_release(&t->prev);
	aggregate_release(&t->before);
	aggregate_init(&t->prev, by);
	aggregate_init(&t->before, by);
	t->prev_ns = t->before_ns = 0;
}

static void restore_terminal(void)
{
	if (termios_changed) {
		tcsetattr(0, TCSANOW, &saved_termios);
		termios_changed = 0;
	}
}

/* Keys without Enter and without echo; the rest of the terminal's
 * settings (Ctrl-C included) stay as they were. */
static void start_keys(struct top *t)
{
	struct termios raw;

	if (!t->o->pid || !t->terminal || !isatty(0) ||
	    tcgetattr(0, &saved_termios) < 0)
		return;
	raw = saved_termios;
	raw.c_lflag &= ~(tcflag_t)(ICANON | ECHO);
	raw.c_cc[VMIN] = 0;
	raw.c_cc[VTIME] = 0;
	if (tcsetattr(0, TCSANOW, &raw) < 0)
		return;
	termios_changed = 1;
	atexit(restore_terminal);
	t->keys = 1;
}

static int on_poll(void *ctx, const struct profile *p, int64_t elapsed_ns)
{
	struct top *t = ctx;
	char c;

	if (!t->keys)
		return 0;
	while (read(0, &c, 1) == 1) {
		switch (c) {
		case 'q':
		case 'Q':
			return 1;
		case 's':
		case 'S':
			t->sort_total = !t->sort_total;
			render(t, p, &t->prev, &t->before,
			       t->prev_ns - t->before_ns, t->prev_ns, 0);
			break;
		case 'b':
		case 'B':
			regroup(t, next_by(t->by));
			draw(t, p, elapsed_ns, 0);
			break;
		}
	}
	return 0;
}

static void on_view(void *ctx, const struct profile *p, int64_t elapsed_ns)
{
	draw(ctx, p, elapsed_ns, 0);
}

static int on_finish(void *ctx, struct profile *p,
		     const struct record_stats *stats)
{
	struct top *t = ctx;

	(void)stats;
	draw(t, p, p->meta.duration_ns, 1);
	return 0;
}

int cmd_top(int argc, const char **argv)
{
	struct record_options o;
	struct record_args a;
	struct top t;
	const char *by = "function", *sort = "self";
	double interval = 1;
	int nargs, by_key, ret;
	const struct option opts[] = {
		RECORD_TARGET_OPTIONS(&o, &a),
		{ OPTION_DOUBLE, 'i', "interval", &interval, "SECONDS",
		  "redraw this often (default 1)", NULL },
		{ OPTION_INT, 'n', "limit", &t.limit, "N",
		  "rows to show (default: what fits the terminal, else 20)", NULL },
		{ OPTION_STRING, 's', "sort", &sort, "self|total",
		  "order rows by self (default) or total share", NULL },
		{ OPTION_STRING, 0, "by", &by, "KEY",
		  "function (default), line, file, module or thread", NULL },
		RECORD_MODE_OPTIONS(&o, &a),
		RECORD_NATIVE_OPTIONS(&o, &a),
		OPT_END(),
	};
	static const struct command_usage usage = {
		"scorch top [options] (-p PID | -- COMMAND [ARGS...])",
		OPTIONS_STOP_AT_NON_OPTION, 0, -1, NULL,
	};

	record_args_init(&o, &a);
	memset(&t, 0, sizeof(t));
	if ((ret = parse_command(argc, argv, opts, &usage, &nargs)) >= 0)
		return ret;
	if (record_args_check("top", &o, &a, nargs, argv))
		return 2;
	if (!(interval >= 0.05 && interval <= 3600)) {
		error("top: interval %g s is out of range (use 0.05 to 3600)", interval);
		return 2;
	}
	by_key = aggregate_by_parse(by);
	if (by_key < 0 || by_key == AGGREGATE_NAME) {
		error("top: --by %s is not one of function, line, file, module, thread (use one of them)",
		      by);
		return 2;
	}
	if (strcmp(sort, "self") && strcmp(sort, "total")) {
		error("top: --sort %s is not self or total (use one of them)", sort);
		return 2;
	}
	if (t.limit < 0) {
		error("top: --limit %d is out of range (use 1 or more)", t.limit);
		return 2;
	}
	t.o = &o;
	t.by = (enum aggregate_by)by_key;
	t.sort_total = !strcmp(sort, "total");
	t.terminal = isatty(1);
	t.colour = t.terminal && !getenv("NO_COLOR");
	aggregate_init(&t.prev, t.by);
	aggregate_init(&t.before, t.by);
	o.quiet = 1;		/* the table is the progress */
	o.view = on_view;
	o.view_ctx = &t;
	o.view_every_ns = (int64_t)llround(interval * 1e9);
	o.view_poll = on_poll;
	start_keys(&t);
	ret = record_session(&o, on_finish, &t);
	restore_terminal();
	aggregate_release(&t.prev);
	aggregate_release(&t.before);
	return ret;
}
