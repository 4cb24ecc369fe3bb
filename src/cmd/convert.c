/*
 * convert.c - `scorch convert INPUT [-o OUTPUT] [-f FORMAT]`: any profile
 * reader to any profile writer.  The output format comes from -f or the
 * output file's extension (folded on stdout, the default output, as
 * collapse and flamegraph print theirs); the input format from its
 * content unless --input-format forces it.  Knows no format itself:
 * formats/registry.c.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common_options.h"
#include "formats/format.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/options.h"

/* Individual samples (time order) are worth keeping when the output can
 * show them, or when the input carries their times (the registry says
 * which readers' inputs do).  Text formats number their lines instead of
 * timing them, so keeping their samples would only invent times. */
static int wants_samples(const char *input, const char *input_format,
			 const struct format_writer *w)
{
	if (w && !strcmp(w->name, "speedscope"))
		return 1;
	return (format_reader_caps(format_peek_path(input, input_format)) &
		READER_SAMPLES) != 0;
}

int cmd_convert(int argc, const char **argv)
{
	struct read_options ro = { 0 };
	struct write_options wo = { 0 };
	const char *input_format = NULL, *output = "-", *format = NULL;
	const struct format_writer *w;
	int nargs, ret;
	struct profile p;
	const struct option opts[] = {
		OPT_OUTPUT(&output, "write to FILE (default '-', stdout; the format follows its extension)"),
		OPT_FORMAT(&format, "FORMAT", "output format: folded (default on stdout), pprof, speedscope, svg, html"),
		OPT_INPUT_FORMAT(&input_format),
		OPT_TITLE(&wo.title, "title for viewers that show one"),
		{ OPTION_BOOL, 0, "threads", &wo.with_threads, NULL,
		  "folded/svg: thread name as a root frame", NULL },
		OPT_END(),
	};

	static const struct command_usage usage = {
		"scorch convert [options] INPUT [-o OUTPUT]", 0, 1, 1,
		"give one INPUT",
	};

	if ((ret = parse_command(argc, argv, opts, &usage, &nargs)) >= 0)
		return ret;
	w = format_writer_choose(output, format, "folded");
	if (!w)
		return 2;
	ro.keep_samples = wants_samples(argv[0], input_format, w);

	profile_init(&p);
	ret = format_read_path(argv[0], input_format, &p, &ro);
	/* viewers show a title: the recorded command, else the input name */
	if (!ret && !wo.title && !p.meta.command && strcmp(argv[0], "-")) {
		const char *slash = strrchr(argv[0], '/');

		wo.title = slash ? slash + 1 : argv[0];
	}
	if (!ret)
		ret = format_write_path(output, format, "folded", &p, &wo);
	profile_release(&p);
	return ret ? 1 : 0;
}
