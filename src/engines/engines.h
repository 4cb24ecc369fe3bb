/*
 * engines.h - every sampling engine scorch has; registry.c lists them.
 * Each row is defined in its engine's folder.
 */
#ifndef SCORCH_ENGINES_ENGINES_H
#define SCORCH_ENGINES_ENGINES_H

#include "engines/engine.h"

extern const struct engine bpf_engine;	/* engines/bpf/ */
extern const struct engine mixed_engine;	/* engines/mixed/ */
extern const struct engine python_engine;	/* engines/python/ */
extern const struct engine native_engine;	/* engines/perf/ */

#endif
