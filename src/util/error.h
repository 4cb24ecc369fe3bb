/*
 * error.h - the one way scorch reports problems.
 *
 * Every message goes to stderr as "scorch: <what>: <why> (<how to fix>)".
 * error() and warning() only print; error() returns -1 so a function can
 * "return error(...)".  Library code never exits: commands decide.
 */
#ifndef SCORCH_UTIL_ERROR_H
#define SCORCH_UTIL_ERROR_H

int error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Informational line ("scorch: ..."), suppressed by error_set_quiet(1). */
void notice(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void error_set_quiet(int quiet);

/* The running subcommand's name ("record", "top"), for messages from
 * code that several commands share; "scorch" until main.c sets it. */
void error_set_command(const char *name);
const char *error_command(void);

/* Number of warning() calls so far (tests and summaries use it). */
unsigned long warning_count(void);

#endif
