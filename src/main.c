/*
 * main.c - scorch's entry point: the table of subcommands and dispatch.
 *
 * A new subcommand is one file in cmd/ and one row here.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/commands.h"
#include "util/error.h"
#include "util/xalloc.h"
#include "version.h"

struct command {
	const char *name;
	int (*run)(int argc, const char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "record", cmd_record, "sample a program (Python, native or both) into a profile" },
	{ "top", cmd_top, "live table of the functions a program spends its time in" },
	{ "dump", cmd_dump, "print every thread's current Python stack" },
	{ "collapse", cmd_collapse, "perf script text -> folded stacks" },
	{ "convert", cmd_convert, "any profile format -> any other" },
	{ "report", cmd_report, "top functions, call tree, per-thread tables" },
	{ "diff", cmd_diff, "compare two profiles: differential flame graph + changes" },
	{ "flamegraph", cmd_flamegraph, "render an interactive SVG flame graph" },
	{ "annotate", cmd_annotate, "source lines and disassembly of one function with sample counts" },
};

#define NR_COMMANDS (sizeof(commands) / sizeof(commands[0]))

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: scorch <command> [options] [args]\n\n"
		     "Commands:\n");
	for (i = 0; i < NR_COMMANDS; i++)
		fprintf(out, "  %-12s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(out, "\nRun 'scorch help <command>' (or 'scorch <command> --help') for a command's options.\n");
}

int main(int argc, const char **argv)
{
	size_t i;

	xalloc_heap_huge_pages();
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("scorch %s\n", SCORCH_VERSION);
		return 0;
	}
	/* scorch help CMD: that command's own --help */
	if (!strcmp(argv[1], "help") && argc > 2) {
		const char *help_argv[] = { argv[2], "--help", NULL };

		for (i = 0; i < NR_COMMANDS; i++)
			if (!strcmp(argv[2], commands[i].name))
				return commands[i].run(2, help_argv);
		fprintf(stderr, "scorch: help: '%s' is not a command (see 'scorch --help')\n",
			argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < NR_COMMANDS; i++)
		if (!strcmp(argv[1], commands[i].name)) {
			error_set_command(commands[i].name);
			return commands[i].run(argc - 1, argv + 1);
		}
	fprintf(stderr, "scorch: '%s' is not a command (see 'scorch --help')\n",
		argv[1]);
	return 2;
}
