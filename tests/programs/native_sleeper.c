/*
 * native_sleeper.c - a C program that spends about 3/4 of its wall time
 * asleep in nap() (nanosleep) and 1/4 burning CPU in burn(), for
 * tests/e2e/native_idle.sh.  It measures the split itself on
 * CLOCK_MONOTONIC and writes "SLEPT_PERCENT" (its whole run's wall time
 * spent in nap) to the file named by its first argument.  Second argument:
 * rounds of 40 ms (default 50).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sleeper_sink;

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU work until `seconds` of wall time passed (a loaded machine takes
 * the CPU away now and then: that is still time spent here) */
__attribute__((noinline)) void burn(double seconds)
{
	double end = now() + seconds;

	while (now() < end)
		for (int i = 0; i < 1000; i++)
			sleeper_sink += (unsigned long)i * i;
}

__attribute__((noinline)) void nap(double seconds)
{
	struct timespec ts = { 0, (long)(seconds * 1e9) };

	nanosleep(&ts, NULL);
	sleeper_sink++;		/* not a tail call: nap stays on the stack */
}

int main(int argc, char **argv)
{
	double start = now(), slept = 0;
	int rounds = argc > 2 ? atoi(argv[2]) : 50;
	FILE *fp;

	for (int i = 0; i < rounds; i++) {
		double t = now();
		nap(0.030);
		slept += now() - t;
		burn(0.010);
	}
	fp = fopen(argc > 1 ? argv[1] : "/dev/stdout", "w");
	if (!fp)
		return 1;
	fprintf(fp, "%.1f\n", 100 * slept / (now() - start));
	return fclose(fp) ? 1 : 0;
}
