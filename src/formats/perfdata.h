/*
 * perfdata.h - the perf.data binary layout, parsed without a profile
 * (reference formats.md section 1).
 *
 * perfdata_parse.c owns the file header, event attributes and feature
 * sections (file mode and pipe-mode HEADER_FEATURE records); it never
 * symbolizes and never touches a profile.  Record bodies are decoded by
 * perf/record.c, shared with the live engine.  perfdata.c owns the reader
 * ("perfdata") built on them.
 * All input is bounds-checked: a parse function returns -1 rather than
 * read past the end.  Only little-endian, same-endian files are read.
 */
#ifndef SCORCH_FORMATS_PERFDATA_H
#define SCORCH_FORMATS_PERFDATA_H

#include <stddef.h>
#include <stdint.h>

#include "perf/record.h"

#define PERFDATA_MAGIC 0x32454c4946524550ULL	/* "PERFILE2" */

struct perfdata_attr {
	uint32_t type;
	uint64_t config, sample_period, sample_type, read_format, flags;
	uint64_t branch_sample_type, regs_user_mask, regs_intr_mask;
	uint32_t stack_user;
	uint64_t *ids;			/* owned */
	size_t nr_ids;
	char *name;			/* owned; from EVENT_DESC or derived */
	struct perf_layout layout;	/* of the fields above (perfdata_add_attr) */
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

/* A SAMPLE body: the shared decoder's (perf/record.h); the old name
 * stays for the unit test and fuzz target. */
#define perfdata_sample perf_sample

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

/* The record layout of a's fields (perfdata_add_attr fills a->layout;
 * this is for attrs built by hand). */
void perfdata_attr_layout(const struct perfdata_attr *a, struct perf_layout *l);

/* Parses a SAMPLE body laid out by a's fields with the shared decoder
 * (perf_sample_decode).  Returns 0, or -1 when the body is shorter than
 * its fields say. */
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
