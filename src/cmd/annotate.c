/*
 * annotate.c - `scorch annotate [opts] PROFILE FUNCTION`: where inside one
 * function the samples fall, by source line and by instruction (native
 * code, interleaved like `perf annotate --stdio`), or by source line for a
 * Python function.  Reads any profile whose leaf frames keep module and
 * address (perf.data, pprof from record).  The ELF side lives in
 * annotate/native.c.  Never writes files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "annotate/native.h"
#include "cmd/commands.h"
#include "formats/format.h"
#include "model/profile.h"
#include "symbols/file_open.h"
#include "util/error.h"
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
	if (!fp)
		return;
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

struct line_count {
	const char *file;	/* borrowed from the instructions */
	int line;
	double count;
};

static int native_annotate(const struct profile *p, const char *name,
			   const struct annotate_options *o, double all)
{
	uint32_t best_module = 0, *modules = NULL;
	double *module_counts = NULL, total = 0, outside = 0;
	size_t nr_modules = 0, alloc_m = 0, alloc_c = 0, i, k;
	double *counts;
	struct annotate_function f;
	struct line_count *lines = NULL;
	size_t nr_lines = 0, alloc_l = 0;
	struct source_file sf = { 0 };
	const char *why, *module;
	struct strbuf row;
	uint64_t hint = 0;
	double hottest_line = 0;
	int have_sf = 0;
	size_t n = p->nr_samples ? p->nr_samples : p->nr_totals;

	/* which module holds most of this function's leaf samples */
	for (i = 0; i < n; i++) {
		uint32_t stack = p->nr_samples ? p->samples[i].stack :
			p->totals[i].stack;
		const struct frame *fr = &p->frames[p->stacks[stack].frame];
		double w = p->nr_samples ? 1 : p->totals[i].value[0];

		if (!stack || strcmp(profile_str(p, fr->name), name) ||
		    fr->kind == FRAME_PYTHON || !fr->module)
			continue;
		for (k = 0; k < nr_modules && modules[k] != fr->module; k++)
			;
		if (k == nr_modules) {
			grow_array((void **)&modules, sizeof(*modules),
				   nr_modules + 1, &alloc_m);
			grow_array((void **)&module_counts, sizeof(*module_counts),
				   nr_modules + 1, &alloc_c);
			modules[k] = fr->module;
			module_counts[k] = 0;
			nr_modules++;
		}
		module_counts[k] += w;
	}
	for (k = 0; k < nr_modules; k++)
		if (!best_module || module_counts[k] > total) {
			best_module = modules[k];
			total = module_counts[k];
		}
	free(modules);
	free(module_counts);
	if (!best_module)
		return error("%s: no samples with '%s' as the innermost native frame (check the name with 'scorch report')",
			     "annotate", name);
	module = profile_str(p, best_module);
	if (!strcmp(module, "[kernel.kallsyms]"))
		return error("annotate: %s: kernel functions cannot be annotated (no vmlinux image)",
			     name);

	/* a sampled address inside the function picks among same-named symbols */
	for (i = 0; i < n && !hint; i++) {
		uint32_t stack = p->nr_samples ? p->samples[i].stack :
			p->totals[i].stack;
		const struct frame *fr = &p->frames[p->stacks[stack].frame];

		if (stack && fr->module == best_module &&
		    !strcmp(profile_str(p, fr->name), name))
			hint = fr->address;
	}
	if (annotate_load_function(module, name, hint, &f, &why))
		return error("annotate: %s: %s (is the binary still at that path?)",
			     module, why);

	counts = xcalloc(f.nr_insns + 1, sizeof(*counts));
	total = 0;
	for (i = 0; i < n; i++) {
		uint32_t stack = p->nr_samples ? p->samples[i].stack :
			p->totals[i].stack;
		const struct frame *fr = &p->frames[p->stacks[stack].frame];
		double w = p->nr_samples ? 1 : p->totals[i].value[0];
		size_t lo = 0, hi = f.nr_insns;

		if (!stack || fr->module != best_module ||
		    strcmp(profile_str(p, fr->name), name))
			continue;
		total += w;
		if (fr->address < f.start || fr->address >= f.start + f.size) {
			outside += w;
			continue;
		}
		while (hi - lo > 1) {	/* last insn with address <= addr */
			size_t mid = (lo + hi) / 2;

			if (f.insns[mid].address <= fr->address)
				lo = mid;
			else
				hi = mid;
		}
		counts[lo] += w;
	}

	/* per source line */
	for (i = 0; i < f.nr_insns; i++) {
		if (!f.insns[i].line)
			continue;
		for (k = 0; k < nr_lines; k++)
			if (lines[k].line == f.insns[i].line &&
			    !strcmp(lines[k].file ? lines[k].file : "",
				    f.insns[i].file ? f.insns[i].file : ""))
				break;
		if (k == nr_lines) {
			grow_array((void **)&lines, sizeof(*lines), nr_lines + 1,
				   &alloc_l);
			lines[k].file = f.insns[i].file;
			lines[k].line = f.insns[i].line;
			lines[k].count = 0;
			nr_lines++;
		}
		lines[k].count += counts[i];
	}
	for (k = 0; k < nr_lines; k++)
		if (lines[k].count > hottest_line)
			hottest_line = lines[k].count;

	printf("Samples in %s (%s): %.0f of %.0f (%.2f%%)\n", name, module,
	       total, all, all > 0 ? 100.0 * total / all : 0.0);
	if (outside > 0)
		printf("(%.0f samples fall outside the symbol's range)\n", outside);
	printf(" Percent  Samples : %s\n", o->asm_only ? "Disassembly" :
	       o->source_only ? "Source" : "Source and disassembly");
	printf("-------------------------------------------------------------\n");
	strbuf_init(&row);
	if (!f.have_lines && !o->asm_only)
		printf("%17s :  (no DWARF line info for %s; showing disassembly)\n",
		       "", module);

	if (o->source_only && f.have_lines) {
		const char *file = NULL;
		int lo = 0, hi = 0, l;

		for (k = 0; k < nr_lines; k++) {	/* the function's own file */
			if (!file)
				file = lines[k].file;
			if (lines[k].file == file ||
			    (file && lines[k].file && !strcmp(file, lines[k].file))) {
				if (!lo || lines[k].line < lo)
					lo = lines[k].line;
				if (lines[k].line > hi)
					hi = lines[k].line;
			}
		}
		if (file) {
			source_load(&sf, file, o);
			have_sf = 1;
		}
		for (l = lo; l && l <= hi; l++) {
			double c = 0;
			const char *text = have_sf ? source_line(&sf, l) : NULL;

			for (k = 0; k < nr_lines; k++)
				if (lines[k].line == l && lines[k].file &&
				    file && !strcmp(lines[k].file, file))
					c += lines[k].count;
			strbuf_reset(&row);
			strbuf_addf(&row, " %5d  %s", l, text ? text : "");
			print_row(o, c, total, c > 0 && c == hottest_line, row.buf);
		}
	} else {
		const char *last_file = NULL;
		int last_line = -1;

		for (i = 0; i < f.nr_insns; i++) {
			const struct annotate_insn *in = &f.insns[i];

			if (!o->asm_only && f.have_lines && in->line &&
			    (in->line != last_line || !last_file || !in->file ||
			     strcmp(in->file, last_file))) {
				double c = 0;
				const char *text;

				for (k = 0; k < nr_lines; k++)
					if (lines[k].line == in->line &&
					    !strcmp(lines[k].file ? lines[k].file : "",
						    in->file ? in->file : ""))
						c = lines[k].count;
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
				print_row(o, c, total, c > 0 && c == hottest_line,
					  row.buf);
				last_line = in->line;
				last_file = in->file;
			}
			if (o->source_only)
				continue;
			strbuf_reset(&row);
			strbuf_addf(&row, "   %8llx:  %s",
				    (unsigned long long)in->address, in->text);
			print_row(o, counts[i], total, 0, row.buf);
		}
	}
	if (have_sf)
		source_release(&sf);
	strbuf_release(&row);
	free(lines);
	free(counts);
	annotate_function_release(&f);
	return 0;
}

/* ---- Python functions ---------------------------------------------- */

static int python_annotate(const struct profile *p, const char *name,
			   const struct annotate_options *o, double all)
{
	uint32_t *frames = NULL, file = 0;
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
			}
			break;
		}
	}
	free(frames);
	if (!total) {
		free(counts);
		return error("annotate: no samples with line numbers in Python function '%s' (record with line numbers)",
			     name);
	}
	for (l = lo; l <= hi; l++)
		if (counts[l] > hottest)
			hottest = counts[l];
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
	}
	strbuf_release(&row);
	source_release(&sf);
	free(counts);
	return 0;
}

/*
 * perf.data weighs each sample by its period; annotate counts samples
 * there (one per kept sample).  Other formats store counts already, so
 * their totals are used as they are.
 */
static int is_perf_data(const char *path, const char *input_format)
{
	char magic[8];
	FILE *fp;
	int yes;

	if (input_format)
		return !strcmp(input_format, "perfdata");
	if (!strcmp(path, "-"))
		return 0;
	fp = fopen(path, "rb");
	if (!fp)
		return 0;
	yes = fread(magic, 1, 8, fp) == 8 && !memcmp(magic, "PERFILE2", 8);
	fclose(fp);
	return yes;
}

int cmd_annotate(int argc, const char **argv)
{
	struct annotate_options ao = { 0 };
	struct read_options ro = { 0 };
	const char *input_format = NULL;
	struct profile p;
	int nargs, ret, python = 0;
	uint32_t i;
	double all;
	const struct option opts[] = {
		{ OPTION_BOOL, 0, "asm-only", &ao.asm_only, NULL,
		  "show only the disassembly", NULL },
		{ OPTION_BOOL, 0, "source-only", &ao.source_only, NULL,
		  "show only the source lines", NULL },
		{ OPTION_STRING, 0, "source-dir", &ao.source_dir, "DIR",
		  "look for source files under DIR first", NULL },
		{ OPTION_STRING, 0, "event-filter", &ro.event_filter, "EVENT",
		  "use samples of EVENT (default: the first event)", NULL },
		{ OPTION_STRING, 0, "input-format", &input_format, "FORMAT",
		  "force the input format instead of detecting it", NULL },
		{ OPTION_END, 0, NULL, NULL, NULL, NULL, NULL },
	};

	nargs = parse_options(argc, argv, opts,
			      "scorch annotate [options] PROFILE FUNCTION", 0);
	if (nargs == -2)
		return 0;
	if (nargs < 0)
		return 2;
	if (nargs != 2) {
		fprintf(stderr, "scorch: annotate: give a profile and a function name (see 'scorch annotate --help')\n");
		return 2;
	}
	if (ao.asm_only && ao.source_only) {
		fprintf(stderr, "scorch: annotate: --asm-only and --source-only exclude each other (pick one)\n");
		return 2;
	}
	ao.colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	ro.keep_samples = is_perf_data(argv[0], input_format);
	profile_init(&p);
	p.keep_samples = ro.keep_samples;
	if (format_read_path(argv[0], input_format, &p, &ro)) {
		profile_release(&p);
		return 1;
	}
	for (i = 1; i < p.nr_frames; i++)
		if (p.frames[i].kind == FRAME_PYTHON &&
		    !strcmp(profile_str(&p, p.frames[i].name), argv[1]))
			python = 1;
	all = p.nr_samples ? (double)p.nr_samples : profile_sum(&p, 0);
	ret = python ? python_annotate(&p, argv[1], &ao, all) :
		native_annotate(&p, argv[1], &ao, all);
	profile_release(&p);
	fflush(stdout);
	return ret ? 1 : 0;
}
