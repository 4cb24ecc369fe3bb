# busy.py - fixed CPU work for bench/record.sh: a few nested calls in a
# loop.  argv[1] = rounds (default 30), or "forever".  Prints "ELAPSED <s>"
# (the CPU time of the work, measured inside the program: neither a
# profiler's start-up nor waiting for a CPU on a busy machine counts) and
# "WALL <s>".  Forever, it prints "BUSY_READY" once it is running its
# functions, for tests that attach to it.
import sys
import time


def leaf(n):
    total = 0
    for i in range(n):
        total += i
    return total


def middle(n):
    return leaf(n) + leaf(n // 2)


def outer(rounds):
    total = 0
    for _ in range(rounds):
        total += middle(200000)
    return total


def main():
    arg = sys.argv[1] if len(sys.argv) > 1 else "30"
    if arg == "forever":
        outer(1)
        print("BUSY_READY", flush=True)
        while True:
            outer(10)
    wall = time.perf_counter()
    cpu = time.process_time()
    outer(int(arg))
    print("ELAPSED %.6f" % (time.process_time() - cpu), flush=True)
    print("WALL %.6f" % (time.perf_counter() - wall), flush=True)


if __name__ == "__main__":
    main()
