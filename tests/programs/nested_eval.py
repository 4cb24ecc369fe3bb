# nested_eval.py SECONDS - Python called back from C: sorted() calls
# key() for every item, so on 3.11+ each key() call runs in an eval
# loop of its own under sorted's C frames (a nested
# _PyEval_EvalFrameDefault).  For `record --native`: key's samples must
# show main, the C frames of sorted, then key.
import sys
import time


def key(x):
    total = 0
    for i in range(300):
        total += i * x
    return total


def main(seconds):
    end = time.process_time() + seconds
    while time.process_time() < end:
        sorted(range(500), key=key)


main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
