/*
 * options.c - table-driven option parsing and help output.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/options.h"
#include "util/strbuf.h"

static int takes_argument(const struct option *o)
{
	switch (o->type) {
	case OPTION_STRING:
	case OPTION_INT:
	case OPTION_LONG:
	case OPTION_DOUBLE:
		return 1;
	case OPTION_CALLBACK:
		return o->arg_name != NULL;
	default:
		return 0;
	}
}

static int bad(const char *cmd, const char *fmt, const char *what)
{
	char msg[512];

	snprintf(msg, sizeof(msg), fmt, what);
	return error("%s: %s (see 'scorch %s --help')", cmd, msg, cmd);
}

static int set_value(const char *cmd, const struct option *o, const char *arg,
		     int negate)
{
	char *end;

	switch (o->type) {
	case OPTION_BOOL:
		*(int *)o->value = !negate;
		return 0;
	case OPTION_COUNT:
		*(int *)o->value = negate ? 0 : *(int *)o->value + 1;
		return 0;
	case OPTION_STRING:
		*(const char **)o->value = arg;
		return 0;
	case OPTION_INT:
	case OPTION_LONG: {
		long long v;

		errno = 0;
		v = strtoll(arg, &end, 0);
		if (errno || end == arg || *end)
			return bad(cmd, "'%s' is not a whole number", arg);
		if (o->type == OPTION_INT) {
			if (v < -2147483647LL || v > 2147483647LL)
				return bad(cmd, "'%s' is out of range", arg);
			*(int *)o->value = (int)v;
		} else {
			*(long long *)o->value = v;
		}
		return 0;
	}
	case OPTION_DOUBLE: {
		double v;

		errno = 0;
		v = strtod(arg, &end);
		if (errno || end == arg || *end)
			return bad(cmd, "'%s' is not a number", arg);
		*(double *)o->value = v;
		return 0;
	}
	case OPTION_CALLBACK:
		return o->callback(o, arg) < 0 ? -1 : 0;
	default:
		return -1;
	}
}

static const struct option *find_long(const struct option *opts,
				      const char *name, size_t len, int *negate)
{
	const struct option *o;

	*negate = 0;
	for (o = opts; o->type != OPTION_END; o++)
		if (o->long_name && strlen(o->long_name) == len &&
		    !strncmp(o->long_name, name, len))
			return o;
	if (len > 3 && !strncmp(name, "no-", 3)) {
		for (o = opts; o->type != OPTION_END; o++)
			if ((o->type == OPTION_BOOL || o->type == OPTION_COUNT) &&
			    o->long_name && strlen(o->long_name) == len - 3 &&
			    !strncmp(o->long_name, name + 3, len - 3)) {
				*negate = 1;
				return o;
			}
	}
	return NULL;
}

static const struct option *find_short(const struct option *opts, int c)
{
	const struct option *o;

	for (o = opts; o->type != OPTION_END; o++)
		if (o->short_name == c)
			return o;
	return NULL;
}

int parse_options(int argc, const char **argv, const struct option *opts,
		  const char *usage, int flags)
{
	const char *cmd = argv[0];
	int i, nr_args = 0;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--")) {
			if (flags & OPTIONS_KEEP_DASHDASH)
				argv[nr_args++] = a;
			for (i++; i < argc; i++)
				argv[nr_args++] = argv[i];
			break;
		}
		if (a[0] != '-' || !a[1]) {
			if (flags & OPTIONS_STOP_AT_NON_OPTION) {
				for (; i < argc; i++)
					argv[nr_args++] = argv[i];
				break;
			}
			argv[nr_args++] = a;
			continue;
		}
		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			print_usage(usage, opts);
			return -2;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			const struct option *o;
			int negate;
			const char *arg = NULL;

			o = find_long(opts, name, len, &negate);
			if (!o)
				return bad(cmd, "unknown option '%s'", a);
			if (takes_argument(o) && !negate) {
				if (eq)
					arg = eq + 1;
				else if (i + 1 < argc)
					arg = argv[++i];
				else
					return bad(cmd, "option '%s' needs a value", a);
			} else if (eq) {
				return bad(cmd, "option '%s' takes no value", a);
			}
			if (set_value(cmd, o, arg, negate) < 0)
				return -1;
			continue;
		}
		/* short options, possibly grouped */
		for (a++; *a; a++) {
			const struct option *o = find_short(opts, *a);
			char flag[3] = { '-', *a, 0 };

			if (!o)
				return bad(cmd, "unknown option '%s'", flag);
			if (takes_argument(o)) {
				const char *arg;

				if (a[1])
					arg = a + 1;
				else if (i + 1 < argc)
					arg = argv[++i];
				else
					return bad(cmd, "option '%s' needs a value", flag);
				if (set_value(cmd, o, arg, 0) < 0)
					return -1;
				break;
			}
			if (set_value(cmd, o, NULL, 0) < 0)
				return -1;
		}
	}
	return nr_args;
}

void print_usage(const char *usage, const struct option *opts)
{
	const struct option *o;

	printf("usage: %s\n", usage);
	for (o = opts; o->type != OPTION_END; o++) {
		struct strbuf sb;

		if (o->type == OPTION_GROUP) {
			printf("\n%s\n", o->help);
			continue;
		}
		strbuf_init(&sb);
		strbuf_addstr(&sb, "    ");
		if (o->short_name)
			strbuf_addf(&sb, "-%c", o->short_name);
		if (o->short_name && o->long_name)
			strbuf_addstr(&sb, ", ");
		if (o->long_name)
			strbuf_addf(&sb, "--%s", o->long_name);
		if (takes_argument(o))
			strbuf_addf(&sb, " %s", o->arg_name ? o->arg_name : "VALUE");
		if (sb.len < 30)
			printf("%-30s %s\n", sb.buf, o->help ? o->help : "");
		else
			printf("%s\n%-30s %s\n", sb.buf, "", o->help ? o->help : "");
		strbuf_release(&sb);
	}
}

int parse_command(int argc, const char **argv, const struct option *opts,
		  const struct command_usage *u, int *nargs)
{
	const char *cmd = argv[0];	/* parse_options moves arguments over it */
	int n = parse_options(argc, argv, opts, u->usage, u->flags);

	if (n == -2)
		return 0;
	if (n < 0)
		return 2;
	if (n < u->min_args || (u->max_args >= 0 && n > u->max_args)) {
		error("%s: %s (see 'scorch %s --help')", cmd, u->args_help,
		      cmd);
		return 2;
	}
	*nargs = n;
	return -1;
}
