/*
 * asyncio.h - asyncio task chains read out of the target (--async).
 *
 * A thread that runs a task's step (events.Handle._run on its stack) gets
 * its stack rewritten: the event loop's frames give way to the chain of
 * tasks awaiting that task, outermost first, each as a "[task NAME]" frame
 * above the coroutine frames it is suspended in.  The awaiter relation is
 * found from each task's done-callbacks (a Task's bound __wakeup, gather's
 * closure holding its _GatheringFuture, wait_for's partial, a TaskGroup's
 * _on_task_done).  Reads only; never writes to the target.  Layouts per
 * version: asyncio_layouts.c (facts from scripts/asyncio_offsets.py).
 */
#ifndef SCORCH_PYTHON_ASYNCIO_H
#define SCORCH_PYTHON_ASYNCIO_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pyreader;
struct pythread_sample;

/* Byte offsets (x86_64, GIL builds) of what the chain reader follows. */
struct py_async_layout {
	int major, minor;
	/* _asyncio FutureObj (a Task starts with one) */
	uint32_t fut_loop;		/* the loop it belongs to */
	uint32_t fut_callback0;		/* first done-callback */
	uint32_t fut_callbacks;		/* list of (callback, context) */
	uint32_t fut_state;		/* int: 0 pending, 1 cancelled, 2 done */
	uint32_t fut_dict;		/* instance dict pointer, 0 = managed */
	/* _asyncio TaskObj */
	uint32_t task_fut_waiter, task_coro, task_name;
	/* coroutine objects and their embedded _PyInterpreterFrame */
	uint32_t gen_iframe;
	uint32_t frame_stacktop;	/* int: value stack depth */
	uint32_t frame_localsplus;
	/* callables */
	uint32_t handle_callback;	/* events.Handle._callback slot */
	uint32_t stepwrapper_task;	/* TaskStepMethWrapper.sw_task */
	uint32_t cfunction_self;	/* builtin method's m_self */
	uint32_t method_self;		/* bound method's im_self */
	uint32_t function_closure;	/* PyFunctionObject.func_closure */
	uint32_t partial_args;		/* functools.partial's args tuple */
	uint32_t futureiter_future;	/* FutureIter's future */
	/* asyncio.tasks' WeakSet of every task (not eager ones) */
	const char *all_tasks_name;
	/*
	 * 3.14+: the interpreter keeps what the 3.11-3.13 reader guesses.
	 * frame_stacktop is then a pointer (_PyInterpreterFrame.stackpointer)
	 * and the awaited object is await_slot words below it; a coroutine
	 * awaits when its gi_frame_state is yield_from_lo..yield_from_hi.
	 * Each task links the tasks awaiting it (awaited_by: one task, or a
	 * set when awaited_by_is_set) and every unfinished task is on its
	 * thread's list (a llist_node at task_node, the list's head at
	 * tstate_tasks_head, the running task at tstate_running_task), or on
	 * the interpreter's list once its thread is gone.  The _asyncio
	 * module's own .AsyncioDebug section overrides these (asyncio_debug.c).
	 */
	int stackpointer;		/* frame_stacktop is a pointer */
	uint32_t await_slot;
	uint32_t gen_frame_state;	/* signed char */
	int yield_from_lo, yield_from_hi;
	uint32_t task_awaited_by, task_awaited_by_is_set, task_node;
	uint32_t task_size;
	uint32_t tstate_running_task, tstate_tasks_head;
	uint32_t interp_tasks_head;
};

/*
 * 3.14+: reads the target's _AsyncioDebug block (Py_AsyncioModuleDebugOffsets,
 * section .AsyncioDebug of the executable, libpython or the _asyncio
 * module) into *al.  Returns 1 when found and plausible, 0 when not
 * there (yet: _asyncio loads on `import asyncio`), leaving *al as it was.
 */
int py_async_debug_offsets(int pid, struct py_async_layout *al);
/* The block's n words into *al when every offset fits inside its
 * struct's size; returns 1, or 0 (and *al untouched) when implausible. */
int py_async_debug_block(const uint64_t *w, size_t n,
			 struct py_async_layout *al);

/* The row for major.minor, NULL when --async cannot read that version. */
const struct py_async_layout *py_async_layout_find(int major, int minor);

struct pyasync;

/* State for one reader's target (caches of types and task names); NULL
 * when the version has no row. */
struct pyasync *pyasync_open(const struct pyreader *r);
void pyasync_close(struct pyasync *a);

/*
 * Rewrites s (just handed out by pyreader_sample on r, so r's walk still
 * describes it) when its thread is running an asyncio task: s->frames then
 * points into a's buffer, valid until the next call.  Other threads are
 * left as they are.  Returns 1 when rewritten.
 */
int pyasync_rewrite(struct pyasync *a, struct pyreader *r,
		    struct pythread_sample *s);

/*
 * --async --idle: hands fn the stack of every pending task of s's loop
 * that waits for a future other than a task (a sleep, a lock, I/O; not
 * one that just yielded and is ready to run), innermost first: its
 * suspended coroutines, its name, its awaiters.
 * Returns how many.
 */
struct pyframe;
typedef void (*pyasync_stack_fn)(void *ctx, const struct pyframe *frames,
				 size_t n);
int pyasync_waiting(struct pyasync *a, struct pyreader *r,
		    const struct pythread_sample *s, pyasync_stack_fn fn,
		    void *ctx);

/* The task awaiting task (directly, through gather's or wait_for's
 * future, or as a TaskGroup's parent), 0 when none is found. */
uint64_t pyasync_awaiter(struct pyasync *a, const struct pyreader *r,
			 uint64_t task);

/*
 * Prints the task trees of the loop that s's thread runs (from the root
 * task down through awaited tasks, gather's children and TaskGroups'
 * tasks, then every other task nobody awaits), each task with its name,
 * state and stack.  Returns the
 * number of tasks printed (0: the thread runs no task now).
 */
int pyasync_print_tree(struct pyasync *a, struct pyreader *r,
		       const struct pythread_sample *s, FILE *out);

#endif
