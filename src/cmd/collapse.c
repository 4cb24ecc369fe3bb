/*
 * collapse.c - `scorch collapse`: perf script text (or any readable
 * profile) to folded stacks, flag-compatible with stackcollapse-perf.pl.
 */
#include <stdio.h>

#include "cmd/commands.h"
#include "formats/format.h"
#include "model/profile.h"
#include "util/options.h"

int cmd_collapse(int argc, const char **argv)
{
	struct read_options ro = { 0 };
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
		{ OPTION_STRING, 0, "event-filter", &ro.event_filter, "EVENT",
		  "keep only samples of EVENT (default: the first event seen)",
		  NULL },
		{ OPTION_STRING, 0, "input-format", &input_format, "FORMAT",
		  "force the input format instead of detecting it", NULL },
		{ OPTION_STRING, 'o', "output", &output, "FILE",
		  "write to FILE instead of stdout", NULL },
		{ OPTION_END, 0, NULL, NULL, NULL, NULL, NULL },
	};

	nargs = parse_options(argc, argv, opts,
			      "scorch collapse [options] [INPUT|-]", 0);
	if (nargs == -2)
		return 0;
	if (nargs < 0)
		return 2;
	if (nargs > 1) {
		fprintf(stderr, "scorch: collapse: give one input (see 'scorch collapse --help')\n");
		return 2;
	}
	if (all)
		wo.annotate_kernel = wo.annotate_jit = 1;

	profile_init(&p);
	ret = format_read_path(nargs ? argv[0] : "-",
			       input_format ? input_format : NULL, &p, &ro);
	if (!ret)
		ret = format_write_path(output, "folded", NULL, &p, &wo);
	profile_release(&p);
	return ret ? 1 : 0;
}
