# lookup_set.py - examples/lookup.py fixed: the catalogue is a set, so
# each membership test is O(1) and run_dummy all but vanishes from the
# flame graph.
import random


def build_catalogue(n):
    return {f"item-{i}" for i in range(n)}


def run_dummy(catalogue, queries):
    found = 0
    for q in queries:
        if q in catalogue:  # O(1) per query
            found += 1
    return found


def main():
    random.seed(1)
    catalogue = build_catalogue(20000)
    queries = [f"item-{random.randrange(40000)}" for _ in range(36000)]
    print("found", run_dummy(catalogue, queries))


if __name__ == "__main__":
    main()
