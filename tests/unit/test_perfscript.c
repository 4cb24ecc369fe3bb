/*
 * test_perfscript.c - unit tests of the perf script reader: the line
 * grammar, stackcollapse-compatible folding, the model it fills, and bad
 * input (binary, truncated, huge lines, empty).
 */
#include <stdint.h>
#include <stdlib.h>

#include "formats/format.h"
#include "formats/formats.h"
#include "formats/perfscript.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/input.h"
#include "util/strbuf.h"
#include "test.h"

static int slice_is(const char *s, size_t len, const char *want)
{
	return s && len == strlen(want) && !memcmp(s, want, len);
}

/* Reads text with the perfscript reader into p; returns the reader's result. */
static int read_text(const char *text, size_t len, struct profile *p,
		     const struct read_options *o)
{
	static const struct read_options defaults;
	struct input *in = input_from_memory(text, len, "mem");
	int r;

	profile_init(p);
	r = perfscript_reader.read(in, p, o ? o : &defaults);
	input_close(in);
	return r;
}

/* Folded output of text (caller frees). */
static char *collapse(const char *text, const struct read_options *ro,
		      const struct write_options *wo)
{
	static const struct write_options defaults;
	struct profile p;
	char *out = NULL;
	size_t size = 0;
	FILE *fp = open_memstream(&out, &size);

	read_text(text, strlen(text), &p, ro);
	folded_writer.write(&p, fp, wo ? wo : &defaults);
	fclose(fp);
	profile_release(&p);
	return out;
}

static void check_collapse(const char *text, const struct read_options *ro,
			   const struct write_options *wo, const char *want)
{
	char *got = collapse(text, ro, wo);

	CHECK_STR(got, want);
	free(got);
}

static void test_header_default_61(void)
{
	struct perfscript_header h;
	const char *l = "prog_fp  8828  8582.005818:    1001001 cpu-clock:pppH: ";

	CHECK(perfscript_parse_header(l, strlen(l), &h));
	CHECK(slice_is(h.comm, h.comm_len, "prog_fp"));
	CHECK(slice_is(h.first, h.first_len, "8828"));
	CHECK(h.tid == NULL);
	CHECK(slice_is(h.period, h.period_len, "1001001"));
	CHECK(slice_is(h.event, h.event_len, "cpu-clock:pppH"));
	CHECK(h.time_ns == 8582005818000LL);
}

static void test_header_variants(void)
{
	struct perfscript_header h;
	const char *l;

	l = "V8 WorkerThread 24636/25607 [000] 94564.109216: 100 cycles:";
	CHECK(perfscript_parse_header(l, strlen(l), &h));
	CHECK(slice_is(h.comm, h.comm_len, "V8 WorkerThread"));
	CHECK(slice_is(h.first, h.first_len, "24636"));
	CHECK(slice_is(h.tid, h.tid_len, "25607"));
	CHECK(slice_is(h.event, h.event_len, "cycles"));

	/* no period, %7d widths, tracepoint event with a colon */
	l = "python3     8872/8872    [001]  8595.390142: sched:sched_switch: ";
	CHECK(perfscript_parse_header(l, strlen(l), &h));
	CHECK(slice_is(h.comm, h.comm_len, "python3"));
	CHECK(slice_is(h.tid, h.tid_len, "8872"));
	CHECK(h.period == NULL);
	CHECK(slice_is(h.event, h.event_len, "sched:sched_switch"));

	/* --ns time, CRLF */
	l = "burn 7 1.000000001: 5 task-clock:\r";
	CHECK(perfscript_parse_header(l, strlen(l), &h));
	CHECK(h.time_ns == 1000000001LL);
	CHECK(slice_is(h.event, h.event_len, "task-clock"));

	/* a time of more seconds than an int64 of ns holds: no time (the
	 * fuzzer found the signed overflow) */
	l = "burn 7 317144451945.000000001: 5 task-clock:";
	CHECK(perfscript_parse_header(l, strlen(l), &h));
	CHECK(h.time_ns < 0);
	l = "burn 7 99999999999999999999999.5: 5 task-clock:";
	CHECK(perfscript_parse_header(l, strlen(l), &h));
	CHECK(h.time_ns < 0);
	l = "burn 7 9223372036.000000001: 5 task-clock:";
	CHECK(perfscript_parse_header(l, strlen(l), &h));
	CHECK(h.time_ns == 9223372036000000001LL);
	l = "burn 7 9223372036.9: 5 task-clock:";
	CHECK(perfscript_parse_header(l, strlen(l), &h));
	CHECK(h.time_ns < 0);

	/* no event field: still a header */
	l = "java 19983 cycles:";
	CHECK(perfscript_parse_header(l, strlen(l), &h));
	CHECK(h.event == NULL);

	/* a padded comm is not a header (as in stackcollapse-perf.pl) */
	l = "         swapper     0 [000] 1.0:  1 cpu-clock: ";
	CHECK(!perfscript_parse_header(l, strlen(l), &h));
	l = "\t  401b97 main+0x1f (/bin/x)";
	CHECK(!perfscript_parse_header(l, strlen(l), &h));
	CHECK(!perfscript_parse_header("x", 1, &h));
}

static void test_frame_line(void)
{
	struct perfscript_frame_line f;
	const char *l;

	l = "\t    7f89761ac7cc py::_find_and_load:<frozen importlib._bootstrap>+0x5 (/tmp/perf-23923.map)";
	CHECK(perfscript_parse_frame_line(l, strlen(l), &f));
	CHECK(slice_is(f.address, f.address_len, "7f89761ac7cc"));
	CHECK(slice_is(f.symbol, f.symbol_len,
		       "py::_find_and_load:<frozen importlib._bootstrap>+0x5"));
	CHECK(slice_is(f.dso, f.dso_len, "/tmp/perf-23923.map"));
	CHECK(perfscript_dso_kind(f.dso, f.dso_len) == PERFSCRIPT_JIT);

	l = "\t               0 [unknown] ([unknown])\r";
	CHECK(perfscript_parse_frame_line(l, strlen(l), &f));
	CHECK(slice_is(f.dso, f.dso_len, "[unknown]"));
	CHECK(perfscript_dso_kind(f.dso, f.dso_len) == PERFSCRIPT_PLAIN);

	l = "\t          THIS_IS_A_WEIRD_LINE";
	CHECK(!perfscript_parse_frame_line(l, strlen(l), &f));
	CHECK(perfscript_dso_kind("[kernel.kallsyms]", 17) == PERFSCRIPT_KERNEL);
	CHECK(perfscript_dso_kind("/boot/vmlinux", 13) == PERFSCRIPT_KERNEL);
	CHECK(perfscript_dso_kind("inlined", 7) == PERFSCRIPT_DSO_INLINED);
}

static void tidy(const char *sym, const char *dso, int addrs, int java,
		 const char *want)
{
	struct perfscript_frame_line f = { "abc", 3, sym, strlen(sym), dso,
					   strlen(dso) };
	struct strbuf out = { NULL, 0, 0 };

	perfscript_tidy_name(sym, strlen(sym), &f, addrs, java, &out);
	CHECK_STR(strbuf_str(&out), want);
	strbuf_release(&out);
}

static void test_tidy_names(void)
{
	tidy("[unknown]", "/usr/lib/libc.so.6", 0, 0, "[libc.so.6]");
	tidy("[unknown]", "[unknown]", 0, 0, "[unknown]");
	tidy("[unknown]", "[unknown]", 1, 0, "[unknown <abc>]");
	tidy("a;b", "x", 0, 0, "a:b");
	tidy("f(int, char)", "x", 0, 0, "f");
	tidy("(anonymous namespace)::g(int)", "x", 0, 0,
	     "(anonymous namespace)::g");
	tidy("net/http.(*Client).Do", "x", 0, 0, "net/http.(*Client).Do");
	tidy("RegExp:[&<>\\\"\\']", "x", 0, 0, "RegExp:[&<>\\\\]");
	tidy("Lorg/x/Y;.call(Lorg/Z;)V", "x", 0, 1, "org/x/Y:.call");
	tidy("Lorg/x/Y;.call(Lorg/Z;)V", "x", 0, 0, "Lorg/x/Y:.call");
}

static const char two_samples[] =
	"# cmdline : /usr/bin/perf record -g ./burn\n"
	"burn  8828 [001]  8582.005818:    250000 cpu-clock:pppH: \n"
	"\t    11c1 leaf+0x11 (/home/dev/burn)\n"
	"\tffffffff82259c96 do_syscall_64+0x46 ([kernel.kallsyms])\n"
	"\t    1065 main+0x15 (/home/dev/burn)\n"
	"\n"
	"burn  8828/8829 [001]  8582.006818:    250000 cpu-clock:pppH: \n"
	"\t    11c1 leaf+0x11 (/home/dev/burn)\n"
	"\t    1065 main+0x15 (/home/dev/burn)\n"
	"\n";

static void test_collapse_basic(void)
{
	struct read_options ro = { 0 };
	struct write_options wo = { 0 };

	check_collapse(two_samples, NULL, NULL,
		       "burn;main;do_syscall_64;leaf 250000\n"
		       "burn;main;leaf 250000\n");
	wo.annotate_kernel = 1;
	check_collapse(two_samples, NULL, &wo,
		       "burn;main;do_syscall_64_[k];leaf 250000\n"
		       "burn;main;leaf 250000\n");
	ro.with_pid = 1;
	check_collapse(two_samples, &ro, NULL,
		       "burn-8828;main;leaf 250000\n"
		       "burn-?;main;do_syscall_64;leaf 250000\n");
	ro.with_tid = 1;
	check_collapse(two_samples, &ro, NULL,
		       "burn-8828/8829;main;leaf 250000\n"
		       "burn-?/8828;main;do_syscall_64;leaf 250000\n");
}

static void test_collapse_rules(void)
{
	struct write_options wo = { 0 };

	/* comm with spaces, no period (count 1 each) */
	check_collapse("V8 Worker 5/6 1.0: cycles:\n"
		       "\t1 a+0x1 (/x)\n\n"
		       "V8 Worker 5/6 1.5: cycles:\n"
		       "\t1 a+0x1 (/x)\n\n",
		       NULL, NULL, "V8_Worker;a 2\n");
	/* "->" inline parts get _[i]; perf map frames are JIT */
	wo.annotate_jit = 1;
	check_collapse("node 5 1.0: 3 cpu-clock:\n"
		       "\t1 inner->outer (/tmp/perf-5.map)\n"
		       "\t2 LazyCompile:~f x.js:1 (/tmp/perf-5.map)\n\n",
		       NULL, &wo,
		       "node;LazyCompile:~f x.js:1_[j];inner_[j];outer_[i] 3\n");
	/* samples without the closing blank line are dropped, like the
	 * reference; frames before any header are ignored */
	check_collapse("\t1 orphan (/x)\n\n"
		       "a1 5 1.0: 1 ev:\n\t1 f (/x)\n", NULL, NULL, "");
	/* CRLF input reads like LF input */
	check_collapse("a1 5 1.0: 2 ev:\r\n\t1 f+0x1 (/x)\r\n\r\n"
		       "a1 5 1.1: 2 ev:\r\n\t1 f+0x2 (/x)\r\n\r\n",
		       NULL, NULL, "a1;f 4\n");
	/* a sample with no frames is just the process */
	check_collapse("a1 5 1.0: 7 ev:\n\n", NULL, NULL, "a1 7\n");
}

static const char two_events[] =
	"p1 1 1.0: 10 cycles:\n\t1 f (/x)\n\n"
	"p1 1 1.1: 20 instructions:\n\t1 g (/x)\n\n"
	"p1 1 1.2: 30 cycles:\n\t1 f (/x)\n\n";

static void test_event_filter(void)
{
	struct read_options ro = { 0 };
	struct profile p;
	unsigned long before = warning_count();

	error_set_quiet(1);
	check_collapse(two_events, NULL, NULL, "p1;f 40\n");
	CHECK(warning_count() == before + 1);
	ro.event_filter = "instructions";
	check_collapse(two_events, &ro, NULL, "p1;g 20\n");
	CHECK(read_text(two_events, strlen(two_events), &p, NULL) == 0);
	CHECK_STR(profile_str(&p, p.meta.event), "cycles");
	profile_release(&p);
	error_set_quiet(0);
}

static void test_model_fields(void)
{
	struct read_options ro = { 0 };
	struct profile p;
	const struct frame *root, *kernel;
	uint32_t frames[8], depth, t;

	ro.keep_samples = 1;
	CHECK(read_text(two_samples, strlen(two_samples), &p, &ro) == 0);
	CHECK(p.nr_samples == 2);
	CHECK(p.samples[0].time_ns == 8582005818000LL);
	CHECK(p.samples[1].time_ns == 8582006818000LL);
	CHECK(p.samples[0].value[0] == 250000);
	depth = profile_stack_frames(&p, p.samples[0].stack, frames);
	CHECK(depth == 4);
	root = &p.frames[frames[0]];
	kernel = &p.frames[frames[2]];
	CHECK(root->kind == FRAME_PROCESS);
	CHECK_STR(profile_str(&p, root->name), "burn");
	CHECK(kernel->kind == FRAME_KERNEL);
	CHECK_STR(profile_str(&p, kernel->module), "[kernel.kallsyms]");
	CHECK(p.frames[frames[3]].kind == FRAME_NATIVE);
	CHECK_STR(profile_str(&p, p.frames[frames[3]].module), "/home/dev/burn");
	t = p.samples[1].thread;
	CHECK(p.threads[t].pid == 8828 && p.threads[t].tid == 8829);
	CHECK_STR(profile_str(&p, p.threads[t].name), "burn");
	t = p.samples[0].thread;
	CHECK(p.threads[t].pid == -1 && p.threads[t].tid == 8828);
	CHECK_STR(profile_str(&p, p.meta.event), "cpu-clock:pppH");
	profile_release(&p);
}

/* CPython -X perf trampolines: "py::f:file" is a Python frame, except
 * with perf_names (collapse); the sample count is value 1. */
static void test_python_trampolines(void)
{
	static const char text[] =
		"python3 7 1.0:    250000 cpu-clock:ppp: \n"
		"\t    7f55d64757c1 py::Box.run:/tmp/a b.py+0x5 (/tmp/perf-7.map)\n"
		"\t    7f55d6475278 py::<module>:<frozen os>+0x5 (/tmp/perf-7.map)\n"
		"\n";
	struct read_options ro = { 0 };
	struct profile p;
	uint32_t frames[8], depth;
	const struct frame *leaf;
	size_t fl, filel;
	const char *file;

	CHECK(perfscript_python_trampoline("py::f:/x.py", 11, &fl, &file, &filel));
	CHECK(fl == 1 && filel == 5 && !strncmp(file, "/x.py", 5));
	CHECK(perfscript_python_trampoline("py::f:C:/x_[j]", 14, &fl, &file, &filel));
	CHECK(fl == 1 && filel == 4 && !strncmp(file, "C:/x", 4));
	CHECK(!perfscript_python_trampoline("py::f:", 6, &fl, &file, &filel));
	CHECK(!perfscript_python_trampoline("py:::x", 6, &fl, &file, &filel));
	CHECK(!perfscript_python_trampoline("pyfunc", 6, &fl, &file, &filel));

	CHECK(read_text(text, strlen(text), &p, &ro) == 0);
	CHECK(p.nr_values == 2);
	CHECK_STR(profile_str(&p, p.value_types[1].type), "samples");
	CHECK(profile_sum(&p, 0) == 250000 && profile_sum(&p, 1) == 1);
	depth = profile_stack_frames(&p, p.totals[0].stack, frames);
	CHECK(depth == 3);
	leaf = &p.frames[frames[depth - 1]];
	CHECK(leaf->kind == FRAME_PYTHON);
	CHECK_STR(profile_str(&p, leaf->name), "Box.run");
	CHECK_STR(profile_str(&p, leaf->file), "/tmp/a b.py");
	CHECK_STR(profile_str(&p, p.frames[frames[1]].file), "<frozen os>");
	profile_release(&p);

	ro.perf_names = 1;
	CHECK(read_text(text, strlen(text), &p, &ro) == 0);
	depth = profile_stack_frames(&p, p.totals[0].stack, frames);
	CHECK(depth == 3 && p.frames[frames[2]].kind == FRAME_JIT);
	CHECK_STR(profile_str(&p, p.frames[frames[2]].name),
		  "py::Box.run:/tmp/a b.py");
	profile_release(&p);
}

static void test_bad_lines_warn(void)
{
	const char text[] = "a1 5 1.0: 1 ev:\n\tGARBAGE\n\t1 f (/x)\n\n";
	unsigned long before = warning_count();
	struct profile p;

	error_set_quiet(1);
	CHECK(read_text(text, strlen(text), &p, NULL) == 0);
	/* one for the line, one total */
	CHECK(warning_count() == before + 2);
	CHECK(p.nr_totals == 1);
	profile_release(&p);
	error_set_quiet(0);
}

static void test_binary_garbage(void)
{
	unsigned char junk[65536];
	uint32_t x = 12345;
	struct profile p;
	size_t i;

	for (i = 0; i < sizeof(junk); i++) {
		x = x * 1103515245 + 12345;
		junk[i] = (unsigned char)(x >> 16);
	}
	error_set_quiet(1);
	CHECK(read_text((const char *)junk, sizeof(junk), &p, NULL) == 0);
	profile_release(&p);
	/* garbage inside a valid sample */
	memcpy(junk, "a1 5 1.0: 1 ev:\n", 16);
	CHECK(read_text((const char *)junk, sizeof(junk), &p, NULL) == 0);
	profile_release(&p);
	error_set_quiet(0);
}

static void test_truncated(void)
{
	size_t len;
	struct profile p;

	/* every prefix must read without trouble */
	error_set_quiet(1);
	for (len = 0; len <= strlen(two_samples); len++) {
		CHECK(read_text(two_samples, len, &p, NULL) == 0);
		profile_release(&p);
	}
	check_collapse("burn 1 1.0: 1 ev:\n\t1 f (/x", NULL, NULL, "");
	error_set_quiet(0);
}

static void test_huge_line(void)
{
	size_t n = 10 * 1024 * 1024, i;
	char *text = malloc(n + 64);
	struct profile p;
	char *got;

	memcpy(text, "a1 5 1.0: 1 ev:\n\t1 ", 19);
	for (i = 19; i < n; i++)
		text[i] = 'x';
	memcpy(text + n, " (/x)\n\n", 8);
	got = collapse(text, NULL, NULL);
	CHECK(got && strlen(got) == 3 + (n - 19) + 3);
	CHECK(got && !strncmp(got, "a1;xxx", 6));
	free(got);
	/* a huge line that is not a frame */
	text[n] = '\0';
	error_set_quiet(1);
	CHECK(read_text(text, n, &p, NULL) == 0);
	error_set_quiet(0);
	profile_release(&p);
	free(text);
}

/* Memory follows distinct stacks: a long input of one repeated sample
 * keeps one stack and one total. */
static void test_streaming(void)
{
	struct strbuf text = { NULL, 0, 0 };
	struct read_options ro = { 0 };
	struct profile p;
	int i;

	for (i = 0; i < 20000; i++)
		strbuf_addf(&text, "java 7/%d [000] %d.5: 3 cycles:\n"
			    "\t 0 [unknown] ([unknown])\n"
			    "\t 1 Lorg/x/Y;.run()V (/tmp/perf-7.map)\n\n",
			    8 + i % 2, i);
	ro.addrs = 1;
	CHECK(read_text(text.buf, text.len, &p, &ro) == 0);
	CHECK(p.nr_totals == 2);	/* two threads */
	CHECK(p.nr_stacks == 4);	/* root + java + run + unknown */
	CHECK(profile_sum(&p, 0) == 60000);
	profile_release(&p);
	ro.with_tid = 1;
	text.len = 0;
	strbuf_addstr(&text, "java 7/8 [000] 1.5: 3 cycles:\n"
		      "\t 0 [unknown] ([unknown])\n"
		      "\t 1 Lorg/x/Y;.run()V (/tmp/perf-7.map)\n\n");
	check_collapse(text.buf, &ro, NULL,
		       "java-7/8;org/x/Y:.run;[unknown <0>] 3\n");
	strbuf_release(&text);
}

static void test_empty(void)
{
	struct profile p;

	error_set_quiet(1);
	CHECK(read_text("", 0, &p, NULL) == 0);
	CHECK(p.nr_totals == 0);
	profile_release(&p);
	check_collapse("\n\n\n", NULL, NULL, "");
	CHECK(perfscript_reader.probe((const unsigned char *)"", 0) == 0);
	CHECK(perfscript_reader.probe((const unsigned char *)two_samples,
				      strlen(two_samples)) == 90);
	CHECK(perfscript_reader.probe((const unsigned char *)"a;b 12\n", 7) == 0);
	error_set_quiet(0);
}

int main(void)
{
	/* warnings are counted, not printed */
	error_set_quiet(1);
	RUN(test_header_default_61);
	RUN(test_header_variants);
	RUN(test_frame_line);
	RUN(test_tidy_names);
	RUN(test_collapse_basic);
	RUN(test_collapse_rules);
	RUN(test_event_filter);
	RUN(test_model_fields);
	RUN(test_python_trampolines);
	RUN(test_bad_lines_warn);
	RUN(test_binary_garbage);
	RUN(test_truncated);
	RUN(test_huge_line);
	RUN(test_streaming);
	RUN(test_empty);
	TEST_EXIT();
}
