/*
 * remote.h - reading another process: its memory (process_vm_readv), its
 * memory map (/proc/PID/maps) and its executable path.
 *
 * Never stops or writes to the target.  A read of memory that changes
 * under us returns whatever bytes were there; callers validate.  Nothing
 * here prints: functions return -1 and leave errno set.
 */
#ifndef SCORCH_PYTHON_REMOTE_H
#define SCORCH_PYTHON_REMOTE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Reads exactly len bytes at addr; returns 0, or -1 (errno set; EFAULT
 * for a short read). */
int remote_read(pid_t pid, uint64_t addr, void *buf, size_t len);
/* Reads up to len bytes; returns how many were read (a read stops at the
 * first unmapped page), or -1. */
ssize_t remote_read_partial(pid_t pid, uint64_t addr, void *buf, size_t len);
static inline uint64_t remote_u64(const void *buf, size_t off)
{
	uint64_t v;
	const unsigned char *p = (const unsigned char *)buf + off;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}
static inline int32_t remote_i32(const void *buf, size_t off)
{
	int32_t v;
	const unsigned char *p = (const unsigned char *)buf + off;

	__builtin_memcpy(&v, p, sizeof(v));
	return v;
}

/* One line of /proc/PID/maps. */
struct remote_mapping {
	uint64_t start, end, offset;
	unsigned dev_major, dev_minor;	/* the file's device and inode, */
	unsigned long long inode;	/* 0 for anonymous mappings */
	char perms[5];
	char *path;		/* owned; "" for anonymous mappings */
};

struct remote_maps {
	struct remote_mapping *items;
	size_t nr, alloc;
};

/* Reads /proc/PID/maps; returns 0 or -1 (errno set). */
int remote_maps_read(pid_t pid, struct remote_maps *maps);
void remote_maps_release(struct remote_maps *maps);
/* Nonzero when [addr, addr+len) lies in one readable mapping. */
int remote_maps_readable(const struct remote_maps *maps, uint64_t addr,
			 size_t len);

/* The target's executable path (" (deleted)" stripped) into buf; 0 or -1. */
int remote_exe_path(pid_t pid, char *buf, size_t size);

#endif
