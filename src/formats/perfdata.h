/*
 * perfdata.h - the perf.data binary layout, parsed without a profile
 * (reference formats.md section 1).
 *
 * perfdata_parse.c owns the file header, event attributes, feature
 * sections (file mode and pipe-mode HEADER_FEATURE records) and the
 * SAMPLE body for every sample_type bit; it never symbolizes and never
 * touches a profile.  perfdata.c owns the reader ("perfdata") built on it.
 * All input is bounds-checked: a parse function returns -1 rather than
 * read past the end.  Only little-endian, same-endian files are read.
 */
#ifndef SCORCH_FORMATS_PERFDATA_H
#define SCORCH_FORMATS_PERFDATA_H

#include <stddef.h>
#include <stdint.h>

#define PERFDATA_MAGIC 0x32454c4946524550ULL	/* "PERFILE2" */

/* Record types (kernel < 64, perf-tool >= 64). */
enum perfdata_record_type {
	PERFDATA_MMAP = 1, PERFDATA_LOST = 2, PERFDATA_COMM = 3,
	PERFDATA_EXIT = 4, PERFDATA_FORK = 7, PERFDATA_SAMPLE = 9,
	PERFDATA_MMAP2 = 10, PERFDATA_LOST_SAMPLES = 13,
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

struct perfdata_attr {
	uint32_t type;
	uint64_t config, sample_period, sample_type, read_format, flags;
	uint64_t branch_sample_type, regs_user_mask, regs_intr_mask;
	uint32_t stack_user;
	uint64_t *ids;			/* owned */
	size_t nr_ids;
	char *name;			/* owned; from EVENT_DESC or derived */
};

struct perfdata_buildid {
	int32_t pid;
	uint8_t id[20];
	uint8_t size;
	char *filename;			/* owned */
};

struct perfdata_header {
	int pipe;
	struct perfdata_attr *attrs;	/* owned */
	size_t nr_attrs, alloc_attrs;
	uint64_t data_offset, data_size;
	char *hostname, *osrelease, *arch, *version, *cmdline;	/* owned */
	uint64_t first_sample_time, last_sample_time;	/* 0 if unknown */
	struct perfdata_buildid *buildids;	/* owned */
	size_t nr_buildids, alloc_buildids;
	unsigned long bad_features;	/* feature payloads we could not parse */
};

struct perfdata_sample {
	uint64_t id, ip, time, addr, period;
	uint32_t pid, tid, cpu;
	const unsigned char *callchain;	/* nr_callchain u64s, unaligned */
	uint64_t nr_callchain;
	uint64_t regs_abi;
	const unsigned char *regs;	/* popcount(mask) u64s, unaligned */
	uint64_t regs_mask;
	const unsigned char *stack;	/* stack_size bytes, dyn_size valid */
	uint64_t stack_size, dyn_size;
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
 * Parses the file header of buf[0..len).  File mode: attrs, their ids and
 * every feature section; data_offset/data_size name the record stream
 * (clipped to len, with *truncated set when the file is shorter than the
 * header says).  Pipe mode: data starts at 16.  Returns 0, or -1 with a
 * reason in *why (static string) when the file cannot be read at all.
 */
int perfdata_parse_header(const unsigned char *buf, size_t len,
			  struct perfdata_header *h, int *truncated,
			  const char **why);
void perfdata_header_release(struct perfdata_header *h);

/* Adds an attr (raw perf_event_attr of attr_len bytes) with its ids. */
int perfdata_add_attr(struct perfdata_header *h, const unsigned char *attr,
		      size_t attr_len, const unsigned char *ids, size_t nr_ids);
/* Parses one feature payload (bit = feature number).  Returns 0 or -1. */
int perfdata_parse_feature(struct perfdata_header *h, int bit,
			   const unsigned char *p, size_t len);
/* Gives attrs without an EVENT_DESC name one derived from type/config. */
void perfdata_name_attrs(struct perfdata_header *h);

/* The attr a SAMPLE body (or, when sample is 0, a non-sample record's
 * sample_id trailer) belongs to; NULL when the id matches none. */
const struct perfdata_attr *perfdata_record_attr(const struct perfdata_header *h,
						  const unsigned char *body,
						  size_t len, int sample);
/* Timestamp of a record (sample or trailer); -1 when it carries none. */
int64_t perfdata_record_time(const struct perfdata_header *h, uint32_t type,
			     const unsigned char *body, size_t len);

/* Parses a SAMPLE body laid out by a->sample_type.  Returns 0, or -1 when
 * the body is shorter than its fields say. */
int perfdata_parse_sample(const struct perfdata_attr *a,
			  const unsigned char *body, size_t len,
			  struct perfdata_sample *s);

struct profile;
struct read_options;

/* The reader on a whole perf.data image in memory (fuzz targets and tests
 * use it; the registered reader reads its input into memory first).
 * Returns 0 or -1 (reported). */
int perfdata_read_buffer(const unsigned char *buf, size_t len,
			 const char *name, struct profile *p,
			 const struct read_options *o);

#endif
