/*
 * asyncio_layouts.c - where asyncio keeps tasks, per CPython version: one
 * row per minor of the _asyncio C module's Future/Task structs and of the
 * few other objects the task-chain reader (asyncio.c) follows.
 *
 * Facts measured with scripts/asyncio_offsets.py in live 3.11.7, 3.12.1,
 * 3.13.0 and Debian's 3.11.2 (x86_64, GIL builds): it finds known
 * pointers inside real objects.  A version without a row has no --async.
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
};

const struct py_async_layout *py_async_layout_find(int major, int minor)
{
	size_t i;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		if (rows[i].major == major && rows[i].minor == minor)
			return &rows[i];
	return NULL;
}
