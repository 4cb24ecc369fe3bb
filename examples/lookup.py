# lookup.py - the walkthrough's slow program: membership tests against a
# list are O(n), so run_dummy spends nearly all its time on one line.
# Profile it:  scorch record -o lookup.svg -- python3 examples/lookup.py
# The fix is examples/lookup_set.py (same work, a set: O(1) lookups).
import random
import sys


def build_catalogue(n):
    return [f"item-{i}" for i in range(n)]


def run_dummy(catalogue, queries):
    found = 0
    for q in queries:
        if q in catalogue:  # O(len(catalogue)) per query
            found += 1
    return found


def main():
    random.seed(1)
    catalogue = build_catalogue(20000)
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 36000
    queries = [f"item-{random.randrange(40000)}" for _ in range(count)]
    print("found", run_dummy(catalogue, queries))


if __name__ == "__main__":
    main()
