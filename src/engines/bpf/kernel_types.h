/*
 * kernel_types.h - the few kernel types the BPF program's CO-RE
 * relocations need, cut out of the kernel's BTF and kept for this boot.
 *
 * Without them libbpf parses the whole of /sys/kernel/btf/vmlinux (6 MB,
 * 125k types: about 60 ms of CPU, half of the engine's start-up) at
 * every load, to look up a dozen field offsets.  The cut keeps every
 * struct and union the program's own BTF names, with all their members
 * and whatever they embed by value; every pointer becomes void *, which
 * CO-RE accepts for any pointer field.  Saved as "bpf-kernel-types" in
 * symbols/cache_dir.h's directory, trusted only for the boot and the
 * program it was cut for, handed to libbpf as its btf_custom_path.
 */
#ifndef SCORCH_ENGINES_BPF_KERNEL_TYPES_H
#define SCORCH_ENGINES_BPF_KERNEL_TYPES_H

#include <stddef.h>
#include <stdint.h>

struct btf;

/* The cut of kernel for local's structs and unions (NULL and errno on a
 * type it cannot copy); btf__free it. */
struct btf *kernel_types_cut(const struct btf *kernel, const struct btf *local);

/*
 * A file descriptor of this boot's cut for the program whose ELF bytes
 * hash to key (readable as /proc/self/fd/N), from the cache; -1 when
 * there is none or it is not to be trusted.
 */
int kernel_types_cached(uint64_t key);

/* Cuts the running kernel's BTF for local, saves it for key (when the
 * cache is on) and returns a descriptor as above; -1 on failure. */
int kernel_types_make(const struct btf *local, uint64_t key);

/* Removes the saved cut (libbpf could not use it). */
void kernel_types_forget(void);

#endif
