# workers.py - a multiprocessing pool whose workers burn CPU in
# busy_worker(), for `scorch record --subprocesses`.
import multiprocessing
import sys


def busy_worker(n):
    total = 0
    for i in range(n):
        total += i % 7
    return total


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 8
    with multiprocessing.Pool(2) as pool:
        print(sum(pool.map(busy_worker, [1500000] * rounds)), flush=True)


if __name__ == "__main__":
    main()
