/*
 * collapse.c - `scorch collapse`: perf script text (or any readable
 * profile) to folded stacks, flag-compatible with stackcollapse-perf.pl.
 * Input that looks like perf script text, or that no reader confidently
 * recognises, is read as perf script (the Perl script reads anything);
 * other formats go to their reader.  It never parses lines itself.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "cmd/common_options.h"
#include "formats/format.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/options.h"

int cmd_collapse(int argc, const char **argv)
{
	struct read_options ro = { .perf_names = 1 };
	struct write_options wo = { 0 };
	const char *input_format = NULL, *output = "-";
	int all = 0, nargs, ret;
	struct profile p;
	const struct option opts[] = {
		{ OPTION_BOOL, 0, "pid", &ro.with_pid, NULL,
		  "include the process id in the root frame (comm-PID)", NULL },
		{ OPTION_BOOL, 0, "tid", &ro.with_tid, NULL,
		  "include process and thread id (comm-PID/TID)", NULL },
		{ OPTION_BOOL, 0, "kernel", &wo.annotate_kernel, NULL,
		  "mark kernel frames with _[k]", NULL },
		{ OPTION_BOOL, 0, "jit", &wo.annotate_jit, NULL,
		  "mark JIT (perf map) frames with _[j]", NULL },
		{ OPTION_BOOL, 0, "inline", &wo.annotate_inline, NULL,
		  "mark inlined frames with _[i]", NULL },
		{ OPTION_BOOL, 0, "all", &all, NULL,
		  "all annotations (--kernel --jit)", NULL },
		{ OPTION_BOOL, 0, "addrs", &ro.addrs, NULL,
		  "show raw addresses for unknown symbols", NULL },
		OPT_EVENT_FILTER(&ro.event_filter, "keep only samples of EVENT (default: the first event seen)"),
		OPT_INPUT_FORMAT(&input_format),
		OPT_OUTPUT(&output, "write to FILE instead of stdout"),
		OPT_END(),
	};

	static const struct command_usage usage = {
		"scorch collapse [options] [INPUT|-]", 0, 0, 1, "give one input",
	};

	if ((ret = parse_command(argc, argv, opts, &usage, &nargs)) >= 0)
		return ret;
	if (all)
		wo.annotate_kernel = wo.annotate_jit = 1;
	/* collapse writes folded stacks whatever the name, but not under a
	 * name that says another format */
	if (strcmp(output, "-")) {
		const struct format_writer *w = format_writer_for_path(output);

		if (w && strcmp(w->name, "folded")) {
			error("collapse: %s: collapse writes folded stacks, not %s (name it .folded, or use 'scorch convert')",
			      output, w->name);
			return 2;
		}
	}

	profile_init(&p);
	if (input_format)
		ret = format_read_path(nargs ? argv[0] : "-", input_format,
				       &p, &ro);
	else
		ret = format_read_path_likely(nargs ? argv[0] : "-",
					      "perfscript", &p, &ro);
	if (!ret)
		ret = format_write_path(output, "folded", NULL, &p, &wo);
	profile_release(&p);
	return ret ? 1 : 0;
}
