/*
 * python_source.c - the Python frames of --native as a stack source of
 * the perf_event recorder (python_source.h): read first thing at each
 * sample, merged once the recorder has the native stack.  A sample
 * whose Python stack cannot be read in time, or does not fit the native
 * one, keeps its native stack under an [unmerged] marker.
 */
#include <stdlib.h>
#include <string.h>

#include "model/profile.h"
#include "python/reader.h"	/* PYREAD_MAX_DEPTH */
#include "engines/engine.h"
#include "engines/perf/native_record.h"
#include "engines/mixed/merge.h"
#include "engines/mixed/python_source.h"
#include "engines/mixed/python_stacks.h"
#include "proc/timer.h"
#include "util/xalloc.h"

#define MAX_NATIVE NATIVE_RECORD_MAX_FRAMES
/* a sample older than this when we read its thread's Python stack is
 * not merged (the thread has moved on); it is marked. */
#define MAX_SAMPLE_AGE_NS (20 * 1000000LL)

struct python_source {
	struct native_stack_source src;	/* first: what the recorder sees */
	struct profile *p;
	struct record_stats *stats;
	struct python_stacks *stacks;
	int py;				/* this sample's read: see begin */
	const uint32_t *py_frames;	/* this sample's, innermost first */
	const unsigned char *py_entry;	/* their eval-loop entry marks */
	size_t nr_py;
	uint32_t *merged;		/* MAX_NATIVE + PYREAD_MAX_DEPTH + 1 */
};

static void source_attach(void *ctx, pid_t pid)
{
	struct python_source *ps = ctx;

	python_stacks_prepare(ps->stacks, pid);
}

static void source_reset(void *ctx, pid_t pid)
{
	struct python_source *ps = ctx;

	python_stacks_reset(ps->stacks, pid);
}

/* The thread's Python stack into ps->py_frames; ps->py is 1 (read), 0
 * (not a Python process), -1 (unreadable) or -2 (the sample is too old
 * for its Python stack to still match). */
static void source_begin(void *ctx, pid_t pid, pid_t tid, uint64_t time_ns)
{
	struct python_source *ps = ctx;

	ps->py_frames = NULL;
	ps->py_entry = NULL;
	ps->nr_py = 0;
	if (ticker_now() - (int64_t)time_ns > MAX_SAMPLE_AGE_NS)
		ps->py = python_stacks_known(ps->stacks, pid) ? -2 : 0;
	else
		ps->py = python_stacks_read(ps->stacks, pid, tid, time_ns,
					    &ps->py_frames, &ps->py_entry,
					    &ps->nr_py);
}

static const uint32_t *source_merge(void *ctx, const uint32_t *frames,
				    const unsigned char *is_eval, size_t nf,
				    int cut, size_t *n)
{
	struct python_source *ps = ctx;
	int has_eval = 0, py = ps->py;
	long m;

	*n = nf;
	for (size_t i = 0; i < nf && !has_eval; i++)
		has_eval = is_eval[i];
	if (!has_eval && (py == 0 || py == -2))
		return frames;
	if (nf > MAX_NATIVE)
		goto unmerged;	/* the recorder caps it; be sure */
	/* running CPython's eval loop, but its Python stack could not be
	 * read in time (too old before the reader knew the process): marked,
	 * not passed off as a stack without Python frames */
	if (py == -2 || py == 0) {
		ps->src.stale++;
		goto unmerged;
	}
	if (py < 0) {
		record_stats_error(ps->stats, RECORD_ERROR_MIXED_PYTHON);
		goto unmerged;
	}
	if (ps->nr_py > PYREAD_MAX_DEPTH)
		goto unmerged;	/* the reader bounds depth; be sure */
	m = mixed_merge_best(frames, is_eval, nf, ps->py_frames, ps->py_entry,
			     ps->nr_py, cut, ps->merged);
	if (m >= 0) {
		ps->src.merged++;
		*n = (size_t)m;
		return ps->merged;
	}
unmerged:
	/* keep the native stack, marked so nobody mistakes it */
	ps->stats->unmerged++;
	if (nf > MAX_NATIVE + PYREAD_MAX_DEPTH)
		nf = MAX_NATIVE + PYREAD_MAX_DEPTH;
	ps->merged[0] = profile_frame_named(ps->p, "[unmerged]", 10,
					    FRAME_MARKER);
	memcpy(&ps->merged[1], frames, nf * sizeof(*frames));
	*n = nf + 1;
	return ps->merged;
}

struct native_stack_source *python_source_new(struct profile *p,
					      struct record_stats *stats,
					      int no_lines)
{
	struct python_source *ps = xcalloc(1, sizeof(*ps));

	ps->src.ctx = ps;
	ps->src.is_eval_symbol = mixed_is_eval_symbol;
	ps->src.attach = source_attach;
	ps->src.reset = source_reset;
	ps->src.begin = source_begin;
	ps->src.merge = source_merge;
	ps->p = p;
	ps->stats = stats;
	ps->stacks = python_stacks_new(p, no_lines);
	ps->merged = xmalloc((MAX_NATIVE + PYREAD_MAX_DEPTH + 1) *
			     sizeof(*ps->merged));
	return &ps->src;
}

void python_source_free(struct native_stack_source *src)
{
	struct python_source *ps;

	if (!src)
		return;
	ps = src->ctx;
	python_stacks_free(ps->stacks);
	free(ps->merged);
	free(ps);
}
