/*
 * test_perf_record.c - unit tests of the one perf record decoder
 * (src/perf/record.c), on records built byte by byte here: every side-band
 * record kind with its sample_id trailer, SAMPLE bodies and their user
 * registers, record times, and broken records (every truncation,
 * unterminated strings, unknown types).
 */
#include <stdint.h>
#include <string.h>

#include "perf/record.h"
#include "util/strbuf.h"
#include "test.h"

/* IP TID TIME CALLCHAIN PERIOD REGS_USER STACK_USER */
#define SAMPLE_TYPE 0x3127ULL
/* trailer: TID TIME */
#define TRAILER_TYPE 0x6ULL

static void put64(struct strbuf *b, uint64_t v)
{
	strbuf_add(b, &v, 8);
}

static void put32(struct strbuf *b, uint32_t v)
{
	strbuf_add(b, &v, 4);
}

static void put_string(struct strbuf *b, const char *s)
{
	strbuf_add(b, s, strlen(s) + 1);
	while (b->len % 8)
		strbuf_addch(b, 0);
}

/* header: type, misc, size patched by end_record */
static void begin(struct strbuf *b, uint32_t type, uint16_t misc)
{
	strbuf_reset(b);
	put32(b, type);
	put32(b, misc);
}

static void end_record(struct strbuf *b)
{
	uint16_t size = (uint16_t)b->len;

	memcpy(b->buf + 6, &size, 2);
}

static void trailer(struct strbuf *b, uint32_t pid, uint32_t tid, uint64_t time)
{
	put32(b, pid);
	put32(b, tid);
	put64(b, time);
}

static struct perf_layout layout(void)
{
	struct perf_layout l;

	memset(&l, 0, sizeof(l));
	l.sample_type = SAMPLE_TYPE;
	l.regs_user_mask = (1ULL << 6) | (1ULL << 7) | (1ULL << 8); /* BP SP IP */
	l.sample_id_all = 1;
	return l;
}

static const unsigned char *bytes(const struct strbuf *b)
{
	return (const unsigned char *)b->buf;
}

static void test_side_band(void)
{
	struct perf_layout l = layout();
	struct perf_record r;
	struct strbuf b;

	strbuf_init(&b);
	l.sample_type = TRAILER_TYPE;

	begin(&b, PERFDATA_MMAP2, 2);
	put32(&b, 10); put32(&b, 11);
	put64(&b, 0x400000); put64(&b, 0x1000); put64(&b, 0x2000);
	put32(&b, 8); put32(&b, 1);		/* maj min */
	put64(&b, 99); put64(&b, 0);		/* ino ino_generation */
	put32(&b, 5); put32(&b, 2);		/* prot flags */
	put_string(&b, "/usr/bin/prog");
	trailer(&b, 10, 11, 777);
	end_record(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == 0);
	CHECK(r.kind == PERF_REC_MMAP && r.pid == 10 && r.tid == 11);
	CHECK(r.addr == 0x400000 && r.len == 0x1000 && r.pgoff == 0x2000);
	CHECK(r.prot == 5 && r.user_mode && !r.kernel_mode);
	CHECK_STR(r.filename, "/usr/bin/prog");
	CHECK(r.has_time && r.time == 777);

	begin(&b, PERFDATA_MMAP, 2);
	put32(&b, 10); put32(&b, 11);
	put64(&b, 0x400000); put64(&b, 0x1000); put64(&b, 0);
	put_string(&b, "/lib/x.so");
	trailer(&b, 10, 11, 778);
	end_record(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == 0);
	CHECK(r.kind == PERF_REC_MMAP && r.prot == 5 && r.time == 778);

	begin(&b, PERFDATA_COMM, PERFDATA_MISC_COMM_EXEC);
	put32(&b, 20); put32(&b, 21);
	put_string(&b, "worker");
	trailer(&b, 20, 21, 779);
	end_record(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == 0);
	CHECK(r.kind == PERF_REC_COMM && r.comm_exec && r.pid == 20 &&
	      r.tid == 21 && r.time == 779);
	CHECK_STR(r.comm, "worker");

	begin(&b, PERFDATA_FORK, 0);
	put32(&b, 30); put32(&b, 3); put32(&b, 31); put32(&b, 4);
	put64(&b, 780);
	trailer(&b, 30, 31, 780);
	end_record(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == 0);
	CHECK(r.kind == PERF_REC_FORK && r.pid == 30 && r.ppid == 3 &&
	      r.tid == 31 && r.ptid == 4 && r.time == 780);
	b.buf[0] = PERFDATA_EXIT;
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == 0);
	CHECK(r.kind == PERF_REC_EXIT && r.pid == 30);

	begin(&b, PERFDATA_LOST, 0);
	put64(&b, 1); put64(&b, 42);
	trailer(&b, 0, 0, 781);
	end_record(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == 0);
	CHECK(r.kind == PERF_REC_LOST && r.lost == 42 && r.time == 781);

	begin(&b, PERFDATA_LOST_SAMPLES, 0);
	put64(&b, 7);
	trailer(&b, 0, 0, 782);
	end_record(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == 0);
	CHECK(r.kind == PERF_REC_LOST && r.lost == 7);

	begin(&b, PERFDATA_THROTTLE, 0);
	put64(&b, 783); put64(&b, 1); put64(&b, 1);
	end_record(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == 0);
	CHECK(r.kind == PERF_REC_THROTTLE && r.time == 783);

	/* SWITCH has no body: pid/tid come from the trailer */
	begin(&b, PERFDATA_SWITCH, PERFDATA_MISC_SWITCH_OUT);
	trailer(&b, 40, 41, 784);
	end_record(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == 0);
	CHECK(r.kind == PERF_REC_SWITCH && r.switch_out && r.pid == 40 &&
	      r.tid == 41 && r.time == 784);

	begin(&b, 19, 0);		/* a kernel type nobody decodes */
	put64(&b, 0);
	end_record(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == 1);
	CHECK(r.kind == PERF_REC_OTHER);
	strbuf_release(&b);
}

static void build_sample(struct strbuf *b)
{
	begin(b, PERFDATA_SAMPLE, PERFDATA_MISC_KERNEL);
	put64(b, 0xffffffff81000010ULL);	/* IP */
	put32(b, 50); put32(b, 51);		/* TID */
	put64(b, 1000);				/* TIME */
	put64(b, 250000);			/* PERIOD */
	put64(b, 3);				/* CALLCHAIN */
	put64(b, PERFDATA_CONTEXT_KERNEL);
	put64(b, 0xffffffff81000010ULL);
	put64(b, 0xffffffff81000020ULL);
	put64(b, 2);				/* REGS_USER abi */
	put64(b, 0x7ffd0010); put64(b, 0x7ffd0000); put64(b, 0x401234);
	put64(b, 16);				/* STACK_USER */
	put64(b, 0x401111); put64(b, 0);
	put64(b, 8);				/* dyn_size */
	end_record(b);
}

static void test_sample(void)
{
	struct perf_layout l = layout();
	struct perf_record r;
	struct strbuf b;

	strbuf_init(&b);
	build_sample(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == 0);
	CHECK(r.kind == PERF_REC_SAMPLE && r.kernel_mode && !r.user_mode);
	CHECK(r.pid == 50 && r.tid == 51 && r.has_time && r.time == 1000);
	CHECK(r.sample.period == 250000 && r.sample.nr_callchain == 3);
	CHECK(r.sample.callchain &&
	      perfdata_u64(r.sample.callchain + 16) == 0xffffffff81000020ULL);
	CHECK(perf_sample_reg(&r.sample, 8) == 0x401234);	/* IP */
	CHECK(perf_sample_reg(&r.sample, 7) == 0x7ffd0000);	/* SP */
	CHECK(perf_sample_reg(&r.sample, 6) == 0x7ffd0010);	/* BP */
	CHECK(perf_sample_reg(&r.sample, 0) == 0);		/* not asked */
	CHECK(r.sample.dyn_size == 8 && r.sample.stack_size == 16);
	CHECK(perf_record_time(&l, PERFDATA_SAMPLE, bytes(&b) + 8,
			       b.len - 8) == 1000);
	/* every truncation is refused, never read past */
	for (size_t n = 8; n < b.len; n++)
		CHECK(perf_record_decode(&l, bytes(&b), n, &r) == -1);
	CHECK(perf_record_decode(&l, bytes(&b), 4, &r) == -1);
	strbuf_release(&b);
}

static void test_broken_side_band(void)
{
	struct perf_layout l = layout();
	struct perf_record r;
	struct strbuf b;

	strbuf_init(&b);
	l.sample_type = TRAILER_TYPE;
	/* a COMM whose name has no NUL */
	begin(&b, PERFDATA_COMM, 0);
	put32(&b, 1); put32(&b, 1);
	strbuf_add(&b, "abcdefgh", 8);
	end_record(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == -1);
	/* an MMAP2 cut inside its fixed part */
	begin(&b, PERFDATA_MMAP2, 0);
	put32(&b, 1); put32(&b, 1); put64(&b, 0);
	end_record(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == -1);
	/* FORK too short */
	begin(&b, PERFDATA_FORK, 0);
	put32(&b, 1);
	end_record(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == -1);
	/* no sample_id_all: no trailer read, no time */
	l.sample_id_all = 0;
	begin(&b, PERFDATA_LOST, 0);
	put64(&b, 1); put64(&b, 5);
	trailer(&b, 9, 9, 999);
	end_record(&b);
	CHECK(perf_record_decode(&l, bytes(&b), b.len, &r) == 0);
	CHECK(r.lost == 5 && !r.has_time && r.pid == 0);
	CHECK(perf_record_time(&l, PERFDATA_LOST, bytes(&b) + 8,
			       b.len - 8) == -1);
	strbuf_release(&b);
}

int main(void)
{
	RUN(test_side_band);
	RUN(test_sample);
	RUN(test_broken_side_band);
	TEST_EXIT();
}
