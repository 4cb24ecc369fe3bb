/*
 * registry.c - the table of formats, detection, and path-level read/write.
 *
 * To add a format: write formats/NAME.c with its reader and/or writer,
 * declare them in formats/formats.h, and add a row below.  Detection asks
 * every reader's probe and takes the most confident one.
 */
#include <string.h>
#include <sys/stat.h>

#include "formats/format.h"
#include "formats/formats.h"
#include "formats/svg_color.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/input.h"
#include "util/output.h"
#include "util/strbuf.h"

/* Every reader, with what its input holds (READER_* in format.h). */
static const struct reader_row {
	const struct format_reader *reader;
	unsigned caps;
} readers[] = {
	{ &folded_reader, 0 },
	{ &perfscript_reader, 0 },
	{ &perfdata_reader, READER_SAMPLES | READER_PERIODS },
	{ &pprof_reader, READER_SAMPLES },
	{ &speedscope_reader, 0 },
};

static const struct format_writer *const writers[] = {
	&folded_writer,
	&svg_writer,
	&html_writer,
	&pprof_writer,
	&speedscope_writer,
};

#define NR_READERS (sizeof(readers) / sizeof(readers[0]))
#define NR_WRITERS (sizeof(writers) / sizeof(writers[0]))

const struct format_reader *format_reader_find(const char *name)
{
	size_t i;

	for (i = 0; i < NR_READERS; i++)
		if (!strcmp(readers[i].reader->name, name))
			return readers[i].reader;
	return NULL;
}

unsigned format_reader_caps(const struct format_reader *r)
{
	size_t i;

	for (i = 0; r && i < NR_READERS; i++)
		if (readers[i].reader == r)
			return readers[i].caps;
	return 0;
}

const struct format_writer *format_writer_find(const char *name)
{
	size_t i;

	for (i = 0; i < NR_WRITERS; i++)
		if (!strcmp(writers[i]->name, name))
			return writers[i];
	return NULL;
}

static int ends_with(const char *s, const char *suffix, size_t len)
{
	size_t n = strlen(s);

	return n >= len && !strncmp(s + n - len, suffix, len);
}

const struct format_writer *format_writer_for_path(const char *path)
{
	const struct format_writer *best = NULL;
	size_t best_len = 0, i;

	/* longest matching extension wins: ".speedscope.json" over ".json" */
	for (i = 0; i < NR_WRITERS; i++) {
		const char *e = writers[i]->extensions;

		while (e && *e) {
			size_t len = strcspn(e, " ");

			if (len > best_len && ends_with(path, e, len)) {
				best = writers[i];
				best_len = len;
			}
			e += len;
			while (*e == ' ')
				e++;
		}
	}
	return best;
}

/* The reader surest of head (each reader's probe), NULL if none. */
static const struct format_reader *detect_head(const unsigned char *head,
					       size_t n)
{
	const struct format_reader *best = NULL;
	int best_score = 0;
	size_t i;

	for (i = 0; i < NR_READERS; i++) {
		int score = readers[i].reader->probe(head, n);

		if (score > best_score) {
			best = readers[i].reader;
			best_score = score;
		}
	}
	return best;
}

const struct format_reader *format_detect(struct input *in)
{
	const unsigned char *head;
	size_t n = input_peek(in, &head, 64 * 1024);

	return detect_head(head, n);
}

/*
 * SVG and HTML are drawings of a profile, not profiles: name what the file
 * is and how to keep a profile that every command reads back.
 */
static const char *drawing_kind(struct input *in)
{
	const unsigned char *head;
	size_t n = input_peek(in, &head, 4096);

	if (memmem(head, n, "<svg", 4))
		return "an SVG flame graph";
	if (memmem(head, n, "<!DOCTYPE html", 14) || memmem(head, n, "<html", 5))
		return "an HTML page";
	return NULL;
}

static const char *names(int writer)
{
	static struct strbuf r, w;
	struct strbuf *sb = writer ? &w : &r;
	size_t i, n = writer ? NR_WRITERS : NR_READERS;

	if (sb->len)
		return sb->buf;
	for (i = 0; i < n; i++) {
		if (i)
			strbuf_addch(sb, ' ');
		strbuf_addstr(sb, writer ? writers[i]->name :
				  readers[i].reader->name);
	}
	return strbuf_str(sb);
}

const char *format_reader_names(void)
{
	return names(0);
}

const char *format_writer_names(void)
{
	return names(1);
}

int format_read_path(const char *path, const char *forced, struct profile *p,
		     const struct read_options *o)
{
	static const struct read_options defaults;
	const struct format_reader *r;
	const char *drawing;
	struct input *in;
	int ret;

	if (!o)
		o = &defaults;
	if (forced) {
		r = format_reader_find(forced);
		if (!r)
			return error("unknown input format '%s' (known: %s)",
				     forced, format_reader_names());
	}
	in = input_open(path);
	if (!in)
		return -1;
	if (!forced) {
		r = format_detect(in);
		if (!r) {
			const unsigned char *head;

			if (!input_peek(in, &head, 1))
				r = format_reader_find("folded");
		}
		if (!r && (drawing = drawing_kind(in))) {
			error("%s is %s, a drawing with no profile to read back (save the profile with -o NAME.pb.gz and draw it with 'scorch flamegraph NAME.pb.gz')",
			      input_name(in), drawing);
			input_close(in);
			return -1;
		}
		if (!r) {
			error("%s: unrecognised input format (use --input-format; known: %s)",
			      input_name(in), format_reader_names());
			input_close(in);
			return -1;
		}
	}
	ret = r->read(in, p, o);
	input_close(in);
	return ret;
}

const struct format_reader *format_peek_path(const char *path,
					     const char *forced)
{
	static unsigned char head[64 * 1024];
	struct stat st;
	size_t n;
	FILE *f;

	if (forced)
		return format_reader_find(forced);
	/* never report here: a file that cannot be read is the real read's
	 * to report, once; and never consume a pipe or device the real
	 * read needs: only regular files are peeked at */
	if (!strcmp(path, "-") || stat(path, &st) < 0 || !S_ISREG(st.st_mode))
		return NULL;
	/* the raw bytes, not decompressed (a gzip stream's faults are the
	 * real read's to report): gzip is pprof's, as readers claim it */
	f = fopen(path, "rb");
	if (!f)
		return NULL;
	n = fread(head, 1, sizeof(head), f);
	fclose(f);
	return detect_head(head, n);
}

/* Nonzero when a line of head starts with a blank, as perf script
 * callchain lines do. */
static int has_indented_line(const unsigned char *head, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((i == 0 || head[i - 1] == '\n') &&
		    (head[i] == '\t' || head[i] == ' '))
			return 1;
	return 0;
}

int format_read_path_likely(const char *path, const char *fallback,
			    struct profile *p, const struct read_options *o)
{
	static const struct read_options defaults;
	const struct format_reader *r = format_reader_find(fallback);
	struct input *in;
	const unsigned char *head;
	size_t n;
	int ret;

	if (!r)
		return error("unknown input format '%s' (known: %s)", fallback,
			     format_reader_names());
	if (!o)
		o = &defaults;
	in = input_open(path);
	if (!in)
		return -1;
	n = input_peek(in, &head, 64 * 1024);
	if (!r->probe(head, n)) {
		const struct format_reader *other = format_detect(in);

		/* only a confident guess (50+) beats the fallback, and
		 * folded stacks never have indented (frame) lines */
		if (other && other->probe(head, n) >= 50 &&
		    !(!strcmp(other->name, "folded") &&
		      has_indented_line(head, n)))
			r = other;
	}
	ret = r->read(in, p, o);
	input_close(in);
	return ret;
}

/* ".folded .txt .collapsed .svg ...": every writer's extensions */
static const char *writer_extensions(void)
{
	static struct strbuf sb;
	size_t i;

	if (sb.len)
		return sb.buf;
	for (i = 0; i < NR_WRITERS; i++) {
		if (i)
			strbuf_addch(&sb, ' ');
		strbuf_addstr(&sb, writers[i]->extensions);
	}
	return strbuf_str(&sb);
}

const struct format_writer *format_writer_choose(const char *path,
						 const char *format,
						 const char *stdout_format)
{
	const struct format_writer *w;

	if (format) {
		w = format_writer_find(format);
		if (!w)
			error("unknown output format '%s' (known: %s)", format,
			      format_writer_names());
		return w;
	}
	if (!strcmp(path, "-")) {
		w = stdout_format ? format_writer_find(stdout_format) : NULL;
		if (!w)
			error("<stdout>: no output format (give -f FORMAT; known: %s)",
			      format_writer_names());
		return w;
	}
	w = format_writer_for_path(path);
	if (!w)
		error("%s: cannot tell the output format from the name (name it %s, or give -f FORMAT: %s)",
		      path, writer_extensions(), format_writer_names());
	return w;
}

static int write_with_palette(const char *path, const char *format,
			      const char *stdout_format,
			      const struct profile *p,
			      const struct write_options *o);

int format_write_path(const char *path, const char *format,
		      const char *stdout_format, const struct profile *p,
		      const struct write_options *o)
{
	static const struct write_options defaults;
	const struct format_writer *w;
	struct output out;

	if (!o)
		o = &defaults;
	if (o->svg && o->svg->palette_file)
		return write_with_palette(path, format, stdout_format, p, o);
	w = format_writer_choose(path, format, stdout_format);
	if (!w)
		return -1;
	if (output_open(&out, path) < 0)
		return -1;
	/* a writer that stopped on a failed write leaves the message (and
	 * the removal of the temporary file) to output_commit */
	if (w->write(p, out.fp, o) < 0 && !output_write_failed(&out)) {
		output_abort(&out);
		return -1;
	}
	return output_commit(&out);
}

/* Consistent colours: the palette file is read, the graph drawn with it
 * (new names added), and the file updated once the graph is written. */
static int write_with_palette(const char *path, const char *format,
			      const char *stdout_format,
			      const struct profile *p,
			      const struct write_options *o)
{
	struct svg_palette *palette = svg_palette_new();
	struct svg_options so = *o->svg;
	struct write_options wo = *o;
	int ret;

	so.palette = palette;
	so.palette_file = NULL;
	wo.svg = &so;
	ret = svg_palette_load(palette, o->svg->palette_file);
	if (!ret)
		ret = format_write_path(path, format, stdout_format, p, &wo);
	if (!ret)
		ret = svg_palette_save(palette, o->svg->palette_file);
	svg_palette_free(palette);
	return ret;
}
