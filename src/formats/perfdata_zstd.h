/*
 * perfdata_zstd.h - the zstd stream inside PERF_RECORD_COMPRESSED records
 * (`perf record -z`): one decompressor per file, fed each record's payload
 * in file order; the output is a plain perf record stream whose records
 * may straddle two COMPRESSED records (perfdata_zstd.c, libzstd).
 */
#ifndef SCORCH_FORMATS_PERFDATA_ZSTD_H
#define SCORCH_FORMATS_PERFDATA_ZSTD_H

#include <stddef.h>

struct perfdata_zstd;

/* NULL when libzstd cannot allocate its state (not reported). */
struct perfdata_zstd *perfdata_zstd_new(void);
void perfdata_zstd_free(struct perfdata_zstd *z);

/*
 * Decompresses src[0..len) and appends the bytes to *out (a malloc'd
 * buffer of *out_len used and *out_alloc allocated bytes, grown here).
 * Stops with -1 and a reason in *why (static string) on corrupt data or
 * when the total would pass max_total bytes; returns 0 otherwise.
 */
int perfdata_zstd_append(struct perfdata_zstd *z, const unsigned char *src,
			 size_t len, unsigned char **out, size_t *out_len,
			 size_t *out_alloc, size_t max_total, const char **why);

#endif
