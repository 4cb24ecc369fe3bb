/*
 * test_asyncio.c - the asyncio layout table and the awaiter graph: rows
 * exist exactly for 3.11-3.15 with Task fields after the Future header;
 * the _AsyncioDebug blocks of Debian's 3.14.10 and 3.15.2 decode to the
 * rows' offsets and a block with an offset outside its struct is refused;
 * pyasync_awaiter, run on fake objects built in this process (read back
 * through process_vm_readv like a target's), finds a task's awaiter through
 * a bound wakeup, gather's closure, a partial, the callbacks list, and
 * finds none for a task nobody awaits or a closure holding no future;
 * on 3.14 rows it reads the task's awaited_by instead (one task, or a set
 * whose first other task is the awaiter; a future there is no awaiter).
 */
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "test.h"
#include "python/asyncio.h"
#include "python/reader.h"

static void test_rows(void)
{
	int minor;

	CHECK(!py_async_layout_find(3, 10));
	CHECK(!py_async_layout_find(3, 16));
	CHECK(!py_async_layout_find(2, 11));
	for (minor = 11; minor <= 15; minor++) {
		const struct py_async_layout *al = py_async_layout_find(3, minor);

		CHECK(al && al->minor == minor);
		if (!al)
			continue;
		/* the callbacks come before the state; a Task's fields
		 * follow its Future header, in declaration order */
		CHECK(al->fut_callback0 < al->fut_callbacks);
		CHECK(al->fut_callbacks < al->fut_state);
		CHECK(al->fut_state < al->task_fut_waiter);
		CHECK(al->task_coro == al->task_fut_waiter + 8);
		CHECK(al->task_name == al->task_coro + 8);
		CHECK(al->task_fut_waiter % 8 == 0);
		CHECK(al->gen_iframe % 8 == 0 && al->gen_iframe >= 72);
	}
	CHECK(py_async_layout_find(3, 13)->fut_dict == 0);	/* managed */
	CHECK(!py_async_layout_find(3, 13)->tstate_running_task);
	CHECK(py_async_layout_find(3, 14)->stackpointer);
}

/* The .AsyncioDebug sections of Debian's 3.14.10 (_asyncio.so) and
 * 3.15.2 (the executable), as objdump -s shows them. */
static void test_debug_block(void)
{
	static const uint64_t b314[13] = {
		0xa8, 0x88, 0x60, 0x6c, 0x6d, 0x80, 0x98,
		0x37248, 0x2a80, 0x3a8, 0x360, 0x368, 0x370,
	};
	static const uint64_t b315[13] = {
		0xa8, 0x88, 0x60, 0x6c, 0x6d, 0x80, 0x98,
		0x373c0, 0x2a68, 0x450, 0x400, 0x408, 0x418,
	};
	const uint64_t *blocks[2] = { b314, b315 };
	uint64_t bad[13];
	int i;

	for (i = 0; i < 2; i++) {
		const struct py_async_layout *row = py_async_layout_find(3, 14 + i);
		struct py_async_layout al;

		memset(&al, 0, sizeof(al));
		CHECK(py_async_debug_block(blocks[i], 13, &al) == 1);
		CHECK(row && al.task_name == row->task_name &&
		      al.task_coro == row->task_coro &&
		      al.task_awaited_by == row->task_awaited_by &&
		      al.task_awaited_by_is_set == row->task_awaited_by_is_set &&
		      al.task_node == row->task_node &&
		      al.tstate_running_task == row->tstate_running_task &&
		      al.tstate_tasks_head == row->tstate_tasks_head &&
		      al.interp_tasks_head == row->interp_tasks_head);
	}
	/* the running task past the thread state's size: refused whole */
	{
		struct py_async_layout al;

		memcpy(bad, b314, sizeof(bad));
		bad[11] = 0x3a8;
		memset(&al, 0, sizeof(al));
		CHECK(py_async_debug_block(bad, 13, &al) == 0);
		CHECK(al.task_name == 0);
		CHECK(py_async_debug_block(b314, 12, &al) == 0);
	}
}

/* Fake objects: 16 words each; word 1 is the type. */
enum { TASK_T, FUTURE_T, GATHER_T, CFUNC_T, FUNC_T, TUPLE_T, CELL_T,
       PARTIAL_T, LIST_T, NR_TYPES };
static const char *names[NR_TYPES] = {
	"_asyncio.Task", "_asyncio.Future", "_GatheringFuture",
	"builtin_function_or_method", "function", "tuple", "cell",
	"functools.partial", "list",
};
static uint64_t types[NR_TYPES][8];
static uint64_t objs[32][24];
static size_t nr_objs;

static uint64_t *new_obj(int type)
{
	uint64_t *o = objs[nr_objs++];

	memset(o, 0, sizeof(objs[0]));
	o[1] = (uintptr_t)types[type];
	return o;
}

#define ADDR(p) ((uint64_t)(uintptr_t)(p))
#define SET(obj, off, v) memcpy((char *)(obj) + (off), &(uint64_t){ (v) }, 8)

static void test_awaiters(void)
{
	static struct pyreader r;
	const struct py_async_layout *al;
	struct pyasync *a;
	uint64_t *sup, *alpha, *beta, *lone, *wake, *outer, *func, *tuple,
		*cell, *partial, *ptuple, *waiter, *wake2, *list, *pair,
		*direct, *odd, *otuple, *ocell;
	int i;

	for (i = 0; i < NR_TYPES; i++)
		types[i][3] = (uintptr_t)names[i];	/* tp_name */
	memset(&r, 0, sizeof(r));
	r.pid = getpid();
	r.layout.major = 3;
	r.layout.minor = 12;
	a = pyasync_open(&r);
	CHECK(a != NULL);
	if (!a)
		return;
	al = py_async_layout_find(3, 12);

	/* gather: alpha's callback is a closure holding `outer`, whose
	 * callback is the supervisor's bound wakeup */
	sup = new_obj(TASK_T);
	alpha = new_obj(TASK_T);
	wake = new_obj(CFUNC_T);
	SET(wake, al->cfunction_self, ADDR(sup));
	outer = new_obj(GATHER_T);
	SET(outer, al->fut_callback0, ADDR(wake));
	cell = new_obj(CELL_T);
	SET(cell, 16, ADDR(outer));
	tuple = new_obj(TUPLE_T);
	SET(tuple, 16, 2);			/* ob_size */
	SET(tuple, 24, ADDR(alpha));		/* not a cell: skipped */
	SET(tuple, 32, ADDR(cell));
	func = new_obj(FUNC_T);
	SET(func, al->function_closure, ADDR(tuple));
	SET(alpha, al->fut_callback0, ADDR(func));
	CHECK(pyasync_awaiter(a, &r, ADDR(alpha)) == ADDR(sup));

	/* `await beta` directly: beta's callback wakes the supervisor */
	beta = new_obj(TASK_T);
	direct = new_obj(CFUNC_T);
	SET(direct, al->cfunction_self, ADDR(sup));
	SET(beta, al->fut_callback0, ADDR(direct));
	CHECK(pyasync_awaiter(a, &r, ADDR(beta)) == ADDR(sup));

	/* nobody awaits the supervisor */
	CHECK(pyasync_awaiter(a, &r, ADDR(sup)) == 0);

	/* 3.11 wait_for: partial(_release_waiter, waiter), in the list of
	 * callbacks after a closure that holds no future */
	lone = new_obj(TASK_T);
	waiter = new_obj(FUTURE_T);
	wake2 = new_obj(CFUNC_T);
	SET(wake2, al->cfunction_self, ADDR(sup));
	SET(waiter, al->fut_callback0, ADDR(wake2));
	ptuple = new_obj(TUPLE_T);
	SET(ptuple, 16, 1);
	SET(ptuple, 24, ADDR(waiter));
	partial = new_obj(PARTIAL_T);
	SET(partial, al->partial_args, ADDR(ptuple));
	ocell = new_obj(CELL_T);
	SET(ocell, 16, ADDR(ptuple));		/* a tuple, not a future */
	otuple = new_obj(TUPLE_T);
	SET(otuple, 16, 1);
	SET(otuple, 24, ADDR(ocell));
	odd = new_obj(FUNC_T);
	SET(odd, al->function_closure, ADDR(otuple));
	SET(lone, al->fut_callback0, ADDR(odd));
	CHECK(pyasync_awaiter(a, &r, ADDR(lone)) == 0);
	pair = new_obj(TUPLE_T);		/* (callback, context) */
	SET(pair, 16, 2);
	SET(pair, 24, ADDR(partial));
	list = new_obj(LIST_T);
	SET(list, 16, 1);
	/* a list's ob_item points at an array of item pointers */
	{
		static uint64_t items[1];

		items[0] = ADDR(pair);
		SET(list, 24, ADDR(items));
		SET(lone, al->fut_callbacks, ADDR(list));
		CHECK(pyasync_awaiter(a, &r, ADDR(lone)) == ADDR(sup));
	}
	pyasync_close(a);
}

static void test_awaited_by(void)
{
	static struct pyreader r;
	static uint64_t table[8][2];	/* a set's (key, hash) entries */
	const struct py_async_layout *al;
	struct pyasync *a;
	uint64_t *sup, *alpha, *beta, *gamma, *set, *fut, *delta;
	unsigned char yes = 1;
	int i;

	for (i = 0; i < NR_TYPES; i++)
		types[i][3] = (uintptr_t)names[i];	/* tp_name */
	memset(&r, 0, sizeof(r));
	r.pid = getpid();
	r.layout.major = 3;
	r.layout.minor = 14;
	a = pyasync_open(&r);
	CHECK(a != NULL);
	if (!a)
		return;
	al = py_async_layout_find(3, 14);
	CHECK(al->task_awaited_by_is_set + 1 <= sizeof(objs[0]));
	nr_objs = 0;

	/* one awaiter, stored as the object itself */
	sup = new_obj(TASK_T);
	alpha = new_obj(TASK_T);
	SET(alpha, al->task_awaited_by, ADDR(sup));
	CHECK(pyasync_awaiter(a, &r, ADDR(alpha)) == ADDR(sup));
	CHECK(pyasync_awaiter(a, &r, ADDR(sup)) == 0);

	/* a set: empty slots, the task itself, then its awaiter */
	beta = new_obj(TASK_T);
	set = new_obj(LIST_T);		/* its type is not looked at */
	SET(set, 32, 7);		/* mask: 8 entries */
	SET(set, 40, ADDR(table));
	table[3][0] = ADDR(beta);
	table[5][0] = ADDR(sup);
	SET(beta, al->task_awaited_by, ADDR(set));
	memcpy((char *)beta + al->task_awaited_by_is_set, &yes, 1);
	CHECK(pyasync_awaiter(a, &r, ADDR(beta)) == ADDR(sup));

	/* a set holding only the task itself, and a future: none */
	gamma = new_obj(TASK_T);
	table[5][0] = 0;
	SET(gamma, al->task_awaited_by, ADDR(set));
	memcpy((char *)gamma + al->task_awaited_by_is_set, &yes, 1);
	table[3][0] = ADDR(gamma);
	CHECK(pyasync_awaiter(a, &r, ADDR(gamma)) == 0);
	fut = new_obj(FUTURE_T);
	delta = new_obj(TASK_T);
	SET(delta, al->task_awaited_by, ADDR(fut));
	CHECK(pyasync_awaiter(a, &r, ADDR(delta)) == 0);
	pyasync_close(a);
}

int main(void)
{
	RUN(test_rows);
	RUN(test_debug_block);
	RUN(test_awaiters);
	RUN(test_awaited_by);
	TEST_EXIT();
}
