/*
 * asyncio_layouts.c - where asyncio keeps tasks, per CPython version: one
 * row per minor of the _asyncio C module's Future/Task structs and of the
 * few other objects the task-chain reader (asyncio.c) follows.
 *
 * Facts measured with scripts/asyncio_offsets.py in live 3.11.7, 3.12.1,
 * 3.13.0 and Debian's 3.11.2 (x86_64, GIL builds): it finds known
 * pointers inside real objects.  A version without a row has no --async.
 * 3.14 and 3.15: measured the same way in Debian's 3.14.10 and 3.15.2,
 * and the task/thread/interpreter offsets are those of their
 * _AsyncioDebug blocks (which, when the target has one, override them:
 * asyncio_debug.c); frames and coroutines as their _Py_DebugOffsets say.
 */
#include <stddef.h>

#include "python/asyncio.h"

static const struct py_async_layout rows[] = {
	{
		.major = 3, .minor = 11,
		.fut_loop = 16, .fut_callback0 = 24, .fut_callbacks = 40, .fut_state = 88,
		.fut_dict = 104,
		.task_fut_waiter = 128, .task_coro = 136, .task_name = 144,
		.gen_iframe = 80, .frame_stacktop = 64, .frame_localsplus = 72,
		.handle_callback = 24, .stepwrapper_task = 16,
		.cfunction_self = 24, .method_self = 24,
		.function_closure = 72, .partial_args = 24,
		.futureiter_future = 16,
		.all_tasks_name = "_all_tasks",
	},
	{
		.major = 3, .minor = 12,
		.fut_loop = 16, .fut_callback0 = 24, .fut_callbacks = 40, .fut_state = 88,
		.fut_dict = 104,
		.task_fut_waiter = 128, .task_coro = 136, .task_name = 144,
		.gen_iframe = 72, .frame_stacktop = 64, .frame_localsplus = 72,
		.handle_callback = 24, .stepwrapper_task = 16,
		.cfunction_self = 24, .method_self = 24,
		.function_closure = 72, .partial_args = 24,
		.futureiter_future = 16,
		.all_tasks_name = "_scheduled_tasks",
	},
	{
		/* the instance dict is managed (before the object): 0 */
		.major = 3, .minor = 13,
		.fut_loop = 16, .fut_callback0 = 24, .fut_callbacks = 40, .fut_state = 96,
		.fut_dict = 0,
		.task_fut_waiter = 112, .task_coro = 120, .task_name = 128,
		.gen_iframe = 72, .frame_stacktop = 64, .frame_localsplus = 72,
		.handle_callback = 24, .stepwrapper_task = 16,
		.cfunction_self = 24, .method_self = 24,
		.function_closure = 72, .partial_args = 24,
		.futureiter_future = 16,
		.all_tasks_name = "_scheduled_tasks",
	},
	{
		/* Future gained fut_awaited_by (96) and flags; tasks are
		 * linked per thread */
		.major = 3, .minor = 14,
		.fut_loop = 16, .fut_callback0 = 24, .fut_callbacks = 40, .fut_state = 104,
		.fut_dict = 0,
		.task_fut_waiter = 120, .task_coro = 128, .task_name = 136,
		.gen_iframe = 72, .frame_stacktop = 64, .frame_localsplus = 80,
		.handle_callback = 24, .stepwrapper_task = 16,
		.cfunction_self = 24, .method_self = 24,
		.function_closure = 72, .partial_args = 24,
		.futureiter_future = 16,
		.all_tasks_name = "_scheduled_tasks",
		.stackpointer = 1, .await_slot = 1,
		.gen_frame_state = 67, .yield_from_lo = -1, .yield_from_hi = -1,
		.task_awaited_by = 96, .task_awaited_by_is_set = 109,
		.task_node = 152, .task_size = 168,
		.tstate_running_task = 872, .tstate_tasks_head = 880,
		.interp_tasks_head = 10880,
	},
	{
		/* frame states renumbered (SUSPENDED_YIELD_FROM 2, its
		 * _LOCKED 3); an await keeps one more word above what it
		 * awaits */
		.major = 3, .minor = 15,
		.fut_loop = 16, .fut_callback0 = 24, .fut_callbacks = 40, .fut_state = 104,
		.fut_dict = 0,
		.task_fut_waiter = 120, .task_coro = 128, .task_name = 136,
		.gen_iframe = 72, .frame_stacktop = 64, .frame_localsplus = 80,
		.handle_callback = 24, .stepwrapper_task = 16,
		.cfunction_self = 24, .method_self = 24,
		.function_closure = 72, .partial_args = 24,
		.futureiter_future = 16,
		.all_tasks_name = "_scheduled_tasks",
		.stackpointer = 1, .await_slot = 2,
		.gen_frame_state = 67, .yield_from_lo = 2, .yield_from_hi = 3,
		.task_awaited_by = 96, .task_awaited_by_is_set = 109,
		.task_node = 152, .task_size = 168,
		.tstate_running_task = 1032, .tstate_tasks_head = 1048,
		.interp_tasks_head = 10856,
	},
};

const struct py_async_layout *py_async_layout_find(int major, int minor)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].major == major && rows[i].minor == minor)
			return &rows[i];
	return NULL;
}
