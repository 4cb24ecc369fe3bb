/*
 * format.h - the table of profile readers and writers.
 *
 * Every file format is one reader and/or one writer registered in
 * formats/registry.c; commands never call a format directly, so adding a
 * format is one file plus one row.  Readers only fill a profile; writers
 * only read one.  Input formats are detected from content (format_detect),
 * output formats from -f or the output file's extension.
 */
#ifndef SCORCH_FORMATS_FORMAT_H
#define SCORCH_FORMATS_FORMAT_H

#include <stddef.h>
#include <stdio.h>

#include "formats/flame_options.h"

struct input;
struct profile;

/* What readers may be asked; zero means "default". */
struct read_options {
	const char *event_filter;	/* keep only samples of this event */
	int with_pid;			/* root frame "comm-PID" */
	int with_tid;			/* root frame "comm-PID/TID" */
	int addrs;			/* unknown symbols as raw addresses */
	int no_inline;			/* drop inlined frames */
	int keep_samples;		/* keep individual samples in order */
	int perf_names;			/* frame names exactly as perf names
					   them (stackcollapse-perf.pl's):
					   CPython's "py::f:file" perf
					   trampolines stay JIT frames rather
					   than become Python frames */
	int leaf_only;			/* the command reads only leaf frames
					   (annotate): no hints about cut
					   call stacks */
};

/* What writers may be asked; zero means "default". */
struct write_options {
	int annotate_kernel;		/* folded: "_[k]" after kernel frames */
	int annotate_jit;		/* folded: "_[j]" after JIT frames */
	int annotate_inline;		/* folded: "_[i]" after inlined frames */
	int with_threads;		/* thread name as a root frame */
	const struct svg_options *svg;	/* flame graph settings, NULL = defaults */
	const char *title;		/* optional title for viewers */
};

struct format_reader {
	const char *name;
	/* How sure (0-100) the reader is that these first bytes are its
	 * format; 0 = certainly not. */
	int (*probe)(const unsigned char *head, size_t len);
	/* Reads the whole input into p.  Recoverable problems are warnings;
	 * returns -1 (after reporting) when nothing useful could be read. */
	int (*read)(struct input *in, struct profile *p,
		    const struct read_options *o);
};

struct format_writer {
	const char *name;
	const char *extensions;		/* space-separated, e.g. ".svg" */
	int (*write)(const struct profile *p, FILE *out,
		     const struct write_options *o);
};

/* What a reader's input holds besides stacks and counts
 * (format_reader_caps; the registry's table says it per reader). */
#define READER_SAMPLES	1	/* individual samples with times, worth
				   keeping in order (pprof, perf.data) */
#define READER_PERIODS	2	/* each sample weighed by its period
				   (perf.data): count samples to annotate */

const struct format_reader *format_reader_find(const char *name);
/* READER_* bits of r; 0 for NULL. */
unsigned format_reader_caps(const struct format_reader *r);
/*
 * The reader for path (forced when given), from its first raw (not
 * decompressed) bytes and without reporting anything: NULL for stdin
 * ("-"), anything but a regular file, a file that cannot be opened, or
 * content no reader claims.  The real read reports what is wrong.
 */
const struct format_reader *format_peek_path(const char *path,
					     const char *forced);
const struct format_writer *format_writer_find(const char *name);
/* The writer whose extension ends path, or NULL. */
const struct format_writer *format_writer_for_path(const char *path);
/* Picks a reader from the first bytes of in; NULL if none fits. */
const struct format_reader *format_detect(struct input *in);
/* Space-separated names, for help texts and errors. */
const char *format_reader_names(void);
const char *format_writer_names(void);

/*
 * Opens path ("-" = stdin), detects the format unless forced is non-NULL,
 * and reads it into p.  Returns 0 or -1 (reported).
 */
int format_read_path(const char *path, const char *forced,
		     struct profile *p, const struct read_options *o);

/*
 * Like format_read_path without forcing, for an input that is most
 * likely in the format named fallback (collapse: perf script): content
 * fallback's reader claims is read by it; another reader's confident
 * claim (50 or more) wins; everything else goes to fallback.
 */
int format_read_path_likely(const char *path, const char *fallback,
			    struct profile *p, const struct read_options *o);

/*
 * The writer for path: the one -f named (format), else the one the
 * path's extension names; for "-" (stdout), stdout_format.  An extension
 * no writer claims is an error that lists the extensions and formats.
 * Returns the writer, or NULL (reported).
 */
const struct format_writer *format_writer_choose(const char *path,
						 const char *format,
						 const char *stdout_format);

/*
 * Writes p to path ("-" = stdout) with the writer format_writer_choose
 * picks: atomically for a file, in place for a device, FIFO or
 * descriptor (util/output.h).  With o->svg->palette_file, that palette
 * file is read first and updated after a successful write.  Returns 0
 * or -1 (reported in one line, write errors too; no file left behind).
 */
int format_write_path(const char *path, const char *format,
		      const char *stdout_format, const struct profile *p,
		      const struct write_options *o);

#endif
