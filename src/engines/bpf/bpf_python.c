/*
 * bpf_python.c - CPython processes for the BPF engine (bpf_python.h):
 * one Python reader per process, opened only to learn where its runtime
 * is and which layout row fits (the reader's sampling is never used),
 * then kept for its code cache.  Frames get the Python engine's names:
 * co_qualname, co_filename and the line of the instruction.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "engines/bpf/bpf_python.h"
#include "engines/bpf/sampler.h"
#include "model/profile.h"
#include "proc/container.h"
#include "python/codecache.h"
#include "python/reader.h"
#include "util/hash.h"
#include "util/pidtable.h"
#include "util/xalloc.h"

struct bpf_python {
	struct profile *p;
	int no_lines;
	struct pid_table pids;
	struct pyreader **readers;	/* [id - 1], NULL = none */
	size_t alloc;
	uint32_t freed_frame;		/* [freed code], once used */
	bpf_code_read_fn code_read;
	void *code_read_ctx;
	struct hash_index *told;	/* hash_u64(code) -> id of told[] */
	struct told_code {
		uint64_t code, ident;
	} *told_codes;			/* [id - 1]: what code_read was told */
	size_t told_nr, told_alloc;
};

struct bpf_python *bpf_python_new(struct profile *p, int no_lines,
				  bpf_code_read_fn code_read, void *ctx)
{
	struct bpf_python *bp = xcalloc(1, sizeof(*bp));

	bp->p = p;
	bp->no_lines = no_lines;
	bp->code_read = code_read;
	bp->code_read_ctx = ctx;
	bp->told = hash_index_new();
	pid_table_init(&bp->pids);
	return bp;
}

void bpf_python_free(struct bpf_python *bp)
{
	if (!bp)
		return;
	for (size_t i = 0; i < pid_table_count(&bp->pids); i++)
		pyreader_close(bp->readers[i]);
	free(bp->readers);
	pid_table_release(&bp->pids);
	hash_index_free(bp->told);
	free(bp->told_codes);
	free(bp);
}

static struct pyreader **slot(struct bpf_python *bp, pid_t pid)
{
	int added;
	uint32_t id = pid_table_add(&bp->pids, pid, &added);

	if (added) {
		grow_array((void **)&bp->readers, sizeof(*bp->readers), id,
			   &bp->alloc);
		bp->readers[id - 1] = NULL;
	}
	return &bp->readers[id - 1];
}

int bpf_python_config_from_layout(const struct py_layout *l, uint64_t runtime,
				  struct bpf_python_config *cfg)
{
	/* the kernel finds a thread by its native id (3.11+), or by its
	 * pthread_t, which only x86-64's FS base gives it; 3.6's "runtime"
	 * is its static interpreter head (runtime_interp_head 0) */
	if (!runtime)
		return -1;
#ifndef __x86_64__
	if (!l->tstate_native_id)
		return -1;
#endif
	memset(cfg, 0, sizeof(*cfg));
	cfg->interp_head = runtime + l->runtime_interp_head;
	cfg->interp_threads_head = l->interp_threads_head;
	cfg->tstate_next = l->tstate_next;
	cfg->tstate_native_id = l->tstate_native_id;
	cfg->tstate_pthread = l->tstate_thread_id;
	cfg->tstate_frame = l->tstate_frame;
	cfg->cframe_current = l->cframe_current;
	cfg->frame_back = l->frame_back;
	cfg->frame_code = l->frame_code;
	cfg->frame_instr = l->frame_lasti;
	cfg->frame_owner = l->frame_owner;
	cfg->frame_skip_owner = (__u32)l->frame_skip_owner;
	cfg->frame_code_tagged = (__u32)l->frame_code_tagged;
	cfg->frame_is_entry = l->frame_is_entry;
	cfg->code_file = l->code_filename;
	cfg->code_name = l->code_qualname ? l->code_qualname : l->code_name;
	/* the frame's fields in one copy when they lie close together */
	{
		uint32_t end = l->frame_back + 8;

		if (l->frame_code + 8 > end)
			end = l->frame_code + 8;
		if (l->frame_lasti + 8 > end)
			end = l->frame_lasti + 8;
		if (l->frame_owner >= 0 && (uint32_t)l->frame_owner + 1 > end)
			end = (uint32_t)l->frame_owner + 1;
		if (l->frame_is_entry && l->frame_is_entry + 1 > end)
			end = l->frame_is_entry + 1;
		cfg->frame_window = end <= BPF_SAMPLER_FRAME_WINDOW ? end : 0;
	}
	return 0;
}

/* a process in a pid namespace of its own: the kernel turns thread ids
 * into that namespace's, which its thread states hold */
static void set_pid_namespace(pid_t pid, struct bpf_python_config *cfg)
{
	unsigned long long dev, ino;

	if (container_pid_namespace(pid, &dev, &ino)) {
		cfg->pidns_dev = dev;
		cfg->pidns_ino = ino;
	}
}

/* its executable is named python*, or it maps a libpython */
static int looks_like_python(pid_t pid)
{
	char path[64], exe[4096], line[4096];
	ssize_t n;
	FILE *fp;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	n = readlink(path, exe, sizeof(exe) - 1);
	if (n > 0) {
		const char *base;

		exe[n] = '\0';
		base = strrchr(exe, '/');
		if (!strncmp(base ? base + 1 : exe, "python", 6))
			return 1;
	}
	snprintf(path, sizeof(path), "/proc/%d/maps", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return 0;
	while (!found && fgets(line, sizeof(line), fp))
		found = strstr(line, "/libpython") != NULL;
	fclose(fp);
	return found;
}

enum bpf_python_setup bpf_python_setup(struct bpf_python *bp, pid_t pid,
				       struct bpf_python_config *cfg)
{
	struct pyreader **r = slot(bp, pid);
	enum pyread_status st;

	if (!*r) {
		if (!looks_like_python(pid))
			return BPF_PYTHON_NO;
		st = pyreader_open(pid, r, NULL);

		/* a python* starting up may not show its runtime yet */
		if (st == PYREAD_NOT_READY || st == PYREAD_NOT_PYTHON)
			return BPF_PYTHON_LATER;
		if (st != PYREAD_OK)
			return BPF_PYTHON_NO;
	}
	if (bpf_python_config_from_layout(&(*r)->layout, (*r)->runtime,
					  cfg) < 0) {
		pyreader_close(*r);
		*r = NULL;
		return BPF_PYTHON_NO;
	}
	set_pid_namespace(pid, cfg);
	return BPF_PYTHON_YES;
}

/* the ident the kernel computes (sampler.h) for what the cache holds */
static uint64_t cached_ident(const struct pycode *code)
{
	return bpf_python_code_ident(code->file_ptr, code->name_ptr);
}

/*
 * The cached code at a frame's address, when it is the one the kernel
 * saw there: a code object's address is reused once it is freed, so a
 * cached one whose ident differs is read again; when it still differs,
 * the kernel's code object was freed before it could be read (NULL).
 */
static struct pycode *code_seen(struct pyreader *r,
				const struct bpf_python_frame *pf)
{
	struct pycode *code = pycode_get(&r->codes, r->pid, &r->layout,
					 pf->code);

	if (!code || !pf->ident || cached_ident(code) == pf->ident)
		return code;
	if (pycode_validate(&r->codes, r->pid, &r->layout, &code, 1) < 0)
		return NULL;
	return cached_ident(code) == pf->ident ? code : NULL;
}

/* code_read is told of the code object at code with ident, once (and
 * again should the address hold another code object later) */
static void tell_code_read(struct bpf_python *bp, uint64_t code,
			   uint64_t ident)
{
	struct hash_probe pr;
	struct told_code *t;
	uint32_t id;

	if (!bp->code_read || !ident)
		return;
	hash_probe_start(bp->told, hash_u64(code), &pr);
	while ((id = hash_probe_next(bp->told, &pr))) {
		t = &bp->told_codes[id - 1];
		if (t->code != code)
			continue;
		if (t->ident == ident)
			return;
		t->ident = ident;
		bp->code_read(bp->code_read_ctx, code, ident);
		return;
	}
	grow_array((void **)&bp->told_codes, sizeof(*bp->told_codes),
		   bp->told_nr + 1, &bp->told_alloc);
	t = &bp->told_codes[bp->told_nr++];
	t->code = code;
	t->ident = ident;
	hash_index_insert_at(bp->told, &pr, (uint32_t)bp->told_nr);
	bp->code_read(bp->code_read_ctx, code, ident);
}

size_t bpf_python_frames(struct bpf_python *bp, const struct bpf_sample *s,
			 uint32_t *out, unsigned char *entry, size_t room,
			 unsigned long *unknown)
{
	uint32_t id = pid_table_find(&bp->pids, s->pid);
	struct pyreader *r = id ? bp->readers[id - 1] : NULL;
	uint32_t nr = s->python_nr, n = 0;
	int pending_entry = 1;	/* the outermost frame is one */

	if (!r || !nr)
		return 0;
	if (nr > BPF_SAMPLER_MAX_PYTHON)
		nr = BPF_SAMPLER_MAX_PYTHON;
	for (uint32_t i = nr; i-- > 0 && n < room;) {
		const struct bpf_python_frame *pf = &BPF_SAMPLE_PYTHON(s)[i];
		struct pycode *code = code_seen(r, pf);
		struct frame f;

		/* before 3.11 each frame is an eval-loop call of its own */
		pending_entry |= pf->entry || !r->layout.interpreter_frames;
		if (!code) {
			/* its code is gone: the frame says so */
			(*unknown)++;
			if (!bp->freed_frame)
				bp->freed_frame = profile_frame_named(bp->p,
					"[freed code]", 12, FRAME_MARKER);
			entry[n] = (unsigned char)pending_entry;
			pending_entry = 0;
			out[n++] = bp->freed_frame;
			continue;
		}
		tell_code_read(bp, pf->code, pf->ident);
		if (code->hidden)	/* its entry mark goes to the next */
			continue;
		if (!code->name_id)
			code->name_id = profile_intern(bp->p, code->name);
		if (!code->file_id)
			code->file_id = profile_intern(bp->p, code->file);
		memset(&f, 0, sizeof(f));
		f.name = code->name_id;
		f.file = code->file_id;
		f.line = bp->no_lines ? 0 :
			!r->layout.interpreter_frames ?
			pycode_line_of_lasti(code, &r->layout,
					     (int32_t)(uint32_t)pf->instr) :
			pycode_line_of_instr(code, &r->layout, pf->code,
					     pf->instr);
		f.kind = FRAME_PYTHON;
		entry[n] = (unsigned char)pending_entry;
		pending_entry = 0;
		out[n++] = profile_frame(bp->p, &f);
	}
	return n;
}
