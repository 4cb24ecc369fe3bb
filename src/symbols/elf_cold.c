/*
 * elf_cold.c - names the split-off parts of chosen functions in stripped
 * objects.  GCC's hot/cold splitting moves most of a function into a
 * separate "NAME.cold" piece with its own .eh_frame FDE; a stripped
 * binary (.dynsym only, as Debian ships CPython) names the hot piece but
 * not the cold one, so its addresses would get no name.  For the
 * functions listed here, the piece is found by disassembling the hot
 * piece: FDEs that its direct jumps land inside (not at their start,
 * which a tail call to another function does), and that no symbol
 * covers, are named NAME.cold.  Only CPython's eval loop is listed: the
 * --native merge must recognise its frames wherever they are.
 */
#include <capstone/capstone.h>
#include <elfutils/libdwfl.h>
#include <gelf.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

#include "symbols/symbols_internal.h"
#include "util/xalloc.h"

static const char *const split_functions[] = {
	"_PyEval_EvalFrameDefault",
};

/* The largest hot piece disassembled. */
#define HOT_MAX (1u << 20)

static int32_t s32(const unsigned char *p)
{
	int32_t v;

	memcpy(&v, p, 4);
	return v;
}

/* Finds .eh_frame_hdr and .eh_frame once per object. */
static int eh_sections(struct symbols_dso *dso)
{
	GElf_Addr bias;
	Elf *elf;
	Elf_Scn *scn = NULL;
	size_t shstrndx;

	if (dso->eh_tried)
		return dso->eh_hdr && dso->eh_frame ? 0 : -1;
	dso->eh_tried = 1;
	elf = dso->module ? dwfl_module_getelf(dso->module, &bias) : NULL;
	if (!elf || elf_getshdrstrndx(elf, &shstrndx))
		return -1;
	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;
		const char *name;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type == SHT_NOBITS)
			continue;
		name = elf_strptr(elf, shstrndx, sh.sh_name);
		if (name && !strcmp(name, ".eh_frame_hdr")) {
			dso->eh_hdr = elf_getdata(scn, NULL);
			dso->eh_hdr_addr = sh.sh_addr;
		} else if (name && !strcmp(name, ".eh_frame")) {
			dso->eh_frame = elf_getdata(scn, NULL);
			dso->eh_frame_addr = sh.sh_addr;
		}
	}
	if (dso->eh_hdr && (dso->eh_hdr->d_size < 12 || !dso->eh_hdr->d_buf))
		dso->eh_hdr = NULL;
	if (dso->eh_frame && !dso->eh_frame->d_buf)
		dso->eh_frame = NULL;
	return dso->eh_hdr && dso->eh_frame ? 0 : -1;
}

int dso_fde_range(struct symbols_dso *dso, uint64_t vaddr, uint64_t *lo,
		  uint64_t *hi)
{
	const unsigned char *h, *t, *f;
	size_t count, a = 0, b;
	uint64_t fde, at;

	if (eh_sections(dso))
		return -1;
	h = dso->eh_hdr->d_buf;
	/* version 1, eh_frame_ptr pcrel|sdata4, count udata4, table
	 * datarel|sdata4: what GCC and clang emit on x86-64 */
	if (h[0] != 1 || h[1] != 0x1b || h[2] != 0x03 || h[3] != 0x3b)
		return -1;
	count = (size_t)(uint32_t)s32(h + 8);
	if (count > (dso->eh_hdr->d_size - 12) / 8)
		return -1;
	t = h + 12;
	/* the last entry starting at or below vaddr */
	b = count;
	while (a < b) {
		size_t mid = a + (b - a) / 2;

		if (dso->eh_hdr_addr + (int64_t)s32(t + mid * 8) <= vaddr)
			a = mid + 1;
		else
			b = mid;
	}
	if (!a)
		return -1;
	fde = dso->eh_hdr_addr + (int64_t)s32(t + (a - 1) * 8 + 4);
	at = fde - dso->eh_frame_addr;
	if (fde < dso->eh_frame_addr || at + 16 > dso->eh_frame->d_size)
		return -1;
	f = (const unsigned char *)dso->eh_frame->d_buf + at;
	/* length, CIE pointer, pc_begin (pcrel|sdata4), pc_range; the FDE
	 * encoding is the CIE's, taken to be the table's */
	*lo = fde + 8 + (int64_t)s32(f + 8);
	*hi = *lo + (uint32_t)s32(f + 12);
	return vaddr >= *lo && vaddr < *hi ? 0 : -1;
}

/* size bytes of the object at vaddr (file-backed part of a PT_LOAD). */
static unsigned char *read_code(const struct symbols_dso *dso, uint64_t vaddr,
				size_t size)
{
	unsigned char *buf;
	int fd;

	for (size_t i = 0; i < dso->nr_loads; i++) {
		const struct dso_load *l = &dso->loads[i];

		if (vaddr < l->vaddr || vaddr + size > l->vaddr + l->filesz)
			continue;
		fd = open(dso->path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return NULL;
		buf = xmalloc(size);
		if (pread(fd, buf, size, (off_t)(l->offset + (vaddr - l->vaddr))) !=
		    (ssize_t)size) {
			free(buf);
			buf = NULL;
		}
		close(fd);
		return buf;
	}
	return NULL;
}

/* Does a symbol (unsorted yet) cover addr? */
static int covered(const struct symbols_dso *dso, uint64_t addr)
{
	for (size_t i = 0; i < dso->nr_syms; i++) {
		const struct dso_symbol *s = &dso->syms[i];

		if (addr == s->start ||
		    (addr > s->start && addr < s->start + s->size))
			return 1;
	}
	return 0;
}

/* Names the cold pieces of one hot piece [start, start+size).  One
 * instruction at a time into one reused buffer (cs_disasm_iter): all of
 * a 55 KB eval loop at once, with details, is ~25 MB of allocations and
 * took half a second, during which --native samples aged past the
 * merge window. */
static void name_cold_parts(struct symbols_dso *dso, size_t *alloc,
			    uint64_t start, uint64_t size, const char *name)
{
	unsigned char *code = read_code(dso, start, size);
	const uint8_t *at = code;
	size_t left = size;
	uint64_t pc = start;
	csh handle;
	cs_insn *insn;

	if (!code)
		return;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &handle) != CS_ERR_OK) {
		free(code);
		return;
	}
	cs_option(handle, CS_OPT_DETAIL, CS_OPT_ON);
	insn = cs_malloc(handle);
	while (insn && cs_disasm_iter(handle, &at, &left, &pc, insn)) {
		const cs_x86 *x = &insn->detail->x86;
		uint64_t target, lo, hi;

		if (!cs_insn_group(handle, insn, CS_GRP_JUMP) ||
		    x->op_count != 1 || x->operands[0].type != X86_OP_IMM)
			continue;
		target = (uint64_t)x->operands[0].imm;
		if (target >= start && target < start + size)
			continue;
		if (dso_fde_range(dso, target, &lo, &hi) || target == lo ||
		    covered(dso, lo))
			continue;
		dso_add_own_symbol(dso, alloc, lo, hi - lo, name, ".cold", STB_LOCAL);
	}
	if (insn)
		cs_free(insn, 1);
	cs_close(&handle);
	free(code);
}

void dso_add_cold_symbols(struct symbols_dso *dso, size_t *alloc)
{
	size_t nr = dso->nr_syms;

	if (!dso->module)
		return;
	for (size_t f = 0; f < sizeof(split_functions) / sizeof(*split_functions); f++) {
		const char *name = split_functions[f];
		size_t len = strlen(name);
		int have_cold = 0;
		uint64_t start = 0, size = 0;

		for (size_t i = 0; i < nr; i++) {
			const char *raw = dso->syms[i].raw;

			if (strncmp(raw, name, len))
				continue;
			if (!strncmp(raw + len, ".cold", 5))
				have_cold = 1;	/* a full symbol table */
			else if ((!raw[len] || raw[len] == '@') &&
				 dso->syms[i].size) {
				start = dso->syms[i].start;
				size = dso->syms[i].size;
			}
		}
		if (size && !have_cold && size <= HOT_MAX)
			name_cold_parts(dso, alloc, start, size, name);
	}
}
