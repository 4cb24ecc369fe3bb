/*
 * unicode.c - PEP 393 str decoding for the remote reader.
 *
 * Reads the header, checks kind/compact/length, then reads the character
 * data in one more read and converts to UTF-8.  Never trusts a length
 * beyond PY_STRING_MAX.  Layout: cpython-internals.md §3.7.
 */
#include <stdlib.h>
#include <string.h>

#include "python/remote.h"
#include "python/unicode.h"
#include "util/xalloc.h"

int py_utf8_encode(uint32_t cp, char *out)
{
	if (cp >= 0xd800 && cp < 0xe000)
		cp = 0xfffd;
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | (cp >> 6));
		out[1] = (char)(0x80 | (cp & 63));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | (cp >> 12));
		out[1] = (char)(0x80 | ((cp >> 6) & 63));
		out[2] = (char)(0x80 | (cp & 63));
		return 3;
	}
	if (cp > 0x10ffff)
		cp = 0xfffd;
	if (cp < 0x10000)
		return py_utf8_encode(cp, out);
	out[0] = (char)(0xf0 | (cp >> 18));
	out[1] = (char)(0x80 | ((cp >> 12) & 63));
	out[2] = (char)(0x80 | ((cp >> 6) & 63));
	out[3] = (char)(0x80 | (cp & 63));
	return 4;
}

char *py_read_string(pid_t pid, const struct py_layout *l, uint64_t addr)
{
	unsigned char header[40];
	uint64_t length, data;
	uint32_t state;
	unsigned kind, compact, ascii;
	unsigned char *raw;
	char *out, *o;
	size_t i, bytes;

	if (!addr || remote_read(pid, addr, header, sizeof(header)) < 0)
		return NULL;
	length = remote_u64(header, 16);
	memcpy(&state, header + 32, sizeof(state));
	kind = (state >> 2) & 7;
	compact = (state >> 5) & 1;
	ascii = (state >> 6) & 1;
	if (length > PY_STRING_MAX || (kind != 1 && kind != 2 && kind != 4) ||
	    (ascii && kind != 1))
		return NULL;
	if (compact && ascii)
		data = addr + l->unicode_ascii_size;
	else if (compact)
		data = addr + l->unicode_compact_size;
	else if (remote_read(pid, addr + l->unicode_compact_size, &data,
			     sizeof(data)) < 0)
		return NULL;
	bytes = (size_t)length * kind;
	raw = xmalloc(bytes + 1);
	if (bytes && remote_read(pid, data, raw, bytes) < 0) {
		free(raw);
		return NULL;
	}
	o = out = xmalloc((size_t)length * 4 + 1);
	for (i = 0; i < length; i++) {
		uint32_t cp;

		if (kind == 1) {
			cp = raw[i];
		} else if (kind == 2) {
			uint16_t c;

			memcpy(&c, raw + i * 2, 2);
			cp = c;
		} else {
			memcpy(&cp, raw + i * 4, 4);
		}
		if (ascii && cp >= 0x80) {
			free(raw);
			free(out);
			return NULL;
		}
		if (cp == 0)
			cp = 0xfffd;	/* names never hold NUL */
		o += py_utf8_encode(cp, o);
	}
	*o = '\0';
	free(raw);
	return out;
}
