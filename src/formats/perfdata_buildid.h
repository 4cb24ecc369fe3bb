/*
 * perfdata_buildid.h - picking the file that really is the binary a
 * perf.data recorded, by build id (perfdata_buildid.c).
 */
#ifndef SCORCH_FORMATS_PERFDATA_BUILDID_H
#define SCORCH_FORMATS_PERFDATA_BUILDID_H

#include <stddef.h>
#include <stdint.h>

struct perfdata_header;

/* The GNU build id of an ELF file into id (at most max bytes); returns
 * its length, 0 when the file is unreadable or has none. */
size_t perfdata_file_build_id(const char *path, uint8_t *id, size_t max);

/*
 * For a path named by an MMAP record: 0 when the file there is the one
 * recorded (or no build id was recorded for it); 1 with out set to perf's
 * build-id cache copy when the file changed or is gone; -1 when it
 * changed or is gone and no cached copy exists.
 */
int perfdata_resolve_binary(const struct perfdata_header *h, const char *path,
			    char *out, size_t size);

#endif
