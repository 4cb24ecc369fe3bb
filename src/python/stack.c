/*
 * stack.c - one thread's Python stack, read from a snapshot.
 *
 * Owns the per-sample memory plumbing of the reader: the snapshot that
 * re-reads what the last sample used, the walk over frames (interpreter
 * frames on 3.11+, frame objects before), line numbers, the code-object
 * re-checks, and on 3.11+ the check that a stack held still while it was
 * read.  Never writes to the target; never prints.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "python/codecache.h"
#include "python/reader.h"
#include "python/remote.h"
#include "python/stack.h"
#include "util/xalloc.h"

/* room above the innermost frame read with it: the stack grows upwards */
#define LEAF_ROOM 1024
/* above any user-space address on x86_64 (57-bit with 5-level paging) */
#define PYSTACK_ADDR_MAX (1ULL << 57)
/* ranges one sample reads: every frame of a few deep stacks */
#define TOUCHED_MAX (4 * PYREAD_MAX_DEPTH)
/* reads of one stack before it counts as torn */
#define STACK_ATTEMPTS 3
/* ranges closer than this are noted as one (within a page, as the
 * snapshot joins them) */
#define TOUCH_JOIN 1024
/* in touched[].copies, beside the SNAPSHOT_* bits: frame memory */
#define TOUCH_FRAME 0x100u
/* a cached code object read less than this ago is young (pycode_due) */
#define CODE_YOUNG_NS 200000000

/* ---- memory for one sample ---- */

/*
 * Notes a range this sample read, and in which snapshot copies the next
 * sample should read it (SNAPSHOT_* bits).
 */
static void touch(struct pyreader *r, uint64_t addr, size_t len,
		  unsigned copies)
{
	struct snapshot_range *last = r->nr_touched ?
		&r->touched[r->nr_touched - 1] : NULL;

	/* a range next to the last one (a deep stack's callers lie below
	 * each other on the data stack; frame objects before 3.11 often
	 * next to each other on the heap): one range, as the snapshot would
	 * join them anyway, so thousands of frames make a few ranges */
	if (last && last->copies == copies &&
	    addr + len + TOUCH_JOIN >= last->addr &&
	    addr <= last->addr + last->len + TOUCH_JOIN) {
		uint64_t start = addr < last->addr ? addr : last->addr;
		uint64_t end = last->addr + last->len;

		if (addr + len > end)
			end = addr + len;
		last->addr = start;
		last->len = (size_t)(end - start);
		return;
	}
	if (r->nr_touched >= TOUCHED_MAX)
		return;
	grow_array((void **)&r->touched, sizeof(*r->touched),
		   r->nr_touched + 1, &r->alloc_touched);
	r->touched[r->nr_touched].addr = addr;
	r->touched[r->nr_touched].len = len;
	r->touched[r->nr_touched].copies = copies;
	r->nr_touched++;
}

void pystack_note(struct pyreader *r, const struct snapshot_range *ranges,
		  size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		touch(r, ranges[i].addr, ranges[i].len, ranges[i].copies);
}

/*
 * Starts a sample: reads again, in one system call, everything the last
 * sample read.  Returns -1 when the process is gone.
 */
int pystack_begin(struct pyreader *r)
{
	size_t i;

	snapshot_reset(&r->snap);
	for (i = 0; i < r->nr_touched; i++)
		snapshot_want(&r->snap, r->touched[i].addr, r->touched[i].len,
			      r->touched[i].copies);
	r->nr_touched = 0;
	r->window_len = 0;
	r->cur = &r->snap;
	if (snapshot_read(&r->snap, r->pid) < 0 && errno == ESRCH)
		return -1;
	return 0;
}

/*
 * len bytes of target memory at addr as of this sample: from the
 * snapshot's copy (one SNAPSHOT_* bit), else read into buf.  The range
 * is noted for that copy of the next snapshot.  NULL (errno set) when
 * unreadable.
 */
const unsigned char *pystack_bytes(struct pyreader *r, unsigned copy,
				    uint64_t addr, size_t len, void *buf)
{
	const unsigned char *p = snapshot_find(r->cur, copy, addr, len);

	r->from_snapshot = p != NULL;
	if (!p) {
		if (remote_read(r->pid, addr, buf, len) < 0)
			return NULL;
		p = buf;
	}
	touch(r, addr, len, copy);
	return p;
}

int pystack_u64(struct pyreader *r, uint64_t addr, uint64_t *value)
{
	uint64_t buf;
	const unsigned char *p = pystack_bytes(r, SNAPSHOT_FIRST, addr,
					      sizeof(buf), &buf);

	if (!p)
		return -1;
	*value = remote_u64(p, 0);
	return 0;
}

/* ---- frames ---- */

/*
 * Returns a pointer to size bytes of target memory at addr: from the
 * snapshot, else from the window of frame memory read this sample, else
 * from a fresh read.  Interpreter frames (3.11+) sit next to each other
 * on the thread's data stack, so one window read below a frame usually
 * covers its callers too.  The innermost frame is noted with some room
 * above it (within its page), where the next sample's callee will be.
 */
static const unsigned char *frame_bytes(struct pyreader *r, uint64_t addr,
					size_t size, int innermost)
{
	const unsigned char *p;
	size_t room = 0;

	/* a pointer from a torn read can be anything: one that no frame
	 * of a user-space stack can have is not looked up at all */
	if (addr & 7 || addr > PYSTACK_ADDR_MAX - size) {
		errno = EFAULT;
		return NULL;
	}
	p = snapshot_find(r->cur, r->walk_copy, addr, size);
	r->from_snapshot = p != NULL;
	if (innermost && r->layout.interpreter_frames) {
		uint64_t end = addr + size, page_end = (end + 4095) & ~4095ULL;

		room = page_end - end < LEAF_ROOM ? (size_t)(page_end - end) : LEAF_ROOM;
	}
	if (!p && addr >= r->window_base && r->window_len >= size &&
	    addr - r->window_base <= r->window_len - size)
		p = r->window + (addr - r->window_base);
	if (!p && r->layout.interpreter_frames && addr + size > PYSTACK_WINDOW) {
		/* leave room above: the stack grows upwards between samples */
		uint64_t base = addr + size + 1024 - PYSTACK_WINDOW;
		ssize_t n = remote_read_partial(r->pid, base, r->window, PYSTACK_WINDOW);

		if (n >= (ssize_t)(addr + size - base)) {
			r->window_base = base;
			r->window_len = (size_t)n;
			p = r->window + (addr - base);
		}
	}
	if (!p) {
		if (size > PYSTACK_WINDOW || remote_read(r->pid, addr, r->window, size) < 0) {
			r->window_len = 0;
			return NULL;
		}
		r->window_base = addr;
		r->window_len = size;
		p = r->window;
	}
	r->frame_room = room;
	return p;
}

static int frame_line(struct pyreader *r, struct pycode *code,
		      uint64_t code_addr, const unsigned char *f)
{
	const struct py_layout *l = &r->layout;
	int64_t pos;

	if (l->interpreter_frames) {
		uint64_t instr = remote_u64(f, l->frame_lasti);
		uint64_t first = code_addr + l->code_adaptive;

		if (instr < first)
			return code->firstlineno;
		pos = (int64_t)((instr - first) / 2);
		/* past its code: the cached object is not this one */
		if (code->nr_units && (uint64_t)pos >= code->nr_units)
			r->suspect_code = 1;
	} else {
		return pycode_line_of_lasti(code, l,
					    remote_i32(f, l->frame_lasti));
	}
	return pycode_line_at(code, l->lines, pos);
}

static void note_walked(struct pyreader *r, uint64_t addr,
			const unsigned char *f)
{
	const struct py_layout *l = &r->layout;
	struct pywalked *w;

	grow_array((void **)&r->walked, sizeof(*r->walked), r->nr_walked + 1,
		   &r->alloc_walked);
	w = &r->walked[r->nr_walked++];
	w->addr = addr;
	w->back = remote_u64(f, l->frame_back);
	w->code = remote_u64(f, l->frame_code);
	w->from_snapshot = r->from_snapshot;
	w->frame = -1;
}

/* Walks one thread's frames into r->frames; returns the count or -1. */
static ssize_t walk_frames_once(struct pyreader *r, uint64_t frame)
{
	const struct py_layout *l = &r->layout;
	size_t n = 0, depth;

	r->nr_walked = 0;
	r->root_entry_seen = 0;
	r->cut = 0;
	for (depth = 0; frame && depth < PYREAD_MAX_DEPTH; depth++) {
		const unsigned char *f;
		uint64_t code_addr, back;
		struct pycode *code;

		/* the thread's outermost entry frame (3.12+, on the C stack
		 * of its first evaluation loop) ends the chain and names
		 * nothing: known from last time, it is not read again */
		if (depth && frame == r->root_entry_hint) {
			r->root_entry_seen = frame;
			frame = 0;
			break;
		}
		f = frame_bytes(r, frame, l->frame_size, depth == 0);
		if (!f)
			return -1;
		back = remote_u64(f, l->frame_back);
		if (back == frame)
			return -1;
		/* 3.11+: copied again at the end of the next snapshot to
		 * check it held still, but for the C stack's entry frame at
		 * the root, which nothing reuses while the thread runs */
		if (l->interpreter_frames && !(back == 0 && l->frame_owner >= 0 &&
		    l->frame_skip_owner && f[l->frame_owner] >= l->frame_skip_owner)) {
			touch(r, frame, l->frame_size + r->frame_room,
			      r->frame_copies | TOUCH_FRAME);
			note_walked(r, frame, f);
		} else {
			touch(r, frame, l->frame_size + r->frame_room, SNAPSHOT_FIRST);
			if (l->interpreter_frames && depth)
				r->root_entry_seen = frame;
		}
		if (l->frame_owner >= 0 && l->frame_skip_owner &&
		    f[l->frame_owner] >= l->frame_skip_owner) {
			/* an eval-loop call's own frame (3.12+): the frame
			 * before it was that call's outermost */
			if (n)
				r->frames[n - 1].entry = 1;
			frame = back;
			continue;
		}
		code_addr = remote_u64(f, l->frame_code);
		if (l->frame_code_tagged)
			code_addr &= ~3ULL;
		code = pycode_get(&r->codes, r->pid, l, code_addr);
		if (!code)
			return -1;
		/* a frame still being set up (its code written, its position
		 * not yet): not part of a stack anyone could see */
		if (l->interpreter_frames &&
		    remote_u64(f, l->frame_lasti) + 2 < code_addr + l->code_adaptive)
			return -1;
		/* just read from the target: good as of now */
		if (!code->checked_ns)
			code->checked_ns = r->now_ns;
		if (!code->loaded_ns)
			code->loaded_ns = r->now_ns;
		if (!code->hidden) {
			grow_array((void **)&r->frames, sizeof(*r->frames),
				   n + 1, &r->alloc_frames);
			r->frames[n].code = code;
			r->frames[n].line = frame_line(r, code, code_addr, f);
			r->frames[n].entry = !l->interpreter_frames ||
				(l->frame_is_entry && f[l->frame_is_entry]);
			if (r->nr_walked && r->walked[r->nr_walked - 1].addr == frame)
				r->walked[r->nr_walked - 1].frame = (ssize_t)n;
			n++;
		}
		frame = back;
	}
	/* deeper than the bound: its innermost frames, marked cut; else
	 * the outermost frame began the thread's first eval loop */
	r->cut = frame != 0;
	if (n && !r->cut)
		r->frames[n - 1].entry = 1;
	return (ssize_t)n;
}

static int cmp_code(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(struct pycode *const *)a;
	uintptr_t y = (uintptr_t)*(struct pycode *const *)b;

	return x < y ? -1 : x > y;
}

/* Leaves each code once at the front of codes[]; returns how many.  A
 * recursion repeats one code thousands of times. */
static size_t unique_codes(struct pycode **codes, size_t n)
{
	size_t i, k = 0;

	if (n < 2)
		return n;
	qsort(codes, n, sizeof(*codes), cmp_code);
	for (i = 0; i < n; i++)
		if (!k || codes[k - 1] != codes[i])
			codes[k++] = codes[i];
	return k;
}

/*
 * Walks one thread's frames.  Addresses of freed code objects are
 * reused, so a cached code object is checked against the target again
 * when pycode_due says so or a frame's position does
 * not fit it: all codes of the walk in one system call, and when some
 * were stale and got reloaded, the walk is redone so the line numbers
 * come from the right line tables.
 */
static ssize_t walk_frames(struct pyreader *r, uint64_t frame)
{
	ssize_t n, i;
	struct pycode **codes;
	size_t nr_codes;
	int due, stale;

	r->suspect_code = 0;
	n = walk_frames_once(r, frame);
	if (n <= 0)
		return n;
	due = r->suspect_code;
	for (i = 0; i < n && !due; i++)
		due = pycode_due(r->frames[i].code, r->now_ns, CODE_YOUNG_NS);
	if (!due)
		return n;
	grow_array((void **)&r->frame_codes, sizeof(*r->frame_codes),
		   (size_t)n, &r->alloc_frame_codes);
	codes = r->frame_codes;
	for (i = 0; i < n; i++)
		codes[i] = r->frames[i].code;
	nr_codes = unique_codes(codes, (size_t)n);
	stale = pycode_validate(&r->codes, r->pid, &r->layout, codes, nr_codes);
	if (stale < 0)
		return -1;
	for (i = 0; i < (ssize_t)nr_codes; i++)
		codes[i]->checked_ns = r->now_ns;
	return stale ? walk_frames_once(r, frame) : n;
}

/* ---- one consistent stack ---- */

/*
 * 3.11+: frames live on a data stack whose memory the next call reuses as
 * soon as one returns, so frames read moments apart can belong to
 * different calls: a stack no program ever had.  So each sample's
 * snapshot copies the frame memory first, then the thread state and the
 * innermost frame pointer (the middle copy), then the frame memory again
 * (the last copy).  The walk starts from the middle pointer and uses the
 * first copies; when every frame's links (previous, code, and for
 * callers, which wait in a call, the position) are the same in the last
 * copy, the chain was live when the pointer was read.
 */

/* The innermost frame pointer, and whether it is a middle copy. */
static int leaf_pointer(struct pyreader *r, const unsigned char *ts,
			int ts_middle, uint64_t *frame, int *middle)
{
	const struct py_layout *l = &r->layout;
	const unsigned char *p;
	uint64_t buf, where;

	*frame = remote_u64(ts, l->tstate_frame);
	*middle = ts_middle;
	/* 3.11, 3.12: it hangs off the current _PyCFrame */
	if (l->cframe_current < 0 || !*frame)
		return 0;
	where = *frame + (uint64_t)l->cframe_current;
	p = pystack_bytes(r, l->interpreter_frames ? SNAPSHOT_MIDDLE :
			 SNAPSHOT_FIRST, where, sizeof(buf), &buf);
	if (!p)
		return -1;
	*middle = r->from_snapshot;
	*frame = remote_u64(p, 0);
	return 0;
}

/*
 * How many of the walked frames, counted from the outermost, held still
 * (see above).  All of them, with a middle leaf pointer: the stack as
 * read was live.
 */
static size_t steady_frames(struct pyreader *r)
{
	const struct py_layout *l = &r->layout;
	size_t i = r->nr_walked;

	while (i > 0) {
		const struct pywalked *w = &r->walked[i - 1];
		const unsigned char *p;

		if (!w->from_snapshot)
			break;
		p = snapshot_find(r->cur, r->walk_copy == SNAPSHOT_LAST ?
				  SNAPSHOT_FIRST : SNAPSHOT_LAST,
				  w->addr, l->frame_size);
		if (!p || remote_u64(p, l->frame_back) != w->back ||
		    remote_u64(p, l->frame_code) != w->code)
			break;
		i--;
	}
	return r->nr_walked - i;
}

/*
 * For a stack that never held still: keeps in r->frames only the callers
 * that did (the outermost steady_frames walked frames); returns how many
 * frames that leaves, or -1 when none did.
 */
static ssize_t keep_steady_callers(struct pyreader *r, ssize_t n)
{
	size_t steady = steady_frames(r), i;
	ssize_t first = -1;

	for (i = r->nr_walked - steady; i < r->nr_walked; i++) {
		if (r->walked[i].frame >= 0) {
			first = r->walked[i].frame;
			break;
		}
	}
	if (first < 0 || first >= n)
		return -1;
	memmove(r->frames, r->frames + first,
		(size_t)(n - first) * sizeof(*r->frames));
	return n - first;
}

/*
 * Is the stack just walked, frame for frame (address, previous, code),
 * the thread's last live one?  Then it is a stack the program had, even
 * if it changed while being read: it needs no second copy.
 */
static int same_as_prev(const struct pyreader *r, const struct pystack_prev *prev)
{
	size_t i;

	if (!prev || !prev->walked || prev->nr_walked != r->nr_walked)
		return 0;
	for (i = 0; i < r->nr_walked; i++) {
		const struct pywalked *a = &r->walked[i], *b = &prev->walked[i];

		if (a->addr != b->addr || a->back != b->back || a->code != b->code)
			return 0;
	}
	return 1;
}

/*
 * A retry: reads, in one system call of its own, everything this
 * thread's last attempt used (touched[mark...]) in the same copies, and
 * makes it the snapshot reads come from.
 */
static int retry_snapshot(struct pyreader *r, size_t mark)
{
	size_t i;

	snapshot_reset(&r->retry);
	for (i = mark; i < r->nr_touched; i++) {
		unsigned copies = r->touched[i].copies;

		if (copies & TOUCH_FRAME)
			copies |= SNAPSHOT_LAST;
		snapshot_want(&r->retry, r->touched[i].addr, r->touched[i].len,
			      copies);
	}
	if (snapshot_read(&r->retry, r->pid) <= 0)
		return -1;
	r->cur = &r->retry;
	r->window_len = 0;
	return 0;
}

/*
 * Reads one thread's stack into r->frames.  ts is the thread state read
 * at tstate (ts_middle: as the snapshot's middle copy); touched[mark...]
 * is what this thread read so far.  On 3.11+ a stack that did not hold
 * still is read again, up to STACK_ATTEMPTS times; then only its callers
 * that held still are kept and *moving is set.  Returns the number of
 * frames, or -1 (torn: nothing usable).
 */
/*
 * Last resort for a stack that never held still and could not be walked:
 * the outermost frames of the thread's last live stack that are still
 * there and unchanged, read afresh (twice, to see them hold still).  The
 * frames after the first change are not trusted.  Returns the number of
 * frames, or -1.
 */
static ssize_t steady_part_of_prev(struct pyreader *r,
				   const struct pystack_prev *prev)
{
	const struct py_layout *l = &r->layout;
	size_t i;
	ssize_t n;

	if (!prev || !prev->nr_walked)
		return -1;
	snapshot_reset(&r->retry);
	for (i = 0; i < prev->nr_walked; i++)
		snapshot_want(&r->retry, prev->walked[i].addr, l->frame_size,
			      SNAPSHOT_FIRST | SNAPSHOT_LAST);
	if (snapshot_read(&r->retry, r->pid) <= 0)
		return -1;
	r->cur = &r->retry;
	r->window_len = 0;
	for (i = prev->nr_walked; i > 0; i--) {
		const struct pywalked *w = &prev->walked[i - 1];
		const unsigned char *a = snapshot_find(r->cur, SNAPSHOT_FIRST,
						       w->addr, l->frame_size);
		const unsigned char *b = snapshot_find(r->cur, SNAPSHOT_LAST,
						       w->addr, l->frame_size);

		if (!a || !b || remote_u64(a, l->frame_back) != w->back ||
		    remote_u64(b, l->frame_back) != w->back ||
		    remote_u64(a, l->frame_code) != w->code ||
		    remote_u64(b, l->frame_code) != w->code)
			break;
	}
	if (i == prev->nr_walked)
		return -1;
	n = walk_frames(r, prev->walked[i].addr);
	return n > 0 ? n : -1;
}

ssize_t pystack_read(struct pyreader *r, uint64_t tstate,
		     const unsigned char *ts, int ts_middle, size_t mark,
		     const struct pystack_prev *prev, int *moving, int *same)
{
	const struct py_layout *l = &r->layout;
	ssize_t n = -1;
	int attempt;

	*moving = 0;
	*same = 0;
	/* a stack that stays the same is read once per sample; one that
	 * changes gets the last copy to be checked against */
	r->frame_copies = prev && prev->trusted ? SNAPSHOT_FIRST :
		SNAPSHOT_FIRST | SNAPSHOT_LAST;
	for (attempt = 0; attempt < STACK_ATTEMPTS; attempt++) {
		uint64_t frame;
		int middle;

		if (attempt) {
			if (retry_snapshot(r, mark) < 0)
				break;
			ts = snapshot_find(r->cur, SNAPSHOT_MIDDLE, tstate,
					   l->tstate_size);
			if (!ts)
				break;
			ts_middle = 1;
		}
		r->nr_walked = 0;
		if (leaf_pointer(r, ts, ts_middle, &frame, &middle) < 0) {
			n = -1;
			continue;
		}
		n = walk_frames(r, frame);
		if (!l->interpreter_frames)
			break;
		if (n >= 0 && middle && same_as_prev(r, prev)) {
			*same = 1;
			break;
		}
		if (n >= 0 && middle && steady_frames(r) == r->nr_walked)
			break;
		if (attempt + 1 == STACK_ATTEMPTS) {
			/* a leaf pushed after the first copy was taken is
			 * not in it, but in the last one */
			if (n <= 0) {
				r->walk_copy = SNAPSHOT_LAST;
				n = walk_frames(r, frame);
			}
			if (n > 0)
				n = keep_steady_callers(r, n);
			r->walk_copy = SNAPSHOT_FIRST;
			if (n <= 0)
				n = steady_part_of_prev(r, prev);
			*moving = n > 0;
			break;
		}
		n = -1;
	}
	r->cur = &r->snap;
	r->window_len = 0;
	return n;
}

