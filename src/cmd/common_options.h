/*
 * common_options.h - option rows more than one command takes, written
 * once so their spelling and help cannot drift between commands.
 *
 * Each macro is one or more rows of a struct option table
 * (util/options.h), taking the address the value goes to.  The rows of
 * `record` and `top` (target, rate, duration, modes, perf_event engine)
 * are in cmd/record_args.h.
 */
#ifndef SCORCH_CMD_COMMON_OPTIONS_H
#define SCORCH_CMD_COMMON_OPTIONS_H

#include "util/options.h"

/* --input-format FORMAT: skip detection (formats/registry.c names them) */
#define OPT_INPUT_FORMAT(v)						\
	{ OPTION_STRING, 0, "input-format", (v), "FORMAT",		\
	  "force the input format instead of detecting it", NULL }

/* -o FILE: where the output goes; what it holds is the command's */
#define OPT_OUTPUT(v, help)						\
	{ OPTION_STRING, 'o', "output", (v), "FILE", (help), NULL }

/* -f FORMAT: the output's format */
#define OPT_FORMAT(v, arg, help)					\
	{ OPTION_STRING, 'f', "format", (v), (arg), (help), NULL }

/* --title TEXT: the title viewers show */
#define OPT_TITLE(v, help)						\
	{ OPTION_STRING, 0, "title", (v), "TEXT", (help), NULL }

/* --focus / --ignore REGEX: which stacks count (model/filter.h) */
#define OPT_FOCUS_IGNORE(focus, ignore)					\
	{ OPTION_STRING, 0, "focus", (focus), "REGEX",			\
	  "keep only stacks with a frame matching REGEX", NULL },	\
	{ OPTION_STRING, 0, "ignore", (ignore), "REGEX",		\
	  "drop stacks with a frame matching REGEX", NULL }

/* --event-filter EVENT: which event's samples of a perf recording */
#define OPT_EVENT_FILTER(v, help)					\
	{ OPTION_STRING, 0, "event-filter", (v), "EVENT", (help), NULL }

#define OPT_END()							\
	{ OPTION_END, 0, NULL, NULL, NULL, NULL, NULL }

#endif
