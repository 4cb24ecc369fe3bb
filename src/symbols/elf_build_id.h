/*
 * elf_build_id.h - the GNU build-id note of an ELF file, the one place
 * scorch reads it from an Elf handle (libelf).  Used to find separate
 * debug files (/usr/lib/debug/.build-id) and perf's build-id cache.
 */
#ifndef SCORCH_SYMBOLS_ELF_BUILD_ID_H
#define SCORCH_SYMBOLS_ELF_BUILD_ID_H

#include <libelf.h>
#include <stddef.h>
#include <stdint.h>

/* Copies up to max bytes of elf's build id into id; returns its length
 * (0 when the file has none). */
size_t elf_build_id(Elf *elf, uint8_t *id, size_t max);

/* 1 when the ELF file open on fd carries exactly this build id of len
 * bytes, else 0. */
int elf_fd_has_build_id(int fd, const unsigned char *bits, int len);

#endif
