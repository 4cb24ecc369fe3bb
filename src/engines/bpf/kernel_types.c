/*
 * kernel_types.c - the cut of the kernel's BTF the BPF program needs,
 * and its file in the cache (kernel_types.h).
 *
 * The file ("bpf-kernel-types", mode 0600): struct kernel_types_header,
 * then the raw BTF.  Trusted only when this user owns it and it names
 * this boot and this program.  Any problem means "no cut": libbpf then
 * reads the kernel's own BTF, as it always could.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>

#include "engines/bpf/kernel_types.h"
#include "symbols/cache_dir.h"
#include "util/xalloc.h"

#define CACHE_NAME "bpf-kernel-types"
#define CACHE_MAGIC "SCBTF001"
#define MAX_BTF_SIZE (16u << 20)
#define MAX_NESTING 64		/* structs within structs, by value */

struct kernel_types_header {
	char magic[8];
	char boot_id[40];
	uint64_t key;		/* hash of the program's ELF bytes */
	uint64_t size;		/* of the BTF after this header */
};

/* One cut in progress: kernel type id -> its copy's id (0 = none yet). */
struct cut {
	const struct btf *kernel;
	struct btf *out;
	uint32_t *copy;
	uint32_t void_ptr;	/* the one "void *" every pointer becomes */
};

static int copy_type(struct cut *c, uint32_t id, int depth);

/* A struct or union with all its members: their types first, since
 * btf__add_field adds to the type added last. */
static int copy_composite(struct cut *c, const struct btf_type *t, int depth)
{
	const struct btf_member *m = btf_members(t);
	uint16_t n = btf_vlen(t);
	const char *name = btf__name_by_offset(c->kernel, t->name_off);
	uint32_t *types = xcalloc(n ? n : 1, sizeof(*types));
	int id = 0;

	for (uint16_t i = 0; i < n && id >= 0; i++) {
		int r = copy_type(c, m[i].type, depth + 1);

		if (r < 0)
			id = r;
		types[i] = (uint32_t)r;
	}
	if (id >= 0)
		id = btf_is_struct(t) ? btf__add_struct(c->out, name, t->size) :
					btf__add_union(c->out, name, t->size);
	for (uint16_t i = 0; i < n && id >= 0; i++) {
		int r = btf__add_field(c->out,
			btf__name_by_offset(c->kernel, m[i].name_off), (int)types[i],
			btf_member_bit_offset(t, i), btf_member_bitfield_size(t, i));

		if (r < 0)
			id = r;
	}
	free(types);
	return id;
}

static int copy_enum(struct cut *c, const struct btf_type *t)
{
	const char *name = btf__name_by_offset(c->kernel, t->name_off);
	uint16_t n = btf_vlen(t);
	int id;

	if (btf_is_enum(t)) {
		const struct btf_enum *e = btf_enum(t);

		id = btf__add_enum(c->out, name, t->size);
		for (uint16_t i = 0; i < n && id >= 0; i++)
			if (btf__add_enum_value(c->out,
					btf__name_by_offset(c->kernel, e[i].name_off),
					btf_kflag(t) ? (int64_t)e[i].val :
						(int64_t)(uint32_t)e[i].val) < 0)
				id = -EINVAL;
	} else {
		const struct btf_enum64 *e = btf_enum64(t);

		id = btf__add_enum64(c->out, name, t->size, btf_kflag(t));
		for (uint16_t i = 0; i < n && id >= 0; i++)
			if (btf__add_enum64_value(c->out,
					btf__name_by_offset(c->kernel, e[i].name_off),
					btf_enum64_value(&e[i])) < 0)
				id = -EINVAL;
	}
	return id;
}

/* The copy of kernel type id as a member's type (by value): < 0 on a
 * kind no member can have. */
static int copy_type(struct cut *c, uint32_t id, int depth)
{
	const struct btf_type *t;
	const char *name;
	int r, ref;

	if (!id)
		return 0;	/* void */
	if (c->copy[id])
		return (int)c->copy[id];
	if (depth > MAX_NESTING || !(t = btf__type_by_id(c->kernel, id)))
		return -EINVAL;
	name = btf__name_by_offset(c->kernel, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		r = btf__add_int(c->out, name, t->size, btf_int_encoding(t));
		break;
	case BTF_KIND_FLOAT:
		r = btf__add_float(c->out, name, t->size);
		break;
	case BTF_KIND_PTR:	/* CO-RE asks no more of a pointer field */
		if (!c->void_ptr) {
			r = btf__add_ptr(c->out, 0);
			if (r < 0)
				return r;
			c->void_ptr = (uint32_t)r;
		}
		return (int)c->void_ptr;
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);
		int index = copy_type(c, a->index_type, depth + 1);
		int elem = copy_type(c, a->type, depth + 1);

		r = index < 0 ? index : elem < 0 ? elem :
			btf__add_array(c->out, index, elem, (int)a->nelems);
		break;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION:
		r = copy_composite(c, t, depth);
		break;
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		r = copy_enum(c, t);
		break;
	case BTF_KIND_FWD:
		r = btf__add_fwd(c->out, name,
				 btf_kflag(t) ? BTF_FWD_UNION : BTF_FWD_STRUCT);
		break;
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
	case BTF_KIND_TYPE_TAG:
		ref = copy_type(c, t->type, depth + 1);
		if (ref < 0)
			return ref;
		r = btf_is_typedef(t) ? btf__add_typedef(c->out, name, ref) :
		    btf_is_volatile(t) ? btf__add_volatile(c->out, ref) :
		    btf_is_const(t) ? btf__add_const(c->out, ref) :
		    btf_is_restrict(t) ? btf__add_restrict(c->out, ref) :
		    btf__add_type_tag(c->out, name, ref);
		break;
	default:		/* functions, variables, sections, tags */
		return -EINVAL;
	}
	if (r > 0)
		c->copy[id] = (uint32_t)r;
	return r;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

struct btf *kernel_types_cut(const struct btf *kernel, const struct btf *local)
{
	uint32_t nr_local = btf__type_cnt(local), nr = btf__type_cnt(kernel);
	const char **wanted = xcalloc(nr_local, sizeof(*wanted));
	size_t nr_wanted = 0;
	struct cut c = { kernel, btf__new_empty(), NULL, 0 };
	int err = c.out ? 0 : -ENOMEM;

	/* the names of the program's structs and unions: what its
	 * relocations can start from */
	for (uint32_t id = 1; id < nr_local; id++) {
		const struct btf_type *t = btf__type_by_id(local, id);

		if (btf_is_composite(t) && t->name_off)
			wanted[nr_wanted++] = btf__name_by_offset(local, t->name_off);
	}
	qsort(wanted, nr_wanted, sizeof(*wanted), cmp_names);
	c.copy = xcalloc(nr, sizeof(*c.copy));
	/* every kernel struct or union of such a name, as libbpf would
	 * find among its candidates */
	for (uint32_t id = 1; id < nr && !err; id++) {
		const struct btf_type *t = btf__type_by_id(kernel, id);
		const char *name;

		if (!btf_is_composite(t) || !t->name_off)
			continue;
		name = btf__name_by_offset(kernel, t->name_off);
		if (nr_wanted && bsearch(&name, wanted, nr_wanted,
					 sizeof(*wanted), cmp_names)) {
			int r = copy_type(&c, id, 0);

			if (r < 0)
				err = r;
		}
	}
	free(wanted);
	free(c.copy);
	if (err) {
		btf__free(c.out);
		errno = -err;
		return NULL;
	}
	return c.out;
}

/* A memory file holding the BTF, for libbpf to read by path. */
static int btf_fd(const void *data, size_t size)
{
	int fd = memfd_create("scorch-kernel-types", MFD_CLOEXEC);

	if (fd < 0)
		return -1;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		return -1;
	}
	return fd;
}

int kernel_types_cached(uint64_t key)
{
	struct kernel_types_header h;
	char boot[40];
	struct stat st;
	void *data;
	int fd, out = -1;

	if (cache_dir_boot_id(boot) ||
	    (fd = cache_dir_open_own(CACHE_NAME, &st)) < 0)
		return -1;
	if (pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, CACHE_MAGIC, 8) || memcmp(h.boot_id, boot, 40) ||
	    h.key != key || !h.size || h.size > MAX_BTF_SIZE ||
	    (uint64_t)st.st_size != sizeof(h) + h.size) {
		close(fd);
		return -1;
	}
	data = xmalloc(h.size);
	if (pread(fd, data, h.size, sizeof(h)) == (ssize_t)h.size)
		out = btf_fd(data, h.size);
	free(data);
	close(fd);
	return out;
}

/* Saves the cut for this boot and key; quietly nothing on failure. */
static void save(const void *data, size_t size, uint64_t key)
{
	struct kernel_types_header h;
	char *path, *tmp;
	size_t len;
	int fd, ok;

	memset(&h, 0, sizeof(h));
	if (cache_dir_boot_id(h.boot_id) || !(path = cache_dir_path(CACHE_NAME, 1)))
		return;
	memcpy(h.magic, CACHE_MAGIC, 8);
	h.key = key;
	h.size = size;
	len = strlen(path) + 16;
	tmp = xmalloc(len);
	snprintf(tmp, len, "%s.%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ok = fd >= 0 && write(fd, &h, sizeof(h)) == (ssize_t)sizeof(h) &&
	     write(fd, data, size) == (ssize_t)size;
	if (fd >= 0 && close(fd))
		ok = 0;
	if (!ok || rename(tmp, path))
		unlink(tmp);
	free(tmp);
	free(path);
}

int kernel_types_make(const struct btf *local, uint64_t key)
{
	struct btf *kernel = btf__load_vmlinux_btf(), *cut;
	const void *data;
	uint32_t size = 0;
	int fd = -1;

	if (!kernel)
		return -1;
	cut = kernel_types_cut(kernel, local);
	btf__free(kernel);
	if (!cut)
		return -1;
	data = btf__raw_data(cut, &size);
	if (data && size) {
		save(data, size, key);
		fd = btf_fd(data, size);
	}
	btf__free(cut);
	return fd;
}

void kernel_types_forget(void)
{
	char *path = cache_dir_path(CACHE_NAME, 0);

	if (path)
		unlink(path);
	free(path);
}
