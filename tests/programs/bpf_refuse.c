/*
 * bpf_refuse.c - an LD_PRELOAD library that plays a kernel whose
 * verifier refuses scorch's sampling program: every BPF_PROG_LOAD of a
 * perf_event program fails with EACCES and a verifier log (as the
 * kernel writes it into the caller's log buffer), every other bpf()
 * call goes through.  For tests/e2e/record_bpf.sh: the refusal must
 * come out as one line with the verifier's reason, and the other
 * engines must record.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <linux/bpf.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/syscall.h>

static const char refusal_log[] =
	"0: R1=ctx() R10=fp0\n"
	"; s = bpf_map_lookup_elem(&scratch, &zero);\n"
	"12: (61) r1 = *(u32 *)(r0 +0)\n"
	"R0 invalid mem access 'map_value_or_null'\n"
	"processed 12 insns (limit 1000000) max_states_per_insn 0 total_states 1 peak_states 1 mark_read 1\n";

long syscall(long nr, ...)
{
	static long (*real)(long, ...);
	long a[6];
	va_list ap;

	va_start(ap, nr);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	if (nr == SYS_bpf && a[0] == BPF_PROG_LOAD) {
		union bpf_attr *attr = (union bpf_attr *)a[1];

		if (attr->prog_type == BPF_PROG_TYPE_PERF_EVENT) {
			if (attr->log_buf && attr->log_size)
				snprintf((char *)(unsigned long)attr->log_buf,
					 attr->log_size, "%s", refusal_log);
			errno = EACCES;
			return -1;
		}
	}
	if (!real)
		real = (long (*)(long, ...))dlsym(RTLD_NEXT, "syscall");
	return real(nr, a[0], a[1], a[2], a[3], a[4], a[5]);
}
