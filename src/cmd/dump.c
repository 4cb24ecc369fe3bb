/*
 * dump.c - `scorch dump -p PID`: every thread's Python stack, once, printed
 * like a traceback (outermost call first, most recent call last), with the
 * thread's name, tid, OS state and whether it holds the GIL.  --mode
 * keeps some threads (cpu: on a CPU now, gil: the GIL holder, exception:
 * handling an exception); --opcodes adds the instruction each thread's
 * innermost frame executes.
 *
 * Reads the target with the Python reader only; never stops it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/commands.h"
#include "cmd/common_options.h"
#include "python/asyncio.h"
#include "python/opcodes.h"
#include "python/reader.h"
#include "python/threadnames.h"
#include "util/error.h"
#include "util/options.h"
#include "util/strbuf.h"

#define DUMP_OPEN_TRIES 200	/* x 10 ms while the runtime starts up */

struct dump_ctx {
	pid_t pid;
	int no_source;
	int threads;
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
	size_t i;

	if (ctx->exception && s->in_exception != 1)
		return;
	ctx->threads++;
	printf("\nThread %ld \"%s\"", s->tid, s->name);
	if (s->holds_gil == 1)
		printf(" (holds the GIL, %s)", s->running == 1 ? "running" :
		       s->running == 0 ? "sleeping" : "state unknown");
	else
		printf(" (%s)", s->running == 1 ? "running" :
		       s->running == 0 ? "idle" : "state unknown");
	printf(", most recent call last:\n");
	if (!s->nr_frames)
		printf("  (no Python frames)\n");
	if (s->cut)
		printf("  ... (outermost frames left out: the stack is deeper than %d frames)\n",
		       PYREAD_MAX_DEPTH);
	for (i = s->nr_frames; i-- > 0;) {
		const struct pyframe *f = &s->frames[i];
		char *text;

		printf("  File \"%s\", line %d, in %s\n", f->code->file,
		       f->line, f->code->name);
		if (ctx->no_source)
			continue;
		text = source_line(ctx->pid, f->code->file, f->line);
		if (text) {
			const char *t = text;

			while (*t == ' ' || *t == '\t')
				t++;
			if (*t)
				printf("    %s\n", t);
			free(text);
		}
	}
	if (ctx->opnames && s->nr_frames && s->leaf_opcode >= 0 &&
	    s->leaf_opcode < 256)
		printf("  Executing @%d %s\n", s->leaf_offset,
		       ctx->opnames[s->leaf_opcode] ?
		       ctx->opnames[s->leaf_opcode] : "(unknown opcode)");
	if (s->moving)
		printf("  ... (its callees changed faster than scorch could read them)\n");
	if (ctx->async)
		pyasync_print_tree(ctx->async, ctx->r, s, stdout);
}

static void ignore_thread(void *ctx, const struct pythread_sample *s)
{
	(void)ctx;
	(void)s;
}

int cmd_dump(int argc, const char **argv)
{
	struct dump_ctx ctx;
	struct pyreader *r = NULL;
	struct strbuf why = { 0 };
	enum pyread_status st = PYREAD_NOT_READY;
	unsigned long errors = 0;
	int pid = 0, no_source = 0, async_tasks = 0, nargs, tries, n = -1, ret;
	int opcodes = 0;
	unsigned flags = PYREAD_WANT_GIL | PYREAD_WANT_STATE | PYREAD_INSTANT_STATE;
	const char *mode = NULL;
	const struct option opts[] = {
		{ OPTION_INT, 'p', "pid", &pid, "PID", "the process to show", NULL },
		{ OPTION_BOOL, 0, "no-source", &no_source, NULL,
		  "do not print source lines", NULL },
		{ OPTION_BOOL, 0, "async", &async_tasks, NULL,
		  "asyncio: also each running loop's task tree (name, state, stack)",
		  NULL },
		{ OPTION_STRING, 0, "mode", &mode, "MODE",
		  "wall (default: every thread), cpu (on a CPU now), gil (= the GIL holder) or exception: only threads handling an exception", NULL },
		{ OPTION_BOOL, 0, "opcodes", &opcodes, NULL,
		  "the bytecode instruction each thread's innermost frame executes (3.11-3.15)", NULL },
		OPT_END(),
	};

	static const struct command_usage usage = {
		"scorch dump [options] -p PID", 0, 0, 0,
		"give the process with -p PID",
	};

	if ((ret = parse_command(argc, argv, opts, &usage, &nargs)) >= 0)
		return ret;
	if (pid <= 0) {
		error("dump: give the process with -p PID (see 'scorch dump --help')");
		return 2;
	}
	memset(&ctx, 0, sizeof(ctx));
	if (!mode || !strcmp(mode, "wall")) {
		;
	} else if (!strcmp(mode, "cpu")) {
		flags |= PYREAD_RUNNING_ONLY;
	} else if (!strcmp(mode, "gil")) {
		flags |= PYREAD_GIL_ONLY;
	} else if (!strcmp(mode, "exception")) {
		flags |= PYREAD_WANT_EXC;
		ctx.exception = 1;
	} else {
		error("dump: unknown --mode '%s' (use wall, cpu, gil or exception)",
		      mode);
		return 2;
	}
	if (opcodes)
		flags |= PYREAD_WANT_OPCODES;
	for (tries = 0; tries < DUMP_OPEN_TRIES; tries++) {
		strbuf_reset(&why);
		st = pyreader_open(pid, &r, &why);
		if (st != PYREAD_NOT_READY)
			break;
		usleep(10000);
	}
	if (st != PYREAD_OK) {
		error("%s", why.buf);
		strbuf_release(&why);
		return 1;
	}
	strbuf_release(&why);
	/* a first pass learns the threads, then their names are read */
	pyreader_sample(r, 0, ignore_thread, NULL, &errors);
	pythread_names_update(r);
	ctx.pid = pid;
	ctx.r = r;
	if (async_tasks && !(ctx.async = pyasync_open(r))) {
		error("dump: --async: cannot read asyncio tasks of Python %s (scorch reads them on 3.11 to 3.15)",
		      r->version);
		pyreader_close(r);
		return 1;
	}
	if (ctx.exception && !pyreader_knows_exceptions(r)) {
		error("dump: --mode exception: scorch does not know where Python %s keeps a thread's exception (dump without it)",
		      r->version);
		pyasync_close(ctx.async);
		pyreader_close(r);
		return 1;
	}
	if (opcodes &&
	    !(ctx.opnames = py_opcode_names(r->layout.major, r->layout.minor))) {
		error("dump: --opcodes: scorch has no instruction names for Python %s (3.11 to 3.15 have them; dump without --opcodes)",
		      r->version);
		pyasync_close(ctx.async);
		pyreader_close(r);
		return 1;
	}
	ctx.no_source = no_source;
	printf("Process %d: %s (Python %s)\n", pid, r->exe, r->version);
	/* a torn read drops a thread: retry a few times for a full picture */
	for (tries = 0; tries < 20; tries++) {
		errors = 0;
		ctx.threads = 0;
		fflush(stdout);
		n = pyreader_sample(r, flags, print_thread, &ctx, &errors);
		if (n < 0 || !errors)
			break;
		printf("\n(some threads changed while being read; reading again)\n");
	}
	pyasync_close(ctx.async);
	pyreader_close(r);
	if (n < 0) {
		error("pid %d exited while being read (dump a process that is still running)", pid);
		return 1;
	}
	if (!ctx.threads && mode)
		printf("\n(no thread matches --mode %s now)\n", mode);
	if (errors)
		warning("%lu threads could not be read consistently", errors);
	return 0;
}
