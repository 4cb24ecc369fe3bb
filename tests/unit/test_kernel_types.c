/*
 * test_kernel_types.c - the cut of a kernel's BTF for the BPF program
 * (engines/bpf/kernel_types.c): the structs the program names come with
 * every member at its offset, bit-fields included, and what they embed
 * by value; pointers become void *; nothing else comes along.  Once on a
 * small BTF built here, once on this machine's kernel when it has BTF.
 */
#include <stdint.h>
#include <string.h>

#include <bpf/btf.h>

#include "engines/bpf/kernel_types.h"
#include "test.h"

/* the id of the one type named name of kind kind in btf, 0 if none */
static int find(const struct btf *btf, const char *name, int kind)
{
	int id = btf__find_by_name_kind(btf, name, kind);

	return id > 0 ? id : 0;
}

/* does struct/union a in btf x have b's (in y) members, at b's offsets? */
static int same_layout(const struct btf *x, int a, const struct btf *y, int b)
{
	const struct btf_type *ta = btf__type_by_id(x, a);
	const struct btf_type *tb = btf__type_by_id(y, b);

	if (!ta || !tb || ta->size != tb->size || btf_vlen(ta) != btf_vlen(tb))
		return 0;
	for (int i = 0; i < btf_vlen(ta); i++) {
		const struct btf_member *ma = btf_members(ta) + i;
		const struct btf_member *mb = btf_members(tb) + i;

		if (strcmp(btf__name_by_offset(x, ma->name_off),
			   btf__name_by_offset(y, mb->name_off)) ||
		    btf_member_bit_offset(ta, i) != btf_member_bit_offset(tb, i) ||
		    btf_member_bitfield_size(ta, i) != btf_member_bitfield_size(tb, i))
			return 0;
	}
	return 1;
}

static void test_small_kernel(void)
{
	struct btf *kernel = btf__new_empty(), *local = btf__new_empty(), *cut;
	int k_int, k_inner, k_outer, k_arr, k_enum, k_ptr, l_int, id;
	const struct btf_type *t;

	/* the "kernel": outer embeds inner, an array and an enum, and points
	 * at itself; unrelated is named by nobody */
	k_int = btf__add_int(kernel, "int", 4, BTF_INT_SIGNED);
	k_enum = btf__add_enum(kernel, "state", 4);
	btf__add_enum_value(kernel, "RUNNING", 0);
	btf__add_enum_value(kernel, "SLEEPING", 1);
	k_arr = btf__add_array(kernel, k_int, k_int, 4);
	k_inner = btf__add_struct(kernel, "inner", 8);
	btf__add_field(kernel, "a", k_int, 0, 0);
	btf__add_field(kernel, "b", k_int, 32, 3);
	btf__add_field(kernel, "c", k_int, 35, 5);
	k_ptr = btf__add_ptr(kernel, k_inner + 2);	/* to outer, next */
	k_outer = btf__add_struct(kernel, "outer", 48);
	CHECK(k_outer == k_inner + 2);
	btf__add_field(kernel, "state", k_enum, 0, 0);
	btf__add_field(kernel, "in", k_inner, 32, 0);
	btf__add_field(kernel, "next", k_ptr, 128, 0);
	btf__add_field(kernel, "arr", k_arr, 192, 0);
	id = btf__add_struct(kernel, "unrelated", 4);
	btf__add_field(kernel, "x", k_int, 0, 0);
	CHECK(id > 0);

	/* the program's own idea of outer (one member), and its own type */
	l_int = btf__add_int(local, "int", 4, BTF_INT_SIGNED);
	btf__add_struct(local, "outer", 8);
	btf__add_field(local, "in", l_int, 0, 0);
	btf__add_struct(local, "scorch_own", 4);
	btf__add_field(local, "y", l_int, 0, 0);

	cut = kernel_types_cut(kernel, local);
	CHECK(cut != NULL);
	if (!cut)
		goto out;
	CHECK(same_layout(cut, find(cut, "outer", BTF_KIND_STRUCT),
			  kernel, k_outer));
	CHECK(same_layout(cut, find(cut, "inner", BTF_KIND_STRUCT),
			  kernel, k_inner));
	CHECK(find(cut, "state", BTF_KIND_ENUM) > 0);
	CHECK(!find(cut, "unrelated", BTF_KIND_STRUCT));
	CHECK(!find(cut, "scorch_own", BTF_KIND_STRUCT));
	/* outer.next: a pointer, to void */
	t = btf__type_by_id(cut, find(cut, "outer", BTF_KIND_STRUCT));
	CHECK(t && btf_vlen(t) == 4);
	if (t && btf_vlen(t) == 4) {
		const struct btf_type *next =
			btf__type_by_id(cut, btf_members(t)[2].type);
		const struct btf_type *arr =
			btf__type_by_id(cut, btf_members(t)[3].type);

		CHECK(next && btf_is_ptr(next) && next->type == 0);
		CHECK(arr && btf_is_array(arr) && btf_array(arr)->nelems == 4);
	}
	btf__free(cut);
out:
	btf__free(kernel);
	btf__free(local);
}

static struct btf *running_kernel;

/* this kernel's task_struct and pt_regs, as the program names them */
static void test_running_kernel(void)
{
	struct btf *kernel = running_kernel, *local, *cut;

	local = btf__new_empty();
	btf__add_struct(local, "task_struct", 0);
	btf__add_struct(local, "pt_regs", 0);
	cut = kernel_types_cut(kernel, local);
	CHECK(cut != NULL);
	if (cut) {
		CHECK(same_layout(cut, find(cut, "task_struct", BTF_KIND_STRUCT),
				  kernel, find(kernel, "task_struct", BTF_KIND_STRUCT)));
		CHECK(same_layout(cut, find(cut, "pt_regs", BTF_KIND_STRUCT),
				  kernel, find(kernel, "pt_regs", BTF_KIND_STRUCT)));
		CHECK(find(cut, "thread_struct", BTF_KIND_STRUCT) > 0);
		/* a few hundred types, not the kernel's 100k */
		CHECK(btf__type_cnt(cut) < btf__type_cnt(kernel) / 20);
		btf__free(cut);
	}
	btf__free(local);
}

int main(void)
{
	RUN(test_small_kernel);
	running_kernel = btf__load_vmlinux_btf();
	if (running_kernel)
		RUN(test_running_kernel);
	else
		printf("skip test_running_kernel: this kernel has no BTF to read (/sys/kernel/btf/vmlinux)\n");
	btf__free(running_kernel);
	TEST_EXIT();
}
