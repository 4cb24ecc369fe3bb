/*
 * native_lib.c - a shared library (libnativesplit.so in the test) whose
 * lib_heavy()/lib_light() split 3:1; native_lib_main.c calls them.
 */
volatile unsigned long lib_sink, lib_calls;

__attribute__((noinline)) static void lib_spin(unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		lib_sink += i * i;
}

__attribute__((noinline)) void lib_heavy(void)
{
	lib_spin(150000000UL);
	lib_calls++;
}

__attribute__((noinline)) void lib_light(void)
{
	lib_spin(50000000UL);
	lib_calls++;
}
