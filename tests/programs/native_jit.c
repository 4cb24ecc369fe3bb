/*
 * native_jit.c - a tiny "JIT": copies two machine-code loops into an
 * anonymous executable mapping, names them in /tmp/perf-PID.map
 * (jit_hot 3 : jit_cold 1) and runs them.  x86_64 only.  The map file is
 * removed at exit unless argv[2] is "keep".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* mov %rdi,%rcx; 1: dec %rcx; jnz 1b; ret */
static const unsigned char loop_code[] = {
	0x48, 0x89, 0xf9, 0x48, 0xff, 0xc9, 0x75, 0xfb, 0xc3,
};

typedef void (*loop_fn)(unsigned long);

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 4;
	char path[64];
	unsigned char *code;
	loop_fn hot, cold;
	FILE *fp;

	code = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (code == MAP_FAILED)
		return 1;
	memcpy(code, loop_code, sizeof(loop_code));
	memcpy(code + 64, loop_code, sizeof(loop_code));
	hot = (loop_fn)(void *)code;
	cold = (loop_fn)(void *)(code + 64);
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	fp = fopen(path, "w");
	if (!fp)
		return 1;
	fprintf(fp, "%lx %zx jit_hot\n", (unsigned long)hot, sizeof(loop_code));
	fprintf(fp, "%lx %zx jit_cold\n", (unsigned long)cold,
		sizeof(loop_code));
	fclose(fp);
	for (int i = 0; i < reps; i++) {
		hot(600000000UL);
		cold(200000000UL);
	}
	if (argc <= 2 || strcmp(argv[2], "keep"))
		unlink(path);
	return 0;
}
