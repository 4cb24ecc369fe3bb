/*
 * fuzz_reader.c - a libFuzzer target for one profile reader, chosen at
 * build time with -DFUZZ_READER='"pprof"'.  Each input is read as that
 * format; whatever profile results is then written with every writer that
 * needs no settings (folded, pprof, speedscope) to /dev/null, so a reader
 * that builds an inconsistent model shows up too.  Built and run by
 * tests/fuzz/run.sh; never linked into scorch.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "formats/format.h"
#include "model/profile.h"
#include "util/input.h"

#ifndef FUZZ_READER
#error "build with -DFUZZ_READER='\"name\"'"
#endif

static FILE *null_out;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const writers[] = { "folded", "pprof", "speedscope" };
	const struct format_reader *r = format_reader_find(FUZZ_READER);
	struct read_options ro = { 0 };
	struct write_options wo = { 0 };
	struct profile p;
	struct input *in;
	size_t i;

	if (!r)
		abort();
	if (!null_out)
		null_out = fopen("/dev/null", "w");
	/* the probe must cope with any bytes too */
	r->probe(data, size);
	ro.keep_samples = size & 1;
	profile_init(&p);
	in = input_from_memory(data, size, "fuzz-input");
	if (in && r->read(in, &p, &ro) == 0) {
		for (i = 0; i < sizeof(writers) / sizeof(writers[0]); i++) {
			const struct format_writer *w = format_writer_find(writers[i]);

			if (w)
				w->write(&p, null_out, &wo);
		}
	}
	if (in)
		input_close(in);
	profile_release(&p);
	return 0;
}
