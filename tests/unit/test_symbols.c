/*
 * test_symbols.c - symbols (lookup in this very test binary and libc,
 * demangling, perf map and jitdump parsing including truncated input,
 * kallsyms), processes by pid, the frame-pointer unwinder on a synthetic stack, and the
 * --native merge rules.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engines/mixed/merge.h"
#include "symbols/symbols.h"
#include "symbols/symbols_internal.h"
#include "unwind/unwind.h"
#include "test.h"

__attribute__((noinline)) int test_symbols_probe_function(int x)
{
	return x * 3 + 1;
}

static void test_demangle(void)
{
	char *d;

	d = symbols_demangle("_ZN11scorch_test6WorkerIlE5heavyEv");
	CHECK(d != NULL);
	if (d)
		CHECK_STR(d, "scorch_test::Worker<long>::heavy()");
	free(d);
	d = symbols_demangle("_ZNSt6vectorIiSaIiEE9push_backERKi");
	CHECK(d != NULL);
	if (d)
		CHECK_STR(d, "std::vector<int, std::allocator<int> >::push_back(int const&)");
	free(d);
	/* Rust legacy: the hash is dropped (flame graphs merge by name) */
	d = symbols_demangle("_ZN4core3ptr13drop_in_place17h0123456789abcdefE");
	CHECK(d != NULL);
	if (d)
		CHECK_STR(d, "core::ptr::drop_in_place");
	free(d);
	/* Rust v0 */
	d = symbols_demangle("_RNvNtCs1234_7mycrate3foo3bar");
	CHECK(d != NULL);
	if (d)
		CHECK_STR(d, "mycrate::foo::bar");
	free(d);
	CHECK(symbols_demangle("main") == NULL);
	CHECK(symbols_demangle("_Z") == NULL);	/* truncated */
	CHECK(symbols_demangle("_ZN3foo") == NULL);
	CHECK(symbols_demangle(NULL) == NULL);
}

static void test_lookup_self(void)
{
	struct symbols *s = symbols_new(0);
	struct symbols_result r;
	uint64_t addr = (uint64_t)(uintptr_t)&test_symbols_probe_function;
	pid_t pid = getpid();

	CHECK(symbols_load_proc_maps(s, pid) == 0);
	CHECK(symbols_lookup(s, pid, addr + 2, SYMBOLS_LOOKUP_LINES, &r) == 0);
	CHECK_STR(r.name, "test_symbols_probe_function");
	CHECK(r.kind == SYMBOLS_NATIVE);
	CHECK(r.known);
	CHECK(r.symbol_offset == 2);
	CHECK(strstr(r.module, "test_symbols") != NULL);
	CHECK(r.file && strstr(r.file, "test_symbols.c"));
	CHECK(r.line > 0);
	/* a return address is looked up one byte back */
	CHECK(symbols_lookup(s, pid, addr + 1, SYMBOLS_LOOKUP_RETURN, &r) == 0);
	CHECK(r.symbol_offset == 0);
	/* the ELF address the same function has on disk */
	CHECK(symbols_file_symbol(s, r.module, "test_symbols_probe_function")
	      == r.address);
	/* libc */
	addr = (uint64_t)(uintptr_t)&getppid;	/* not intercepted by ASan */
	CHECK(symbols_lookup(s, pid, addr, 0, &r) == 0);
	CHECK(strstr(r.module, "libc") != NULL);
	CHECK(r.known);
	/* nothing mapped there */
	CHECK(symbols_lookup(s, pid, 16, 0, &r) == -1);
	CHECK_STR(r.name, "[unknown]");
	/* an unknown pid */
	CHECK(symbols_lookup(s, 999999999, addr, 0, &r) == -1);
	symbols_free(s);
}

static void test_maps(void)
{
	struct symbols *s = symbols_new(SYMBOLS_NO_KERNEL);
	struct symbols_process *p;

	symbols_add_map(s, 7, 0x1000, 0x3000, 0, 5, "/nonexistent/a");
	symbols_add_map(s, 7, 0x2000, 0x1000, 0, 5, "/nonexistent/b");
	p = symbols_find_process(s, 7);
	CHECK(p && p->nr_maps == 3);	/* a | b | a */
	if (p && p->nr_maps == 3) {
		CHECK(p->maps[0].end == 0x2000);
		CHECK_STR(p->maps[1].path, "/nonexistent/b");
		CHECK(p->maps[2].start == 0x3000 && p->maps[2].pgoff == 0x2000);
		CHECK(symbols_find_map(p, 0x2800) == &p->maps[1]);
		CHECK(symbols_find_map(p, 0x4000) == NULL);
	}
	symbols_fork(s, 7, 8);
	p = symbols_find_process(s, 8);
	CHECK(p && p->nr_maps == 3);
	symbols_forget(s, 7);
	p = symbols_find_process(s, 7);
	CHECK(p && p->nr_maps == 0);
	/* a file that does not exist gives module+offset names */
	{
		struct symbols_result r;
		CHECK(symbols_lookup(s, 8, 0x2010, 0, &r) == 0);
		CHECK_STR(r.name, "b+0x10");
	}
	symbols_free(s);
}

/* Many processes, each found by pid (util/pidtable.h), their records
 * kept in place while more are added; a fork copies the parent's maps
 * to a child seen for the first time. */
static void test_many_processes(void)
{
	enum { N = 2000 };
	struct symbols *s = symbols_new(SYMBOLS_NO_KERNEL);
	struct symbols_process *first, *p;
	int i, wrong = 0;

	first = symbols_process(s, 1);
	symbols_add_map(s, 1, 0x1000, 0x1000, 0, 5, "/nonexistent/one");
	for (i = 2; i <= N; i++)
		if (symbols_process(s, i * 7)->pid != i * 7)
			wrong++;
	CHECK(symbols_find_process(s, 1) == first && first->nr_maps == 1);
	for (i = 2; i <= N; i++) {
		p = symbols_find_process(s, i * 7);
		if (!p || p->pid != i * 7 || p != symbols_process(s, i * 7))
			wrong++;
	}
	CHECK(wrong == 0);
	CHECK(symbols_find_process(s, 8) == NULL);
	symbols_fork(s, 1, 99999);
	p = symbols_find_process(s, 99999);
	CHECK(p && p->nr_maps == 1 && first->nr_maps == 1);
	symbols_fork(s, 123456, 5);	/* an unknown parent: nothing */
	CHECK(symbols_find_process(s, 5) == NULL);
	symbols_free(s);
}

static void test_perf_map(void)
{
	struct symbols_jit *jit = calloc(1, sizeof(*jit));
	const char text[] =
		"7f0000001000 10 jit_a\n"
		"garbage line\n"
		"7f0000002000 20 py::run_dummy:/tmp/before.py\n"
		"0x7f0000003000 0x8 with 0x prefix\n"
		"7f0000004000 0 zero size\n"
		"7f0000005000 10 unterminated";

	jitmap_parse_perf_map(jit, text, sizeof(text) - 1);
	jitmap_sort(jit);
	CHECK(jit->nr == 3);
	if (jit->nr == 3) {
		CHECK_STR(jit->syms[0].name, "jit_a");
		CHECK_STR(jit->syms[1].name, "py::run_dummy:/tmp/before.py");
		CHECK(jit->syms[1].size == 0x20);
		CHECK(jit->syms[2].start == 0x7f0000003000ULL);
	}
	jitmap_free(jit);
}

static size_t put32(unsigned char *p, uint32_t v) { memcpy(p, &v, 4); return 4; }
static size_t put64(unsigned char *p, uint64_t v) { memcpy(p, &v, 8); return 8; }

static void test_jitdump(void)
{
	unsigned char buf[512];
	size_t n = 0, rec;
	struct symbols_jit *jit = calloc(1, sizeof(*jit));

	memset(buf, 0, sizeof(buf));
	n += put32(buf + n, 0x4A695444);
	n += put32(buf + n, 1);
	n += put32(buf + n, 40);
	n += put32(buf + n, 62);
	n += put32(buf + n, 0);
	n += put32(buf + n, 1234);
	n += put64(buf + n, 0);
	n += put64(buf + n, 0);
	/* CODE_LOAD: prefix, pid, tid, vma, code_addr, size, index, name, code */
	rec = n;
	n += put32(buf + n, 0);
	n += put32(buf + n, 0);		/* size, patched below */
	n += put64(buf + n, 1);
	n += put32(buf + n, 1234);
	n += put32(buf + n, 1234);
	n += put64(buf + n, 0x5000);
	n += put64(buf + n, 0x5000);
	n += put64(buf + n, 11);
	n += put64(buf + n, 1);
	memcpy(buf + n, "py::leaf:/x.py", 15);
	n += 15;
	n += 11;			/* code bytes */
	put32(buf + rec + 4, (uint32_t)(n - rec));
	CHECK(jitmap_parse_jitdump(jit, buf, n) == 1);
	CHECK(jit->nr == 1 && jit->syms[0].start == 0x5000 &&
	      jit->syms[0].size == 11 &&
	      !strcmp(jit->syms[0].name, "py::leaf:/x.py"));
	jitmap_free(jit);
	/* every truncation is handled: at most the complete records */
	for (size_t cut = 0; cut < n; cut++) {
		jit = calloc(1, sizeof(*jit));
		CHECK(jitmap_parse_jitdump(jit, buf, cut) == 0);
		jitmap_free(jit);
	}
	/* bad magic */
	jit = calloc(1, sizeof(*jit));
	buf[0] ^= 0xff;
	CHECK(jitmap_parse_jitdump(jit, buf, n) == 0);
	jitmap_free(jit);
}

static void append_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "a");

	CHECK(f != NULL);
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static long file_bytes(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (long)st.st_size;
}

/* The real files: appended lines are read once (bytes_read counts every
 * byte read, so a re-read of the whole file would show), and a link, a
 * FIFO, a file of another user, or a 1 GiB sparse file cost nothing. */
static void test_perf_map_files(void)
{
	struct symbols_process proc;
	char path[64], other[80];
	const char partial[] = "7f0000006000 10 late";
	long size;
	int fd;

	memset(&proc, 0, sizeof(proc));
	proc.pid = getpid();
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)proc.pid);
	snprintf(other, sizeof(other), "/tmp/perf-%d.map.target", (int)proc.pid);
	unlink(path);
	append_text(path, "7f0000001000 10 one\n7f0000002000 10 two\n");
	jitmap_refresh(&proc);
	CHECK(proc.jit->nr == 2);
	CHECK(proc.jit->bytes_read == (uint64_t)file_bytes(path));
	append_text(path, "7f0000003000 10 three\n7f0000004000 10 four\n");
	append_text(path, partial);
	jitmap_refresh(&proc);
	CHECK(proc.jit->nr == 4);
	size = file_bytes(path);
	CHECK(proc.jit->bytes_read == (uint64_t)size);
	append_text(path, "\n");
	jitmap_refresh(&proc);
	CHECK(proc.jit->nr == 5);
	/* only the unfinished line was read twice */
	CHECK(proc.jit->bytes_read == (uint64_t)file_bytes(path) + strlen(partial));
	CHECK(jitmap_find(&proc, 0x7f0000006004ULL) != NULL);
	jitmap_free(proc.jit);
	proc.jit = NULL;

	/* a symbolic link is not followed */
	unlink(path);
	append_text(other, "7f0000001000 10 linked\n");
	CHECK(symlink(other, path) == 0);
	jitmap_refresh(&proc);
	CHECK(proc.jit->nr == 0 && proc.jit->bytes_read == 0);
	jitmap_free(proc.jit);
	proc.jit = NULL;
	unlink(path);
	unlink(other);

	/* a FIFO is not opened (it would block) */
	CHECK(mkfifo(path, 0600) == 0);
	jitmap_refresh(&proc);
	CHECK(proc.jit->nr == 0 && proc.jit->bytes_read == 0);
	jitmap_free(proc.jit);
	proc.jit = NULL;
	unlink(path);

	/* a file of another user (not root) is ignored */
	append_text(path, "7f0000001000 10 planted\n");
	jitmap_refresh(&proc);
	if (geteuid() == 0) {
		/* root-owned is trusted; the same file given to nobody is not */
		CHECK(proc.jit->nr == 1);
		jitmap_free(proc.jit);
		proc.jit = NULL;
		CHECK(chown(path, 65534, 65534) == 0);
	} else {
		/* pretend the profiled program runs as someone else */
		jitmap_free(proc.jit);
		proc.jit = NULL;
		unlink(path);
		jitmap_refresh(&proc);
		proc.jit->target_uid = getuid() + 1;
		append_text(path, "7f0000001000 10 planted\n");
	}
	jitmap_refresh(&proc);
	CHECK(proc.jit->nr == 0 && proc.jit->bytes_read == 0);
	jitmap_free(proc.jit);
	proc.jit = NULL;
	unlink(path);

	/* a 1 GiB sparse map: at most JITMAP_MAX_BYTES read, memory flat */
	{
		struct rusage before, after;

		append_text(path, "7f0000001000 10 first\n");
		fd = open(path, O_WRONLY);
		CHECK(fd >= 0 && ftruncate(fd, 1L << 30) == 0);
		if (fd >= 0)
			close(fd);
		getrusage(RUSAGE_SELF, &before);
		jitmap_refresh(&proc);
		getrusage(RUSAGE_SELF, &after);
		CHECK(proc.jit->nr == 1);
		CHECK(proc.jit->bytes_read <= JITMAP_MAX_BYTES);
		/* ru_maxrss is in KiB: the read must not grow it by 64 MiB */
		CHECK(after.ru_maxrss - before.ru_maxrss < 64 * 1024);
		jitmap_free(proc.jit);
		proc.jit = NULL;
		unlink(path);
	}
}

/* A CODE_LOAD record for name at addr, size 8, with 8 code bytes. */
static size_t jitdump_load(unsigned char *buf, uint64_t addr, const char *name)
{
	size_t n = 0, len = strlen(name) + 1;

	n += put32(buf + n, 0);
	n += put32(buf + n, (uint32_t)(56 + len + 8));
	n += put64(buf + n, 1);
	n += put32(buf + n, 1);
	n += put32(buf + n, 1);
	n += put64(buf + n, addr);
	n += put64(buf + n, addr);
	n += put64(buf + n, 8);
	n += put64(buf + n, 1);
	memcpy(buf + n, name, len);
	n += len;
	memset(buf + n, 0x90, 8);
	return n + 8;
}

static void append_bytes(const char *path, const unsigned char *b, size_t n)
{
	FILE *f = fopen(path, "ab");

	CHECK(f != NULL);
	if (f) {
		CHECK(fwrite(b, 1, n, f) == n);
		fclose(f);
	}
}

/* The jitdump file is read like the perf map: appended records only, a
 * record still being written is read again once complete. */
static void test_jitdump_file(void)
{
	struct symbols_process proc;
	unsigned char head[40], rec[256];
	char path[64];
	size_t n = 0, r;

	memset(&proc, 0, sizeof(proc));
	proc.pid = getpid();
	snprintf(path, sizeof(path), "/tmp/jit-%d.dump", (int)proc.pid);
	unlink(path);
	memset(head, 0, sizeof(head));
	n += put32(head + n, 0x4A695444);
	n += put32(head + n, 1);
	n += put32(head + n, 40);
	append_bytes(path, head, sizeof(head));
	r = jitdump_load(rec, 0x9000, "first");
	append_bytes(path, rec, r);
	jitmap_refresh(&proc);
	CHECK(proc.jit->nr == 1);
	CHECK(proc.jit->bytes_read == 40 + r);
	r = jitdump_load(rec, 0xa000, "second");
	append_bytes(path, rec, 20);		/* half a record */
	jitmap_refresh(&proc);
	CHECK(proc.jit->nr == 1);
	append_bytes(path, rec + 20, r - 20);
	jitmap_refresh(&proc);
	CHECK(proc.jit->nr == 2);
	CHECK(jitmap_find(&proc, 0xa004) != NULL &&
	      !strcmp(jitmap_find(&proc, 0xa004)->name, "second"));
	/* each byte read once, but for the half record read twice */
	CHECK(proc.jit->bytes_read == (uint64_t)file_bytes(path) + 20);
	jitmap_free(proc.jit);
	unlink(path);
}

static void test_kernel(void)
{
	struct symbols *s = symbols_new(0);
	struct symbols_result r;

	if (symbols_kernel_count(s) == 0) {
		printf("  (kernel symbols hidden: lookup not checked)\n");
		symbols_free(s);
		return;
	}
	CHECK(symbols_lookup(s, 1, s->kernel[s->nr_kernel / 2].start + 1, 0,
			     &r) == 0);
	CHECK(r.kind == SYMBOLS_KERNEL);
	CHECK_STR(r.name, s->kernel[s->nr_kernel / 2].name);
	CHECK_STR(r.module, "[kernel.kallsyms]");
	symbols_free(s);
}

/* The saved copy of the core kernel symbols (kallsyms_cache.c) names
 * every address below its limit as the full table does, and knows
 * nothing at or above it. */
static void test_kernel_cache(void)
{
	struct symbols *s = symbols_new(0);
	struct kallsyms_cache c;
	struct kernel_symbol k;
	char dir[] = "/tmp/scorch-test-kcache.XXXXXX", path[64];
	uint64_t limit;
	size_t i;

	if (symbols_kernel_count(s) < 2 || !mkdtemp(dir)) {
		printf("  (kernel symbols hidden: cache not checked)\n");
		symbols_free(s);
		return;
	}
	setenv("SCORCH_CACHE_DIR", dir, 1);
	limit = s->kernel[s->nr_kernel - 1].start;
	kallsyms_cache_save(s->kernel, s->nr_kernel, limit);
	CHECK(kallsyms_cache_open(&c) == 0);
	CHECK(c.nr == s->nr_kernel - 1 && c.limit == limit);
	for (i = 0; c.map && i + 1 < s->nr_kernel; i += 997) {
		uint64_t addr = s->kernel[i].start + 1;
		struct symbols_result r;

		CHECK(symbols_lookup(s, 1, addr, 0, &r) == 0);
		CHECK(kallsyms_cache_find(&c, addr, &k) == 1);
		CHECK(k.start == addr - r.symbol_offset);
		CHECK_STR(k.name, r.name);
	}
	CHECK(kallsyms_cache_find(&c, limit, &k) == -1);
	CHECK(kallsyms_cache_find(&c, s->kernel[0].start - 1, &k) == 0);
	if (c.map)
		munmap(c.map, c.map_size);
	/* another boot's copy is never used */
	snprintf(path, sizeof(path), "%s/kallsyms", dir);
	{
		int fd = open(path, O_WRONLY);
		CHECK(fd >= 0 && pwrite(fd, "x", 1, 8) == 1);
		if (fd >= 0)
			close(fd);
	}
	CHECK(kallsyms_cache_open(&c) == -1);
	unlink(path);
	rmdir(dir);
	unsetenv("SCORCH_CACHE_DIR");
	symbols_free(s);
}

static void test_frame_pointers(void)
{
	uint64_t stack[16];
	struct unwind_sample us;
	uint64_t pcs[8];
	uint64_t sp = 0x7ffd0000;
	int n;

	memset(stack, 0, sizeof(stack));
	memset(&us, 0, sizeof(us));
	/* frame record at sp+16: {saved bp = sp+64, ret 0x401111};
	 * at sp+64: {saved bp 0, ret 0x402222} */
	stack[2] = sp + 64;
	stack[3] = 0x401111;
	stack[8] = 0;
	stack[9] = 0x402222;
	us.regs[UNWIND_REG_IP] = 0x400000;
	us.regs[UNWIND_REG_SP] = sp;
	us.regs[UNWIND_REG_BP] = sp + 16;
	us.stack = (const uint8_t *)stack;
	us.stack_size = sizeof(stack);
	n = unwind_frame_pointers(&us, pcs, 8);
	CHECK(n == 3);
	CHECK(pcs[0] == 0x400000 && pcs[1] == 0x401111 && pcs[2] == 0x402222);
	/* truncated copy: stops inside, never reads past it */
	us.stack_size = 40;
	n = unwind_frame_pointers(&us, pcs, 8);
	CHECK(n == 2);
	us.stack_size = 0;
	CHECK(unwind_frame_pointers(&us, pcs, 8) == 1);
}

static void test_mixed_merge(void)
{
	/* native root first: start, main, EVAL, list_contains */
	uint32_t native[] = { 1, 2, 100, 3 };
	unsigned char eval1[] = { 0, 0, 1, 0 };
	uint32_t python[] = { 52, 51, 50 };	/* innermost first */
	uint32_t out[16];
	long n;

	n = mixed_merge(native, eval1, 4, python, NULL, 3, out);
	CHECK(n == 6);
	CHECK(out[0] == 1 && out[1] == 2 && out[2] == 50 && out[3] == 51 &&
	      out[4] == 52 && out[5] == 3);
	/* 1:1, two eval frames, two Python frames */
	{
		uint32_t nat[] = { 1, 100, 7, 101, 3 };
		unsigned char ev[] = { 0, 1, 0, 1, 0 };
		uint32_t py[] = { 61, 60 };
		n = mixed_merge(nat, ev, 5, py, NULL, 2, out);
		CHECK(n == 5);
		CHECK(out[1] == 60 && out[2] == 7 && out[3] == 61);
		/* mismatch: 2 eval frames, 3 Python frames */
		CHECK(mixed_merge(nat, ev, 5, python, NULL, 3, out) == -1);
	}
	/* eval frame without Python frames, and the reverse: mismatch */
	CHECK(mixed_merge(native, eval1, 4, python, NULL, 0, out) == -1);
	{
		unsigned char none[] = { 0, 0, 0, 0 };
		CHECK(mixed_merge(native, none, 4, python, NULL, 3, out) == -1);
		CHECK(mixed_merge(native, none, 4, python, NULL, 0, out) == 4);
	}
	/* 3.11+: entry marks group the Python frames.  Native: main, EVAL,
	 * sort, EVAL, leaf; Python (innermost first): inner, key(entry),
	 * run, module(entry) -> groups [module, run] and [key, inner] */
	{
		uint32_t nat[] = { 2, 100, 8, 101, 3 };
		unsigned char ev[] = { 0, 1, 0, 1, 0 };
		uint32_t py[] = { 73, 72, 71, 70 };
		unsigned char entry[] = { 0, 1, 0, 1 };
		unsigned char no_outer_mark[] = { 0, 1, 0, 0 };
		unsigned char three[] = { 1, 1, 0, 1 };
		n = mixed_merge(nat, ev, 5, py, entry, 4, out);
		CHECK(n == 7);
		CHECK(out[0] == 2 && out[1] == 70 && out[2] == 71 &&
		      out[3] == 8 && out[4] == 72 && out[5] == 73 &&
		      out[6] == 3);
		/* the outermost frame starts a group even unmarked */
		CHECK(mixed_merge(nat, ev, 5, py, no_outer_mark, 4, out)
		      == 7);
		/* three groups for two eval frames: mismatch */
		CHECK(mixed_merge(nat, ev, 5, py, three, 4, out) == -1);
		/* mixed_merge_best: the marks first ... */
		CHECK(mixed_merge_best(nat, ev, 5, py, entry, 4, 0, out) == 7);
		CHECK(out[1] == 70 && out[3] == 8 && out[4] == 72);
	}
	/* ... marks that do not add up (one per frame here), then the
	 * rule without them: 1:1 */
	{
		uint32_t nat[] = { 1, 100, 7, 101, 3 };
		unsigned char ev[] = { 0, 1, 0, 1, 0 };
		uint32_t py[] = { 61, 60 };
		unsigned char one_group[] = { 0, 1 };
		CHECK(mixed_merge(nat, ev, 5, py, one_group, 2, out) == -1);
		CHECK(mixed_merge_best(nat, ev, 5, py, one_group, 2, 0, out) == 5);
		CHECK(out[1] == 60 && out[3] == 61);
	}
	/* a cut native root (deep recursion): EVAL, 7, EVAL, leaf; four
	 * Python frames -> the two outer ones first, then 1:1 */
	{
		uint32_t nat[] = { 100, 7, 101, 3 };
		unsigned char ev[] = { 1, 0, 1, 0 };
		uint32_t py[] = { 83, 82, 81, 80 };
		n = mixed_merge_cut(nat, ev, 4, py, 4, out);
		CHECK(n == 6);
		CHECK(out[0] == 80 && out[1] == 81 && out[2] == 82 &&
		      out[3] == 7 && out[4] == 83 && out[5] == 3);
		/* ... and a cut root last, only when cut */
		CHECK(mixed_merge_best(nat, ev, 4, py, NULL, 4, 1, out) == 6);
		CHECK(mixed_merge_best(nat, ev, 4, py, NULL, 4, 0, out) == -1);
		/* as many eval frames as Python frames: not a cut case */
		CHECK(mixed_merge_cut(nat, ev, 4, py, 2, out) == -1);
		/* one eval frame says nothing about which frames it ran */
		CHECK(mixed_merge_cut(native, eval1, 4, py, 4, out) == -1);
	}
	CHECK(mixed_is_eval_symbol("_PyEval_EvalFrameDefault"));
	CHECK(mixed_is_eval_symbol("_PyEval_EvalFrameDefault.cold"));
	CHECK(!mixed_is_eval_symbol("_PyEval_EvalFrame"));
	CHECK(!mixed_is_eval_symbol("_PyEval_EvalFrameDefaultX"));
}

int main(void)
{
	RUN(test_demangle);
	RUN(test_lookup_self);
	RUN(test_maps);
	RUN(test_many_processes);
	RUN(test_perf_map);
	RUN(test_jitdump);
	RUN(test_perf_map_files);
	RUN(test_jitdump_file);
	RUN(test_kernel);
	RUN(test_kernel_cache);
	RUN(test_frame_pointers);
	RUN(test_mixed_merge);
	TEST_EXIT();
}
