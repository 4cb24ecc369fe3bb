/*
 * native_threads.c - threads that start and end while recording: the main
 * thread spins in main_work() while worker threads, created and joined in
 * rounds, spin in thread_work().  For tests/e2e/native_record.sh and
 * native_idle.sh.
 */
#include <pthread.h>
#include <stdlib.h>

volatile unsigned long threads_sink;

/* twice main_work's loop, so the main thread's joins wait (an [idle]
 * stack in pthread_join for native_idle.sh) even when it got less CPU */
__attribute__((noinline)) static void thread_work(void)
{
	for (unsigned long i = 0; i < 80000000UL; i++)
		threads_sink += i * 3;	/* differs from main_work: no folding */
}

static void *thread_main(void *arg)
{
	(void)arg;
	thread_work();
	return NULL;
}

__attribute__((noinline)) static void main_work(void)
{
	for (unsigned long i = 0; i < 40000000UL; i++)
		threads_sink += i;
}

int main(int argc, char **argv)
{
	int rounds = argc > 1 ? atoi(argv[1]) : 4;

	for (int r = 0; r < rounds; r++) {
		pthread_t t[2];
		for (int i = 0; i < 2; i++)
			pthread_create(&t[i], NULL, thread_main, NULL);
		main_work();
		for (int i = 0; i < 2; i++)
			pthread_join(t[i], NULL);
	}
	return 0;
}
