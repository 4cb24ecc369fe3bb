# async_groups.py - tasks awaited through a TaskGroup and wait_for: the
# group's parent task (main) starts "tg-child" and "wf" (wait_for around a
# coroutine); both burn CPU in `burn`, yielding to each other.
#   python3 async_groups.py SECONDS
import asyncio
import sys
import time


def spin():
    x = 0
    for i in range(500):
        x += i
    return x


async def burn(seconds):
    end = time.thread_time() + seconds
    while time.thread_time() < end:
        spin()
        await asyncio.sleep(0)


async def child(seconds):
    await burn(seconds)


async def main(seconds):
    async with asyncio.TaskGroup() as tg:
        tg.create_task(child(seconds), name="tg-child")
        tg.create_task(asyncio.wait_for(burn(seconds), 60), name="wf")


asyncio.run(main(float(sys.argv[1]) / 2))
