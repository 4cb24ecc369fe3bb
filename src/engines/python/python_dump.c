/*
 * python_dump.c - the Python reader's dump op (engine.h): every thread's
 * Python stack, once, printed like a traceback (outermost call first,
 * most recent call last), with the thread's name, tid, OS state and
 * whether it holds the GIL; the dump options pick threads (--mode), add
 * the leaf's instruction (--opcodes) and asyncio task trees (--async).
 *
 * Reads the target with the Python reader only; never stops it.  Writes
 * only the report, to the stream it is given.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engines/engine.h"
#include "engines/python/python_dump.h"
#include "python/asyncio.h"
#include "python/opcodes.h"
#include "python/reader.h"
#include "python/threadnames.h"
#include "util/error.h"
#include "util/strbuf.h"

#define DUMP_OPEN_TRIES 200	/* x 10 ms while the runtime starts up */
#define DUMP_READ_TRIES 20	/* readings while threads change mid-read */

struct dump_ctx {
	FILE *out;
	pid_t pid;
	int no_source;
	int threads;
	int moving;		/* threads whose callees changed mid-read */
	int exception;		/* --mode exception: only those threads */
	const char *const *opnames;	/* --opcodes: the version's names */
	struct pyreader *r;
	struct pyasync *async;	/* --async: task trees, NULL = none */
};

/* Line n of a source file as the target sees it; NULL if unavailable. */
static char *source_line(pid_t pid, const char *file, int n)
{
	char path[4200], *line = NULL;
	size_t cap = 0;
	FILE *fp;
	int i;

	if (n <= 0 || !file[0] || file[0] == '<')
		return NULL;
	if (file[0] == '/')
		snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, file);
	else
		snprintf(path, sizeof(path), "/proc/%d/cwd/%s", (int)pid, file);
	fp = fopen(path, "re");
	if (!fp)
		return NULL;
	for (i = 1; getline(&line, &cap, fp) > 0; i++)
		if (i == n)
			break;
	fclose(fp);
	if (i != n) {
		free(line);
		return NULL;
	}
	line[strcspn(line, "\r\n")] = '\0';
	return line;
}

static void print_thread(void *opaque, const struct pythread_sample *s)
{
	struct dump_ctx *ctx = opaque;
	FILE *out = ctx->out;
	size_t i;

	if (ctx->exception && s->in_exception != 1)
		return;
	ctx->threads++;
	fprintf(out, "\nThread %ld \"%s\"", s->tid, s->name);
	if (s->holds_gil == 1)
		fprintf(out, " (holds the GIL, %s)",
			s->running == 1 ? "running" :
			s->running == 0 ? "sleeping" : "state unknown");
	else
		fprintf(out, " (%s)", s->running == 1 ? "running" :
			s->running == 0 ? "idle" : "state unknown");
	fprintf(out, ", most recent call last:\n");
	if (!s->nr_frames)
		fprintf(out, "  (no Python frames)\n");
	if (s->cut)
		fprintf(out, "  ... (outermost frames left out: the stack is deeper than %d frames)\n",
			PYREAD_MAX_DEPTH);
	for (i = s->nr_frames; i-- > 0;) {
		const struct pyframe *f = &s->frames[i];
		char *text;

		fprintf(out, "  File \"%s\", line %d, in %s\n", f->code->file,
			f->line, f->code->name);
		if (ctx->no_source)
			continue;
		text = source_line(ctx->pid, f->code->file, f->line);
		if (text) {
			const char *t = text;

			while (*t == ' ' || *t == '\t')
				t++;
			if (*t)
				fprintf(out, "    %s\n", t);
			free(text);
		}
	}
	if (ctx->opnames && s->nr_frames && s->leaf_opcode >= 0 &&
	    s->leaf_opcode < 256)
		fprintf(out, "  Executing @%d %s\n", s->leaf_offset,
			ctx->opnames[s->leaf_opcode] ?
			ctx->opnames[s->leaf_opcode] : "(unknown opcode)");
	if (s->moving) {
		ctx->moving++;
		fprintf(out, "  ... (its callees changed faster than scorch could read them)\n");
	}
	if (ctx->async)
		pyasync_print_tree(ctx->async, ctx->r, s, out);
}

static void ignore_thread(void *ctx, const struct pythread_sample *s)
{
	(void)ctx;
	(void)s;
}

/* The reader of o->pid, waiting a little for a runtime that starts up;
 * ENGINE_PASS when it is no Python program. */
static enum engine_verdict open_reader(pid_t pid, struct pyreader **r,
				       struct strbuf *why)
{
	enum pyread_status st = PYREAD_NOT_READY;
	int tries;

	for (tries = 0; tries < DUMP_OPEN_TRIES; tries++) {
		strbuf_reset(why);
		st = pyreader_open(pid, r, why);
		if (st != PYREAD_NOT_READY)
			break;
		usleep(10000);
	}
	if (st == PYREAD_OK)
		return ENGINE_TAKE;
	if (st == PYREAD_NOT_PYTHON)
		return ENGINE_PASS;
	error("%s", why->buf);
	return ENGINE_FAIL;
}

/* The reader's modes the target's version cannot show: -1 (reported). */
static int check_modes(struct dump_ctx *ctx, const struct dump_options *o)
{
	struct pyreader *r = ctx->r;

	if (o->async_tasks && !(ctx->async = pyasync_open(r))) {
		error("dump: --async: cannot read asyncio tasks of Python %s (scorch reads them on 3.11 to 3.15)",
		      r->version);
		return -1;
	}
	if (ctx->exception && !pyreader_knows_exceptions(r)) {
		error("dump: --mode exception: scorch does not know where Python %s keeps a thread's exception (dump without it)",
		      r->version);
		return -1;
	}
	if (o->opcodes &&
	    !(ctx->opnames = py_opcode_names(r->layout.major, r->layout.minor))) {
		error("dump: --opcodes: scorch has no instruction names for Python %s (3.11 to 3.15 have them; dump without --opcodes)",
		      r->version);
		return -1;
	}
	return 0;
}

static unsigned read_flags(const struct dump_options *o)
{
	unsigned flags = PYREAD_WANT_GIL | PYREAD_WANT_STATE |
			 PYREAD_INSTANT_STATE;

	switch (o->mode) {
	case DUMP_WALL:
		break;
	case DUMP_CPU:
		flags |= PYREAD_RUNNING_ONLY;
		break;
	case DUMP_GIL:
		flags |= PYREAD_GIL_ONLY;
		break;
	case DUMP_EXCEPTION:
		flags |= PYREAD_WANT_EXC;
		break;
	}
	if (o->opcodes)
		flags |= PYREAD_WANT_OPCODES;
	return flags;
}

enum engine_verdict python_dump(const struct dump_options *o, FILE *out,
				struct strbuf *why, int *status)
{
	struct dump_ctx ctx;
	struct pyreader *r = NULL;
	enum engine_verdict v = open_reader(o->pid, &r, why);
	unsigned long errors = 0;
	int tries, n = -1;
	char *last = NULL, *text;
	size_t len;

	if (v != ENGINE_TAKE)
		return v;
	memset(&ctx, 0, sizeof(ctx));
	ctx.out = out;
	ctx.pid = o->pid;
	ctx.r = r;
	ctx.no_source = o->no_source;
	ctx.exception = o->mode == DUMP_EXCEPTION;
	/* a first pass learns the threads, then their names are read */
	pyreader_sample(r, 0, ignore_thread, NULL, &errors);
	pythread_names_update(r);
	if (check_modes(&ctx, o) < 0) {
		pyasync_close(ctx.async);
		pyreader_close(r);
		*status = 1;
		return ENGINE_TAKE;
	}
	fprintf(out, "Process %d: %s (Python %s)\n", (int)o->pid, r->exe,
		r->version);
	/* a torn read drops a thread, and a thread's callees can change
	 * while it is read: read again, a few times, for a full picture,
	 * and show only the last reading */
	for (tries = 0; tries < DUMP_READ_TRIES; tries++) {
		FILE *buf = open_memstream(&text, &len);

		errors = 0;
		ctx.threads = 0;
		ctx.moving = 0;
		ctx.out = buf ? buf : out;	/* no memory: as it is read */
		n = pyreader_sample(r, read_flags(o), print_thread, &ctx,
				    &errors);
		if (!buf)
			break;
		fclose(buf);
		free(last);
		last = text;
		if (n < 0 || (!errors && !ctx.moving))
			break;
	}
	if (last)
		fputs(last, out);
	free(last);
	pyasync_close(ctx.async);
	pyreader_close(r);
	*status = 0;
	if (n < 0) {
		error("pid %d exited while being read (dump a process that is still running)",
		      (int)o->pid);
		*status = 1;
		return ENGINE_TAKE;
	}
	if (!ctx.threads && o->mode_name)
		fprintf(out, "\n(no thread matches --mode %s now)\n",
			o->mode_name);
	if (errors)
		warning("%lu threads could not be read consistently", errors);
	return ENGINE_TAKE;
}
