/*
 * error.c - stderr reporting in one format.
 */
#include <stdarg.h>
#include <stdio.h>

#include "util/error.h"

static int quiet;
static const char *command = "scorch";
static unsigned long warnings;

static void report(const char *prefix, const char *fmt, va_list ap)
{
	char line[4096];

	vsnprintf(line, sizeof(line), fmt, ap);
	fprintf(stderr, "scorch: %s%s\n", prefix, line);
}

int error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report("", fmt, ap);
	va_end(ap);
	return -1;
}

void warning(const char *fmt, ...)
{
	va_list ap;

	warnings++;
	if (quiet)
		return;
	va_start(ap, fmt);
	report("warning: ", fmt, ap);
	va_end(ap);
}

void notice(const char *fmt, ...)
{
	va_list ap;

	if (quiet)
		return;
	va_start(ap, fmt);
	report("", fmt, ap);
	va_end(ap);
}

void error_set_command(const char *name)
{
	command = name;
}

const char *error_command(void)
{
	return command;
}

void error_set_quiet(int q)
{
	quiet = q;
}

unsigned long warning_count(void)
{
	return warnings;
}
