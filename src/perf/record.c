/*
 * record.c - the one decoder of perf records: SAMPLE bodies for every
 * sample_type bit, the side-band records (MMAP/MMAP2, COMM, FORK, EXIT,
 * LOST, THROTTLE, SWITCH) and their sample_id trailers.  Used by the live
 * ring reader and the perf.data reader alike; see record.h.
 *
 * Never symbolizes, allocates or prints; a short record is -1.
 */
#include <string.h>

#include "perf/cursor.h"
#include "perf/record.h"

static void take_regs(struct perf_cursor *c, uint64_t mask, uint64_t *abi,
		      const unsigned char **regs)
{
	*abi = perf_cursor_u64(c);
	if (*abi)
		*regs = perf_cursor_skip(c, 8 * (uint64_t)__builtin_popcountll(mask));
}

int perf_sample_decode(const struct perf_layout *l, const unsigned char *body,
		       size_t len, struct perf_sample *s)
{
	struct perf_cursor c = { body, body + len, 0 };
	uint64_t t = l->sample_type, v, rf = l->read_format;
	uint64_t dummy_abi;
	const unsigned char *dummy_regs;

	memset(s, 0, sizeof(*s));
	if (t & PERFDATA_S_IDENTIFIER)
		s->id = perf_cursor_u64(&c);
	if (t & PERFDATA_S_IP)
		s->ip = perf_cursor_u64(&c);
	if (t & PERFDATA_S_TID) {
		s->pid = perf_cursor_u32(&c);
		s->tid = perf_cursor_u32(&c);
	}
	if (t & PERFDATA_S_TIME)
		s->time = perf_cursor_u64(&c);
	if (t & PERFDATA_S_ADDR)
		s->addr = perf_cursor_u64(&c);
	if (t & PERFDATA_S_ID)
		s->id = perf_cursor_u64(&c);
	if (t & PERFDATA_S_STREAM_ID)
		perf_cursor_u64(&c);
	if (t & PERFDATA_S_CPU) {
		s->cpu = perf_cursor_u32(&c);
		perf_cursor_u32(&c);
	}
	if (t & PERFDATA_S_PERIOD)
		s->period = perf_cursor_u64(&c);
	if (t & PERFDATA_S_READ) {
		size_t per = 1 + !!(rf & 4) + !!(rf & 16);	/* value id lost */
		size_t times = !!(rf & 1) + !!(rf & 2);

		if (rf & 8) {		/* GROUP */
			v = perf_cursor_u64(&c);
			perf_cursor_skip(&c, 8 * times);
			if (v > len / 8)
				c.bad = 1;
			else
				perf_cursor_skip(&c, 8 * per * v);
		} else {
			perf_cursor_skip(&c, 8 * (per + times));
		}
	}
	if (t & PERFDATA_S_CALLCHAIN) {
		v = perf_cursor_u64(&c);
		if (v > len / 8)
			c.bad = 1;
		else {
			s->nr_callchain = v;
			s->callchain = perf_cursor_skip(&c, 8 * v);
		}
	}
	if (t & PERFDATA_S_RAW)
		perf_cursor_skip(&c, perf_cursor_u32(&c));
	if (t & PERFDATA_S_BRANCH_STACK) {
		v = perf_cursor_u64(&c);
		if (l->branch_sample_type & (1ULL << 17))	/* HW_INDEX */
			perf_cursor_u64(&c);
		if (v > len / 24)
			c.bad = 1;
		else
			perf_cursor_skip(&c, 24 * v);
	}
	if (t & PERFDATA_S_REGS_USER) {
		take_regs(&c, l->regs_user_mask, &s->regs_abi, &s->regs);
		s->regs_mask = l->regs_user_mask;
	}
	if (t & PERFDATA_S_STACK_USER) {
		s->stack_size = perf_cursor_u64(&c);
		if (s->stack_size) {
			s->stack = perf_cursor_skip(&c, s->stack_size);
			s->dyn_size = perf_cursor_u64(&c);
			if (s->dyn_size > s->stack_size)
				s->dyn_size = s->stack_size;
		}
	}
	if (t & (PERFDATA_S_WEIGHT | PERFDATA_S_WEIGHT_STRUCT))
		perf_cursor_u64(&c);
	if (t & PERFDATA_S_DATA_SRC)
		perf_cursor_u64(&c);
	if (t & PERFDATA_S_TRANSACTION)
		perf_cursor_u64(&c);
	if (t & PERFDATA_S_REGS_INTR)
		take_regs(&c, l->regs_intr_mask, &dummy_abi, &dummy_regs);
	if (t & PERFDATA_S_PHYS_ADDR)
		perf_cursor_u64(&c);
	if (t & PERFDATA_S_CGROUP)
		perf_cursor_u64(&c);
	if (t & PERFDATA_S_DATA_PAGE_SIZE)
		perf_cursor_u64(&c);
	if (t & PERFDATA_S_CODE_PAGE_SIZE)
		perf_cursor_u64(&c);
	if (t & PERFDATA_S_AUX)
		perf_cursor_skip(&c, perf_cursor_u64(&c));
	return c.bad ? -1 : 0;
}

size_t perf_trailer_size(uint64_t t)
{
	size_t n = 0;

	n += (t & PERFDATA_S_TID) ? 8 : 0;
	n += (t & PERFDATA_S_TIME) ? 8 : 0;
	n += (t & PERFDATA_S_ID) ? 8 : 0;
	n += (t & PERFDATA_S_STREAM_ID) ? 8 : 0;
	n += (t & PERFDATA_S_CPU) ? 8 : 0;
	n += (t & PERFDATA_S_IDENTIFIER) ? 8 : 0;
	return n;
}

/* The sample_id trailer at the end of a non-sample body: pid/tid (kept
 * when the body named them) and time.  *fixed is the body's own size. */
static void take_trailer(const struct perf_layout *l, const unsigned char *body,
			 size_t len, size_t fixed, struct perf_record *r)
{
	uint64_t t = l->sample_type;
	size_t n = perf_trailer_size(t);
	const unsigned char *p;

	if (!l->sample_id_all || len < fixed + n)
		return;
	p = body + len - n;
	if (t & PERFDATA_S_TID) {
		if (!r->pid && !r->tid) {
			r->pid = perfdata_u32(p);
			r->tid = perfdata_u32(p + 4);
		}
		p += 8;
	}
	if (t & PERFDATA_S_TIME) {
		r->time = perfdata_u64(p);
		r->has_time = 1;
	}
}

/* A NUL-terminated string starting at p with avail bytes, or NULL. */
static const char *record_string(const unsigned char *p, size_t avail)
{
	return memchr(p, 0, avail) ? (const char *)p : NULL;
}

int perf_record_decode(const struct perf_layout *l, const unsigned char *rec,
		       size_t size, struct perf_record *r)
{
	const unsigned char *b = rec + 8;
	size_t blen, fixed = 0;
	int cpumode;

	memset(r, 0, sizeof(*r));
	if (size < 8)
		return -1;
	blen = size - 8;
	r->type = perfdata_u32(rec);
	r->misc = (uint16_t)perfdata_u32(rec + 4);
	cpumode = r->misc & PERFDATA_MISC_CPUMODE_MASK;
	r->user_mode = cpumode == PERFDATA_MISC_USER;
	r->kernel_mode = cpumode == PERFDATA_MISC_KERNEL;
	switch (r->type) {
	case PERFDATA_SAMPLE:
		r->kind = PERF_REC_SAMPLE;
		if (perf_sample_decode(l, b, blen, &r->sample))
			return -1;
		r->pid = r->sample.pid;
		r->tid = r->sample.tid;
		r->time = r->sample.time;
		r->has_time = (l->sample_type & PERFDATA_S_TIME) != 0;
		return 0;
	case PERFDATA_MMAP:
	case PERFDATA_MMAP2: {
		size_t name_at = r->type == PERFDATA_MMAP2 ? 64 : 32;

		if (blen <= name_at)
			return -1;
		r->kind = PERF_REC_MMAP;
		r->pid = perfdata_u32(b);
		r->tid = perfdata_u32(b + 4);
		r->addr = perfdata_u64(b + 8);
		r->len = perfdata_u64(b + 16);
		r->pgoff = perfdata_u64(b + 24);
		r->prot = r->type == PERFDATA_MMAP2 ? perfdata_u32(b + 56) :
			1 | 4;	/* PROT_READ | PROT_EXEC */
		r->filename = record_string(b + name_at, blen - name_at);
		if (!r->filename)
			return -1;
		fixed = name_at + strlen(r->filename) + 1;
		break;
	}
	case PERFDATA_COMM:
		if (blen <= 8)
			return -1;
		r->kind = PERF_REC_COMM;
		r->pid = perfdata_u32(b);
		r->tid = perfdata_u32(b + 4);
		r->comm = record_string(b + 8, blen - 8);
		if (!r->comm)
			return -1;
		r->comm_exec = !!(r->misc & PERFDATA_MISC_COMM_EXEC);
		fixed = 8 + strlen(r->comm) + 1;
		break;
	case PERFDATA_FORK:
	case PERFDATA_EXIT:
		if (blen < 24)
			return -1;
		r->kind = r->type == PERFDATA_FORK ? PERF_REC_FORK : PERF_REC_EXIT;
		r->pid = perfdata_u32(b);
		r->ppid = perfdata_u32(b + 4);
		r->tid = perfdata_u32(b + 8);
		r->ptid = perfdata_u32(b + 12);
		r->time = perfdata_u64(b + 16);
		r->has_time = 1;
		return 0;
	case PERFDATA_LOST:
		if (blen < 16)
			return -1;
		r->kind = PERF_REC_LOST;
		r->lost = perfdata_u64(b + 8);
		fixed = 16;
		break;
	case PERFDATA_LOST_SAMPLES:
		if (blen < 8)
			return -1;
		r->kind = PERF_REC_LOST;
		r->lost = perfdata_u64(b);
		fixed = 8;
		break;
	case PERFDATA_THROTTLE:
	case PERFDATA_UNTHROTTLE:
		if (blen < 24)
			return -1;
		r->kind = PERF_REC_THROTTLE;
		r->time = perfdata_u64(b);
		r->has_time = 1;
		return 0;
	case PERFDATA_SWITCH:
	case PERFDATA_SWITCH_CPU_WIDE:
		r->kind = PERF_REC_SWITCH;
		r->switch_out = !!(r->misc & PERFDATA_MISC_SWITCH_OUT);
		fixed = r->type == PERFDATA_SWITCH_CPU_WIDE ? 8 : 0;
		break;
	default:
		r->kind = PERF_REC_OTHER;
		return 1;
	}
	take_trailer(l, b, blen, fixed, r);
	return 0;
}

int64_t perf_record_time(const struct perf_layout *l, uint32_t type,
			 const unsigned char *body, size_t len)
{
	uint64_t t = l->sample_type;
	size_t off = 0, n;

	if (!(t & PERFDATA_S_TIME))
		return -1;
	if (type == PERFDATA_SAMPLE) {
		off += (t & PERFDATA_S_IDENTIFIER) ? 8 : 0;
		off += (t & PERFDATA_S_IP) ? 8 : 0;
		off += (t & PERFDATA_S_TID) ? 8 : 0;
	} else {
		if (!l->sample_id_all)
			return -1;
		n = perf_trailer_size(t);
		if (len < n)
			return -1;
		off = len - n + ((t & PERFDATA_S_TID) ? 8 : 0);
	}
	if (off + 8 > len)
		return -1;
	return (int64_t)perfdata_u64(body + off);
}

uint64_t perf_sample_reg(const struct perf_sample *s, int n)
{
	uint64_t below;

	if (!s->regs_abi || !s->regs || n < 0 || n > 63 ||
	    !(s->regs_mask & (1ULL << n)))
		return 0;
	below = s->regs_mask & ((1ULL << n) - 1);
	return perfdata_u64(s->regs + 8 * __builtin_popcountll(below));
}
