/*
 * native_jit.c - a tiny "JIT": copies two machine-code loops into an
 * anonymous executable mapping, names them in /tmp/perf-PID.map
 * (jit_hot 3 : jit_cold 1) and runs them.  x86_64 only.  The map file is
 * removed at exit unless argv[2] is "keep".  For the tests of planted
 * maps, argv[2] "nobody" gives the map to uid 65534 (as if another user
 * had planted it; needs root), "symlink" writes the names to
 * PATH.real and makes the map a symbolic link to it, and "sparse" makes
 * the map 1 GiB long (a sparse tail of zeros after the names).
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
	const char *mode = argc > 2 ? argv[2] : NULL;
	char path[64], real[80];
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
	snprintf(real, sizeof(real), "%s.real", path);
	/* a process that had this pid before may have left its map (CPython's
	 * -X perf never removes its own): symlink() would fail on it */
	unlink(path);
	unlink(real);
	fp = fopen(mode && !strcmp(mode, "symlink") ? real : path, "w");
	if (!fp)
		return 1;
	fprintf(fp, "%lx %zx jit_hot\n", (unsigned long)hot, sizeof(loop_code));
	fprintf(fp, "%lx %zx jit_cold\n", (unsigned long)cold,
		sizeof(loop_code));
	if (mode && !strcmp(mode, "nobody") && fchown(fileno(fp), 65534, 65534))
		return 1;
	if (mode && !strcmp(mode, "sparse") &&
	    (fflush(fp) || ftruncate(fileno(fp), 1L << 30)))
		return 1;
	fclose(fp);
	if (mode && !strcmp(mode, "symlink") && symlink(real, path))
		return 1;
	for (int i = 0; i < reps; i++) {
		hot(600000000UL);
		cold(200000000UL);
	}
	if (!mode || strcmp(mode, "keep"))
		unlink(path);
	unlink(real);
	return 0;
}
