/*
 * linetable.c - the three line-table decoders.  Never reads memory outside
 * the table it is given: a truncated or garbled table stops the walk.
 */
#include "python/linetable.h"

static int lnotab_line(const unsigned char *t, size_t len, int line, int64_t pos)
{
	int64_t addr = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		addr += t[i];
		if (addr > pos)
			break;
		line += (signed char)t[i + 1];
	}
	return line;
}

static int linetable310_line(const unsigned char *t, size_t len, int line,
			     int64_t pos)
{
	int64_t start, end = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2) {
		int entry_line;
		signed char delta = (signed char)t[i + 1];

		start = end;
		end += t[i];
		if (delta == -128) {
			entry_line = 0;
		} else {
			line += delta;
			entry_line = line;
		}
		if (pos >= start && pos < end)
			return entry_line;
	}
	return line;
}

static const unsigned char *read_varint(const unsigned char *p,
					const unsigned char *end, uint64_t *out)
{
	uint64_t v = 0;
	int shift = 0;
	unsigned char b;

	do {
		if (p >= end || shift > 60)
			return NULL;
		b = *p++;
		v |= (uint64_t)(b & 63) << shift;
		shift += 6;
	} while (b & 64);
	*out = v;
	return p;
}

static const unsigned char *read_svarint(const unsigned char *p,
					 const unsigned char *end, int64_t *out)
{
	uint64_t v;

	p = read_varint(p, end, &v);
	if (p)
		*out = (v & 1) ? -(int64_t)(v >> 1) : (int64_t)(v >> 1);
	return p;
}

static int locations_line(const unsigned char *t, size_t len, int line,
			  int64_t pos)
{
	const unsigned char *p = t, *end = t + len;
	int64_t addr = 0;

	if (pos < 0)
		return line;
	while (p < end) {
		unsigned char first = *p++;
		int code = (first >> 3) & 15, units = (first & 7) + 1;
		int64_t delta = 0;
		int no_line = 0;
		uint64_t skip;

		if (!(first & 128))
			break;	/* not an entry start: garbled table */
		if (code == 15) {
			no_line = 1;
		} else if (code == 14) {
			p = read_svarint(p, end, &delta);
			if (p)
				p = read_varint(p, end, &skip);
			if (p)
				p = read_varint(p, end, &skip);
			if (p)
				p = read_varint(p, end, &skip);
		} else if (code == 13) {
			p = read_svarint(p, end, &delta);
		} else if (code >= 10) {
			delta = code - 10;
			p += 2;
		} else {
			p += 1;
		}
		if (!p || p > end)
			break;
		line += (int)delta;
		if (pos >= addr && pos < addr + units)
			return no_line ? 0 : line;
		addr += units;
	}
	return line;
}

int py_line_for(enum py_linetable_format format, const unsigned char *table,
		size_t len, int firstlineno, int64_t pos)
{
	switch (format) {
	case PY_LINES_LNOTAB:
		return lnotab_line(table, len, firstlineno, pos);
	case PY_LINES_LINETABLE310:
		return linetable310_line(table, len, firstlineno, pos);
	case PY_LINES_LOCATIONS:
		return locations_line(table, len, firstlineno, pos);
	}
	return 0;
}
