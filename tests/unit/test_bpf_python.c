/*
 * test_bpf_python.c - the layout the BPF engine hands the kernel for a
 * CPython (engines/bpf/bpf_python.c): every offset the kernel walk uses
 * comes from the Python reader's row for that version, the interpreter
 * list's head from _PyRuntime's address, the frame's fields inside the
 * window copied at once, a thread found by its kernel id (3.11+) or its
 * pthread_t (3.6-3.10), the code object's ident from its filename and
 * name, and a process without a runtime refused.
 */
#include <stdint.h>

#include "engines/bpf/bpf_python.h"
#include "engines/bpf/sampler.h"
#include "python/layouts.h"
#include "test.h"

static void check_row(int minor)
{
	const struct py_layout *l = py_layout_find(3, minor);
	struct bpf_python_config cfg;

	CHECK(l != NULL);
	if (!l)
		return;
	CHECK(bpf_python_config_from_layout(l, 0x7f0000001000ULL, &cfg) == 0);
	CHECK(cfg.interp_head == 0x7f0000001000ULL + l->runtime_interp_head);
	CHECK(cfg.interp_threads_head == l->interp_threads_head);
	CHECK(cfg.tstate_next == l->tstate_next);
	/* a thread by its kernel id (3.11+), else by its pthread_t */
	CHECK(cfg.tstate_native_id == l->tstate_native_id);
	CHECK(cfg.tstate_pthread == l->tstate_thread_id);
	CHECK(cfg.tstate_native_id || cfg.tstate_pthread);
	CHECK(cfg.tstate_frame == l->tstate_frame);
	CHECK(cfg.cframe_current == l->cframe_current);
	CHECK(cfg.frame_back == l->frame_back);
	CHECK(cfg.frame_code == l->frame_code);
	CHECK(cfg.frame_instr == l->frame_lasti);
	CHECK(cfg.frame_owner == l->frame_owner);
	CHECK(cfg.frame_skip_owner == (uint32_t)l->frame_skip_owner);
	CHECK(cfg.frame_code_tagged == (uint32_t)l->frame_code_tagged);
	/* the frame's fields read in one copy lie inside it */
	CHECK(cfg.frame_window > 0 && cfg.frame_window <= BPF_SAMPLER_FRAME_WINDOW);
	CHECK(cfg.frame_back + 8 <= cfg.frame_window);
	CHECK(cfg.frame_code + 8 <= cfg.frame_window);
	CHECK(cfg.frame_instr + 8 <= cfg.frame_window);
	/* 3.11's is_entry (others mark entries by skipped frames) */
	CHECK(cfg.frame_is_entry == l->frame_is_entry);
	CHECK(!cfg.frame_is_entry || cfg.frame_is_entry < cfg.frame_window);
	CHECK(!!cfg.frame_is_entry == (minor == 11));
	/* the code's ident: its filename and the name user space shows */
	CHECK(cfg.code_file == l->code_filename && cfg.code_file);
	CHECK(cfg.code_name == (l->code_qualname ? l->code_qualname : l->code_name));
	CHECK(cfg.code_file != cfg.code_name);
	/* fields of one struct never share an offset */
	CHECK(cfg.frame_back != cfg.frame_code && cfg.frame_code != cfg.frame_instr);
	CHECK(cfg.tstate_next != cfg.tstate_native_id);
}

static void test_rows(void)
{
	for (int minor = 6; minor <= 12; minor++)
		check_row(minor);
}

/* 3.6 has no _PyRuntime: its "runtime" is the static interpreter head */
static void test_static_head(void)
{
	const struct py_layout *l = py_layout_find(3, 6);
	struct bpf_python_config cfg;

	CHECK(l != NULL && l->static_heads);
	if (!l)
		return;
	CHECK(bpf_python_config_from_layout(l, 0x601000, &cfg) == 0);
	CHECK(cfg.interp_head == 0x601000);
}

static void test_refused(void)
{
	struct bpf_python_config cfg;
	const struct py_layout *l312 = py_layout_find(3, 12);

	/* no runtime found */
	if (l312)
		CHECK(bpf_python_config_from_layout(l312, 0, &cfg) < 0);
	CHECK(l312 != NULL);
}

/* a code object freed and its address taken by another function: any
 * other filename or name gives another ident */
static void test_code_ident(void)
{
	const __u64 file = 0x7f0000a01230ULL, name = 0x7f0000b04560ULL;

	CHECK(bpf_python_code_ident(file, name) == bpf_python_code_ident(file, name));
	CHECK(bpf_python_code_ident(file, name) != bpf_python_code_ident(file, name + 16));
	CHECK(bpf_python_code_ident(file, name) != bpf_python_code_ident(file + 16, name));
	/* the two swapped (one module's name, another's file) */
	CHECK(bpf_python_code_ident(file, name) != bpf_python_code_ident(name, file));
	CHECK(bpf_python_code_ident(file, name) != 0);
}

int main(void)
{
	RUN(test_rows);
	RUN(test_static_head);
	RUN(test_code_ident);
	RUN(test_refused);
	TEST_EXIT();
}
