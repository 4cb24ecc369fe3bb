/*
 * native_split.c - a C program with a known 3:1 split of CPU time between
 * heavy() and light(), for tests/e2e/native_record.sh.  Compiled by the
 * test with -O2 -fomit-frame-pointer.  Argument: repetitions (default 4).
 * With SCORCH_BENCH_CPU set it prints its own CPU seconds (bench/native.sh).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

volatile unsigned long native_sink, native_calls;

__attribute__((noinline)) static void spin(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		native_sink += i * i;
}

__attribute__((noinline)) void heavy(void)
{
	spin(150000000UL);
	native_calls++;		/* not a tail call: heavy stays on the stack */
}

__attribute__((noinline)) void light(void)
{
	spin(50000000UL);
	native_calls++;
}

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 4;

	for (int i = 0; i < reps; i++) {
		heavy();
		light();
	}
	if (getenv("SCORCH_BENCH_CPU"))
		fprintf(stderr, "cpu_seconds=%.3f\n",
			(double)clock() / CLOCKS_PER_SEC);
	return native_calls == 0;
}
