# async_tasks.py - two named asyncio tasks, alpha and beta, started by one
# supervising coroutine and awaited through gather; both burn CPU in the
# same coroutine, alpha three units per round for beta's one; a third
# task, "sleeper", waits on an Event meanwhile (for --async --idle).
#   python3 async_tasks.py OUT SECONDS [READY]
# Writes "alpha SECONDS\nbeta SECONDS" (each task's own thread CPU time
# in `shared`) to OUT at the end; with READY, creates that file once both
# tasks run, then keeps going until SECONDS of CPU have been spent.
import asyncio
import sys
import time

UNIT = 0.004
spent = {"alpha": 0.0, "beta": 0.0}


def spin():
    x = 0
    for i in range(500):
        x += i * i
    return x


async def shared(name, units):
    start = time.thread_time()
    end = start + units * UNIT
    while time.thread_time() < end:
        spin()
    spent[name] += time.thread_time() - start


async def worker(name, units, budget, ready):
    while spent["alpha"] + spent["beta"] < budget:
        await shared(name, units)
        if ready and spent["alpha"] and spent["beta"]:
            open(ready, "w").close()
            ready = None
        await asyncio.sleep(0)


async def idle_wait(stop):
    await stop.wait()


async def supervise(budget, ready):
    stop = asyncio.Event()
    sleeper = asyncio.create_task(idle_wait(stop), name="sleeper")
    alpha = asyncio.create_task(worker("alpha", 3, budget, ready), name="alpha")
    beta = asyncio.create_task(worker("beta", 1, budget, None), name="beta")
    await asyncio.gather(alpha, beta)
    stop.set()
    await sleeper


async def main():
    await supervise(float(sys.argv[2]), sys.argv[3] if len(sys.argv) > 3 else None)


asyncio.run(main())
with open(sys.argv[1], "w") as f:
    for name in ("alpha", "beta"):
        f.write("%s %.6f\n" % (name, spent[name]))
