/*
 * fake_runtime.c - a process that looks like a CPython 3.13+ to a reader
 * from outside: a _PyRuntime in a .PyRuntime section that starts with a
 * _Py_DebugOffsets block.  The block holds the values of a real 3.15.2
 * (Debian 3.15.2-1), changed by argv[1]:
 *   future   version 3.16.0 (a layout this scorch cannot know)
 *   ft       the free_threaded flag set (a 3.15t build)
 *   bad      thread_state.current_frame outside the thread state
 * Writes "ready" to the file argv[2] once set up, then sleeps until
 * killed.  Used by tests/e2e/python_refusals.sh.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

__attribute__((section(".PyRuntime"), used))
uint64_t _PyRuntime[4096];

static const uint64_t real_315[111] = {
	0, 0x030f02f0, 0,
	346568, 912, 936,
	226240, 7272, 7264, 7336, 7352, 7400, 7592, 7576, 7584, 16,
	7736, 0, 7752, 7744, 7944, 0,
	888, 0, 8, 16, 72, 80, 88, 96, 176, 184, 256, 32, 36, 40, 136, 288,
	0,
	88, 8, 0, 56, 80, 74, 64, 0,
	216, 112, 120, 128, 136, 68, 52, 96, 104, 208, 0,
	16, 8,
	424, 24, 88, 168, 32, 288,
	944, 888,
	40, 32, 16,
	40, 24, 16,
	200, 24, 40, 32,
	48, 32, 40,
	24, 16,
	32, 16, 24,
	40, 16, 32,
	64, 32, 16, 40, 56,
	176, 112, 120, 1120, 104,
	160, 24, 72, 67,
	0, 8,
	24, 344, 8028, 0, 4, 512,
};

int main(int argc, char **argv)
{
	FILE *f;

	if (argc < 3)
		return 2;
	memcpy(_PyRuntime, real_315, sizeof(real_315));
	memcpy(_PyRuntime, "xdebugpy", 8);
	if (!strcmp(argv[1], "future"))
		_PyRuntime[1] = 0x031000f0;
	else if (!strcmp(argv[1], "ft"))
		_PyRuntime[2] = 1;
	else if (!strcmp(argv[1], "bad"))
		_PyRuntime[26] = 1u << 20;
	else
		return 2;
	f = fopen(argv[2], "w");
	if (!f)
		return 1;
	fputs("ready\n", f);
	fclose(f);
	for (;;)
		pause();
}
