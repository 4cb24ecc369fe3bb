/*
 * diff.c - the differential profile of two profiles (diff.h): frames of
 * both sides mapped onto one frame table by the matching rule, stacks
 * copied root first, totals added into value 0 (before) or 1 (after).
 * Only reads the two inputs; writes nothing but the result profile.
 */
#include <stdlib.h>
#include <string.h>

#include "model/diff.h"
#include "model/profile.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

void diff_file_key(const char *path, struct strbuf *out)
{
	const char *base = strrchr(path, '/'), *dir;

	if (path[0] == '<' || !base) {
		strbuf_addstr(out, path);
		return;
	}
	base++;
	if (strcmp(base, "__init__.py") && strcmp(base, "__main__.py")) {
		strbuf_addstr(out, base);
		return;
	}
	/* a package's __init__.py: keep the package's directory name */
	for (dir = base - 1; dir > path && dir[-1] != '/'; dir--)
		;
	strbuf_addstr(out, dir);
}

/* Nonzero when the base name of file is the base name of a word of the
 * command line. */
static int in_command(const char *command, const char *file)
{
	const char *base = strrchr(file, '/'), *w, *end;
	size_t len;

	base = base ? base + 1 : file;
	len = strlen(base);
	for (w = command; *w; w = end) {
		const char *wb;

		while (*w == ' ')
			w++;
		for (end = w; *end && *end != ' '; end++)
			;
		for (wb = end; wb > w && wb[-1] != '/'; wb--)
			;
		if ((size_t)(end - wb) == len && !memcmp(wb, base, len))
			return 1;
	}
	return 0;
}

uint32_t diff_main_script(const struct profile *p)
{
	/* outer[s]: the `<module>` frame's file when it is the outermost
	 * Python frame of stack s; 0 = no Python frame yet; UINT32_MAX = the
	 * outermost Python frame is something else */
	uint32_t *outer = xcalloc(p->nr_stacks + 1, sizeof(*outer)), s, best = 0;
	double *weight = xcalloc(p->strings.nr + 1, sizeof(*weight));
	const char *command = p->meta.command ? profile_str(p, p->meta.command) : NULL;

	for (s = 1; s < p->nr_stacks; s++) {
		const struct frame *f = &p->frames[p->stacks[s].frame];

		outer[s] = outer[p->stacks[s].parent];
		if (outer[s] || f->kind != FRAME_PYTHON)
			continue;
		outer[s] = UINT32_MAX;
		if (f->file && profile_str(p, f->file)[0] != '<' &&
		    !strcmp(profile_str(p, f->name), "<module>") &&
		    (!command || in_command(command, profile_str(p, f->file))))
			outer[s] = f->file;
	}
	for (s = 0; s < p->nr_totals; s++) {
		uint32_t file = outer[p->totals[s].stack];

		if (file && file != UINT32_MAX)
			weight[file] += p->totals[s].value[0];
	}
	for (s = 1; s < p->strings.nr; s++)
		if (weight[s] > 0 && (!best || weight[s] > weight[best]))
			best = s;
	free(weight);
	free(outer);
	return best;
}

/* Copies one side's stacks into d through the matching rule. */
struct diff_side {
	const struct profile *from;
	struct profile *to;
	const struct diff_options *o;
	uint32_t main_file;	/* from's main script, when renamed */
	uint32_t renamed;	/* d's label for it */
	uint32_t *frame_map;	/* from frame id -> d frame id */
	uint32_t *stack_map;	/* from stack id -> d stack id */
	struct strbuf sb;
};

static uint32_t map_frame(struct diff_side *c, uint32_t id)
{
	const struct frame *f = &c->from->frames[id];
	struct frame out;

	if (c->frame_map[id])
		return c->frame_map[id];
	memset(&out, 0, sizeof(out));
	out.name = profile_intern_len(c->to, profile_str(c->from, f->name),
				      strtab_len(&c->from->strings, f->name));
	out.kind = f->kind;
	if (f->file && c->o->by != AGGREGATE_NAME) {
		if (c->renamed && f->file == c->main_file) {
			out.file = c->renamed;
		} else {
			strbuf_reset(&c->sb);
			diff_file_key(profile_str(c->from, f->file), &c->sb);
			out.file = profile_intern_len(c->to, strbuf_str(&c->sb),
						      c->sb.len);
		}
	}
	if (c->o->by == AGGREGATE_LINE)
		out.line = f->line;
	if (c->o->by == AGGREGATE_MODULE && f->module) {
		strbuf_reset(&c->sb);
		diff_file_key(profile_str(c->from, f->module), &c->sb);
		out.module = profile_intern_len(c->to, strbuf_str(&c->sb),
						c->sb.len);
	}
	c->frame_map[id] = profile_frame(c->to, &out);
	return c->frame_map[id];
}

static void add_side(struct diff_side *c, int slot, double scale,
		     const uint8_t *keep)
{
	const struct profile *from = c->from;
	uint32_t i;

	c->frame_map = xcalloc(from->nr_frames + 1, sizeof(uint32_t));
	c->stack_map = xcalloc(from->nr_stacks + 1, sizeof(uint32_t));
	strbuf_init(&c->sb);
	/* parents have lower ids than their children */
	for (i = 1; i < from->nr_stacks; i++)
		c->stack_map[i] = profile_stack_push(c->to,
				c->stack_map[from->stacks[i].parent],
				map_frame(c, from->stacks[i].frame));
	for (i = 0; i < from->nr_totals; i++) {
		const struct stack_total *t = &from->totals[i];
		double v[PROFILE_MAX_VALUES] = { 0 };

		if (keep && !keep[t->stack])
			continue;
		v[slot] = t->value[0] * scale;
		profile_add(c->to, c->stack_map[t->stack], 0, -1, v);
	}
	strbuf_release(&c->sb);
	free(c->frame_map);
	free(c->stack_map);
}

/* Nonzero when a function other than `<module>` has frames in file fb of
 * b and in file fa of a: the two scripts share code, so they are taken
 * for versions of one program. */
static int share_a_function(const struct profile *b, uint32_t fb,
			    const struct profile *a, uint32_t fa)
{
	uint32_t i, j;

	for (i = 1; i < b->nr_frames; i++) {
		const char *name = profile_str(b, b->frames[i].name);

		if (b->frames[i].file != fb || !strcmp(name, "<module>"))
			continue;
		for (j = 1; j < a->nr_frames; j++)
			if (a->frames[j].file == fa &&
			    !strcmp(profile_str(a, a->frames[j].name), name))
				return 1;
	}
	return 0;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

double profile_kept_sum(const struct profile *p, const uint8_t *keep)
{
	double sum = 0;
	uint32_t i;

	for (i = 0; i < p->nr_totals; i++)
		if (!keep || keep[p->totals[i].stack])
			sum += p->totals[i].value[0];
	return sum;
}

int diff_normalize(const struct profile *before, const struct profile *after,
		   struct diff_options *o)
{
	double sc_b = o->scale_before > 0 ? o->scale_before : 1;
	double sc_a = o->scale_after > 0 ? o->scale_after : 1;
	double sum_b = profile_kept_sum(before, o->keep_before) * sc_b;
	double sum_a = profile_kept_sum(after, o->keep_after) * sc_a;

	if (!(sum_b > 0 && sum_a > 0 && sum_a != sum_b))
		return 0;
	o->scale_before = sc_b * sum_a / sum_b;
	return 1;
}

void diff_profiles(struct profile *d, const struct profile *before,
		   const struct profile *after, const struct diff_options *o,
		   uint32_t *renamed)
{
	static const char *const types[] = { "before", "after" };
	uint32_t main_before = diff_main_script(before);
	uint32_t main_after = diff_main_script(after);
	struct diff_side b = { before, d, o, 0, 0, NULL, NULL, { 0 } };
	struct diff_side a = { after, d, o, 0, 0, NULL, NULL, { 0 } };
	const char *units[2];

	units[0] = o->unit ? o->unit :
		   profile_str(before, before->value_types[0].unit);
	units[1] = units[0];
	profile_set_value_types(d, 2, types, units);
	d->meta.differential = PROFILE_DIFF_BOTH;
	if (main_before && main_after && o->by != AGGREGATE_NAME) {
		struct strbuf kb, ka;

		strbuf_init(&kb);
		strbuf_init(&ka);
		diff_file_key(profile_str(before, main_before), &kb);
		diff_file_key(profile_str(after, main_after), &ka);
		if (strcmp(strbuf_str(&kb), strbuf_str(&ka)) &&
		    share_a_function(before, main_before, after, main_after)) {
			strbuf_reset(&kb);
			strbuf_addf(&kb, "%s \xe2\x86\x92 %s",
				    base_name(profile_str(before, main_before)),
				    base_name(profile_str(after, main_after)));
			b.main_file = main_before;
			a.main_file = main_after;
			b.renamed = a.renamed = profile_intern(d, strbuf_str(&kb));
		}
		strbuf_release(&kb);
		strbuf_release(&ka);
	}
	if (renamed)
		*renamed = b.renamed;
	add_side(&b, 0, o->scale_before > 0 ? o->scale_before : 1,
		 o->keep_before);
	add_side(&a, 1, o->scale_after > 0 ? o->scale_after : 1,
		 o->keep_after);
}
