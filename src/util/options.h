/*
 * options.h - declarative command-line options (in the manner of git's
 * parse-options): each subcommand lists its options in a table, and the
 * same table parses argv and prints --help.
 *
 * Accepted forms: --name=value, --name value, -x value, -xvalue, grouped
 * short booleans (-ab), --no-name for any boolean, and "--" to end options.
 */
#ifndef SCORCH_UTIL_OPTIONS_H
#define SCORCH_UTIL_OPTIONS_H

enum option_type {
	OPTION_END = 0,
	OPTION_GROUP,		/* a heading in --help; only help is used */
	OPTION_BOOL,		/* int *: set to 1, or 0 by --no-NAME */
	OPTION_COUNT,		/* int *: incremented each time */
	OPTION_STRING,		/* const char **: points into argv */
	OPTION_INT,		/* int * */
	OPTION_LONG,		/* long long * */
	OPTION_DOUBLE,		/* double * */
	OPTION_CALLBACK,	/* callback(opt, arg); arg NULL if no argument */
};

struct option;
typedef int (*option_callback_fn)(const struct option *opt, const char *arg);

struct option {
	enum option_type type;
	int short_name;			/* 0 if none */
	const char *long_name;		/* NULL if none */
	void *value;
	const char *arg_name;		/* e.g. "FILE"; NULL = no argument
					   (callbacks) */
	const char *help;
	option_callback_fn callback;	/* OPTION_CALLBACK only */
};

/* parse_options flags */
#define OPTIONS_STOP_AT_NON_OPTION 1	/* "record -F 99 python3 -c x" */
#define OPTIONS_KEEP_DASHDASH 2		/* leave "--" in the remaining args */

/*
 * Parses argv[1..argc) (argv[0] is the subcommand name) against opts.
 * Non-option arguments are moved to the front of argv and their count is
 * returned.  --help/-h prints usage and returns -2 (the caller exits 0).
 * On an error prints "scorch: NAME: why (see 'scorch NAME --help')" and
 * returns -1.
 */
int parse_options(int argc, const char **argv, const struct option *opts,
		  const char *usage, int flags);
void print_usage(const char *usage, const struct option *opts);

/*
 * What a subcommand's command line looks like besides its options: the
 * usage line, parse_options flags, and how many other arguments it takes
 * (max_args -1: any number), with what to say when the count is wrong
 * ("give one profile").
 */
struct command_usage {
	const char *usage;
	int flags;
	int min_args, max_args;
	const char *args_help;
};

/*
 * The one post-parse check every subcommand makes: parses argv against
 * opts and checks the count of the other arguments.  Returns -1 when the
 * command goes on (*nargs set), else the exit status: 0 after --help, 2
 * after a usage error (reported).
 */
int parse_command(int argc, const char **argv, const struct option *opts,
		  const struct command_usage *usage, int *nargs);

#endif
