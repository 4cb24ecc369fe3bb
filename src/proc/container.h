/*
 * container.h - the container a process runs in, as a short label for
 * its root frame ("name (PID) [LABEL]", engines/bpf/).  A process is in a
 * container when its pid namespace is not scorch's; the label is the
 * leaf of its cgroup v2 path when that differs from scorch's own
 * (docker-<id>.scope -> the id's first 12 digits, as docker ps shows it),
 * else "pidns:INODE".  Reads /proc only; never prints.
 */
#ifndef SCORCH_PROC_CONTAINER_H
#define SCORCH_PROC_CONTAINER_H

#include <stddef.h>
#include <sys/types.h>

/*
 * The label of a cgroup v2 path as /proc/PID/cgroup gives it (text is
 * the whole file: the "0::PATH" line is used) into out[room]: the last
 * path component, with a docker-/libpod-/cri-containerd- prefix and a
 * .scope suffix around a hex id cut to the id's first 12 digits.
 * Returns the label's length, 0 when there is none ("/", no v2 line).
 */
size_t container_cgroup_label(const char *text, char *out, size_t room);

/* 1 when pid's pid namespace is not scorch's, with its device and
 * inode in *dev and *ino; 0 when it is (or cannot be read). */
int container_pid_namespace(pid_t pid, unsigned long long *dev,
			    unsigned long long *ino);

/* The container label of pid into out[room] ("" when the process shares
 * scorch's pid namespace or cannot be read).  Returns its length. */
size_t container_label(pid_t pid, char *out, size_t room);

#endif
