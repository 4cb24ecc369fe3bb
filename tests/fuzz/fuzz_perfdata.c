/*
 * fuzz_perfdata.c - a libFuzzer target for the perf.data reader.  Each
 * input is read whole as a perf.data image (file or pipe mode, whichever
 * its header says), and its bytes are also parsed as a SAMPLE body under
 * a sample_type/read_format taken from the input's first 16 bytes, so
 * every field layout meets arbitrary sizes.  Never linked into scorch.
 *
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *     -Isrc -IBUILD/gen tests/fuzz/fuzz_perfdata.c BUILD/libscorch.a \
 *     $(pkg-config --libs libelf libdw capstone zlib libprotobuf-c libzstd) -liberty -lm
 * (BUILD built with SAN_FLAGS="-fsanitize=fuzzer-no-link,address,undefined").
 * Good seeds: small perf.data files from `perf record` and their prefixes.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/format.h"
#include "formats/perfdata.h"
#include "model/profile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct read_options ro = { 0 };
	struct perfdata_attr attr;
	struct perfdata_sample sample;
	struct profile p;

	ro.keep_samples = size & 1;
	ro.with_tid = (size >> 1) & 1;
	profile_init(&p);
	perfdata_read_buffer(data, size, "fuzz-input", &p, &ro);
	profile_release(&p);

	if (size >= 16) {
		memset(&attr, 0, sizeof(attr));
		attr.sample_type = perfdata_u64(data);
		attr.read_format = perfdata_u64(data + 8) & 0x1f;
		attr.branch_sample_type = (perfdata_u64(data + 8) >> 8) & (1ULL << 17);
		attr.regs_user_mask = perfdata_u64(data + 8) >> 24;
		attr.regs_intr_mask = perfdata_u64(data + 8) >> 40;
		perfdata_parse_sample(&attr, data + 16, size - 16, &sample);
	}
	return 0;
}
