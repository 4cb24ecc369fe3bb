/*
 * annotate.c - `scorch annotate [opts] PROFILE FUNCTION`: where inside one
 * function the samples fall, by source line and by instruction (native
 * code, interleaved like `perf annotate --stdio`), or by source line for a
 * Python function, with the bytecode instructions `record --opcodes` saw
 * listed under each line.  Reads any profile whose leaf frames keep module and
 * address (perf.data, pprof from record).  The ELF side lives in
 * annotate/native.c.  Never writes files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "annotate/names.h"
#include "annotate/native.h"
#include "cmd/commands.h"
#include "cmd/common_options.h"
#include "formats/format.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/file_open.h"
#include "util/options.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

struct annotate_options {
	int asm_only, source_only, colour;
	const char *source_dir;
};

/* Lines of one source file, read whole. */
struct source_file {
	char *path;		/* as DWARF or the profile names it */
	char *text;		/* NULL when unreadable */
	char **lines;		/* lines[1..nr_lines] point into text */
	int nr_lines;
};

/* Source files that could not be read: the first one and how many, for
 * the one hint line at the end. */
static char *missing_source;
static int nr_missing_sources;

static void note_missing(const char *path)
{
	if (missing_source && !strcmp(missing_source, path))
		return;
	if (!missing_source)
		missing_source = xstrdup(path);
	nr_missing_sources++;
}

static void hint_missing_sources(const struct annotate_options *o)
{
	if (!missing_source)
		return;
	notice("annotate: source file %s%s not found%s (give the directory that holds the sources with --source-dir DIR)",
	       missing_source, nr_missing_sources > 1 ? " and others" : "",
	       o->source_dir ? " under --source-dir either" : "");
	free(missing_source);
	missing_source = NULL;
	nr_missing_sources = 0;
}

static void source_load(struct source_file *sf, const char *path,
			const struct annotate_options *o)
{
	struct strbuf sb;
	FILE *fp = NULL;
	size_t alloc = 0, line_alloc = 0, len = 0;
	char *p;
	int n = 0;

	memset(sf, 0, sizeof(*sf));
	sf->path = xstrdup(path);
	strbuf_init(&sb);
	if (o->source_dir) {
		const char *base = strrchr(path, '/');

		strbuf_addf(&sb, "%s/%s", o->source_dir, path);
		fp = file_fopen_regular(sb.buf);
		if (!fp) {
			strbuf_reset(&sb);
			strbuf_addf(&sb, "%s/%s", o->source_dir,
				    base ? base + 1 : path);
			fp = file_fopen_regular(sb.buf);
		}
	}
	if (!fp)
		fp = file_fopen_regular(path);
	strbuf_release(&sb);
	if (!fp) {
		if (path[0])
			note_missing(path);
		return;
	}
	for (;;) {
		grow_array((void **)&sf->text, 1, len + 65536 + 1, &alloc);
		size_t got = fread(sf->text + len, 1, 65536, fp);

		len += got;
		if (got < 65536 || len > (64u << 20))
			break;
	}
	fclose(fp);
	sf->text[len] = '\0';
	for (p = sf->text; *p; n++) {
		char *nl = strchr(p, '\n');

		/* lines[0] is unused: line numbers start at 1 */
		grow_array((void **)&sf->lines, sizeof(*sf->lines), (size_t)n + 2,
			   &line_alloc);
		sf->lines[n + 1] = p;
		if (!nl)
			break;
		*nl = '\0';
		p = nl + 1;
	}
	sf->nr_lines = n;
}

static const char *source_line(const struct source_file *sf, int line)
{
	if (!sf->text || line < 1 || line > sf->nr_lines)
		return NULL;
	return sf->lines[line];
}

static void source_release(struct source_file *sf)
{
	free(sf->path);
	free(sf->text);
	free(sf->lines);
}

static const char *colour_on(const struct annotate_options *o, double pct,
			     int hottest)
{
	if (!o->colour)
		return "";
	if (hottest)
		return "\033[1;31m";
	if (pct >= 10)
		return "\033[31m";
	if (pct >= 1)
		return "\033[33m";
	return "";
}

static const char *colour_off(const struct annotate_options *o, double pct,
			      int hottest)
{
	return o->colour && (hottest || pct >= 1) ? "\033[m" : "";
}

static void print_row(const struct annotate_options *o, double count,
		      double total, int hottest, const char *text)
{
	double pct = total > 0 ? 100.0 * count / total : 0;

	if (count > 0)
		printf("%s%8.2f %8.0f :%s%s\n", colour_on(o, pct, hottest), pct,
		       count, text, colour_off(o, pct, hottest));
	else
		printf("%8s %8s :%s\n", "", "", text);
}

/* ---- native functions --------------------------------------------- */

/* The frame of a stack annotate counts a sample for: the innermost
 * physical native frame (inlined frames sit on top of it and keep no
 * address), or 0 when the sample's leaf is not native code. */
static uint32_t leaf_frame(const struct profile *p, uint32_t stack)
{
	while (stack && p->frames[p->stacks[stack].frame].kind == FRAME_INLINED)
		stack = p->stacks[stack].parent;
	if (!stack)
		return 0;
	switch (p->frames[p->stacks[stack].frame].kind) {
	case FRAME_NATIVE:
	case FRAME_JIT:
	case FRAME_KERNEL:
		return p->frames[p->stacks[stack].frame].module ?
			p->stacks[stack].frame : 0;
	default:
		return 0;
	}
}

/* The samples to walk: kept samples (perf.data) or totals. */
struct sample_walk {
	const struct profile *p;
	size_t n;
};

static uint32_t walk_stack(const struct sample_walk *w, size_t i)
{
	return w->p->nr_samples ? w->p->samples[i].stack : w->p->totals[i].stack;
}

static double walk_weight(const struct sample_walk *w, size_t i)
{
	return w->p->nr_samples ? 1 : w->p->totals[i].value[0];
}

/* A leaf function name the query may mean, in one module. */
struct candidate {
	uint32_t name, module;
	double count;
	uint64_t hint;		/* a sampled address in it */
	int exact, cold;
};

/* Whether symbol s is what the user typed: exactly (2), as a GCC clone
 * or part of it (1), or not (0). */
static int name_matches(const char *s, const char *q, size_t qlen)
{
	if (!strncmp(s, q, qlen) && !s[qlen])
		return 2;
	return annotate_base_len(s) == qlen && !strncmp(s, q, qlen);
}

/* The main name of a cold part: "f.isra.0.cold" -> "f.isra.0". */
static size_t cold_owner_len(const char *s)
{
	const char *c = strstr(s + annotate_base_len(s), ".cold");
	const char *next;

	while (c && (next = strstr(c + 1, ".cold")))
		c = next;
	return c ? (size_t)(c - s) : strlen(s);
}

static int find_candidates(const struct sample_walk *w, const char *query,
			   struct candidate **out, size_t *nr)
{
	const struct profile *p = w->p;
	size_t alloc = 0, i, k, qlen = strlen(query), name_len, file_len;
	const char *file;
	int split = annotate_split_label(query, &name_len, &file, &file_len);

	*out = NULL;
	*nr = 0;
	for (i = 0; i < w->n; i++) {
		uint32_t fid = leaf_frame(p, walk_stack(w, i));
		const struct frame *fr;
		const char *s;
		int m;

		if (!fid)
			continue;
		fr = &p->frames[fid];
		s = profile_str(p, fr->name);
		m = name_matches(s, query, qlen);
		if (!m && split)
			m = name_matches(s, query, name_len);
		if (!m)
			continue;
		for (k = 0; k < *nr; k++)
			if ((*out)[k].name == fr->name &&
			    (*out)[k].module == fr->module)
				break;
		if (k == *nr) {
			grow_array((void **)out, sizeof(**out), *nr + 1, &alloc);
			memset(&(*out)[k], 0, sizeof(**out));
			(*out)[k].name = fr->name;
			(*out)[k].module = fr->module;
			(*out)[k].exact = m == 2;
			(*out)[k].cold = annotate_is_cold(s);
			(*out)[k].hint = fr->address;
			(*nr)++;
		}
		(*out)[k].count += walk_weight(w, i);
	}
	return 0;
}

/* Length of the function a candidate belongs to: a cold part's owner
 * ("f.isra.0.cold" -> "f.isra.0"), else its whole name. */
static size_t owner_len(const struct profile *p, const struct candidate *c,
			int cold_typed)
{
	const char *s = profile_str(p, c->name);

	return c->cold && !cold_typed ? cold_owner_len(s) : strlen(s);
}

/* For a name that is only ever an inlined leaf: the physical function
 * holding most of its samples, or NULL. */
static const char *inlined_host(const struct sample_walk *w, const char *query)
{
	const struct profile *p = w->p;
	struct candidate *hosts = NULL;
	size_t nr = 0, alloc = 0, i, k;
	const char *best = NULL;
	double most = 0;

	for (i = 0; i < w->n; i++) {
		uint32_t stack = walk_stack(w, i), fid;
		const struct frame *fr = &p->frames[p->stacks[stack].frame];

		if (!stack || fr->kind != FRAME_INLINED ||
		    strcmp(profile_str(p, fr->name), query))
			continue;
		fid = leaf_frame(p, stack);
		if (!fid)
			continue;
		for (k = 0; k < nr && hosts[k].name != p->frames[fid].name; k++)
			;
		if (k == nr) {
			grow_array((void **)&hosts, sizeof(*hosts), nr + 1, &alloc);
			memset(&hosts[nr++], 0, sizeof(*hosts));
			hosts[k].name = p->frames[fid].name;
		}
		hosts[k].count += walk_weight(w, i);
	}
	for (k = 0; k < nr; k++)
		if (hosts[k].count > most) {
			most = hosts[k].count;
			best = profile_str(p, hosts[k].name);
		}
	free(hosts);
	return best;
}

/*
 * Picks the function the query means: an exact name before clones and
 * parts; a .cold part belongs to its function (unless the user typed the
 * cold part's name).  Sets *owner (allocated) and *module (the module
 * with most of its samples).  Returns 0, or -1 after printing the error:
 * no such function, or an ambiguous name with its candidates.
 */
static int choose_function(const struct profile *p, const char *query,
			   const struct candidate *c, size_t nr, char **owner,
			   uint32_t *module)
{
	size_t i, k, len = 0;
	int exact_main = 0, exact_cold = 0;
	const char *name = NULL;
	struct strbuf list;
	double best = -1;

	for (i = 0; i < nr; i++) {
		exact_main |= c[i].exact && !c[i].cold;
		exact_cold |= c[i].exact && c[i].cold;
	}
	exact_cold &= !exact_main;
	strbuf_init(&list);
	for (i = 0; i < nr; i++) {
		const char *s = profile_str(p, c[i].name);
		size_t n = owner_len(p, &c[i], exact_cold);

		if ((exact_main || exact_cold) && !c[i].exact &&
		    !(exact_main && c[i].cold))
			continue;
		if (exact_main && c[i].cold) {
			/* only the cold part of the exact function */
			for (k = 0; k < nr; k++)
				if (c[k].exact && !c[k].cold &&
				    strlen(profile_str(p, c[k].name)) == n &&
				    !strncmp(profile_str(p, c[k].name), s, n))
					break;
			if (k == nr)
				continue;
		}
		if (!name) {
			name = s;
			len = n;
		} else if (n != len || strncmp(name, s, n)) {
			for (k = 0; k < i; k++)	/* listed already? */
				if (owner_len(p, &c[k], exact_cold) == n &&
				    !strncmp(profile_str(p, c[k].name), s, n))
					break;
			if (!list.len)
				strbuf_addf(&list, "%.*s", (int)len, name);
			if (k == i)
				strbuf_addf(&list, ", %.*s", (int)n, s);
		}
	}
	if (!name) {
		strbuf_release(&list);
		return error("annotate: no samples with '%s' as the innermost native frame (check the name with 'scorch report')",
			     query);
	}
	if (list.len) {
		error("annotate: '%s' is ambiguous: %s (give one of these names)",
		      query, list.buf);
		strbuf_release(&list);
		return -1;
	}
	strbuf_release(&list);
	*owner = xstrndup(name, len);
	*module = 0;
	for (i = 0; i < nr; i++) {
		double count = 0;

		for (k = 0; k < nr; k++)
			if (c[k].module == c[i].module &&
			    owner_len(p, &c[k], exact_cold) == len &&
			    !strncmp(profile_str(p, c[k].name), name, len))
				count += c[k].count;
		if (count > best && owner_len(p, &c[i], exact_cold) == len &&
		    !strncmp(profile_str(p, c[i].name), name, len)) {
			best = count;
			*module = c[i].module;
		}
	}
	return 0;
}

/* The function, or its .cold part, as shown. */
struct part {
	uint32_t name;		/* its frames' name (string id), 0 if none */
	struct annotate_function f;
	double *counts;		/* per instruction */
};

/* A source row of --source-only: a line of the function's own file
 * (samples of code inlined there included), or a line elsewhere. */
struct line_count {
	const char *file;	/* borrowed from the instructions */
	int line;
	double count;
	double inlined;		/* of count, in inlined code */
	const char *inlined_name;	/* one of them, borrowed */
};

static struct line_count *line_slot(struct line_count **lines, size_t *nr,
				    size_t *alloc, const char *file, int line)
{
	size_t k;

	for (k = 0; k < *nr; k++)
		if ((*lines)[k].line == line &&
		    !strcmp((*lines)[k].file ? (*lines)[k].file : "",
			    file ? file : ""))
			return &(*lines)[k];
	grow_array((void **)lines, sizeof(**lines), *nr + 1, alloc);
	memset(&(*lines)[*nr], 0, sizeof(**lines));
	(*lines)[*nr].file = file;
	(*lines)[*nr].line = line;
	return &(*lines)[(*nr)++];
}

/* The function's own source file: that of its first instruction
 * outside inlined code (else the call site of inlined code). */
static const char *own_file(const struct part *parts, size_t nr_parts)
{
	for (size_t j = 0; j < nr_parts; j++)
		for (size_t i = 0; i < parts[j].f.nr_insns; i++) {
			const struct annotate_insn *in = &parts[j].f.insns[i];

			if (in->line && !in->inlined && in->file)
				return in->file;
			if (in->call_file)
				return in->call_file;
		}
	return NULL;
}

static int same_file(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* --source-only: every sample of the function on some row; inlined code
 * is counted on the line that calls it, in the function's own file. */
static void print_source_only(const struct part *parts, size_t nr_parts,
			      double total, const struct annotate_options *o)
{
	struct line_count *lines = NULL, *own = NULL;
	size_t nr = 0, alloc = 0, k, j, i;
	const char *file = own_file(parts, nr_parts);
	double hottest = 0, unplaced = 0;
	struct source_file sf = { 0 };
	struct strbuf row;
	int lo = 0, hi = 0, l;

	for (j = 0; j < nr_parts; j++)
		for (i = 0; i < parts[j].f.nr_insns; i++) {
			const struct annotate_insn *in = &parts[j].f.insns[i];
			double c = parts[j].counts[i];
			struct line_count *lc;

			if (in->inlined && in->call_line &&
			    same_file(in->call_file, file)) {
				lc = line_slot(&lines, &nr, &alloc, file,
					       in->call_line);
				lc->inlined += c;
				if (c > 0 && !lc->inlined_name)
					lc->inlined_name = in->inlined;
			} else if (in->line) {
				lc = line_slot(&lines, &nr, &alloc, in->file,
					       in->line);
			} else {
				unplaced += c;
				continue;
			}
			lc->count += c;
		}
	for (k = 0; k < nr; k++) {
		if (lines[k].count > hottest)
			hottest = lines[k].count;
		if (!same_file(lines[k].file, file))
			continue;
		if (!lo || lines[k].line < lo)
			lo = lines[k].line;
		if (lines[k].line > hi)
			hi = lines[k].line;
	}
	if (file)
		source_load(&sf, file, o);
	strbuf_init(&row);
	for (l = lo; l && l <= hi; l++) {
		const char *text = source_line(&sf, l);
		double c = 0;

		own = NULL;
		for (k = 0; k < nr; k++)
			if (lines[k].line == l && same_file(lines[k].file, file))
				own = &lines[k];
		if (own)
			c = own->count;
		strbuf_reset(&row);
		strbuf_addf(&row, " %5d  %s", l, text ? text : "");
		if (own && own->inlined > 0)
			strbuf_addf(&row, "    [%.0f in inlined %s]",
				    own->inlined, own->inlined_name ?
				    own->inlined_name : "code");
		print_row(o, c, total, c > 0 && c == hottest, row.buf);
	}
	/* lines of other files not reached through an inlined call */
	for (k = 0; k < nr; k++) {
		if (same_file(lines[k].file, file) || lines[k].count <= 0)
			continue;
		strbuf_reset(&row);
		strbuf_addf(&row, "        [%s:%d]",
			    lines[k].file ? lines[k].file : "?", lines[k].line);
		print_row(o, lines[k].count, total,
			  lines[k].count == hottest, row.buf);
	}
	if (unplaced > 0)
		print_row(o, unplaced, total, 0,
			  "        [instructions without line information]");
	if (file)
		source_release(&sf);
	strbuf_release(&row);
	free(lines);
}

/* Source and/or disassembly, in address order, like perf annotate. */
static void print_listing(const struct part *parts, size_t nr_parts,
			  double total, const struct annotate_options *o)
{
	struct line_count *lines = NULL;
	size_t nr = 0, alloc = 0, k, j, i;
	struct source_file sf = { 0 };
	int have_sf = 0;
	double hottest = 0;
	struct strbuf row;

	for (j = 0; j < nr_parts; j++)
		for (i = 0; i < parts[j].f.nr_insns; i++)
			if (parts[j].f.insns[i].line)
				line_slot(&lines, &nr, &alloc,
					  parts[j].f.insns[i].file,
					  parts[j].f.insns[i].line)->count +=
					parts[j].counts[i];
	for (k = 0; k < nr; k++)
		if (lines[k].count > hottest)
			hottest = lines[k].count;
	strbuf_init(&row);
	for (j = 0; j < nr_parts; j++) {
		const struct annotate_function *f = &parts[j].f;
		const char *last_file = NULL;
		int last_line = -1;

		if (j > 0) {
			strbuf_reset(&row);
			strbuf_addf(&row, " ---- %s: a part of %s split off by the compiler, at %llx ----",
				    f->name, parts[0].f.name,
				    (unsigned long long)f->start);
			print_row(o, 0, total, 0, row.buf);
		}
		for (i = 0; i < f->nr_insns; i++) {
			const struct annotate_insn *in = &f->insns[i];

			if (!o->asm_only && f->have_lines && in->line &&
			    (in->line != last_line || !same_file(in->file, last_file))) {
				const char *text;
				double c = line_slot(&lines, &nr, &alloc, in->file,
						     in->line)->count;

				if (in->file && (!have_sf || strcmp(sf.path, in->file))) {
					if (have_sf)
						source_release(&sf);
					source_load(&sf, in->file, o);
					have_sf = 1;
				}
				text = have_sf ? source_line(&sf, in->line) : NULL;
				strbuf_reset(&row);
				strbuf_addf(&row, " %5d  %s", in->line,
					    text ? text : "");
				if (in->inlined) {
					const char *base = in->file ?
						strrchr(in->file, '/') : NULL;

					strbuf_addf(&row, "    [inlined %s, %s]",
						    in->inlined, base ? base + 1 :
						    in->file ? in->file : "?");
				}
				print_row(o, c, total, c > 0 && c == hottest,
					  row.buf);
				last_line = in->line;
				last_file = in->file;
			}
			strbuf_reset(&row);
			strbuf_addf(&row, "   %8llx:  %s",
				    (unsigned long long)in->address, in->text);
			print_row(o, parts[j].counts[i], total, 0, row.buf);
		}
	}
	if (have_sf)
		source_release(&sf);
	strbuf_release(&row);
	free(lines);
}

/* Adds the samples of part (by its frames' name) to its instructions;
 * returns the samples that fall outside its address range. */
static double count_part(const struct sample_walk *w, uint32_t module,
			 struct part *part, double *total)
{
	const struct profile *p = w->p;
	double outside = 0;
	size_t i;

	part->counts = xcalloc(part->f.nr_insns + 1, sizeof(*part->counts));
	for (i = 0; i < w->n && part->name; i++) {
		uint32_t fid = leaf_frame(p, walk_stack(w, i));
		const struct frame *fr = &p->frames[fid];
		double wt = walk_weight(w, i);
		size_t lo = 0, hi = part->f.nr_insns;

		if (!fid || fr->module != module || fr->name != part->name)
			continue;
		*total += wt;
		if (fr->address < part->f.start ||
		    fr->address >= part->f.start + part->f.size) {
			outside += wt;
			continue;
		}
		while (hi - lo > 1) {	/* last insn with address <= addr */
			size_t mid = (lo + hi) / 2;

			if (part->f.insns[mid].address <= fr->address)
				lo = mid;
			else
				hi = mid;
		}
		part->counts[lo] += wt;
	}
	return outside;
}

#define MAX_PARTS 4

/* The exact name won over clones of the same name: say which, so that
 * they can be annotated by their full names. */
static void print_other_clones(const struct profile *p,
			       const struct candidate *c, size_t nr,
			       const char *owner)
{
	size_t i, k, n = strlen(owner), shown = 0;

	for (i = 0; i < nr; i++) {
		const char *s = profile_str(p, c[i].name);

		if (!strncmp(s, owner, n) && (!s[n] || cold_owner_len(s) == n))
			continue;	/* the function or its cold part */
		for (k = 0; k < i; k++)
			if (c[k].name == c[i].name)
				break;
		if (k < i)
			continue;
		printf("%s%s", shown++ ? ", " : "(also sampled: ", s);
	}
	if (shown)
		printf("; give a full name to annotate it)\n");
}

static int native_annotate(const struct profile *p, const char *query,
			   const struct annotate_options *o, double all)
{
	struct sample_walk w = { p, p->nr_samples ? p->nr_samples : p->nr_totals };
	struct candidate *c = NULL;
	struct part parts[MAX_PARTS];
	size_t nr_c = 0, nr_parts = 0, i, j;
	char *owner = NULL;
	uint32_t module = 0;
	const char *why, *mod;
	double total = 0, outside = 0;
	int ret = -1, have_lines = 0;

	memset(parts, 0, sizeof(parts));
	find_candidates(&w, query, &c, &nr_c);
	if (!nr_c) {	/* a function inlined into others: show the host */
		const char *host = inlined_host(&w, query);

		if (host) {
			printf("(%s is inlined: showing %s, where its lines are labelled [inlined %s])\n",
			       query, host, query);
			query = host;
			find_candidates(&w, query, &c, &nr_c);
		}
	}
	if (choose_function(p, query, c, nr_c, &owner, &module))
		goto out;
	mod = profile_str(p, module);
	if (!strcmp(mod, "[kernel.kallsyms]") || !strncmp(mod, "[kernel", 7)) {
		error("annotate: %s: kernel functions cannot be annotated (no vmlinux image)",
		      owner);
		goto out;
	}
	/* the function, then its cold parts that have samples */
	parts[0].name = strtab_lookup(&p->strings, owner, strlen(owner));
	for (i = 0; i < nr_c && !nr_parts; i++) {
		if (c[i].module != module || c[i].name != parts[0].name)
			continue;
		if (annotate_load_function(mod, owner, c[i].hint, &parts[0].f,
					   &why))
			goto load_failed;
		nr_parts = 1;
	}
	if (!nr_parts) {	/* not sampled itself: only its cold part */
		if (annotate_load_function(mod, owner, 0, &parts[0].f, &why))
			goto load_failed;
		nr_parts = 1;
	}
	for (i = 0; i < nr_c && nr_parts < MAX_PARTS; i++) {
		const char *s = profile_str(p, c[i].name);
		size_t n = strlen(owner);

		if (c[i].module != module || c[i].name == parts[0].name ||
		    !c[i].cold || strncmp(s, owner, n) ||
		    cold_owner_len(s) != n)
			continue;
		if (annotate_load_function(mod, s, c[i].hint, &parts[nr_parts].f,
					   &why))
			continue;
		parts[nr_parts++].name = c[i].name;
	}
	if (nr_parts == 1 && !annotate_is_cold(owner)) {
		/* an unsampled cold part is still part of the function */
		struct strbuf cold;

		strbuf_init(&cold);
		strbuf_addf(&cold, "%s.cold", owner);
		if (!annotate_load_function(mod, cold.buf, 0, &parts[1].f, &why) &&
		    !strcmp(parts[1].f.name, cold.buf))
			nr_parts = 2;
		else
			annotate_function_release(&parts[1].f);
		strbuf_release(&cold);
	}
	for (j = 0; j < nr_parts; j++) {
		outside += count_part(&w, module, &parts[j], &total);
		have_lines |= parts[j].f.have_lines;
	}

	printf("Samples in %s (%s): %.0f of %.0f (%.2f%%)\n", parts[0].f.name,
	       mod, total, all, all > 0 ? 100.0 * total / all : 0.0);
	if (strcmp(parts[0].f.name, query) &&
	    annotate_base_len(parts[0].f.name) < strlen(parts[0].f.name))
		printf("(%s is how the compiler named %s)\n", parts[0].f.name,
		       query);
	print_other_clones(p, c, nr_c, owner);
	if (outside > 0)
		printf("(%.0f samples fall outside the symbol's range)\n", outside);
	printf(" Percent  Samples : %s\n", o->asm_only ? "Disassembly" :
	       o->source_only ? "Source" : "Source and disassembly");
	printf("-------------------------------------------------------------\n");
	if (!have_lines && !o->asm_only)
		printf("%17s :  (no DWARF line info for %s; showing disassembly)\n",
		       "", mod);
	if (o->source_only && have_lines)
		print_source_only(parts, nr_parts, total, o);
	else
		print_listing(parts, nr_parts, total, o);
	ret = 0;
	goto out;
load_failed:
	error("annotate: %s: %s (is the binary still at that path?)", mod, why);
out:
	for (j = 0; j < MAX_PARTS; j++) {
		annotate_function_release(&parts[j].f);
		free(parts[j].counts);
	}
	free(owner);
	free(c);
	return ret;
}

/* ---- Python functions ---------------------------------------------- */

/*
 * record --opcodes puts the leaf's instruction under it as a frame
 * "[@OFFSET NAME]": counted per line, listed under the line.
 */
struct py_instr {
	int line, offset;
	uint32_t frame;		/* the "[@OFFSET NAME]" frame */
	double count;
};

static int parse_instr(const char *s, int *offset)
{
	char *end;
	long v;

	if (strncmp(s, "[@", 2))
		return 0;
	v = strtol(s + 2, &end, 10);
	if (end == s + 2 || *end != ' ' || v < 0 || v > 1 << 30)
		return 0;
	*offset = (int)v;
	return 1;
}

static void count_instr(struct py_instr **list, size_t *nr, size_t *alloc,
			int line, int offset, uint32_t frame, double w)
{
	size_t i;

	for (i = 0; i < *nr; i++) {
		if ((*list)[i].line == line && (*list)[i].frame == frame) {
			(*list)[i].count += w;
			return;
		}
	}
	grow_array((void **)list, sizeof(**list), *nr + 1, alloc);
	(*list)[*nr].line = line;
	(*list)[*nr].offset = offset;
	(*list)[*nr].frame = frame;
	(*list)[*nr].count = w;
	(*nr)++;
}

static int instr_cmp(const void *a, const void *b)
{
	const struct py_instr *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->offset < y->offset ? -1 : x->offset > y->offset;
}

static int python_annotate(const struct profile *p, const char *name,
			   uint32_t file, const struct annotate_options *o,
			   double all)
{
	struct py_instr *instrs = NULL;
	size_t nr_instrs = 0, alloc_instrs = 0, k = 0;
	uint32_t *frames = NULL;
	size_t alloc = 0, i, n = p->nr_samples ? p->nr_samples : p->nr_totals;
	double *counts = NULL, total = 0, hottest = 0;
	int lo = 0, hi = 0, l;
	struct source_file sf;
	struct strbuf row;

	for (i = 0; i < n; i++) {
		uint32_t stack = p->nr_samples ? p->samples[i].stack :
			p->totals[i].stack;
		double w = p->nr_samples ? 1 : p->totals[i].value[0];
		uint32_t depth = p->stacks[stack].depth, d;

		grow_array((void **)&frames, sizeof(*frames), depth + 1, &alloc);
		profile_stack_frames(p, stack, frames);
		for (d = depth; d-- > 0;) {	/* innermost occurrence */
			const struct frame *fr = &p->frames[frames[d]];

			if (fr->kind != FRAME_PYTHON ||
			    strcmp(profile_str(p, fr->name), name))
				continue;
			if (!file)
				file = fr->file;
			if (fr->file == file && fr->line > 0) {
				if (fr->line >= hi) {
					counts = xrealloc(counts, (size_t)(fr->line + 1) * sizeof(*counts));
					for (l = hi + 1; l <= fr->line; l++)
						counts[l] = 0;
					if (!hi)
						counts[0] = 0;
					hi = fr->line;
				}
				if (!lo || fr->line < lo)
					lo = fr->line;
				counts[fr->line] += w;
				total += w;
				if (d + 1 < depth) {
					const struct frame *op = &p->frames[frames[d + 1]];
					int offset;

					/* a marker; read back from pprof, a
					 * nameless-file frame */
					if ((op->kind == FRAME_MARKER || !op->file) &&
					    op->kind != FRAME_PYTHON &&
					    parse_instr(profile_str(p, op->name), &offset))
						count_instr(&instrs, &nr_instrs,
							    &alloc_instrs, fr->line,
							    offset, frames[d + 1], w);
				}
			}
			break;
		}
	}
	free(frames);
	if (!total) {
		free(counts);
		free(instrs);
		return error("annotate: no samples with line numbers in Python function '%s' (record with line numbers)",
			     name);
	}
	for (l = lo; l <= hi; l++)
		if (counts[l] > hottest)
			hottest = counts[l];
	if (nr_instrs)
		qsort(instrs, nr_instrs, sizeof(*instrs), instr_cmp);
	source_load(&sf, profile_str(p, file), o);
	printf("Samples in %s (%s): %.0f of %.0f (%.2f%%)\n", name,
	       profile_str(p, file), total, all, all > 0 ? 100.0 * total / all : 0.0);
	printf(" Percent  Samples : Source\n");
	printf("-------------------------------------------------------------\n");
	strbuf_init(&row);
	for (l = lo; l <= hi; l++) {
		const char *text = source_line(&sf, l);

		strbuf_reset(&row);
		strbuf_addf(&row, " %5d  %s", l, text ? text : "");
		print_row(o, counts[l], total, counts[l] > 0 && counts[l] == hottest,
			  row.buf);
		/* its instructions (--opcodes), by offset, under it */
		for (; k < nr_instrs && instrs[k].line == l; k++) {
			const char *op = profile_str(p, p->frames[instrs[k].frame].name);
			const char *sp = strchr(op, ' ');
			size_t len = sp ? strlen(sp + 1) : 0;

			/* "[@50 NAME]": offset and name in columns */
			if (len && sp[len] == ']')
				len--;
			strbuf_reset(&row);
			strbuf_addf(&row, "        @%-5d %.*s", instrs[k].offset,
				    (int)len, sp ? sp + 1 : "");
			print_row(o, instrs[k].count, total, 0, row.buf);
		}
	}
	strbuf_release(&row);
	source_release(&sf);
	free(counts);
	free(instrs);
	return 0;
}

/*
 * Whether the query names a Python function: "name", or "name (file)" /
 * "name (file:line)" as report prints it.  Returns 1 with *name (the
 * profile's string) and *file (0 = its only file), 0 when it is not a
 * Python function, -1 after an error (the name is in several files).
 */
static int find_python_function(const struct profile *p, const char *query,
				const char **name, uint32_t *file)
{
	size_t name_len, file_len;
	const char *want_file;
	int split = annotate_split_label(query, &name_len, &want_file,
					 &file_len);
	uint32_t i, first = 0;
	struct strbuf list;

	*name = NULL;
	*file = 0;
	for (i = 1; i < p->nr_frames; i++) {
		const struct frame *f = &p->frames[i];
		const char *s = profile_str(p, f->name);
		const char *fs = profile_str(p, f->file);

		if (f->kind != FRAME_PYTHON)
			continue;
		if (!strcmp(s, query)) {
			*name = s;
			break;
		}
		if (split && strlen(s) == name_len && !strncmp(s, query, name_len) &&
		    strlen(fs) == file_len && !strncmp(fs, want_file, file_len)) {
			*name = s;
			*file = f->file;
			return 1;
		}
	}
	if (!*name)
		return 0;
	/* the plain name: one file, or a list to choose from */
	strbuf_init(&list);
	for (i = 1; i < p->nr_frames; i++) {
		const struct frame *f = &p->frames[i];

		if (f->kind != FRAME_PYTHON || strcmp(profile_str(p, f->name), *name) ||
		    !f->file || f->file == first || (list.len && strstr(list.buf,
				profile_str(p, f->file))))
			continue;
		if (!first)
			first = f->file;
		else {
			if (!list.len)
				strbuf_addf(&list, "%s (%s)", *name, profile_str(p, first));
			strbuf_addf(&list, ", %s (%s)", *name, profile_str(p, f->file));
		}
	}
	if (list.len) {
		error("annotate: '%s' is ambiguous: %s (give one of these names)",
		      query, list.buf);
		strbuf_release(&list);
		return -1;
	}
	strbuf_release(&list);
	*file = first;
	return 1;
}

int cmd_annotate(int argc, const char **argv)
{
	struct annotate_options ao = { 0 };
	struct read_options ro = { 0 };
	const char *input_format = NULL;
	struct profile p;
	int nargs, ret, python;
	const char *py_name = NULL;
	uint32_t py_file = 0;
	double all;
	const struct option opts[] = {
		{ OPTION_BOOL, 0, "asm-only", &ao.asm_only, NULL,
		  "show only the disassembly", NULL },
		{ OPTION_BOOL, 0, "source-only", &ao.source_only, NULL,
		  "show only the source lines", NULL },
		{ OPTION_STRING, 0, "source-dir", &ao.source_dir, "DIR",
		  "look for source files under DIR first", NULL },
		OPT_EVENT_FILTER(&ro.event_filter, "use samples of EVENT (default: the first event)"),
		OPT_INPUT_FORMAT(&input_format),
		OPT_END(),
	};

	static const struct command_usage usage = {
		"scorch annotate [options] PROFILE FUNCTION", 0, 2, 2,
		"give a profile and a function name",
	};

	if ((ret = parse_command(argc, argv, opts, &usage, &nargs)) >= 0)
		return ret;
	if (ao.asm_only && ao.source_only) {
		fprintf(stderr, "scorch: annotate: --asm-only and --source-only exclude each other (pick one)\n");
		return 2;
	}
	ao.colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	/* perf.data weighs each sample by its period; annotate counts
	 * samples there (one per kept sample).  Other formats store counts
	 * already, so their totals are used as they are. */
	ro.keep_samples = (format_reader_caps(format_peek_path(argv[0],
							       input_format)) &
			   READER_PERIODS) != 0;
	ro.leaf_only = 1;
	profile_init(&p);
	p.keep_samples = ro.keep_samples;
	if (format_read_path(argv[0], input_format, &p, &ro)) {
		profile_release(&p);
		return 1;
	}
	python = find_python_function(&p, argv[1], &py_name, &py_file);
	if (python < 0) {
		profile_release(&p);
		return 1;
	}
	all = p.nr_samples ? (double)p.nr_samples : profile_sum(&p, 0);
	ret = python ? python_annotate(&p, py_name, py_file, &ao, all) :
		native_annotate(&p, argv[1], &ao, all);
	fflush(stdout);
	hint_missing_sources(&ao);
	profile_release(&p);
	fflush(stdout);
	return ret ? 1 : 0;
}
