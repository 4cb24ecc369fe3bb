# sleeper.py - blocks in time.sleep so `scorch dump` can be checked.
# Prints "SLEEP_LINE <n>" (the line of the sleep call) and then sleeps.
import sys
import threading
import time


def nap(seconds):
    time.sleep(seconds)  # SLEEP_HERE


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 30.0
    line = nap.__code__.co_firstlineno + 1
    t = threading.Thread(target=nap, args=(seconds,), name="napper")
    t.start()
    print("SLEEP_LINE", line, flush=True)
    nap(seconds)
    t.join()


if __name__ == "__main__":
    main()
