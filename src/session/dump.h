/*
 * dump.h - one look at a running process's stacks (scorch dump): the
 * session asks the engine table's rows that have a dump op, in table
 * order, which one reads the process, and that row prints the report.
 */
#ifndef SCORCH_SESSION_DUMP_H
#define SCORCH_SESSION_DUMP_H

#include <stdio.h>

struct dump_options;

/* Prints o->pid's stacks to out; returns the command's exit status (1,
 * reported, when no engine can read it). */
int dump_session(const struct dump_options *o, FILE *out);

#endif
