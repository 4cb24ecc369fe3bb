# deep.py DEPTH SECONDS - recurses DEPTH frames deep (rec), then spins in
# leaf() until SECONDS of CPU time have passed.  Prints READY once at
# depth (for attaching tools), then DEPTH_SEEN, the stack depth leaf
# itself counts (frames from leaf up to the module), when it is done.
import sys, time

depth = int(sys.argv[1])
seconds = float(sys.argv[2])
sys.setrecursionlimit(depth + 100)


def leaf():
    f, n = sys._getframe(), 0
    while f:
        n += 1
        f = f.f_back
    print("READY", flush=True)
    end = time.process_time() + seconds
    x = 0
    while time.process_time() < end:
        x += 1
    print("DEPTH_SEEN", n, flush=True)


def rec(k):
    if k > 0:
        rec(k - 1)
    else:
        leaf()


rec(depth)
