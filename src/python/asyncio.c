/*
 * asyncio.c - asyncio task chains for --async, read out of the target.
 *
 * Which task a thread runs: the innermost events.Handle._run frame on its
 * stack; its self is the Handle, whose _callback is the task's step
 * (TaskStepMethWrapper) or wakeup (a builtin method bound to the task).
 * Who awaits a task: its done-callbacks, in the order CPython adds them -
 * a Task's bound __wakeup (plain `await task`), a closure or partial that
 * holds a future whose own callbacks wake a task (gather, 3.11 wait_for),
 * a bound method of an object with a _parent_task (TaskGroup).  A waiting
 * task's stack is its coroutine and the coroutines it awaits, each found
 * on the value stack of the suspended frame (what CPython's _PyGen_yf
 * reads).  On 3.14+ the interpreter keeps the answers itself: the thread
 * state's running task, each task's awaited_by, each thread's list of
 * tasks (asyncio_debug.c finds where).  Every read is bounded; anything
 * implausible ends the chain.
 * Layouts: asyncio_layouts.c.  Never writes to the target.
 */
#include <stdlib.h>
#include <string.h>

#include "python/asyncio.h"
#include "python/codecache.h"
#include "python/reader.h"
#include "python/remote.h"
#include "python/threadnames.h"
#include "python/unicode.h"
#include "util/xalloc.h"

#define ASYNC_MAX_TASKS 64	/* awaiting tasks followed up one chain */
#define ASYNC_MAX_AWAITS 64	/* coroutines awaited within one task */
#define ASYNC_MAX_CALLBACKS 16	/* done-callbacks looked at per future */
#define ASYNC_MAX_CHILDREN 256	/* gather children printed per task */
#define ASYNC_TYPE_CACHE 64
#define ASYNC_NAME_CACHE 256
#define ASYNC_CORO_CACHE 1024

enum async_kind {
	KIND_OTHER,
	KIND_TASK,
	KIND_FUTURE,
	KIND_CORO,
	KIND_CFUNCTION,
	KIND_FUNCTION,
	KIND_METHOD,
	KIND_PARTIAL,
	KIND_STEPWRAPPER,
	KIND_TUPLE,
	KIND_LIST,
	KIND_SET,
	KIND_CELL,
	KIND_STR,
	KIND_INT,
};

/* tp_name of each kind; Python subclasses of Future/Task are not known. */
static const struct {
	const char *name;
	enum async_kind kind;
} type_names[] = {
	{ "_asyncio.Task", KIND_TASK },
	{ "_asyncio.Future", KIND_FUTURE },
	{ "_GatheringFuture", KIND_FUTURE },
	{ "coroutine", KIND_CORO },
	{ "generator", KIND_CORO },	/* @types.coroutine, same layout */
	{ "builtin_function_or_method", KIND_CFUNCTION },
	{ "function", KIND_FUNCTION },
	{ "method", KIND_METHOD },
	{ "functools.partial", KIND_PARTIAL },
	{ "TaskStepMethWrapper", KIND_STEPWRAPPER },		/* 3.11 */
	{ "_asyncio.TaskStepMethWrapper", KIND_STEPWRAPPER },	/* 3.12+ */
	{ "tuple", KIND_TUPLE },
	{ "list", KIND_LIST },
	{ "set", KIND_SET },
	{ "cell", KIND_CELL },
	{ "str", KIND_STR },
	{ "int", KIND_INT },
};

struct type_entry {
	uint64_t type;
	enum async_kind kind;
};

/* A task's name as a "[task NAME]" frame; the pycode is ours.  The
 * object's first bytes (its refcount aside) tell a reused address. */
#define NAME_HEAD 64
struct name_entry {
	uint64_t name_obj;
	unsigned char head[NAME_HEAD];
	struct pycode *code;
};

struct frame_buf {
	struct pyframe *frames;
	size_t n, alloc;
};

/* Which task owns a coroutine, as last seen. */
struct coro_entry {
	uint64_t coro, task;
};

struct pyasync {
	const struct py_async_layout *al;	/* &own */
	struct py_async_layout own;	/* the row, or the target's block */
	int debug_found;		/* 3.14+: own is from _AsyncioDebug */
	unsigned debug_tries;		/* calls since it was last looked for */
	uint64_t tstate;		/* the sample's thread state */
	struct type_entry types[ASYNC_TYPE_CACHE];
	size_t nr_types, next_type;
	struct name_entry names[ASYNC_NAME_CACHE];
	size_t nr_names, next_name;
	struct pycode **codes;		/* every "[task NAME]" code, owned */
	size_t nr_codes, alloc_codes;
	struct frame_buf out;		/* the rewritten stack */
	struct frame_buf wait;		/* a waiting task's stack */
	struct pyframe chain[ASYNC_MAX_AWAITS];
	uint64_t chain_addr[ASYNC_MAX_AWAITS];	/* each one's frame */
	struct coro_entry coros[ASYNC_CORO_CACHE];
	uint64_t all_tasks_set;		/* the WeakSet's data set, 0 = find */
	uint64_t *tasks;		/* scratch: every task */
	size_t alloc_tasks;
};

struct pyasync *pyasync_open(const struct pyreader *r)
{
	const struct py_async_layout *al;
	struct pyasync *a;

	al = py_async_layout_find(r->layout.major, r->layout.minor);
	if (!al)
		return NULL;
	a = xcalloc(1, sizeof(*a));
	a->own = *al;
	a->al = &a->own;
	if (al->tstate_running_task)
		a->debug_found = py_async_debug_offsets(r->pid, &a->own);
	return a;
}

void pyasync_close(struct pyasync *a)
{
	size_t i;

	if (!a)
		return;
	for (i = 0; i < a->nr_codes; i++) {
		free(a->codes[i]->name);
		free(a->codes[i]->file);
		free(a->codes[i]);
	}
	free(a->codes);
	free(a->out.frames);
	free(a->wait.frames);
	free(a->tasks);
	free(a);
}

static int read_u64(const struct pyreader *r, uint64_t addr, uint64_t *v)
{
	*v = 0;
	return addr ? remote_read(r->pid, addr, v, sizeof(*v)) : -1;
}

static uint64_t field(const struct pyreader *r, uint64_t obj, uint32_t off)
{
	uint64_t v;

	return read_u64(r, obj + off, &v) < 0 ? 0 : v;
}

static enum async_kind kind_of(struct pyasync *a, const struct pyreader *r,
			       uint64_t obj)
{
	uint64_t type, tp_name;
	char name[40];
	enum async_kind kind = KIND_OTHER;
	struct type_entry *e;
	size_t i;

	if (!obj || read_u64(r, obj + 8, &type) < 0 || !type)
		return KIND_OTHER;
	for (i = 0; i < a->nr_types; i++)
		if (a->types[i].type == type)
			return a->types[i].kind;
	/* PyTypeObject.tp_name, the same place in every version */
	if (read_u64(r, type + 24, &tp_name) < 0 ||
	    remote_read_partial(r->pid, tp_name, name, sizeof(name)) <= 0)
		return KIND_OTHER;
	name[sizeof(name) - 1] = '\0';
	for (i = 0; i < sizeof(type_names) / sizeof(type_names[0]); i++)
		if (!strcmp(name, type_names[i].name))
			kind = type_names[i].kind;
	if (a->nr_types < ASYNC_TYPE_CACHE) {
		e = &a->types[a->nr_types++];
	} else {
		e = &a->types[a->next_type];
		a->next_type = (a->next_type + 1) % ASYNC_TYPE_CACHE;
	}
	e->type = type;
	e->kind = kind;
	return kind;
}

/* Up to max items of a tuple or list; returns how many. */
static size_t sequence_items(struct pyasync *a, const struct pyreader *r,
			     uint64_t seq, uint64_t *items, size_t max)
{
	enum async_kind k = kind_of(a, r, seq);
	uint64_t size, at;

	if (k != KIND_TUPLE && k != KIND_LIST)
		return 0;
	size = field(r, seq, 16);
	if (size > max)
		size = max;
	/* a tuple's items follow its header; a list points at them */
	at = k == KIND_TUPLE ? seq + 24 : field(r, seq, 24);
	if (!size || !at || remote_read(r->pid, at, items, size * 8) < 0)
		return 0;
	return (size_t)size;
}

/* A future's done-callbacks, first one first. */
static size_t callbacks(struct pyasync *a, const struct pyreader *r,
			uint64_t fut, uint64_t *out)
{
	uint64_t items[ASYNC_MAX_CALLBACKS], list;
	size_t n = 0, i, nr;

	out[n] = field(r, fut, a->al->fut_callback0);
	if (out[n])
		n++;
	list = field(r, fut, a->al->fut_callbacks);
	if (!list)
		return n;
	nr = sequence_items(a, r, list, items, ASYNC_MAX_CALLBACKS - n);
	for (i = 0; i < nr; i++) {
		/* each is a (callback, context) tuple */
		uint64_t pair[1];

		if (sequence_items(a, r, items[i], pair, 1) == 1 && pair[0])
			out[n++] = pair[0];
	}
	return n;
}

/* The task a callback wakes: a builtin method bound to a task. */
static uint64_t woken_task(struct pyasync *a, const struct pyreader *r,
			   uint64_t cb)
{
	uint64_t self;

	if (kind_of(a, r, cb) != KIND_CFUNCTION)
		return 0;
	self = field(r, cb, a->al->cfunction_self);
	return kind_of(a, r, self) == KIND_TASK ? self : 0;
}

/* The task woken when this future (gather's, wait_for's) is done. */
static uint64_t future_waker(struct pyasync *a, const struct pyreader *r,
			     uint64_t fut)
{
	uint64_t cbs[ASYNC_MAX_CALLBACKS], t;
	size_t n = callbacks(a, r, fut, cbs), i;

	for (i = 0; i < n; i++)
		if ((t = woken_task(a, r, cbs[i])))
			return t;
	return 0;
}

/* The first task that a future among objs[] wakes. */
static uint64_t waker_among(struct pyasync *a, const struct pyreader *r,
			    uint64_t self, const uint64_t *objs, size_t n)
{
	size_t i;
	uint64_t t;

	for (i = 0; i < n; i++) {
		enum async_kind k = kind_of(a, r, objs[i]);

		if (objs[i] == self || (k != KIND_FUTURE && k != KIND_TASK))
			continue;
		if ((t = future_waker(a, r, objs[i])))
			return t;
	}
	return 0;
}

/* 3.14+: the first task in task's awaited_by (one task, or a set). */
static uint64_t awaited_by(struct pyasync *a, const struct pyreader *r,
			   uint64_t task)
{
	const struct py_async_layout *al = a->al;
	uint64_t by = field(r, task, al->task_awaited_by) & ~(uint64_t)3;
	uint64_t head[6], *table, t = 0;
	unsigned char is_set = 0;
	size_t i;

	if (!by || remote_read(r->pid, task + al->task_awaited_by_is_set,
			       &is_set, 1) < 0)
		return 0;
	if (!is_set)
		return kind_of(a, r, by) == KIND_TASK && by != task ? by : 0;
	/* PySetObject: fill, used, mask, table after the header */
	if (remote_read(r->pid, by, head, sizeof(head)) < 0 ||
	    head[4] >= 4096 || !head[5])
		return 0;
	table = xmalloc((head[4] + 1) * 16);
	if (remote_read(r->pid, head[5], table, (head[4] + 1) * 16) == 0)
		for (i = 0; i <= head[4] && !t; i++)
			if (table[2 * i] && table[2 * i] != task &&
			    kind_of(a, r, table[2 * i]) == KIND_TASK)
				t = table[2 * i];
	free(table);
	return t;
}

/* The task awaiting task (0 when none is found). */
static uint64_t awaiter_of(struct pyasync *a, const struct pyreader *r,
			   uint64_t task)
{
	const struct py_async_layout *al = a->al;
	uint64_t cbs[ASYNC_MAX_CALLBACKS], objs[ASYNC_MAX_CALLBACKS], t;
	size_t n, i, j, m;

	if (al->task_awaited_by)
		return awaited_by(a, r, task);
	n = callbacks(a, r, task, cbs);

	for (i = 0; i < n; i++) {
		switch (kind_of(a, r, cbs[i])) {
		case KIND_CFUNCTION:
			if ((t = woken_task(a, r, cbs[i])))
				return t;
			break;
		case KIND_FUNCTION: {
			/* gather's _done_callback: its cells hold `outer` */
			uint64_t cells[ASYNC_MAX_CALLBACKS];

			m = sequence_items(a, r,
					   field(r, cbs[i], al->function_closure),
					   cells, ASYNC_MAX_CALLBACKS);
			for (j = 0; j < m; j++)
				objs[j] = kind_of(a, r, cells[j]) == KIND_CELL ?
					field(r, cells[j], 16) : 0;
			if ((t = waker_among(a, r, task, objs, m)))
				return t;
			break;
		}
		case KIND_PARTIAL:
			/* 3.11 wait_for: partial(_release_waiter, waiter) */
			m = sequence_items(a, r, field(r, cbs[i], al->partial_args),
					   objs, ASYNC_MAX_CALLBACKS);
			if ((t = waker_among(a, r, task, objs, m)))
				return t;
			break;
		case KIND_METHOD: {
			/* TaskGroup._on_task_done: the group's parent task */
			uint64_t self = field(r, cbs[i], al->method_self);

			t = self ? pyobject_attribute(r, self, "_parent_task") : 0;
			if (t && t != task && kind_of(a, r, t) == KIND_TASK)
				return t;
			break;
		}
		default:
			break;
		}
	}
	return 0;
}

uint64_t pyasync_awaiter(struct pyasync *a, const struct pyreader *r,
			 uint64_t task)
{
	return awaiter_of(a, r, task);
}

/* The line a frame's instruction pointer is at (3.11+ frames). */
static int frame_line(const struct pyreader *r, struct pycode *code,
		      uint64_t code_addr, const unsigned char *f)
{
	return pycode_line_of_instr(code, &r->layout, code_addr,
				    remote_u64(f, r->layout.frame_lasti));
}

/*
 * The stack of a task that waits: its coroutine, then each coroutine it
 * awaits, into a->chain outermost first.  Returns the count.
 */
static size_t waiting_stack(struct pyasync *a, struct pyreader *r,
			    uint64_t task)
{
	const struct py_layout *l = &r->layout;
	const struct py_async_layout *al = a->al;
	uint64_t coro = field(r, task, al->task_coro);
	unsigned char f[128];
	size_t n = 0;

	while (coro && n < ASYNC_MAX_AWAITS &&
	       kind_of(a, r, coro) == KIND_CORO) {
		uint64_t frame = coro + al->gen_iframe, code_addr;
		struct pycode *code;
		int32_t top;

		if (l->frame_size > sizeof(f) ||
		    remote_read(r->pid, frame, f, l->frame_size) < 0)
			break;
		code_addr = remote_u64(f, l->frame_code);
		if (l->frame_code_tagged)
			code_addr &= ~(uint64_t)3;
		code = pycode_get(&r->codes, r->pid, l, code_addr);
		if (!code)
			break;
		/* a cached code object whose address was reused (a module's
		 * code freed after start-up): checked again, as the walk does */
		if (r->now_ns - code->checked_ns > PYCODE_RECHECK_NS) {
			if (pycode_validate(&r->codes, r->pid, l, &code, 1) < 0)
				break;
			code->checked_ns = r->now_ns;
		}
		a->chain[n].code = code;
		a->chain[n].line = frame_line(r, code, code_addr, f);
		a->chain[n].entry = 0;
		a->chain_addr[n] = frame;
		n++;
		if (al->stackpointer) {
			/* 3.14+: suspended in an await, the awaited object
			 * await_slot words below the stack pointer */
			int8_t state;
			uint64_t sp = remote_u64(f, al->frame_stacktop) & ~(uint64_t)3;

			if (remote_read(r->pid, coro + al->gen_frame_state, &state, 1) < 0 ||
			    state < al->yield_from_lo || state > al->yield_from_hi ||
			    sp < frame + al->frame_localsplus + al->await_slot * 8 ||
			    sp > frame + (1u << 20))
				break;
			coro = field(r, sp - al->await_slot * 8, 0) & ~(uint64_t)3;
			continue;
		}
		/* what it awaits is on top of its value stack */
		top = remote_i32(f, al->frame_stacktop);
		if (top <= 0 || top > 100000)
			break;
		coro = field(r, frame + al->frame_localsplus +
			     (uint64_t)(top - 1) * 8, 0);
	}
	return n;
}

/* A task's name: its str, or (3.13) the int of "Task-N" not yet made. */
static char *task_name(struct pyasync *a, const struct pyreader *r,
		       uint64_t name_obj)
{
	enum async_kind k = kind_of(a, r, name_obj);
	char buf[64];

	if (k == KIND_STR)
		return py_read_string(r->pid, &r->layout, name_obj);
	if (k == KIND_INT) {
		uint64_t size = field(r, name_obj, 16);
		uint32_t digit = 0;

		/* 3.12+: lv_tag, digits << 3; before: ob_size */
		if (r->layout.long_tagged)
			size >>= 3;
		if (size > 1 ||
		    (size == 1 &&
		     remote_read(r->pid, name_obj + 24, &digit, 4) < 0))
			return NULL;
		snprintf(buf, sizeof(buf), "Task-%u", digit & 0x3fffffff);
		return xstrdup(buf);
	}
	return NULL;
}

/* The "[task NAME]" pseudo-code of a task. */
static struct pycode *task_code(struct pyasync *a, const struct pyreader *r,
				uint64_t task)
{
	uint64_t name_obj = field(r, task, a->al->task_name);
	unsigned char head[NAME_HEAD] = { 0 };
	struct name_entry *e;
	struct pycode *c = NULL;
	char *name, *label;
	size_t i, len;

	/* the header, length and (for short ASCII names) the characters */
	if (name_obj)
		remote_read_partial(r->pid, name_obj, head, sizeof(head));
	for (i = 0; i < a->nr_names; i++)
		if (a->names[i].name_obj == name_obj &&
		    !memcmp(a->names[i].head + 8, head + 8, NAME_HEAD - 8))
			return a->names[i].code;
	name = name_obj ? task_name(a, r, name_obj) : NULL;
	len = strlen(name ? name : "?") + 8;
	label = xmalloc(len);
	snprintf(label, len, "[task %s]", name ? name : "?");
	free(name);
	for (i = 0; i < a->nr_codes && !c; i++)
		if (!strcmp(a->codes[i]->name, label))
			c = a->codes[i];
	if (c) {
		free(label);
	} else {
		c = xcalloc(1, sizeof(*c));
		c->name = label;
		c->file = xstrdup("");
		grow_array((void **)&a->codes, sizeof(*a->codes),
			   a->nr_codes + 1, &a->alloc_codes);
		a->codes[a->nr_codes++] = c;
	}
	if (a->nr_names < ASYNC_NAME_CACHE) {
		e = &a->names[a->nr_names++];
	} else {
		e = &a->names[a->next_name];
		a->next_name = (a->next_name + 1) % ASYNC_NAME_CACHE;
	}
	e->name_obj = name_obj;
	memcpy(e->head, head, sizeof(head));
	e->code = c;
	return c;
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), m = strlen(tail);

	return n >= m && !strcmp(s + n - m, tail);
}

/* The address of s->frames[i] as the walk read it, 0 if unknown. */
static uint64_t walked_addr(const struct pyreader *r, size_t i)
{
	size_t w;

	for (w = 0; w < r->nr_walked; w++)
		if (r->walked[w].frame == (ssize_t)i)
			return r->walked[w].addr;
	return 0;
}

static void remember_task(struct pyasync *a, uint64_t coro, uint64_t task)
{
	struct coro_entry *e = &a->coros[(coro >> 4) % ASYNC_CORO_CACHE];

	e->coro = coro;
	e->task = task;
}

/*
 * The task s's thread is stepping, or 0; *k is the index in s->frames of
 * the Handle._run frame (the running task's frames are inside it).
 *
 * The Handle (3.14+: the thread state's running task) is read after the
 * walk, and a loop that switches tasks quickly may have moved on: the
 * task must own the coroutine whose frame the walk found just inside
 * Handle._run (frames of coroutines live in the coroutine object).  When
 * it no longer tells, a task seen before with that coroutine is used,
 * checked again.
 */
static uint64_t running_task(struct pyasync *a, const struct pyreader *r,
			     const struct pythread_sample *s, size_t *k)
{
	const struct pycode *c;
	uint64_t frame, handle, cb, task = 0, coro = 0;
	struct coro_entry *e;
	size_t i;

	if (s->frames != r->frames)
		return 0;
	for (i = 0; i < s->nr_frames; i++) {
		c = s->frames[i].code;
		if (!strcmp(c->name, "Handle._run") &&
		    ends_with(c->file, "asyncio/events.py"))
			break;
	}
	if (i == s->nr_frames || !(frame = walked_addr(r, i)))
		return 0;
	*k = i;
	if (i > 0 && (coro = walked_addr(r, i - 1)))
		coro -= a->al->gen_iframe;
	if (a->al->tstate_running_task) {
		/* 3.14+: the thread state says */
		task = s->tstate ? field(r, s->tstate,
					 a->al->tstate_running_task) : 0;
	} else {
		handle = field(r, frame, a->al->frame_localsplus); /* self */
		cb = handle ? field(r, handle, a->al->handle_callback) : 0;
		switch (kind_of(a, r, cb)) {
		case KIND_STEPWRAPPER:
			task = field(r, cb, a->al->stepwrapper_task);
			break;
		case KIND_CFUNCTION:
			task = field(r, cb, a->al->cfunction_self);
			break;
		default:
			break;
		}
	}
	if (task && kind_of(a, r, task) != KIND_TASK)
		task = 0;
	if (!coro)
		return task;
	if (task && field(r, task, a->al->task_coro) == coro) {
		remember_task(a, coro, task);
		return task;
	}
	e = &a->coros[(coro >> 4) % ASYNC_CORO_CACHE];
	if (e->coro == coro && field(r, e->task, a->al->task_coro) == coro &&
	    kind_of(a, r, e->task) == KIND_TASK)
		return e->task;
	return 0;
}

/* The set behind asyncio.tasks' WeakSet of tasks, 0 when not found. */
static uint64_t all_tasks_set(struct pyasync *a, struct pyreader *r)
{
	uint64_t modules, module, dict, weakset, set;

	if (a->all_tasks_set && kind_of(a, r, a->all_tasks_set) == KIND_SET)
		return a->all_tasks_set;
	a->all_tasks_set = 0;
	if (!r->head_interp || !r->layout.interp_modules)
		return 0;
	modules = field(r, r->head_interp, r->layout.interp_modules);
	module = modules ? pydict_lookup(r, modules, "asyncio.tasks") : 0;
	dict = module ? field(r, module, 16) : 0;	/* md_dict */
	weakset = dict ? pydict_lookup(r, dict, a->al->all_tasks_name) : 0;
	set = weakset ? pyobject_attribute(r, weakset, "data") : 0;
	if (kind_of(a, r, set) == KIND_SET)
		a->all_tasks_set = set;
	return a->all_tasks_set;
}

static void add_task(struct pyasync *a, size_t *n, uint64_t task)
{
	grow_array((void **)&a->tasks, sizeof(*a->tasks), *n + 1,
		   &a->alloc_tasks);
	a->tasks[(*n)++] = task;
}

/*
 * 3.14+: the tasks of loop on the sample's thread's list, then on the
 * interpreter's (tasks whose thread has gone): circular lists of
 * llist_nodes, each inside its task at task_node.
 */
static size_t listed_tasks(struct pyasync *a, struct pyreader *r,
			   uint64_t loop)
{
	const struct py_async_layout *al = a->al;
	uint64_t heads[2], node, task;
	size_t n = 0, h, steps;

	heads[0] = a->tstate ? a->tstate + al->tstate_tasks_head : 0;
	heads[1] = r->head_interp ? r->head_interp + al->interp_tasks_head : 0;
	for (h = 0; h < 2; h++) {
		if (!heads[h])
			continue;
		node = field(r, heads[h], 0);
		for (steps = 0; node && node != heads[h] && steps < 65536; steps++) {
			task = node - al->task_node;
			if (kind_of(a, r, task) == KIND_TASK &&
			    field(r, task, al->fut_loop) == loop)
				add_task(a, &n, task);
			node = field(r, node, 0);
		}
	}
	return n;
}

/*
 * Every task of loop into a->tasks (weak references in a set: a set's
 * table holds mask + 1 (key, hash) pairs; a reference's object is its
 * third word).  Returns the count.
 */
static size_t loop_tasks(struct pyasync *a, struct pyreader *r, uint64_t loop)
{
	uint64_t set, head[6], *table, task;
	size_t i, n = 0;

	if (a->al->tstate_tasks_head)
		return listed_tasks(a, r, loop);
	set = all_tasks_set(a, r);
	if (!set || !loop || remote_read(r->pid, set, head, sizeof(head)) < 0 ||
	    head[4] >= 65536 || !head[5])
		return 0;
	table = xmalloc((head[4] + 1) * 16);
	if (remote_read(r->pid, head[5], table, (head[4] + 1) * 16) == 0) {
		for (i = 0; i <= head[4]; i++) {
			if (!table[2 * i])
				continue;
			task = field(r, table[2 * i], 16);
			if (kind_of(a, r, task) != KIND_TASK ||
			    field(r, task, a->al->fut_loop) != loop)
				continue;
			grow_array((void **)&a->tasks, sizeof(*a->tasks), n + 1,
				   &a->alloc_tasks);
			a->tasks[n++] = task;
		}
	}
	free(table);
	return n;
}

static void push(struct frame_buf *b, struct pycode *code, int line)
{
	grow_array((void **)&b->frames, sizeof(*b->frames), b->n + 1,
		   &b->alloc);
	b->frames[b->n].code = code;
	b->frames[b->n].line = line;
	b->frames[b->n].entry = 0;
	b->n++;
}

/* Appends task's name, then each awaiting task's stack and name,
 * outwards (innermost first, like a thread's frames). */
static void push_awaiters(struct pyasync *a, struct pyreader *r,
			  uint64_t task, struct frame_buf *b)
{
	uint64_t tasks[ASYNC_MAX_TASKS];
	size_t nr_tasks = 0, i, m;

	while (task && nr_tasks < ASYNC_MAX_TASKS) {
		for (i = 0; i < nr_tasks; i++)
			if (tasks[i] == task)
				return;		/* a cycle: a torn read */
		tasks[nr_tasks++] = task;
		push(b, task_code(a, r, task), 0);
		task = awaiter_of(a, r, task);
		if (!task)
			return;
		m = waiting_stack(a, r, task);
		while (m-- > 0)
			push(b, a->chain[m].code, a->chain[m].line);
	}
}

/*
 * Before each use: the sample's thread state, and on 3.14+ the
 * _AsyncioDebug block looked for again now and then until found (the
 * _asyncio module may load after the reader attached).
 */
static void begin(struct pyasync *a, const struct pyreader *r,
		  const struct pythread_sample *s)
{
	a->tstate = s->tstate;
	if (a->al->tstate_running_task && !a->debug_found &&
	    a->debug_tries++ % 32 == 0)
		a->debug_found = py_async_debug_offsets(r->pid, &a->own);
}

int pyasync_rewrite(struct pyasync *a, struct pyreader *r,
		    struct pythread_sample *s)
{
	uint64_t task;
	size_t k = 0, i;

	begin(a, r, s);
	task = running_task(a, r, s, &k);
	if (!task)
		return 0;
	/* the running task's own frames, then its chain of awaiters */
	a->out.n = 0;
	for (i = 0; i < k; i++)
		push(&a->out, s->frames[i].code, s->frames[i].line);
	push_awaiters(a, r, task, &a->out);
	s->frames = a->out.frames;
	s->nr_frames = a->out.n;
	return 1;
}

static size_t awaited_tasks(struct pyasync *a, struct pyreader *r,
			    uint64_t task, uint64_t *out, size_t max);
static uint64_t main_task(struct pyasync *a, const struct pyreader *r,
			  const struct pythread_sample *s);

/* The root of the task tree s's thread runs, or 0; *running: the task
 * running now, 0 if none. */
static uint64_t tree_root(struct pyasync *a, struct pyreader *r,
			  const struct pythread_sample *s, uint64_t *running,
			  size_t *k)
{
	uint64_t root, up;
	size_t hops = 0;

	*running = running_task(a, r, s, k);
	if (!*running)
		return main_task(a, r, s);
	for (root = *running; hops < ASYNC_MAX_TASKS; hops++, root = up) {
		up = awaiter_of(a, r, root);
		if (!up || up == *running)
			break;
	}
	return root;
}

/* Hands fn the stack of one task that waits for a future that is not a
 * task: its suspended coroutines, its name, its awaiters. */
static int hand_waiting(struct pyasync *a, struct pyreader *r,
			uint64_t task, uint64_t running, pyasync_stack_fn fn,
			void *ctx)
{
	uint64_t kids[ASYNC_MAX_CHILDREN];
	size_t m;

	/* running, done, ready to run (it awaits no future: it yielded),
	 * or waiting for tasks (drawn by them) */
	if (task == running ||
	    (field(r, task, a->al->fut_state) & 0xffffffff) != 0 ||
	    !field(r, task, a->al->task_fut_waiter) ||
	    awaited_tasks(a, r, task, kids, ASYNC_MAX_CHILDREN))
		return 0;
	m = waiting_stack(a, r, task);
	a->wait.n = 0;
	while (m-- > 0)
		push(&a->wait, a->chain[m].code, a->chain[m].line);
	push_awaiters(a, r, task, &a->wait);
	fn(ctx, a->wait.frames, a->wait.n);
	return 1;
}

int pyasync_waiting(struct pyasync *a, struct pyreader *r,
		    const struct pythread_sample *s, pyasync_stack_fn fn,
		    void *ctx)
{
	uint64_t running, root, todo[ASYNC_MAX_CHILDREN];
	uint64_t kids[ASYNC_MAX_CHILDREN];
	size_t k = 0, nr_todo = 0, seen = 0, n, i;
	int handed = 0;

	begin(a, r, s);
	root = tree_root(a, r, s, &running, &k);
	if (!root)
		return 0;
	/* every task of the loop when asyncio's registry can be read */
	n = loop_tasks(a, r, field(r, root, a->al->fut_loop));
	if (n) {
		for (i = 0; i < n; i++)
			handed += hand_waiting(a, r, a->tasks[i], running, fn, ctx);
		return handed;
	}
	/* else the tasks reachable from the root */
	todo[nr_todo++] = root;
	while (nr_todo && seen++ < ASYNC_MAX_CHILDREN) {
		uint64_t task = todo[--nr_todo];

		n = awaited_tasks(a, r, task, kids, ASYNC_MAX_CHILDREN);
		for (i = 0; i < n && nr_todo < ASYNC_MAX_CHILDREN; i++)
			todo[nr_todo++] = kids[i];
		handed += hand_waiting(a, r, task, running, fn, ctx);
	}
	return handed;
}

static const char *state_name(struct pyasync *a, const struct pyreader *r,
			      uint64_t task, int running)
{
	uint64_t state = field(r, task, a->al->fut_state) & 0xffffffff;

	if (running)
		return "running";
	return state == 0 ? "pending" : state == 1 ? "cancelled" :
		state == 2 ? "done" : "unknown";
}

static void print_frames(FILE *out, int indent, const struct pyframe *f,
			 size_t n)
{
	while (n-- > 0)
		fprintf(out, "%*s%s (%s:%d)\n", indent, "", f[n].code->name,
			f[n].code->file, f[n].line);
}

/*
 * The tasks of a TaskGroup that task waits in (its __aexit__ frame's
 * self), from the group's _tasks set: a set's table holds (key, hash)
 * pairs, mask + 1 of them.
 */
static size_t group_tasks(struct pyasync *a, struct pyreader *r,
			  uint64_t task, uint64_t *out, size_t max)
{
	uint64_t group = 0, set, head[6], *table;
	size_t n = waiting_stack(a, r, task), i, m = 0;

	for (i = 0; i < n && !group; i++)
		if (!strcmp(a->chain[i].code->name, "TaskGroup.__aexit__") &&
		    ends_with(a->chain[i].code->file, "asyncio/taskgroups.py"))
			group = field(r, a->chain_addr[i],
				      a->al->frame_localsplus);
	set = group ? pyobject_attribute(r, group, "_tasks") : 0;
	/* PySetObject: fill, used, mask, table after the header */
	if (!set || remote_read(r->pid, set, head, sizeof(head)) < 0 ||
	    head[4] >= 4096 || !head[5])
		return 0;
	table = xmalloc((head[4] + 1) * 16);
	if (remote_read(r->pid, head[5], table, (head[4] + 1) * 16) == 0)
		for (i = 0; i <= head[4] && m < max; i++)
			if (kind_of(a, r, table[2 * i]) == KIND_TASK)
				out[m++] = table[2 * i];
	free(table);
	return m;
}

/* The tasks task awaits: its waiter if a task, else gather's children
 * or its TaskGroup's tasks. */
static size_t awaited_tasks(struct pyasync *a, struct pyreader *r,
			    uint64_t task, uint64_t *out, size_t max)
{
	uint64_t waiter = field(r, task, a->al->task_fut_waiter), children;
	size_t n, i, m = 0;

	switch (kind_of(a, r, waiter)) {
	case KIND_TASK:
		out[0] = waiter;
		return 1;
	case KIND_FUTURE:
		if (a->al->fut_dict) {
			uint64_t dict = field(r, waiter, a->al->fut_dict);

			children = dict ? pydict_lookup(r, dict, "_children") : 0;
		} else {
			children = pyobject_attribute(r, waiter, "_children");
		}
		n = sequence_items(a, r, children, out, max);
		for (i = 0; i < n; i++)
			if (kind_of(a, r, out[i]) == KIND_TASK)
				out[m++] = out[i];
		return m ? m : group_tasks(a, r, task, out, max);
	default:
		return 0;
	}
}

static int print_task(struct pyasync *a, struct pyreader *r, uint64_t task,
		      uint64_t running, const struct pythread_sample *s,
		      size_t k, int depth, FILE *out)
{
	uint64_t kids[ASYNC_MAX_CHILDREN];
	size_t n, i;
	int printed = 1, indent = 4 + 4 * depth;

	fprintf(out, "%*s%s %s\n", indent - 2, "", task_code(a, r, task)->name,
		state_name(a, r, task, task == running));
	if (task == running) {
		print_frames(out, indent, s->frames, k);
	} else {
		n = waiting_stack(a, r, task);
		for (i = 0; i < n; i++)
			fprintf(out, "%*s%s (%s:%d)\n", indent, "",
				a->chain[i].code->name, a->chain[i].code->file,
				a->chain[i].line);
	}
	if (depth >= 32)
		return printed;
	n = awaited_tasks(a, r, task, kids, ASYNC_MAX_CHILDREN);
	for (i = 0; i < n; i++)
		printed += print_task(a, r, kids[i], running, s, k, depth + 1,
				      out);
	return printed;
}

/*
 * With no task running, the loop's main task: run_until_complete's local
 * `future` (its second fast local, after self), once it is a Task.
 */
static uint64_t main_task(struct pyasync *a, const struct pyreader *r,
			  const struct pythread_sample *s)
{
	const struct pycode *c;
	uint64_t task;
	size_t i, w;

	if (s->frames != r->frames)
		return 0;
	for (i = 0; i < s->nr_frames; i++) {
		c = s->frames[i].code;
		if (strcmp(c->name, "BaseEventLoop.run_until_complete") ||
		    !ends_with(c->file, "asyncio/base_events.py"))
			continue;
		for (w = 0; w < r->nr_walked; w++) {
			if (r->walked[w].frame != (ssize_t)i)
				continue;
			task = field(r, r->walked[w].addr,
				     a->al->frame_localsplus + 8);
			if (kind_of(a, r, task) == KIND_TASK)
				return task;
		}
	}
	return 0;
}

int pyasync_print_tree(struct pyasync *a, struct pyreader *r,
		       const struct pythread_sample *s, FILE *out)
{
	uint64_t task, root, *others;
	size_t k = 0, n, i;
	int printed;

	begin(a, r, s);
	root = tree_root(a, r, s, &task, &k);
	if (!root)
		return 0;
	fprintf(out, "  asyncio tasks (outermost first):\n");
	printed = print_task(a, r, root, task, s, k, 0, out);
	/* the loop's other trees: tasks nobody awaits */
	n = loop_tasks(a, r, field(r, root, a->al->fut_loop));
	others = xmalloc((n + 1) * sizeof(*others));
	memcpy(others, a->tasks, n * sizeof(*others));
	for (i = 0; i < n; i++)
		if (others[i] != root &&
		    (field(r, others[i], a->al->fut_state) & 0xffffffff) == 0 &&
		    !awaiter_of(a, r, others[i]))
			printed += print_task(a, r, others[i], task, s, k, 0, out);
	free(others);
	return printed;
}
