/*
 * perfdata_zstd.c - decompresses the payload of PERF_RECORD_COMPRESSED
 * records with libzstd's streaming API (perfdata_zstd.h).  Owns only the
 * decompressor and the growth of the output buffer; never parses records
 * and never prints.
 */
#include <stdlib.h>
#include <zstd.h>

#include "formats/perfdata_zstd.h"
#include "util/xalloc.h"

struct perfdata_zstd {
	ZSTD_DStream *stream;
};

struct perfdata_zstd *perfdata_zstd_new(void)
{
	struct perfdata_zstd *z;
	ZSTD_DStream *stream = ZSTD_createDStream();

	if (!stream)
		return NULL;
	if (ZSTD_isError(ZSTD_initDStream(stream))) {
		ZSTD_freeDStream(stream);
		return NULL;
	}
	z = xcalloc(1, sizeof(*z));
	z->stream = stream;
	return z;
}

void perfdata_zstd_free(struct perfdata_zstd *z)
{
	if (!z)
		return;
	ZSTD_freeDStream(z->stream);
	free(z);
}

int perfdata_zstd_append(struct perfdata_zstd *z, const unsigned char *src,
			 size_t len, unsigned char **out, size_t *out_len,
			 size_t *out_alloc, size_t max_total, const char **why)
{
	ZSTD_inBuffer in = { src, len, 0 };
	ZSTD_outBuffer o;
	size_t block = ZSTD_DStreamOutSize(), ret;

	/* until the input is used up and the output was not filled (a full
	 * output buffer may mean the decompressor holds more) */
	do {
		if (*out_alloc - *out_len < block) {
			if (*out_len + block > max_total) {
				*why = "it decompresses to more than the size limit";
				return -1;
			}
			grow_array((void **)out, 1, *out_len + block, out_alloc);
		}
		o.dst = *out;
		o.size = *out_alloc;
		o.pos = *out_len;
		ret = ZSTD_decompressStream(z->stream, &o, &in);
		*out_len = o.pos;
		if (ZSTD_isError(ret)) {
			*why = ZSTD_getErrorName(ret);
			return -1;
		}
	} while (in.pos < in.size || o.pos == o.size);
	return 0;
}
