# asyncio_offsets.py - prints, for the running CPython, the byte offsets
# src/python/asyncio_layouts.c needs (one row of its table).  Each is found
# by looking for a known pointer inside a live object with ctypes; run it
# with each interpreter when adding a version:
#     python3.X scripts/asyncio_offsets.py
# frame_stacktop (64) and frame_localsplus (72) are not searched for: the
# script checks them by finding the awaited FutureIter on the value stack.
import asyncio
import ctypes
import functools
import gc
import sys

P = ctypes.sizeof(ctypes.c_void_p)


def words(obj, n):
    return (ctypes.c_uint64 * n).from_address(id(obj))


def find(obj, target, n=40):
    """Byte offset of a pointer to target inside obj, -1 if none."""
    w = words(obj, n)
    for i in range(2, n):
        if w[i] == id(target):
            return i * P
    return -1


out = {}


async def leaf(fut):
    await fut


async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    task = asyncio.create_task(leaf(fut), name="probe-task")
    step = loop._ready[-1]._callback          # the task's first step
    out["handle_callback"] = find(loop._ready[-1], step, 12)
    out["stepwrapper_task"] = find(step, task, 4)
    await asyncio.sleep(0)                     # task now waits on fut
    out["fut_loop"] = find(fut, loop)
    out["task_fut_waiter"] = find(task, fut)
    out["task_coro"] = find(task, task.get_coro())
    out["task_name"] = find(task, task.get_name())
    wakeup = fut._callbacks[0][0]              # builtin method bound to task
    out["fut_callback0"] = find(fut, wakeup)
    out["cfunction_self"] = find(wakeup, task, 8)
    fut.add_done_callback(print)               # a second one: the list
    lists = [o for o in gc.get_referents(fut) if type(o) is list]
    out["fut_callbacks"] = find(fut, lists[0]) if lists else -1
    coro = task.get_coro()
    frame = ctypes.c_uint64.from_address(id(coro.cr_frame) + 3 * P).value
    out["gen_iframe"] = frame - id(coro)
    top = ctypes.c_int.from_address(frame + 64).value
    yf = ctypes.c_uint64.from_address(frame + 72 + (top - 1) * P).value
    it = ctypes.cast(yf, ctypes.py_object).value
    out["stack_top_is"] = type(it).__name__
    out["futureiter_future"] = find(it, fut, 4)
    before = list(words(fut, 20))
    fut.cancel()
    after = list(words(fut, 20))
    out["fut_state"] = [i * P for i in range(2, 20)
                        if before[i] == 0 and after[i] in (1, 1 | 1 << 32)]
    try:
        await task
    except asyncio.CancelledError:
        pass
    # gather: the _GatheringFuture's instance dict, its closure's cells
    g = asyncio.gather(asyncio.sleep(1))
    d = [o for o in gc.get_referents(g) if type(o) is dict and "_children" in o]
    out["fut_dict"] = find(g, d[0]) if d else "none (managed dict)"
    child = g._children[0]
    done_cb = child._callbacks[0][0]
    out["function_closure"] = find(done_cb, done_cb.__closure__, 12)
    g.cancel()
    try:
        await g
    except asyncio.CancelledError:
        pass
    part = functools.partial(print, fut)
    out["partial_args"] = find(part, part.args, 6)
    meth = asyncio.Event().wait
    out["method_self"] = find(meth, meth.__self__, 6)
    tasks = asyncio.tasks
    out["all_tasks_name"] = [n for n in ("_scheduled_tasks", "_all_tasks")
                             if hasattr(tasks, n)][:1]


asyncio.run(main())
print(sys.version.split()[0], out)
