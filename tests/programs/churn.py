# churn.py - frames pushed and popped as fast as possible, for scorch's
# stack-consistency test.  Two call chains that never mix:
#   main -> left -> left_mid -> left_leaf
#   main -> right -> right_mid -> right_leaf
# Every call is short, so frame memory is reused all the time (the data
# stack on 3.11+, zombie frames before).  A profile that shows, say,
# right_leaf under left_mid has read a frame mid-change.
import sys
import time


def left_leaf(n):
    return sum(range(n))


def left_mid(n):
    return left_leaf(n) + left_leaf(n + 1)


def left(n):
    return left_mid(n) - left_mid(n - 1)


def right_leaf(n):
    return max(range(n))


def right_mid(n):
    return right_leaf(n) * 2


def right(n):
    return right_mid(n) + right_mid(n + 2)


def main():
    seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 1.0
    end = time.process_time() + seconds
    k = 0
    while time.process_time() < end:
        for _ in range(200):
            k += left(8) + right(8)
    print("CHURN", k > 0)


if __name__ == "__main__":
    main()
