/*
 * record.h - the one decoder of perf records, shared by the live ring
 * reader (engines/perf/perf_event.c) and the perf.data reader (formats/).
 *
 * Owns the byte layout of kernel records (SAMPLE for every sample_type
 * bit, MMAP/MMAP2, COMM, FORK, EXIT, LOST, LOST_SAMPLES, THROTTLE,
 * UNTHROTTLE, SWITCH, SWITCH_CPU_WIDE) and of their sample_id trailer.
 * Never symbolizes, never allocates, never prints; every read is
 * bounds-checked.  Layouts: reference formats.md section 1.2-1.3.
 * The constants are the kernel's values under PERFDATA_ names, so the
 * file reader needs no <linux/perf_event.h>.
 */
#ifndef SCORCH_PERF_RECORD_H
#define SCORCH_PERF_RECORD_H

#include <stddef.h>
#include <stdint.h>

/* Record types (kernel < 64, perf-tool >= 64). */
enum perfdata_record_type {
	PERFDATA_MMAP = 1, PERFDATA_LOST = 2, PERFDATA_COMM = 3,
	PERFDATA_EXIT = 4, PERFDATA_THROTTLE = 5, PERFDATA_UNTHROTTLE = 6,
	PERFDATA_FORK = 7, PERFDATA_SAMPLE = 9,
	PERFDATA_MMAP2 = 10, PERFDATA_LOST_SAMPLES = 13,
	PERFDATA_SWITCH = 14, PERFDATA_SWITCH_CPU_WIDE = 15,
	PERFDATA_HEADER_ATTR = 64, PERFDATA_HEADER_BUILD_ID = 67,
	PERFDATA_FINISHED_ROUND = 68, PERFDATA_HEADER_FEATURE = 80,
	PERFDATA_COMPRESSED = 81, PERFDATA_FINISHED_INIT = 82,
};

/* sample_type bits */
#define PERFDATA_S_IP		(1ULL << 0)
#define PERFDATA_S_TID		(1ULL << 1)
#define PERFDATA_S_TIME		(1ULL << 2)
#define PERFDATA_S_ADDR		(1ULL << 3)
#define PERFDATA_S_READ		(1ULL << 4)
#define PERFDATA_S_CALLCHAIN	(1ULL << 5)
#define PERFDATA_S_ID		(1ULL << 6)
#define PERFDATA_S_CPU		(1ULL << 7)
#define PERFDATA_S_PERIOD	(1ULL << 8)
#define PERFDATA_S_STREAM_ID	(1ULL << 9)
#define PERFDATA_S_RAW		(1ULL << 10)
#define PERFDATA_S_BRANCH_STACK	(1ULL << 11)
#define PERFDATA_S_REGS_USER	(1ULL << 12)
#define PERFDATA_S_STACK_USER	(1ULL << 13)
#define PERFDATA_S_WEIGHT	(1ULL << 14)
#define PERFDATA_S_DATA_SRC	(1ULL << 15)
#define PERFDATA_S_IDENTIFIER	(1ULL << 16)
#define PERFDATA_S_TRANSACTION	(1ULL << 17)
#define PERFDATA_S_REGS_INTR	(1ULL << 18)
#define PERFDATA_S_PHYS_ADDR	(1ULL << 19)
#define PERFDATA_S_AUX		(1ULL << 20)
#define PERFDATA_S_CGROUP	(1ULL << 21)
#define PERFDATA_S_DATA_PAGE_SIZE (1ULL << 22)
#define PERFDATA_S_CODE_PAGE_SIZE (1ULL << 23)
#define PERFDATA_S_WEIGHT_STRUCT (1ULL << 24)

/* Callchain context markers are >= this value. */
#define PERFDATA_CONTEXT_MAX	((uint64_t)-4095)
#define PERFDATA_CONTEXT_KERNEL	((uint64_t)-128)
#define PERFDATA_CONTEXT_USER	((uint64_t)-512)

/* header.misc */
#define PERFDATA_MISC_CPUMODE_MASK	7
#define PERFDATA_MISC_KERNEL		1
#define PERFDATA_MISC_USER		2
#define PERFDATA_MISC_COMM_EXEC		(1u << 13)
#define PERFDATA_MISC_SWITCH_OUT	(1u << 13)

/* What of an event's attribute decides its records' layout. */
struct perf_layout {
	uint64_t sample_type, read_format, branch_sample_type;
	uint64_t regs_user_mask, regs_intr_mask;
	int sample_id_all;
};

/* A SAMPLE body.  Pointers point into the record; multi-byte values
 * behind them may be unaligned (read them with perfdata_u64). */
struct perf_sample {
	uint64_t id, ip, time, addr, period;
	uint32_t pid, tid, cpu;
	const unsigned char *callchain;	/* nr_callchain u64s */
	uint64_t nr_callchain;
	uint64_t regs_abi;		/* 0 = no user registers */
	const unsigned char *regs;	/* popcount(mask) u64s */
	uint64_t regs_mask;
	const unsigned char *stack;	/* stack_size bytes, dyn_size valid */
	uint64_t stack_size, dyn_size;
};

enum perf_record_kind {
	PERF_REC_SAMPLE,
	PERF_REC_MMAP,		/* MMAP or MMAP2 */
	PERF_REC_COMM,
	PERF_REC_FORK,
	PERF_REC_EXIT,
	PERF_REC_LOST,		/* LOST or LOST_SAMPLES */
	PERF_REC_THROTTLE,	/* THROTTLE or UNTHROTTLE */
	PERF_REC_SWITCH,	/* SWITCH or SWITCH_CPU_WIDE */
	PERF_REC_OTHER,		/* a kernel type decoded no further */
};

/* One decoded record; pointers point into the record bytes. */
struct perf_record {
	enum perf_record_kind kind;
	uint32_t type;			/* PERFDATA_* record type */
	uint16_t misc;
	uint32_t pid, tid;		/* body, else the sample_id trailer */
	uint64_t time;			/* 0 when the record carries none */
	int has_time;
	int user_mode;			/* misc cpumode is user */
	int kernel_mode;		/* misc cpumode is kernel */
	/* SAMPLE */
	struct perf_sample sample;
	int switch_out;			/* SWITCH: going off CPU; SAMPLE:
					   set by the live engine (--idle) */
	/* MMAP */
	uint64_t addr, len, pgoff;
	uint32_t prot;			/* MMAP: read|exec */
	const char *filename;
	/* COMM */
	const char *comm;
	int comm_exec;
	/* FORK / EXIT */
	uint32_t ppid, ptid;
	/* LOST */
	uint64_t lost;
};

static inline uint64_t perfdata_u64(const unsigned char *p)
{
	uint64_t v;
	__builtin_memcpy(&v, p, 8);
	return v;
}

static inline uint32_t perfdata_u32(const unsigned char *p)
{
	uint32_t v;
	__builtin_memcpy(&v, p, 4);
	return v;
}

/*
 * Decodes the record rec[0..size) (with its 8-byte header) laid out by l.
 * Returns 0, 1 for a record type decoded no further (kind PERF_REC_OTHER:
 * perf-tool records, AUX, KSYMBOL ...), or -1 when the record is shorter
 * than its fields say or a string is unterminated.
 */
int perf_record_decode(const struct perf_layout *l, const unsigned char *rec,
		       size_t size, struct perf_record *r);

/* Decodes a SAMPLE body (without the header).  Returns 0 or -1. */
int perf_sample_decode(const struct perf_layout *l, const unsigned char *body,
		       size_t len, struct perf_sample *s);

/* Timestamp of a record body of the given type (sample or trailer);
 * -1 when it carries none. */
int64_t perf_record_time(const struct perf_layout *l, uint32_t type,
			 const unsigned char *body, size_t len);

/* User register n (perf numbering) of a sample; 0 when absent. */
uint64_t perf_sample_reg(const struct perf_sample *s, int n);

/* Bytes of the sample_id trailer for sample_type t. */
size_t perf_trailer_size(uint64_t t);

#endif
