# split.py - a known 3:1 CPU split for scorch's end-to-end tests.
#
# The main thread alternates between Ledger.tally (a method, 3 parts of
# the work) and café_λ (a non-ASCII function name, 1 part) while a
# background thread named "idler" sleeps.  It prints the line number of
# the hot loop inside Ledger.tally so a test can compare it with the
# profile: "TALLY_LINE <n>".  With SPLIT_TRUTH set in the environment it
# also times each call with the thread's CPU clock and prints the measured
# share of Ledger.tally in tally + café_λ at the end: "TRUTH <share>"
# (bench/accuracy.sh compares profilers with it).
import os
import random
import sys
import threading
import time


class Ledger:
    def tally(self, n):
        total = 0
        for i in range(n):
            # the body outweighs the loop header, so the hot line is clear
            total += (i * 7 ^ i >> 3) % 251 & 255  # TALLY_HOT
        return total


def café_λ(n):
    total = 0
    for i in range(n):
        total += (i * 7 ^ i >> 3) % 251 & 255
    return total


def idler(stop):
    while not stop.is_set():
        time.sleep(0.05)


def hot_line():
    import inspect
    src, start = inspect.getsourcelines(Ledger.tally)
    for k, text in enumerate(src):
        if "TALLY_HOT" in text and "import" not in text:
            return start + k
    return 0


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
    print("TALLY_LINE", hot_line(), flush=True)
    stop = threading.Event()
    t = threading.Thread(target=idler, args=(stop,), name="idler")
    t.start()
    ledger = Ledger()
    rng = random.Random(7)
    # a CPU-time budget: on a loaded machine the run takes longer but
    # the amount of work measured stays the same.  The clock is read
    # rarely: a system call is where a busy machine preempts a thread.
    truth = os.environ.get("SPLIT_TRUTH")
    spent = [0.0, 0.0]
    clock = getattr(time, "thread_time", time.process_time)  # 3.7+
    end = time.process_time() + seconds
    while time.process_time() < end:
        for _ in range(20):
            # random chunk sizes: no period for the sampler to alias with
            n = rng.randrange(3000, 30000)
            if truth:
                t0 = clock()
                ledger.tally(3 * n)
                t1 = clock()
                café_λ(n)
                spent[0] += t1 - t0
                spent[1] += clock() - t1
            else:
                ledger.tally(3 * n)
                café_λ(n)
    stop.set()
    t.join()
    if truth:
        print("TRUTH %.4f" % (spent[0] / (spent[0] + spent[1])), flush=True)


if __name__ == "__main__":
    main()
