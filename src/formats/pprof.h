/*
 * pprof.h - entry points of the pprof format beyond the reader/writer rows:
 * decoding from memory (unit tests, fuzz targets) and the wire check that
 * names the first problem of a corrupt buffer.
 */
#ifndef SCORCH_FORMATS_PPROF_H
#define SCORCH_FORMATS_PPROF_H

#include <stddef.h>

struct profile;
struct read_options;

/* Decodes an uncompressed profile.proto message into p (name is used in
 * messages).  Returns 0, or -1 after one error line. */
int pprof_read_buffer(const unsigned char *data, size_t len, const char *name,
		      struct profile *p, const struct read_options *o);

/* Walks the top-level fields of a Profile message.  Returns NULL when
 * they are well formed (with partial set, a buffer cut short is fine),
 * else a description of the first problem.  *fields counts the fields. */
const char *pprof_check_wire(const unsigned char *buf, size_t len,
			     int partial, size_t *fields);

#endif
