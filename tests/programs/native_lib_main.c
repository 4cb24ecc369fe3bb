/*
 * native_lib_main.c - calls lib_heavy()/lib_light() from libnativesplit.so
 * (native_lib.c), for the shared-library case of native_record.sh.
 */
#include <stdlib.h>

void lib_heavy(void);
void lib_light(void);

int main(int argc, char **argv)
{
	int reps = argc > 1 ? atoi(argv[1]) : 4;

	for (int i = 0; i < reps; i++) {
		lib_heavy();
		lib_light();
	}
	return 0;
}
