/*
 * capstone_lazy.c - the few capstone functions scorch calls (annotate's
 * disassembly, elf_cold.c's jump scan), defined here as forwards to
 * libcapstone loaded with dlopen on first use.  Linking it instead cost
 * every run, even those that never disassemble, ~77k relocations at
 * start-up (5-9 % of a short `record --native` or perf.data read).  The
 * library is the major version the headers describe (CS_API_MAJOR); when
 * it cannot be loaded, cs_open fails (CS_ERR_MEM) and callers take their
 * no-disassembler path.  Nothing else here.
 */
#include <capstone/capstone.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

#define CAPSTONE_STR2(x) #x
#define CAPSTONE_STR(x) CAPSTONE_STR2(x)

static struct {
	cs_err (*open)(cs_arch, cs_mode, csh *);
	cs_err (*close)(csh *);
	cs_err (*option)(csh, cs_opt_type, size_t);
	size_t (*disasm)(csh, const uint8_t *, size_t, uint64_t, size_t,
			 cs_insn **);
	bool (*disasm_iter)(csh, const uint8_t **, size_t *, uint64_t *,
			    cs_insn *);
	void (*free)(cs_insn *, size_t);
	cs_insn *(*malloc)(csh);
	bool (*insn_group)(csh, const cs_insn *, unsigned int);
} api;
static int api_ok;
static pthread_once_t api_once = PTHREAD_ONCE_INIT;

static void api_load(void)
{
	void *h = dlopen("libcapstone.so." CAPSTONE_STR(CS_API_MAJOR),
			 RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return;
	/* POSIX: a data pointer converts to a function pointer this way */
	*(void **)&api.open = dlsym(h, "cs_open");
	*(void **)&api.close = dlsym(h, "cs_close");
	*(void **)&api.option = dlsym(h, "cs_option");
	*(void **)&api.disasm = dlsym(h, "cs_disasm");
	*(void **)&api.disasm_iter = dlsym(h, "cs_disasm_iter");
	*(void **)&api.free = dlsym(h, "cs_free");
	*(void **)&api.malloc = dlsym(h, "cs_malloc");
	*(void **)&api.insn_group = dlsym(h, "cs_insn_group");
	api_ok = api.open && api.close && api.option && api.disasm &&
		 api.disasm_iter && api.free && api.malloc && api.insn_group;
}

cs_err cs_open(cs_arch arch, cs_mode mode, csh *handle)
{
	pthread_once(&api_once, api_load);
	return api_ok ? api.open(arch, mode, handle) : CS_ERR_MEM;
}

/* The rest are only reached with a handle cs_open gave. */
cs_err cs_close(csh *handle)
{
	return api.close(handle);
}

cs_err cs_option(csh handle, cs_opt_type type, size_t value)
{
	return api.option(handle, type, value);
}

size_t cs_disasm(csh handle, const uint8_t *code, size_t code_size,
		 uint64_t address, size_t count, cs_insn **insn)
{
	return api.disasm(handle, code, code_size, address, count, insn);
}

bool cs_disasm_iter(csh handle, const uint8_t **code, size_t *size,
		    uint64_t *address, cs_insn *insn)
{
	return api.disasm_iter(handle, code, size, address, insn);
}

void cs_free(cs_insn *insn, size_t count)
{
	api.free(insn, count);
}

cs_insn *cs_malloc(csh handle)
{
	return api.malloc(handle);
}

bool cs_insn_group(csh handle, const cs_insn *insn, unsigned int group_id)
{
	return api.insn_group(handle, insn, group_id);
}
