/*
 * test_perfdata.c - unit tests of the perf.data reader on files built
 * byte by byte here: header, attrs, features, every sample_type field,
 * time ordering, pipe mode, and broken input (every truncation, wrong
 * magic, zero and absurd record sizes, unknown record types).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "formats/format.h"
#include "formats/formats.h"
#include "formats/perfdata.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/input.h"
#include "util/strbuf.h"
#include "test.h"

#define SAMPLE_TYPE 0x127ULL	/* IP TID TIME CALLCHAIN PERIOD */

static void put64(struct strbuf *b, uint64_t v)
{
	strbuf_add(b, &v, 8);
}

static void put32(struct strbuf *b, uint32_t v)
{
	strbuf_add(b, &v, 4);
}

static void set64(struct strbuf *b, size_t at, uint64_t v)
{
	memcpy(b->buf + at, &v, 8);
}

static void pad8(struct strbuf *b)
{
	while (b->len % 8)
		strbuf_addch(b, 0);
}

/* perf_event_header; returns the offset to patch the size with end_record */
static size_t begin_record(struct strbuf *b, uint32_t type, uint16_t misc)
{
	size_t at = b->len;

	put32(b, type);
	put32(b, misc);
	return at;
}

static void end_record(struct strbuf *b, size_t at)
{
	uint16_t size = (uint16_t)(b->len - at);

	memcpy(b->buf + at + 6, &size, 2);
}

static void put_zeros(struct strbuf *b, size_t n)
{
	static const char zeros[256];

	strbuf_add(b, zeros, n);
}

static void put_attr(struct strbuf *b, uint64_t sample_type)
{
	size_t at = b->len;

	put_zeros(b, 128);
	memcpy(b->buf + at + 0, &(uint32_t){ 1 }, 4);		/* software */
	memcpy(b->buf + at + 4, &(uint32_t){ 128 }, 4);
	memcpy(b->buf + at + 16, &(uint64_t){ 4000 }, 8);	/* freq */
	memcpy(b->buf + at + 24, &sample_type, 8);
	memcpy(b->buf + at + 40, &(uint64_t){ (1ULL << 10) | (1ULL << 18) }, 8);
}

static void put_string(struct strbuf *b, const char *s)
{
	uint32_t len = (uint32_t)((strlen(s) + 1 + 63) / 64 * 64);
	size_t at;

	put32(b, len);
	at = b->len;
	put_zeros(b, len);
	memcpy(b->buf + at, s, strlen(s));
}

static void put_trailer(struct strbuf *b, uint32_t pid, uint64_t time)
{
	put32(b, pid);
	put32(b, pid);
	put64(b, time);
}

static void put_comm(struct strbuf *b, uint32_t pid, const char *comm,
		     uint64_t time)
{
	size_t at = begin_record(b, PERFDATA_COMM, 0);

	put32(b, pid);
	put32(b, pid);
	strbuf_add(b, comm, strlen(comm) + 1);
	pad8(b);
	put_trailer(b, pid, time);
	end_record(b, at);
}

static void put_mmap2(struct strbuf *b, uint32_t pid)
{
	size_t at = begin_record(b, PERFDATA_MMAP2, 2);
	int i;

	put32(b, pid);
	put32(b, pid);
	put64(b, 0x400000);
	put64(b, 0x1000);
	put64(b, 0);
	for (i = 0; i < 3; i++)
		put64(b, 0);
	put32(b, 5);
	put32(b, 2);
	strbuf_addstr(b, "/nonexistent/app");
	strbuf_addch(b, 0);
	pad8(b);
	put_trailer(b, pid, 0);
	end_record(b, at);
}

static void put_sample(struct strbuf *b, uint32_t pid, uint64_t time,
		       uint64_t leaf)
{
	size_t at = begin_record(b, PERFDATA_SAMPLE, 2);

	put64(b, leaf);
	put32(b, pid);
	put32(b, pid);
	put64(b, time);
	put64(b, 1000);			/* PERIOD comes before CALLCHAIN */
	put64(b, 3);
	put64(b, PERFDATA_CONTEXT_USER);
	put64(b, leaf);
	put64(b, 0x400200);
	end_record(b, at);
}

/* The data records every test file shares.  The sample at time 60 comes
 * before the rename at time 50 in the file: the reader must sort. */
static void put_data(struct strbuf *b)
{
	size_t at;

	put_comm(b, 100, "work", 0);
	put_mmap2(b, 100);
	put_sample(b, 100, 40, 0x400100);
	put_sample(b, 100, 60, 0x400100);
	put_comm(b, 100, "renamed", 50);
	at = begin_record(b, 60, 0);		/* unknown kernel type */
	put64(b, 0);
	end_record(b, at);
	at = begin_record(b, PERFDATA_FINISHED_ROUND, 0);
	end_record(b, at);
}

/* A complete file-mode perf.data with CMDLINE, HOSTNAME, EVENT_DESC and
 * SAMPLE_TIME features. */
static void build_file(struct strbuf *b)
{
	size_t data_start, table, i;
	uint64_t features = (1ULL << 3) | (1ULL << 11) | (1ULL << 12) |
		(1ULL << 21);
	size_t feat_off[4], feat_len[4];

	strbuf_init(b);
	strbuf_add(b, "PERFILE2", 8);
	put64(b, 104);
	put64(b, 128 + 16);
	put64(b, 104);			/* attrs */
	put64(b, 128 + 16);
	put64(b, 0);			/* data, patched */
	put64(b, 0);
	put64(b, 0);			/* event_types */
	put64(b, 0);
	put64(b, features);
	put64(b, 0);
	put64(b, 0);
	put64(b, 0);
	put_attr(b, SAMPLE_TYPE);
	put64(b, 104 + 144);		/* ids */
	put64(b, 8);
	put64(b, 77);			/* the id */
	data_start = b->len;
	put_data(b);
	set64(b, 40, data_start);
	set64(b, 48, b->len - data_start);
	table = b->len;
	for (i = 0; i < 4; i++) {
		put64(b, 0);
		put64(b, 0);
	}
	/* HOSTNAME */
	feat_off[0] = b->len;
	put_string(b, "testhost");
	feat_len[0] = b->len - feat_off[0];
	/* CMDLINE */
	feat_off[1] = b->len;
	put32(b, 2);
	put_string(b, "./work");
	put_string(b, "--fast");
	feat_len[1] = b->len - feat_off[1];
	/* EVENT_DESC */
	feat_off[2] = b->len;
	put32(b, 1);
	put32(b, 128);
	put_attr(b, SAMPLE_TYPE);
	put32(b, 1);
	put_string(b, "cpu-clock:ppp");
	put64(b, 77);
	feat_len[2] = b->len - feat_off[2];
	/* SAMPLE_TIME */
	feat_off[3] = b->len;
	put64(b, 40);
	put64(b, 60);
	feat_len[3] = b->len - feat_off[3];
	for (i = 0; i < 4; i++) {
		set64(b, table + 16 * i, feat_off[i]);
		set64(b, table + 16 * i + 8, feat_len[i]);
	}
}

static void build_pipe(struct strbuf *b)
{
	size_t at;

	strbuf_init(b);
	strbuf_add(b, "PERFILE2", 8);
	put64(b, 16);
	at = begin_record(b, PERFDATA_HEADER_ATTR, 0);
	put_attr(b, SAMPLE_TYPE);
	put64(b, 77);
	end_record(b, at);
	at = begin_record(b, PERFDATA_HEADER_FEATURE, 0);
	put64(b, 11);
	put32(b, 1);
	put_string(b, "./piped");
	end_record(b, at);
	put_data(b);
}

static char *folded_of(const struct profile *p)
{
	const struct format_writer *w = format_writer_find("folded");
	struct write_options wo = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&text, &len);

	w->write(p, fp, &wo);
	fclose(fp);
	return text;
}

static void test_file_mode(void)
{
	struct strbuf b;
	struct profile p;
	struct perfdata_header h;
	const char *why = NULL;
	int truncated;
	char *text;

	build_file(&b);
	CHECK(perfdata_parse_header((unsigned char *)b.buf, b.len, &h,
				    &truncated, &why) == 0);
	CHECK(!truncated);
	CHECK(h.nr_attrs == 1 && h.attrs[0].nr_ids == 1 &&
	      h.attrs[0].ids[0] == 77);
	CHECK(h.attrs[0].sample_type == SAMPLE_TYPE);
	CHECK(h.hostname && !strcmp(h.hostname, "testhost"));
	CHECK(h.cmdline && !strcmp(h.cmdline, "./work --fast"));
	CHECK(h.attrs[0].name && !strcmp(h.attrs[0].name, "cpu-clock:ppp"));
	CHECK(h.first_sample_time == 40 && h.last_sample_time == 60);
	perfdata_header_release(&h);

	profile_init(&p);
	CHECK(perfdata_read_buffer((unsigned char *)b.buf, b.len, "mem", &p,
				   NULL) == 0);
	text = folded_of(&p);
	/* time order: the sample at 60 is after the rename at 50 */
	CHECK_STR(text, "renamed;[app];[app] 1000\nwork;[app];[app] 1000\n");
	CHECK_STR(profile_str(&p, p.meta.command), "./work --fast");
	CHECK_STR(profile_str(&p, p.meta.event), "cpu-clock:ppp");
	CHECK(p.meta.duration_ns == 20);
	CHECK(p.meta.rate_hz == 4000);
	free(text);
	profile_release(&p);
	strbuf_release(&b);
}

static void test_pipe_mode(void)
{
	struct strbuf b;
	struct profile p;
	char *text;

	build_pipe(&b);
	profile_init(&p);
	CHECK(perfdata_read_buffer((unsigned char *)b.buf, b.len, "pipe", &p,
				   NULL) == 0);
	text = folded_of(&p);
	CHECK_STR(text, "renamed;[app];[app] 1000\nwork;[app];[app] 1000\n");
	CHECK_STR(profile_str(&p, p.meta.command), "./piped");
	free(text);
	profile_release(&p);
	strbuf_release(&b);
}

static void test_with_pid_tid(void)
{
	struct strbuf b;
	struct profile p;
	struct read_options ro = { 0 };
	char *text;

	build_file(&b);
	ro.with_tid = 1;
	profile_init(&p);
	CHECK(perfdata_read_buffer((unsigned char *)b.buf, b.len, "mem", &p,
				   &ro) == 0);
	text = folded_of(&p);
	CHECK_STR(text, "renamed-100/100;[app];[app] 1000\nwork-100/100;[app];[app] 1000\n");
	free(text);
	profile_release(&p);
	strbuf_release(&b);
}

/* Every field of every sample_type bit, in the kernel's order. */
static void test_every_sample_field(void)
{
	struct perfdata_attr a;
	struct perfdata_sample s;
	struct strbuf b;

	memset(&a, 0, sizeof(a));
	a.sample_type = (1ULL << 25) - 1;	/* bits 0..24 */
	a.read_format = 8 | 4 | 1;		/* GROUP ID TOTAL_TIME_ENABLED */
	a.branch_sample_type = 1ULL << 17;	/* HW_INDEX */
	a.regs_user_mask = 0x3;
	a.regs_intr_mask = 0x1;
	strbuf_init(&b);
	put64(&b, 77);			/* IDENTIFIER */
	put64(&b, 0x1234);		/* IP */
	put32(&b, 10);			/* TID */
	put32(&b, 11);
	put64(&b, 999);			/* TIME */
	put64(&b, 0xabc);		/* ADDR */
	put64(&b, 77);			/* ID */
	put64(&b, 78);			/* STREAM_ID */
	put32(&b, 3);			/* CPU */
	put32(&b, 0);
	put64(&b, 500);			/* PERIOD */
	put64(&b, 2);			/* READ: nr */
	put64(&b, 1);			/* time_enabled */
	put64(&b, 5); put64(&b, 77);	/* value id */
	put64(&b, 6); put64(&b, 78);
	put64(&b, 2);			/* CALLCHAIN */
	put64(&b, 0x10); put64(&b, 0x20);
	put32(&b, 4);			/* RAW: size 4 */
	put32(&b, 0xdead);
	put64(&b, 1);			/* BRANCH_STACK nr */
	put64(&b, 0);			/* hw_idx */
	put64(&b, 1); put64(&b, 2); put64(&b, 3);
	put64(&b, 2);			/* REGS_USER abi */
	put64(&b, 0x111); put64(&b, 0x222);
	put64(&b, 16);			/* STACK_USER size */
	put64(&b, 0xaa); put64(&b, 0xbb);
	put64(&b, 8);			/* dyn_size */
	put64(&b, 1);			/* WEIGHT */
	put64(&b, 2);			/* DATA_SRC */
	put64(&b, 3);			/* TRANSACTION */
	put64(&b, 2);			/* REGS_INTR abi */
	put64(&b, 0x333);
	put64(&b, 4);			/* PHYS_ADDR */
	put64(&b, 5);			/* CGROUP */
	put64(&b, 6);			/* DATA_PAGE_SIZE */
	put64(&b, 7);			/* CODE_PAGE_SIZE */
	put64(&b, 8);			/* AUX size */
	put64(&b, 0);

	CHECK(perfdata_parse_sample(&a, (unsigned char *)b.buf, b.len, &s) == 0);
	CHECK(s.ip == 0x1234 && s.pid == 10 && s.tid == 11 && s.time == 999);
	CHECK(s.addr == 0xabc && s.id == 77 && s.cpu == 3 && s.period == 500);
	CHECK(s.nr_callchain == 2 && perfdata_u64(s.callchain + 8) == 0x20);
	CHECK(s.regs_abi == 2 && perfdata_u64(s.regs + 8) == 0x222);
	CHECK(s.stack_size == 16 && s.dyn_size == 8 && s.stack[0] == 0xaa);
	/* one byte short anywhere at the end: refused, not overread */
	CHECK(perfdata_parse_sample(&a, (unsigned char *)b.buf, b.len - 1, &s) < 0);
	CHECK(perfdata_parse_sample(&a, (unsigned char *)b.buf, 40, &s) < 0);
	/* absurd counts */
	memcpy(b.buf + 72, &(uint64_t){ UINT64_MAX / 2 }, 8);	/* READ nr */
	CHECK(perfdata_parse_sample(&a, (unsigned char *)b.buf, b.len, &s) < 0);
	strbuf_release(&b);
}

/* Every prefix of a valid file: no crash, no hang, and once the header
 * and the first records are in, samples come out. */
static void test_every_truncation(void)
{
	struct strbuf b, pipe;
	size_t n;
	int quiet_ok = 1, saved, devnull;

	build_file(&b);
	build_pipe(&pipe);
	/* hundreds of expected one-line errors: keep them out of the log */
	fflush(stderr);
	saved = dup(2);
	devnull = open("/dev/null", O_WRONLY);
	if (!getenv("TEST_VERBOSE"))
		dup2(devnull, 2);
	for (n = 0; n <= b.len; n++) {
		struct profile p;
		int r;

		profile_init(&p);
		r = perfdata_read_buffer((unsigned char *)b.buf, n, "cut", &p, NULL);
		if (n < 104 && r == 0)
			quiet_ok = 0;
		profile_release(&p);
	}
	for (n = 0; n <= pipe.len; n++) {
		struct profile p;

		profile_init(&p);
		perfdata_read_buffer((unsigned char *)pipe.buf, n, "cut", &p, NULL);
		profile_release(&p);
	}
	dup2(saved, 2);
	close(saved);
	close(devnull);
	CHECK(quiet_ok);
	strbuf_release(&b);
	strbuf_release(&pipe);
}

static void test_bad_files(void)
{
	struct strbuf b;
	struct profile p;
	size_t data;
	unsigned long before;

	build_file(&b);
	/* wrong magic */
	memcpy(b.buf, "PERFILE3", 8);
	profile_init(&p);
	CHECK(perfdata_read_buffer((unsigned char *)b.buf, b.len, "m", &p, NULL) < 0);
	profile_release(&p);
	memcpy(b.buf, "2ELIFREP", 8);
	profile_init(&p);
	CHECK(perfdata_read_buffer((unsigned char *)b.buf, b.len, "m", &p, NULL) < 0);
	profile_release(&p);
	memcpy(b.buf, "PERFILE2", 8);

	/* a record of size 0 in the data: stop there with a warning */
	memcpy(&data, b.buf + 40, 8);
	memset(b.buf + data + 6, 0, 2);
	before = warning_count();
	profile_init(&p);
	CHECK(perfdata_read_buffer((unsigned char *)b.buf, b.len, "z", &p, NULL) == 0);
	CHECK(warning_count() > before);
	profile_release(&p);

	/* absurd data size and attr section */
	strbuf_release(&b);
	build_file(&b);
	set64(&b, 48, UINT64_MAX - 10);
	profile_init(&p);
	perfdata_read_buffer((unsigned char *)b.buf, b.len, "big", &p, NULL);
	profile_release(&p);
	set64(&b, 32, UINT64_MAX);
	profile_init(&p);
	CHECK(perfdata_read_buffer((unsigned char *)b.buf, b.len, "big", &p, NULL) < 0);
	profile_release(&p);
	strbuf_release(&b);
}

/* An attr whose id table lies far past the end of the file: the ids are
 * ignored and the file still reads (the old code formed buf + ids_off
 * first, undefined behaviour that UBSan's pointer-overflow check trips on
 * under SANITIZE=1). */
static void test_ids_out_of_bounds(void)
{
	static const uint64_t offsets[] = { UINT64_MAX - 7, UINT64_MAX / 2,
					    1ULL << 40 };
	struct strbuf b;
	struct perfdata_header h;
	const char *why = NULL;
	int truncated;
	size_t i;

	for (i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		build_file(&b);
		set64(&b, 104 + 128, offsets[i]);	/* ids.offset */
		set64(&b, 104 + 136, 64);		/* ids.size */
		CHECK(perfdata_parse_header((unsigned char *)b.buf, b.len, &h,
					    &truncated, &why) == 0);
		CHECK(h.nr_attrs == 1 && h.attrs[0].nr_ids == 0);
		perfdata_header_release(&h);
		strbuf_release(&b);
	}
}

static void test_probe(void)
{
	CHECK(perfdata_reader.probe((const unsigned char *)"PERFILE2\x68", 9) == 100);
	CHECK(perfdata_reader.probe((const unsigned char *)"PERF", 4) == 0);
	CHECK(perfdata_reader.probe((const unsigned char *)"main;foo 1\n", 11) == 0);
}

int main(void)
{
	RUN(test_file_mode);
	RUN(test_pipe_mode);
	RUN(test_with_pid_tid);
	RUN(test_every_sample_field);
	RUN(test_every_truncation);
	RUN(test_bad_files);
	RUN(test_ids_out_of_bounds);
	RUN(test_probe);
	TEST_EXIT();
}
