/*
 * engines.h - every sampling engine scorch has; registry.c lists them.
 * Each row is defined in its engine's folder.
 */
#ifndef SCORCH_ENGINE_ENGINES_H
#define SCORCH_ENGINE_ENGINES_H

#include "engine/engine.h"

extern const struct engine mixed_engine;	/* engine/perf/ */
extern const struct engine python_engine;	/* engine/python/ */
extern const struct engine native_engine;	/* engine/perf/ */

#endif
