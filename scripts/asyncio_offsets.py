# asyncio_offsets.py - prints, for the running CPython, the byte offsets
# src/python/asyncio.c reads (a row of its layout table).  Found by looking
# for known pointers inside live objects with ctypes; run it with each
# interpreter when adding a version:  python3.X scripts/asyncio_offsets.py
import asyncio, ctypes, sys

P = ctypes.sizeof(ctypes.c_void_p)

def words(obj, n=40):
    return (ctypes.c_uint64 * n).from_address(id(obj))

def find(obj, target, n=40, start=2):
    w = words(obj, n)
    for i in range(start, n):
        if w[i] == id(target):
            return i * P
    return -1

out = {}

async def leaf(fut):
    await fut

async def main():
    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    t = asyncio.create_task(leaf(fut), name="probe-task")
    await asyncio.sleep(0)          # t now waits on fut
    out["fut_loop"] = find(fut, loop)
    out["task_coro"] = find(t, t.get_coro())
    out["task_name"] = find(t, t.get_name())
    out["task_fut_waiter"] = find(t, fut)
    # fut's first callback is t's wakeup, a builtin method bound to t
    cb = fut._callbacks[0][0]
    out["fut_callback0"] = find(fut, cb)
    out["cfunction_self"] = find(cb, t)
    out["wakeup_type"] = type(cb).__name__
    # a second callback goes to the list fut_callbacks
    fut.add_done_callback(print)
    out["fut_callbacks_list"] = [i * P for i in range(2, 40) if words(fut)[i] and i * P != out["fut_callback0"] and i * P != out["fut_loop"]][:4]
    # state: pending (0) now; look for the word that changes on cancel
    before = list(words(fut))
    coro = t.get_coro()
    out["gen_iframe"] = ctypes.c_uint64.from_address(id(coro.cr_frame) + 3 * P).value - id(coro)
    # the task's frame is suspended awaiting fut: its iterator is on the
    # value stack; stacktop (int) sits at frame+64 on 3.11-3.13
    fr = id(coro) + out["gen_iframe"]
    out["frame_stacktop"] = 64
    out["frame_localsplus"] = 72
    st = ctypes.c_int.from_address(fr + 64).value
    yf = ctypes.c_uint64.from_address(fr + 72 + (st - 1) * P).value
    out["yf_is_futureiter"] = type(ctypes.cast(yf, ctypes.py_object).value).__name__
    out["futureiter_future"] = find(ctypes.cast(yf, ctypes.py_object).value, fut, 8)
    fut.cancel()
    after = list(words(fut))
    out["fut_state"] = [i * P for i in range(2, 40) if before[i] != after[i] and before[i] == 0 and after[i] in (1, 1 << 32 | 0)]
    out["fut_state_raw"] = [(i * P, hex(before[i]), hex(after[i])) for i in range(2, 20) if before[i] != after[i]]
    try:
        await t
    except asyncio.CancelledError:
        pass
    # Handle: the slot order of events.Handle
    h = loop.call_soon(print, "x")
    out["handle_callback"] = find(h, print, 12)
    h.cancel()
    # a _GatheringFuture keeps its children in its instance dict
    g = asyncio.gather(asyncio.sleep(1))
    import gc
    d = [o for o in gc.get_referents(g) if type(o) is dict and "_children" in o]
    out["fut_dict"] = find(g, d[0])
    g.cancel()
    try:
        await g
    except asyncio.CancelledError:
        pass
    # TaskStepMethWrapper: the task it steps
    return

asyncio.run(main())
print(sys.version.split()[0], out)
