/*
 * cfi_rules.c - the cache of unwind rules by PC or (file, offset)
 * (cfi_rules.h), kept in util/hash.h's index.  A miss
 * asks libdw exactly as libdwfl's own unwinder does (module at the PC,
 * .eh_frame first, then .debug_frame; dwarf_frame_cfa/_register) and keeps
 * the answer when every rule is "register + offset" shaped.  Never parses
 * DWARF itself and never reads memory.
 */
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <stdlib.h>
#include <string.h>

#include "unwind/cfi_rules.h"
#include "util/hash.h"
#include "util/xalloc.h"

/* Reads the CFA rule: only "register + offset" is kept. */
static int rule_cfa(struct cfi_rule *r, Dwarf_Frame *frame)
{
	Dwarf_Op *ops;
	size_t nops;
	uint64_t reg;
	int64_t off;

	if (dwarf_frame_cfa(frame, &ops, &nops) || nops != 1)
		return -1;
	if (ops[0].atom == DW_OP_bregx) {
		reg = ops[0].number;
		off = (int64_t)ops[0].number2;
	} else if (ops[0].atom >= DW_OP_breg0 && ops[0].atom <= DW_OP_breg31) {
		reg = ops[0].atom - DW_OP_breg0;
		off = (int64_t)ops[0].number;
	} else {
		return -1;
	}
	if (reg >= CFI_RULES_NREGS)
		return -1;
	r->cfa_reg = (uint8_t)reg;
	r->cfa_offset = off;
	return 0;
}

/* Reads the rule of one register as dwarf_frame_register() states it:
 * no ops = undefined (ops == ops_mem) or same value (ops == NULL);
 * call_frame_cfa [plus_uconst N] = saved at CFA + N, and with a final
 * stack_value the value CFA + N itself. */
static int rule_register(struct cfi_rule *r, Dwarf_Frame *frame, int regno)
{
	Dwarf_Op mem[3], *ops;
	size_t nops, i = 1;
	int64_t off = 0;

	if (dwarf_frame_register(frame, regno, mem, &ops, &nops))
		return -1;
	if (!nops) {
		if (ops == mem)
			r->kind[regno] = CFI_RULE_UNDEFINED;
		else if (!ops)
			r->kind[regno] = CFI_RULE_SAME;
		else
			return -1;
		return 0;
	}
	if (ops[0].atom != DW_OP_call_frame_cfa)
		return -1;
	if (i < nops && ops[i].atom == DW_OP_plus_uconst)
		off = (int64_t)ops[i++].number;
	r->kind[regno] = CFI_RULE_AT_CFA;
	if (i < nops && ops[i].atom == DW_OP_stack_value) {
		r->kind[regno] = CFI_RULE_CFA_PLUS;
		i++;
	}
	if (i != nops)
		return -1;
	r->offset[regno] = off;
	return 0;
}

static int rule_from_frame(struct cfi_rule *r, Dwarf_Frame *frame)
{
	Dwarf_Addr start, end;
	bool signal = false;
	int ra = dwarf_frame_info(frame, &start, &end, &signal);

	/* a signal frame changes how the caller's PC is looked up: that
	 * rare case stays with libdwfl */
	if (ra != CFI_RULES_NREGS - 1 || signal || rule_cfa(r, frame))
		return -1;
	for (int regno = 0; regno < CFI_RULES_NREGS; regno++)
		if (rule_register(r, frame, regno))
			return -1;
	return 0;
}

/* What libdwfl's __libdwfl_frame_unwind does to find the CFI of pc. */
static void rule_ask_libdw(struct cfi_rule *r, Dwfl *dwfl, uint64_t pc)
{
	Dwfl_Module *mod = dwfl_addrmodule(dwfl, pc);
	Dwarf_Frame *frame = NULL;
	Dwarf_CFI *cfi;
	Dwarf_Addr bias;

	r->usable = 0;
	if (!mod) {
		r->no_module = 1;
		return;
	}
	cfi = dwfl_module_eh_cfi(mod, &bias);
	if (!cfi || dwarf_cfi_addrframe(cfi, pc - bias, &frame)) {
		frame = NULL;
		cfi = dwfl_module_dwarf_cfi(mod, &bias);
		if (!cfi || dwarf_cfi_addrframe(cfi, pc - bias, &frame))
			return;
	}
	r->usable = !rule_from_frame(r, frame);
	free(frame);
}

struct rule_key {
	const struct cfi_rules *t;
	uint64_t owner, pc;
};

static int rule_eq(const void *ctx, uint32_t id)
{
	const struct rule_key *k = ctx;
	const struct cfi_rule *r = &k->t->rules[id - 1];

	return r->pc == k->pc && r->owner == k->owner;
}

static uint64_t rule_hash(uint64_t owner, uint64_t pc)
{
	return hash_mix(pc, owner + 11);
}

static struct cfi_rule *rules_find(struct cfi_rules *t, uint64_t owner,
				   uint64_t pc)
{
	struct rule_key k = { t, owner, pc };
	uint32_t id;

	if (!t->index)
		return NULL;
	id = hash_index_find(t->index, rule_hash(owner, pc), rule_eq, &k);
	return id ? &t->rules[id - 1] : NULL;
}

static struct cfi_rule *rules_add(struct cfi_rules *t,
				  const struct cfi_rule *r)
{
	if (!t->index)
		t->index = hash_index_new();
	grow_array((void **)&t->rules, sizeof(*t->rules), t->used + 1,
		   &t->alloc);
	t->rules[t->used] = *r;
	hash_index_insert(t->index, rule_hash(r->owner, r->pc),
			  (uint32_t)(t->used + 1));
	return &t->rules[t->used++];
}

const struct cfi_rule *cfi_rules_get(struct cfi_rules *t, Dwfl *dwfl,
				     uint64_t pc)
{
	struct cfi_rule *r = rules_find(t, 0, pc), fresh;

	if (r)
		return r;
	memset(&fresh, 0, sizeof(fresh));
	fresh.pc = pc;
	t->misses++;
	rule_ask_libdw(&fresh, dwfl, pc);
	return rules_add(t, &fresh);
}

const struct cfi_rule *cfi_rules_get_in(struct cfi_rules *t, Dwfl *dwfl,
					uint64_t pc, uint64_t owner,
					uint64_t offset)
{
	struct cfi_rule *r = rules_find(t, owner, offset), fresh;

	if (r)
		return r;
	memset(&fresh, 0, sizeof(fresh));
	rule_ask_libdw(&fresh, dwfl, pc);
	if (fresh.no_module)
		return NULL;	/* the file's module is not (yet) there */
	t->misses++;
	fresh.owner = owner;
	fresh.pc = offset;
	return rules_add(t, &fresh);
}

void cfi_rules_clear(struct cfi_rules *t)
{
	if (t->index)
		hash_index_clear(t->index);
	t->used = 0;
}

void cfi_rules_release(struct cfi_rules *t)
{
	hash_index_free(t->index);
	free(t->rules);
	memset(t, 0, sizeof(*t));
}
