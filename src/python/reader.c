/*
 * reader.c - attaching to a CPython runtime and walking its thread stacks.
 *
 * Attach: find the binary that holds the runtime (libpython or the
 * executable), its load bias, the version, the layout; check that
 * interpreters.head has a thread pointing back at it.  Sample: walk each
 * interpreter's threads and each thread's frames with process_vm_readv
 * only, never stopping the target: one snapshot per sample re-reads what
 * the last sample used, and on 3.11+ a stack counts only when its frames
 * held still while it was read (see "one consistent stack").  Anything
 * inconsistent drops that thread's sample and counts an error; nothing
 * here prints.
 * Reference: ../shared/reference/cpython-internals.md.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "python/binary.h"
#include "python/reader.h"
#include "python/remote.h"
#include "python/stack.h"
#include "python/threadnames.h"
#include "proc/exec_watch.h"
#include "util/strbuf.h"
#include "util/xalloc.h"

#define PTHREAD_TID_OFFSET 720	/* glibc 2.36 struct pthread.tid */
/* the kernel updates a running thread's CPU time every few ms (its tick) */
#define RECENTLY_RAN_NS 12000000
/* so schedstat is not worth reading more often than this */
#define SCHEDSTAT_EVERY_NS 500000
/* interpreters come and go rarely: the list head is read this often */
#define HEAD_EVERY_NS 100000000
/* the longest pass whose GC or exception state, seen held at its start
 * and again after a thread's stack read, is taken to have held in
 * between; a longer one (scorch was descheduled) leaves time for the
 * thread to have left the state and come back, so it is not claimed */
#define STATE_HELD_NS 10000000

static int64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

struct pyreader_thread {
	uint64_t tstate;
	uint64_t thread_id;
	long tid;
	int stat_fd;		/* /proc/PID/task/TID/stat, -1 if none */
	int schedstat_fd;	/* /proc/PID/task/TID/schedstat, -1 if none */
	uint64_t run_ns;	/* on-CPU time at the last sample, 0 = none */
	double credit;		/* CPU periods not yet sampled */
	int64_t ran_at_ns;	/* when run_ns last changed */
	unsigned seen;		/* generation of the last sample */
	int64_t read_ns;	/* when schedstat was last read */
	uint64_t root_entry;	/* its outermost entry frame, 0 = unknown */
	/* 3.11+: its last stack known to be live (pystack_read) */
	struct pywalked *live;
	size_t nr_live, alloc_live;
	int live_twice;		/* read the same twice in a row */
	/* what reading its stack touched last time: noted again for the
	 * next snapshot when it is not sampled (not on a CPU) */
	struct snapshot_range *ranges;
	size_t nr_ranges, alloc_ranges;
	char *name;
	unsigned name_serial;
};

/* ---- version detection ---- */

/* Parses "3.12.1..." at s; returns 1 and fills major/minor on success. */
static int parse_version(const char *s, size_t len, int *major, int *minor,
			 char *text, size_t text_size)
{
	size_t i = 0, dots = 0, n;

	if (len < 5 || s[0] != '3' || s[1] != '.')
		return 0;
	while (i < len && (isdigit((unsigned char)s[i]) || s[i] == '.')) {
		dots += s[i] == '.';
		i++;
	}
	if (dots != 2 || !isdigit((unsigned char)s[i - 1]))
		return 0;
	*major = 3;
	*minor = atoi(s + 2);
	n = i < text_size - 1 ? i : text_size - 1;
	memcpy(text, s, n);
	text[n] = '\0';
	return *minor > 0 && *minor < 100;
}

static void version_text_from_hex(uint64_t hex, char *text, size_t size,
				  int *major, int *minor)
{
	*major = (int)((hex >> 24) & 0xff);
	*minor = (int)((hex >> 16) & 0xff);
	snprintf(text, size, "%d.%d.%d", *major, *minor,
		 (int)((hex >> 8) & 0xff));
}

/*
 * Py_GetVersion() fills a static buffer "3.8.18 (default, ...)" in .bss
 * during start-up; find it in the target's writable segment (3.6-3.10 have
 * no other version marker in memory).
 */
static int scan_version_string(pid_t pid, uint64_t start, uint64_t end,
			       int *major, int *minor, char *text, size_t size)
{
	size_t chunk = 256 * 1024;
	unsigned char *buf;
	uint64_t at;
	int found = 0;

	if (end <= start || end - start > (64u << 20))
		return 0;
	buf = xmalloc(chunk + 64);
	for (at = start & ~4095ULL; at < end && !found; at += chunk) {
		ssize_t n = 0;
		size_t got = 0, i;

		/* page by page: holes in .bss mappings are skipped */
		while (got < chunk && at + got < end) {
			n = remote_read_partial(pid, at + got, buf + got, 4096);
			if (n <= 0)
				break;
			got += (size_t)n;
		}
		for (i = 0; i + 16 < got; i++) {
			const char *s = (const char *)buf + i;

			if (s[0] != '3' || s[1] != '.' || (i && buf[i - 1]))
				continue;
			{
				const char *paren = memchr(s, ' ', 16);

				if (!paren || paren[1] != '(')
					continue;
				if (parse_version(s, (size_t)(paren - s), major,
						  minor, text, size)) {
					found = 1;
					break;
				}
			}
		}
	}
	free(buf);
	return found;
}

/* The version a binary's name states ("3.12" without the micro). */
static int version_from_name(const char *path, int *major, int *minor,
			     char *text, size_t size)
{
	if (!pybinary_version_from_name(path, major, minor))
		return 0;
	snprintf(text, size, "%d.%d", *major, *minor);
	return 1;
}

/* ---- locating the runtime ---- */

struct candidate {
	const struct remote_mapping *map;	/* of file offset 0 */
	const struct remote_maps *maps;	/* the target's, when found */
};

/*
 * Whether the binary's writable segment is mapped where and as its ELF
 * says.  The dynamic loader first maps a library's whole span from file
 * offset 0, then maps each segment over it: in between, the addresses of
 * .data and .PyRuntime show other bytes of the file (on a libpython whose
 * writable segment sits a page further than its file offset, _PyRuntime
 * shows no debug cookie while the read-only Py_Version already reads
 * right).  Until then the library is still being loaded: not ready.
 */
static int rw_segment_mapped(const struct candidate *c,
			     const struct pybinary *b, uint64_t bias)
{
	uint64_t addr = (b->rw_start + bias) & ~4095ULL;
	uint64_t off = b->rw_offset & ~4095ULL;
	size_t i;

	if (!b->rw_start || b->rw_offset == b->rw_start)
		return 1;	/* no segment, or one the first map already shows right */
	for (i = 0; i < c->maps->nr; i++) {
		const struct remote_mapping *m = &c->maps->items[i];

		if (m->start == addr && m->offset == off &&
		    !strcmp(m->path, c->map->path))
			return 1;
	}
	return 0;
}

static int is_libpython(const char *path)
{
	const char *base = strrchr(path, '/');

	base = base ? base + 1 : path;
	return !strncmp(base, "libpython", 9);
}

/* Is the file at path the one mapped (same device and inode)? */
static int is_mapped_file(const char *path, const struct remote_mapping *m)
{
	struct stat st;

	return !stat(path, &st) && st.st_ino == m->inode &&
		major(st.st_dev) == m->dev_major &&
		minor(st.st_dev) == m->dev_minor;
}

/*
 * Inspects the very file of mapping m, never another of the same name
 * (*ok: 1, 0 when it is no CPython binary, -1 when it cannot be reached):
 * its path as /proc/PID/maps gives it (from our root: a chroot's files
 * are under it), the same path in the process's root (another mount
 * namespace), or the mapping itself in /proc/PID/map_files.
 */
static void open_binary(pid_t pid, const struct remote_mapping *m,
			struct pybinary *b, int *ok)
{
	char path[4200];

	*ok = 0;
	if (is_mapped_file(m->path, m)) {
		*ok = pybinary_inspect(m->path, b) == 0;
		return;
	}
	snprintf(path, sizeof(path), "/proc/%d/root%s", (int)pid, m->path);
	if (!is_mapped_file(path, m))
		snprintf(path, sizeof(path), "/proc/%d/map_files/%llx-%llx",
			 (int)pid, (unsigned long long)m->start,
			 (unsigned long long)m->end);
	if (!is_mapped_file(path, m)) {
		*ok = -1;	/* not reachable as the mapped file */
		return;
	}
	*ok = pybinary_inspect(path, b) == 0;
}

static enum pyread_status read_error_status(pid_t pid)
{
	if (errno == EPERM || errno == EACCES)
		return PYREAD_NO_PERMISSION;
	if (errno == ESRCH || kill(pid, 0) < 0)
		return PYREAD_GONE;
	return PYREAD_NOT_READY;
}

static enum pyread_status check_threads(struct pyreader *r, struct strbuf *why)
{
	const struct py_layout *l = &r->layout;
	uint64_t interp, tstate, back;

	if (remote_read(r->pid, r->runtime + l->runtime_interp_head, &interp,
			sizeof(interp)) < 0)
		return read_error_status(r->pid);
	if (!interp)
		goto not_ready;
	if (remote_read(r->pid, interp + l->interp_threads_head, &tstate,
			sizeof(tstate)) < 0)
		return read_error_status(r->pid);
	if (!tstate)
		goto not_ready;
	if (remote_read(r->pid, tstate + l->tstate_interp, &back,
			sizeof(back)) < 0)
		return read_error_status(r->pid);
	if (back != interp)
		goto not_ready;
	return PYREAD_OK;
not_ready:
	if (why)
		strbuf_addf(why, "pid %d: Python %s runtime is not initialised",
			    (int)r->pid, r->version);
	return PYREAD_NOT_READY;
}

/*
 * A CPython without _PyRuntime (3.6 and older): readable when it is 3.6
 * and its .symtab names the static interp_head, which then stands for the
 * runtime (layouts.h), and _PyThreadState_Current.
 */
static enum pyread_status try_static_heads(struct pyreader *r,
					   const struct candidate *c,
					   const struct pybinary *b,
					   uint64_t bias, struct strbuf *why)
{
	const struct py_layout *l;
	int major = 0, minor = 0;

	/* the version string is written during start-up: maybe not yet */
	if (!scan_version_string(r->pid, b->rw_start + bias, b->rw_end + bias,
				 &major, &minor, r->version, sizeof(r->version)) &&
	    !version_from_name(c->map->path, &major, &minor, r->version,
			       sizeof(r->version)))
		return b->interp_head ? PYREAD_NOT_READY : PYREAD_NOT_PYTHON;
	l = py_layout_find(major, minor);
	if (!l || !l->static_heads) {
		strbuf_addf(why, "pid %d runs Python %s (%s), which scorch cannot read (supported: 3.6 and later)",
			    (int)r->pid, r->version, c->map->path);
		return PYREAD_UNSUPPORTED;
	}
	if (!b->interp_head || !b->tstate_current) {
		strbuf_addf(why, "pid %d runs Python %s (%s), which scorch cannot read: 3.6 needs the interp_head symbol, stripped from this build",
			    (int)r->pid, r->version, c->map->path);
		return PYREAD_UNSUPPORTED;
	}
	r->layout = *l;
	r->runtime = b->interp_head + bias;
	r->tstate_current = b->tstate_current + bias;
	return check_threads(r, why);
}

/* Fills r->runtime, r->version and r->layout from one binary. */
static enum pyread_status try_binary(struct pyreader *r,
				     const struct candidate *c,
				     struct strbuf *why)
{
	struct pybinary b;
	uint64_t bias, hex, addr;
	char cookie[8];
	int ok, major = 0, minor = 0;

	r->tstate_current = 0;
	open_binary(r->pid, c->map, &b, &ok);
	if (ok < 0 && (is_libpython(c->map->path) ||
		       pybinary_version_from_name(c->map->path, &major, &minor))) {
		strbuf_addf(why, "pid %d maps %s, but that file cannot be reached as the one mapped (replaced since it was loaded, or /proc/%d/map_files needs root: run scorch as root, or restart the program)",
			    (int)r->pid, c->map->path, (int)r->pid);
		return PYREAD_UNSUPPORTED;
	}
	if (ok <= 0 || !b.has_python)
		return PYREAD_NOT_PYTHON;
	bias = c->map->start - b.load_base;
	if (c->maps && !rw_segment_mapped(c, &b, bias)) {
		strbuf_addf(why, "pid %d: %s is still being loaded",
			    (int)r->pid, c->map->path);
		return PYREAD_NOT_READY;
	}
	if (b.code_type)
		r->codes.code_type = b.code_type + bias;
	r->py_none = b.none ? b.none + bias : 0;
	addr = b.runtime ? b.runtime : b.runtime_section;
	if (!addr)
		return try_static_heads(r, c, &b, bias, why);
	r->runtime = addr + bias;

	/* 1: the 3.13+ debug offsets cookie at the start of _PyRuntime */
	if (remote_read(r->pid, r->runtime, cookie, sizeof(cookie)) < 0)
		return read_error_status(r->pid);
	if (!memcmp(cookie, "xdebugpy", 8)) {
		unsigned char block[4096];
		size_t size;

		uint64_t head[2];	/* version, free_threaded */
		const char *bad;

		if (remote_read(r->pid, r->runtime + 8, head, sizeof(head)) < 0)
			return read_error_status(r->pid);
		hex = head[0];
		version_text_from_hex(hex, r->version, sizeof(r->version),
				      &major, &minor);
		/* the flag sits at the same place in every block */
		if (head[1] != 0) {
			strbuf_addf(why, "pid %d runs a free-threaded build of Python %s (Py_GIL_DISABLED), which this scorch cannot read (use a build with the GIL)",
				    (int)r->pid, r->version);
			return PYREAD_UNSUPPORTED;
		}
		size = py_debug_offsets_size(major, minor);
		if (!size || size > sizeof(block)) {
			strbuf_addf(why, "pid %d runs Python %s, newer than this scorch can read (its _Py_DebugOffsets layout is unknown to it: use a scorch that knows 3.%d)",
				    (int)r->pid, r->version, minor);
			return PYREAD_UNSUPPORTED;
		}
		if (remote_read(r->pid, r->runtime, block, size) < 0)
			return read_error_status(r->pid);
		if (py_layout_check_debug_offsets(block, size, major, minor,
						  &r->layout, &bad) < 0) {
			strbuf_addf(why, "pid %d runs Python %s whose _Py_DebugOffsets field %s is not what this scorch expects (refusing rather than misreading; a newer scorch may read this build)",
				    (int)r->pid, r->version, bad ? bad : "?");
			return PYREAD_UNSUPPORTED;
		}
		return check_threads(r, why);
	}
	/* 2: Py_Version (3.11+); 3: the version string in .bss; 4: the name */
	if (b.py_version) {
		if (remote_read(r->pid, b.py_version + bias, &hex,
				sizeof(hex)) < 0)
			return read_error_status(r->pid);
		version_text_from_hex(hex, r->version, sizeof(r->version),
				      &major, &minor);
	} else if (!scan_version_string(r->pid, b.rw_start + bias,
					b.rw_end + bias, &major, &minor,
					r->version, sizeof(r->version))) {
		/* the buffer is filled during start-up: maybe not yet */
		if (!version_from_name(c->map->path, &major, &minor, r->version,
				       sizeof(r->version)))
			return PYREAD_NOT_READY;
	}
	/* 3.13+ always starts _PyRuntime with the cookie: its absence means
	 * the memory there is not the runtime's yet (see rw_segment_mapped) */
	if (b.py_version && (major > 3 || (major == 3 && minor >= 13))) {
		strbuf_addf(why, "pid %d: Python %s runtime is not mapped yet",
			    (int)r->pid, r->version);
		return PYREAD_NOT_READY;
	}
	{
		const struct py_layout *l = py_layout_find(major, minor);

		/* 3.13+ is read from its debug offsets, whose cookie is not
		 * there yet while the loader is still mapping libpython's
		 * data (seen at start-up: Py_Version readable, no cookie) */
		if (!l && py_debug_offsets_size(major, minor))
			return PYREAD_NOT_READY;
		if (!l || l->static_heads) {
			strbuf_addf(why, "pid %d runs Python %s, which scorch cannot read (supported: 3.6 and later)",
				    (int)r->pid, r->version);
			return PYREAD_UNSUPPORTED;
		}
		r->layout = *l;
		if (l->runtime_tstate_current)
			r->tstate_current = r->runtime + l->runtime_tstate_current;
	}
	return check_threads(r, why);
}

static struct pyreader *reader_new(pid_t pid)
{
	struct pyreader *r = xcalloc(1, sizeof(*r));

	r->pid = pid;
	r->tid_offset = PTHREAD_TID_OFFSET;
	pycode_cache_init(&r->codes);
	r->window = xmalloc(PYSTACK_WINDOW);
	r->cur = &r->snap;
	r->walk_copy = SNAPSHOT_FIRST;
	return r;
}

enum pyread_status pyreader_open(pid_t pid, struct pyreader **out,
				 struct strbuf *why)
{
	struct pyreader *r;
	struct remote_maps maps;
	struct candidate cands[16];
	struct strbuf scratch = { 0 };
	enum pyread_status st = PYREAD_NOT_PYTHON, s;
	size_t i, nr = 0;

	*out = NULL;
	if (!why)
		why = &scratch;
	r = reader_new(pid);
	if (remote_exe_path(pid, r->exe, sizeof(r->exe)) < 0) {
		st = errno == ENOENT ? PYREAD_GONE :
			errno == EACCES || errno == EPERM ?
			PYREAD_NO_PERMISSION : PYREAD_GONE;
		goto fail;
	}
	if (remote_maps_read(pid, &maps) < 0) {
		st = errno == EACCES ? PYREAD_NO_PERMISSION : PYREAD_GONE;
		goto fail;
	}
	/* libpython first: an embedding executable may hold a second copy */
	for (i = 0; i < maps.nr && nr < 16; i++)
		if (maps.items[i].offset == 0 && is_libpython(maps.items[i].path))
			cands[nr++] = (struct candidate){ &maps.items[i], &maps };
	for (i = 0; i < maps.nr && nr < 16; i++)
		if (maps.items[i].offset == 0 &&
		    !strcmp(maps.items[i].path, r->exe)) {
			cands[nr++] = (struct candidate){ &maps.items[i], &maps };
			break;
		}
	for (i = 0; i < nr; i++) {
		struct strbuf one = { 0 };

		s = try_binary(r, &cands[i], &one);
		if (s == PYREAD_OK) {
			strbuf_release(&one);
			remote_maps_release(&maps);
			strbuf_release(&scratch);
			*out = r;
			return PYREAD_OK;
		}
		if (s != PYREAD_NOT_PYTHON || st == PYREAD_NOT_PYTHON) {
			st = s;
			strbuf_reset(why);
			strbuf_addstr(why, strbuf_str(&one));
		}
		strbuf_release(&one);
		if (s == PYREAD_NO_PERMISSION || s == PYREAD_GONE)
			break;
	}
	remote_maps_release(&maps);
fail:
	if (st != PYREAD_UNSUPPORTED && st != PYREAD_NOT_READY)
		strbuf_reset(why);
	switch (st) {
	case PYREAD_NOT_PYTHON:
		strbuf_addf(why, "pid %d runs %s, not CPython", (int)pid,
			    r->exe[0] ? r->exe : "an unknown program");
		break;
	case PYREAD_GONE:
		strbuf_addf(why, "pid %d: no such process", (int)pid);
		break;
	case PYREAD_NO_PERMISSION:
		pyreader_permission_hint(pid, why);
		break;
	case PYREAD_NOT_READY:
		if (!why->len)
			strbuf_addf(why, "pid %d: Python runtime not initialised yet",
				    (int)pid);
		break;
	default:
		break;
	}
	if (st == PYREAD_UNSUPPORTED && !why->len)
		strbuf_addf(why, "pid %d: unsupported Python", (int)pid);
	strbuf_release(&scratch);
	pyreader_close(r);
	return st;
}

int pyreader_settled_not_python(pid_t pid, struct exec_watch *w, int64_t now_ns)
{
	struct remote_maps maps;
	char exe[4096];
	const char *base;
	size_t i;
	int libc = 0, settled;

	settled = exec_watch_settled(w, pid, now_ns);
	if (remote_exe_path(pid, exe, sizeof(exe)) < 0)
		return 0;
	base = strrchr(exe, '/');
	base = base ? base + 1 : exe;
	if (strstr(base, "python") || !settled)
		return 0;
	/* a static program, or one still being loaded: only by time */
	if (now_ns - w->since_ns >= EXEC_SETTLE_WALL_NS)
		return 1;
	if (remote_maps_read(pid, &maps) < 0)
		return 0;
	for (i = 0; i < maps.nr; i++) {
		const char *b = strrchr(maps.items[i].path, '/');

		if (b && !strncmp(b + 1, "libc.so", 7))
			libc = 1;
	}
	remote_maps_release(&maps);
	return libc;
}

void pyreader_close(struct pyreader *r)
{
	size_t i;

	if (!r)
		return;
	for (i = 0; i < r->nr_threads; i++) {
		if (r->threads[i].stat_fd >= 0)
			close(r->threads[i].stat_fd);
		if (r->threads[i].schedstat_fd >= 0)
			close(r->threads[i].schedstat_fd);
		free(r->threads[i].name);
		free(r->threads[i].live);
		free(r->threads[i].ranges);
	}
	free(r->threads);
	free(r->frames);
	free(r->frame_codes);
	free(r->window);
	free(r->touched);
	free(r->walked);
	snapshot_release(&r->snap);
	snapshot_release(&r->retry);
	pycode_cache_release(&r->codes);
	free(r);
}

static int read_status_uid(pid_t pid, long *uid)
{
	char path[64], line[256];
	FILE *fp;
	int found = 0;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	fp = fopen(path, "re");
	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, "Uid:", 4)) {
			*uid = strtol(line + 4, NULL, 10);
			found = 1;
			break;
		}
	fclose(fp);
	return found;
}

static int have_cap_sys_ptrace(void)
{
	char line[256];
	FILE *fp = fopen("/proc/self/status", "re");
	int yes = 0;

	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp))
		if (!strncmp(line, "CapEff:", 7)) {
			unsigned long long caps = strtoull(line + 7, NULL, 16);

			yes = (caps >> 19) & 1;	/* CAP_SYS_PTRACE */
			break;
		}
	fclose(fp);
	return yes;
}

void pyreader_permission_hint(pid_t pid, struct strbuf *why)
{
	long uid = -1;
	int scope = -1;
	FILE *fp = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");

	if (fp) {
		if (fscanf(fp, "%d", &scope) != 1)
			scope = -1;
		fclose(fp);
	}
	read_status_uid(pid, &uid);
	if (uid >= 0 && (uid_t)uid != geteuid() && geteuid() != 0)
		strbuf_addf(why, "cannot read pid %d: it belongs to another user (uid %ld) (run scorch as that user or with sudo)",
			    (int)pid, uid);
	else if (scope >= 1 && geteuid() != 0)
		strbuf_addf(why, "cannot read pid %d: Yama ptrace_scope is %d (run 'sudo sysctl kernel.yama.ptrace_scope=0', start the program under 'scorch record', or use sudo)",
			    (int)pid, scope);
	else if (!have_cap_sys_ptrace())
		strbuf_addf(why, "cannot read pid %d: no CAP_SYS_PTRACE (in a container, run it with --cap-add=SYS_PTRACE)",
			    (int)pid);
	else if (geteuid() == 0)
		strbuf_addf(why, "cannot read pid %d: refused even to root (a security module or seccomp policy blocks ptrace, or it runs in another user namespace; profile it from inside its container)",
			    (int)pid);
	else
		strbuf_addf(why, "cannot read pid %d: permission denied (run scorch as root or as the process's user)",
			    (int)pid);
}

/* ---- threads ---- */

static struct pyreader_thread *thread_entry(struct pyreader *r, uint64_t tstate,
					    uint64_t thread_id)
{
	struct pyreader_thread *t;
	size_t i;

	for (i = 0; i < r->nr_threads; i++) {
		t = &r->threads[i];
		if (t->tstate == tstate && t->thread_id == thread_id)
			return t;
	}
	grow_array((void **)&r->threads, sizeof(*t), r->nr_threads + 1,
		   &r->alloc_threads);
	t = &r->threads[r->nr_threads++];
	memset(t, 0, sizeof(*t));
	t->tstate = tstate;
	t->thread_id = thread_id;
	t->stat_fd = -1;
	t->schedstat_fd = -1;
	return t;
}

static int open_stat(pid_t pid, long tid, const char *file)
{
	char path[96];

	snprintf(path, sizeof(path), "/proc/%d/task/%ld/%s", (int)pid, tid, file);
	return open(path, O_RDONLY | O_CLOEXEC);
}

static char *read_comm(pid_t pid, long tid)
{
	char path[80], buf[64];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%ld/comm", (int)pid, tid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	return xstrdup(buf);
}

/* The last (innermost namespace's) id on the NSpid line of a status
 * file, 0 when there is none. */
static long ns_id(const char *status_path)
{
	char line[256];
	long last = 0;
	FILE *fp = fopen(status_path, "re");

	if (!fp)
		return 0;
	while (fgets(line, sizeof(line), fp)) {
		char *p, *end;

		if (strncmp(line, "NSpid:", 6))
			continue;
		for (p = line + 6;; p = end) {
			long v = strtol(p, &end, 10);

			if (end == p)
				break;
			last = v;
		}
		break;
	}
	fclose(fp);
	return last;
}

/*
 * A thread id as the process knows it (its own pid namespace: a
 * container's) turned into ours, from the NSpid lines of its tasks;
 * the id itself when the process shares our pid namespace or no task
 * has it.
 */
static long host_tid(struct pyreader *r, long tid)
{
	char path[128];
	struct dirent *d;
	DIR *dir;
	long found = 0;

	if (!r->own_pid_ns) {
		snprintf(path, sizeof(path), "/proc/%d/status", (int)r->pid);
		r->own_pid_ns = ns_id(path) == (long)r->pid ? -1 : 1;
	}
	if (r->own_pid_ns < 0 || tid <= 0)
		return tid;
	snprintf(path, sizeof(path), "/proc/%d/task", (int)r->pid);
	dir = opendir(path);
	if (!dir)
		return tid;
	while (!found && (d = readdir(dir))) {
		long host = strtol(d->d_name, NULL, 10);

		if (host <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/task/%ld/status",
			 (int)r->pid, host);
		if (ns_id(path) == tid)
			found = host;
	}
	closedir(dir);
	return found ? found : tid;
}

/* Before 3.11 the kernel tid lives only in glibc's struct pthread. */
static long tid_from_pthread(struct pyreader *r, uint64_t thread_id)
{
	uint32_t tid;
	unsigned char block[2048];
	char path[80];
	size_t off;

	long pid_there;

	/* the tid there is the process's own namespace's */
	if (remote_read(r->pid, thread_id + (uint64_t)r->tid_offset, &tid,
			sizeof(tid)) == 0 && tid) {
		long host = host_tid(r, (long)tid);

		snprintf(path, sizeof(path), "/proc/%d/task/%ld", (int)r->pid, host);
		if (!access(path, F_OK))
			return host;
	}
	/* another glibc: learn the offset from the main thread (tid == pid) */
	if (remote_read(r->pid, thread_id, block, sizeof(block)) < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)r->pid);
	pid_there = ns_id(path);
	if (pid_there <= 0)
		pid_there = r->pid;
	for (off = 0; off + 4 <= sizeof(block); off += 4) {
		memcpy(&tid, block + off, sizeof(tid));
		if (tid == (uint32_t)pid_there) {
			r->tid_offset = (int)off;
			return (long)r->pid;
		}
	}
	return 0;
}

static void thread_setup(struct pyreader *r, struct pyreader_thread *t,
			 long native_tid)
{
	t->tid = native_tid ? host_tid(r, native_tid) :
		tid_from_pthread(r, t->thread_id);
	if (t->tid > 0) {
		t->stat_fd = open_stat(r->pid, t->tid, "stat");
		t->schedstat_fd = open_stat(r->pid, t->tid, "schedstat");
		t->name = read_comm(r->pid, t->tid);
	}
	if (!t->name)
		t->name = xstrdup("thread");
	t->name_serial = ++r->name_serials;
	r->new_threads = 1;
}

int pyreader_set_thread_name(struct pyreader *r, uint64_t thread_id,
			     const char *name)
{
	size_t i;
	int found = 0;

	for (i = 0; i < r->nr_threads; i++) {
		struct pyreader_thread *t = &r->threads[i];

		if (t->thread_id != thread_id)
			continue;
		found = 1;
		if (t->name && !strcmp(t->name, name))
			continue;
		free(t->name);
		t->name = xstrdup(name);
		t->name_serial = ++r->name_serials;
	}
	return found;
}

int pyreader_take_new_threads(struct pyreader *r)
{
	int n = r->new_threads;

	r->new_threads = 0;
	return n;
}

/* 1 running, 0 not, -1 unknown (thread gone or no tid). */
static int thread_running(const struct pyreader_thread *t)
{
	char buf[512];
	ssize_t n;
	char *paren;

	if (t->stat_fd < 0)
		return -1;
	n = pread(t->stat_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	paren = strrchr(buf, ')');
	if (!paren || paren[1] != ' ')
		return -1;
	return paren[2] == 'R';
}

/*
 * 1 when the thread is owed a CPU sample, 0 when not, -1 when unknown
 * (no schedstat).  Each sample stands for one period of CPU time: the
 * thread's on-CPU time since the last look is added to a credit, and a
 * sample is due when the credit reaches half a period.  So a thread that
 * is runnable but waiting for a CPU on a busy machine earns nothing
 * (state R would pin samples to where it was preempted), and one that
 * wakes for microseconds (a GIL waiter) earns samples only in proportion.
 */
static int thread_ran(struct pyreader *r, struct pyreader_thread *t)
{
	char buf[128];
	ssize_t n;
	uint64_t run;
	int64_t now = r->now_ns;
	int ran = 0;

	if (t->schedstat_fd < 0 || !r->period_ns)
		return thread_running(t);
	if (!t->run_ns || now - t->read_ns >= SCHEDSTAT_EVERY_NS) {
		n = pread(t->schedstat_fd, buf, sizeof(buf) - 1, 0);
		if (n <= 0)
			return -1;
		buf[n] = '\0';
		run = strtoull(buf, NULL, 10);
		if (t->run_ns && run > t->run_ns)
			t->credit += (double)(run - t->run_ns) / (double)r->period_ns;
		else if (!t->run_ns)
			t->credit = thread_running(t) == 1 ? 1 : 0;
		if (run != t->run_ns)
			t->ran_at_ns = now;
		t->run_ns = run ? run : 1;
		t->read_ns = now;
	}
	/* preempted for a while (a busy machine): its stack is frozen where
	 * the scheduler stopped it; keep the credit for when it runs again */
	if (now - t->ran_at_ns > RECENTLY_RAN_NS)
		return 0;
	/* the kernel updates on-CPU time only at its own ticks and context
	 * switches, so credit arrives in lumps: keep up to ~20 ms of it */
	if (t->credit > 2 + 2e7 / (double)r->period_ns)
		t->credit = 2 + 2e7 / (double)r->period_ns;
	if (t->credit >= 0.5) {
		t->credit -= 1;
		ran = 1;
	}
	return ran;
}

/* Keeps what reading this thread's stack touched (touched[mark...]). */
static void remember_ranges(struct pyreader_thread *t, const struct pyreader *r,
			    size_t mark)
{
	size_t n = r->nr_touched - mark;

	t->nr_ranges = n;
	if (!n)
		return;
	grow_array((void **)&t->ranges, sizeof(*t->ranges), n,
		   &t->alloc_ranges);
	memcpy(t->ranges, r->touched + mark, n * sizeof(*t->ranges));
}

/* Keeps the stack just read as the thread's last live one (or forgets). */
static void remember_live(struct pyreader_thread *t, const struct pyreader *r,
			  int live, int same)
{
	/* a stack that was not live keeps the last one that was: its
	 * outermost frames are what a torn read falls back to */
	if (!live) {
		t->live_twice = 0;
		return;
	}
	t->live_twice = same;
	if (same)
		return;
	t->nr_live = r->nr_walked;
	if (!t->nr_live)
		return;
	grow_array((void **)&t->live, sizeof(*t->live), t->nr_live,
		   &t->alloc_live);
	memcpy(t->live, r->walked, t->nr_live * sizeof(*t->live));
}

static void forget_old_threads(struct pyreader *r)
{
	size_t i = 0;

	while (i < r->nr_threads) {
		struct pyreader_thread *t = &r->threads[i];

		if (r->generation - t->seen > 16) {
			if (t->stat_fd >= 0)
				close(t->stat_fd);
			if (t->schedstat_fd >= 0)
				close(t->schedstat_fd);
			free(t->name);
			free(t->live);
			free(t->ranges);
			*t = r->threads[--r->nr_threads];
			continue;
		}
		i++;
	}
}

/* The GIL holder's tstate in this interpreter, 0 if none. */
static uint64_t gil_holder(struct pyreader *r, uint64_t interp)
{
	const struct py_layout *l = &r->layout;
	uint64_t gil, holder;
	unsigned char buf[PY_GIL_READ_SIZE];
	const unsigned char *g;

	if (r->tstate_current)
		return pystack_u64(r, r->tstate_current, &holder) < 0 ? 0 : holder;
	if (!l->interp_gil_pointer ||
	    pystack_u64(r, interp + l->interp_gil_pointer, &gil) < 0)
		return 0;
	g = pystack_bytes(r, SNAPSHOT_FIRST, gil, sizeof(buf), buf);
	if (!g || remote_i32(g, l->gil_locked) <= 0)
		return 0;
	return remote_u64(g, l->gil_last_holder);
}

/*
 * Is the interpreter's cyclic GC collecting now?  1 / 0, -1 when this
 * version's layout does not say where the flag is or it cannot be read.
 */
static int gc_collecting(struct pyreader *r, uint64_t interp, int fresh)
{
	const struct py_layout *l = &r->layout;
	uint64_t addr = (l->gc_in_runtime ? r->runtime : interp) + l->gc_collecting;
	uint32_t buf;
	const unsigned char *p;

	if (!l->gc_collecting)
		return -1;
	if (fresh)
		p = remote_read(r->pid, addr, &buf, sizeof(buf)) < 0 ? NULL :
			(const unsigned char *)&buf;
	else
		p = pystack_bytes(r, SNAPSHOT_FIRST, addr, sizeof(buf), &buf);
	if (!p)
		return -1;
	return remote_i32(p, 0) != 0;
}

/* len bytes at addr: from this sample's snapshot, or (fresh) read now. */
static const unsigned char *state_bytes(struct pyreader *r, int fresh,
					uint64_t addr, size_t len, void *buf)
{
	if (fresh)
		return remote_read(r->pid, addr, buf, len) < 0 ? NULL : buf;
	return pystack_bytes(r, SNAPSHOT_FIRST, addr, len, buf);
}

/* Longest chain of exception states followed (generators push theirs). */
#define EXC_CHAIN_MAX 64

/*
 * Is the thread handling an exception, as sys.exc_info() would say: is
 * any exception state on its chain set to something other than None?
 * 1 / 0, -1 when this version's layout or Py_None's address is unknown.
 * fresh: read it all now, not from the snapshot (ts is then unused).
 */
static int thread_in_exception(struct pyreader *r, uint64_t tstate,
			       const unsigned char *ts, int fresh)
{
	const struct py_layout *l = &r->layout;
	unsigned char buf[32];
	uint64_t item, v;
	int i;

	if (!l->tstate_exc || !r->py_none)
		return -1;
	if (fresh) {
		if (remote_read(r->pid, tstate + l->tstate_exc, &item,
				sizeof(item)) < 0)
			return -1;
	} else {
		item = remote_u64(ts, l->tstate_exc);
	}
	if (!l->exc_item_previous)
		return item && item != r->py_none;
	if (l->exc_item_previous + 8 > sizeof(buf))
		return -1;
	for (i = 0; item && i < EXC_CHAIN_MAX; i++) {
		const unsigned char *p = state_bytes(r, fresh, item,
						     l->exc_item_previous + 8, buf);

		if (!p)
			return -1;
		v = remote_u64(p, 0);
		if (v && v != r->py_none)
			return 1;
		item = remote_u64(p, l->exc_item_previous);
	}
	return 0;
}

/*
 * 3.11+: the instruction the innermost frame is executing, read from its
 * code's co_code_adaptive (where specialized instructions are written),
 * at the frame's instruction pointer as this sample's walk read it.
 */
static void leaf_instruction(struct pyreader *r, struct pythread_sample *s)
{
	const struct py_layout *l = &r->layout;
	const struct pycode *code = r->frames[0].code;
	unsigned char buf[8], unit[2];
	const unsigned char *p;
	uint64_t instr, first, frame = 0, code_addr;
	size_t i;

	for (i = 0; i < r->nr_walked && !frame; i++)
		if (r->walked[i].frame == 0)
			frame = r->walked[i].addr;
	if (!frame || !l->interpreter_frames)
		return;
	code_addr = r->walked[i - 1].code;
	if (l->frame_code_tagged)
		code_addr &= ~3ULL;
	p = pystack_bytes(r, SNAPSHOT_FIRST, frame + l->frame_lasti, 8, buf);
	if (!p)
		return;
	instr = remote_u64(p, 0);
	first = code_addr + l->code_adaptive;
	if (instr < first || (instr - first) / 2 >= code->nr_units ||
	    (instr - first) & 1)
		return;
	p = pystack_bytes(r, SNAPSHOT_FIRST, instr, sizeof(unit), unit);
	if (!p)
		return;
	s->leaf_opcode = p[0];
	s->leaf_offset = (int)(instr - first);
}

/*
 * An interpreter's next interpreter and first thread state, read now;
 * for the head interpreter they are kept for the next samples.
 */
static int interp_words(struct pyreader *r, uint64_t interp, uint64_t *next,
			uint64_t *threads)
{
	const struct py_layout *l = &r->layout;

	if (pystack_u64(r, interp + l->interp_next, next) < 0 ||
	    pystack_u64(r, interp + l->interp_threads_head, threads) < 0)
		return -1;
	if (interp == r->head_interp) {
		r->head_next = *next;
		r->head_threads = *threads;
	}
	return 0;
}

int pyreader_sample(struct pyreader *r, unsigned flags, pyread_thread_fn fn,
		    void *ctx, unsigned long *errors)
{
	const struct py_layout *l = &r->layout;
	unsigned char ts_buf[1024];
	uint64_t interp, next_interp = 0, tstate = 0;
	int handed = 0, nr_interps = 0;

	if (l->tstate_size > sizeof(ts_buf))
		return -1;
	pycode_cache_trim(&r->codes);
	r->generation++;
	r->now_ns = monotonic_ns();
	if (pystack_begin(r) < 0)
		return -1;
	if (r->head_interp && r->now_ns - r->head_read_ns < HEAD_EVERY_NS) {
		interp = r->head_interp;
	} else if (pystack_u64(r, r->runtime + l->runtime_interp_head, &interp) < 0) {
		if (errno == ESRCH)
			return -1;
		(*errors)++;
		r->list_errors++;
		return 0;
	} else {
		r->head_interp = interp;
		r->head_read_ns = r->now_ns;
		r->head_threads = 0;
	}
	for (; interp && nr_interps < 64; interp = next_interp, nr_interps++) {
		uint64_t holder = 0;
		int nr_threads = 0, collecting = -1;
		int cached = interp == r->head_interp && r->head_threads;

		if (cached) {
			next_interp = r->head_next;
			tstate = r->head_threads;
		} else if (interp_words(r, interp, &next_interp, &tstate) < 0) {
			(*errors)++;
			r->list_errors++;
			r->head_interp = 0;
			break;
		}
		if (flags & PYREAD_WANT_GC)
			collecting = gc_collecting(r, interp, 0);
		if ((flags & (PYREAD_WANT_GIL | PYREAD_GIL_ONLY)) ||
		    collecting == 1)
			holder = gil_holder(r, interp);
		for (; tstate && nr_threads < 4096; nr_threads++) {
			struct pyreader_thread *t;
			struct pythread_sample s;
			const unsigned char *ts;
			uint64_t thread_id, this = tstate;
			long native = 0;
			ssize_t n;
			struct pystack_prev prev;
			size_t mark;
			int ts_middle, same;

			mark = r->nr_touched;
			ts = pystack_bytes(r, l->interpreter_frames ?
					  SNAPSHOT_MIDDLE : SNAPSHOT_FIRST,
					  tstate, l->tstate_size, ts_buf);
			ts_middle = r->from_snapshot;
			/* the cached first thread state is no longer first (a
			 * thread was put in front) or no longer a thread state
			 * of this interpreter: read the list head again */
			if (cached && (!ts || remote_u64(ts, l->tstate_prev) ||
				       remote_u64(ts, l->tstate_interp) != interp)) {
				cached = 0;
				if (interp_words(r, interp, &next_interp, &tstate) < 0) {
					(*errors)++;
					r->list_errors++;
					r->head_interp = 0;
					break;
				}
				continue;
			}
			cached = 0;
			if (!ts || remote_u64(ts, l->tstate_interp) != interp) {
				(*errors)++;
				r->list_errors++;
				r->head_interp = 0;
				break;
			}
			tstate = remote_u64(ts, l->tstate_next);
			thread_id = remote_u64(ts, l->tstate_thread_id);
			if (l->tstate_native_id)
				native = (long)remote_u64(ts, l->tstate_native_id);
			t = thread_entry(r, this, thread_id);
			if (!t->name)
				thread_setup(r, t, native);
			t->seen = r->generation;
			memset(&s, 0, sizeof(s));
			s.tid = t->tid;
			s.thread_id = thread_id;
			s.tstate = this;
			s.name = t->name;
			s.name_serial = t->name_serial;
			s.holds_gil = (flags & (PYREAD_WANT_GIL | PYREAD_GIL_ONLY)) ?
				holder == this : -1;
			s.running = -1;
			if ((flags & PYREAD_GIL_ONLY) && !s.holds_gil) {
				pystack_note(r, t->ranges, t->nr_ranges);
				continue;
			}
			if (flags & (PYREAD_RUNNING_ONLY | PYREAD_WANT_STATE)) {
				s.running = (flags & PYREAD_INSTANT_STATE) ?
					thread_running(t) : thread_ran(r, t);
				if ((flags & PYREAD_RUNNING_ONLY) && s.running == 0) {
					/* not sampled now, but its memory is
					 * read with the next snapshot */
					pystack_note(r, t->ranges, t->nr_ranges);
					continue;
				}
			}
			/* the GC runs in the thread that holds the GIL */
			s.in_gc = collecting < 0 ? -1 : collecting && holder == this;
			s.in_exception = (flags & PYREAD_WANT_EXC) ?
				thread_in_exception(r, this, ts, 0) : -1;
			r->root_entry_hint = t->root_entry;
			prev.walked = t->live;
			prev.nr_walked = t->nr_live;
			prev.trusted = t->live_twice;
			n = pystack_read(r, this, ts, ts_middle, mark, &prev,
					 &s.moving, &same);
			t->root_entry = n >= 0 && !s.moving ? r->root_entry_seen : 0;
			remember_live(t, r, n >= 0 && !s.moving, same);
			remember_ranges(t, r, mark);
			if (n < 0) {
				(*errors)++;
				r->counts.torn++;
				continue;
			}
			s.cut = r->cut;
			r->counts.cut += (unsigned long)s.cut;
			r->counts.moving += (unsigned long)s.moving;
			/*
			 * The state was read before the stack: a collection or
			 * an except block that ended meanwhile would be pinned
			 * on the stack after it.  Held on both sides of the
			 * read, it held for the stack read in between.
			 */
			if (s.in_gc == 1 && gc_collecting(r, interp, 1) != 1)
				s.in_gc = 0;
			if (s.in_exception == 1 &&
			    thread_in_exception(r, this, NULL, 1) != 1)
				s.in_exception = 0;
			if ((s.in_gc == 1 || s.in_exception == 1) &&
			    monotonic_ns() - r->now_ns > STATE_HELD_NS) {
				s.in_gc = s.in_gc == 1 ? 0 : s.in_gc;
				s.in_exception = s.in_exception == 1 ?
					0 : s.in_exception;
			}
			s.leaf_opcode = s.leaf_offset = -1;
			if ((flags & PYREAD_WANT_OPCODES) && n > 0 && !s.moving)
				leaf_instruction(r, &s);
			s.nr_frames = (size_t)n;
			s.frames = r->frames;
			fn(ctx, &s);
			handed++;
		}
	}
	if ((r->generation & 63) == 0)
		forget_old_threads(r);
	return handed;
}
