/*
 * cfi_rules.h - a cache of libdw's answer to "how do I step
 * out of the frame at this PC": the CFA rule and the rule of each x86_64
 * register, asked of libdw once per PC (cfi_rules.c) and then applied by
 * unwind.c with plain arithmetic on the sample's registers and stack copy.
 *
 * libdw stays the only source of CFI truth: a rule is a copy of what
 * dwarf_frame_cfa()/dwarf_frame_register() said, in the same module libdwfl
 * itself would pick.  Anything beyond "register + offset" (expressions,
 * signal frames, PCs without CFI) is marked unusable and the caller lets
 * libdwfl unwind that sample.  Used by unwind.c only.
 */
#ifndef SCORCH_UNWIND_CFI_RULES_H
#define SCORCH_UNWIND_CFI_RULES_H

#include <elfutils/libdwfl.h>
#include <stddef.h>
#include <stdint.h>

struct hash_index;

#define CFI_RULES_NREGS 17	/* DWARF registers 0..16 of x86_64 (16 = RA) */

enum cfi_rule_kind {
	CFI_RULE_UNDEFINED = 0,	/* the caller's value is unknown */
	CFI_RULE_SAME,		/* the caller has the same value */
	CFI_RULE_AT_CFA,	/* saved at [CFA + offset] */
	CFI_RULE_CFA_PLUS,	/* the value is CFA + offset */
};

struct cfi_rule {
	uint64_t owner;		/* key: 0, or the file (see cfi_rules_get_in) */
	uint64_t pc;		/* key: the already adjusted (-1) PC, absolute
				 * or, with an owner, relative to the file */
	uint8_t usable;		/* 0: let libdwfl unwind this sample */
	uint8_t no_module;	/* no module of the Dwfl holds the PC */
	uint8_t cfa_reg;	/* CFA = regs[cfa_reg] + cfa_offset */
	uint8_t kind[CFI_RULES_NREGS];
	int64_t cfa_offset;
	int64_t offset[CFI_RULES_NREGS];
};

/* The rules asked so far, by (owner, pc), in util/hash.h's index. */
struct cfi_rules {
	struct cfi_rule *rules;
	size_t used, alloc;
	struct hash_index *index;
	unsigned long misses;	/* rules asked of libdw */
};

/* The rule for stepping out of the frame whose (adjusted, absolute) pc is
 * given, asked of libdw through dwfl's modules on the first call for that
 * pc.  Never NULL; check ->usable.  The pointer is valid until the next
 * call.  For one process: cleared when its modules change. */
const struct cfi_rule *cfi_rules_get(struct cfi_rules *t, Dwfl *dwfl,
				     uint64_t pc);

/* The same for a pc inside a mapped file, kept by (file, offset): owner
 * names the file (nonzero), offset is pc minus the file's load bias.  A
 * rule depends only on the file's CFI, so one table serves every process
 * mapping the file, wherever it is loaded.  Returns NULL (and keeps
 * nothing) when no module of dwfl holds pc: ask the process's own table. */
const struct cfi_rule *cfi_rules_get_in(struct cfi_rules *t, Dwfl *dwfl,
					uint64_t pc, uint64_t owner,
					uint64_t offset);

/* Forgets every rule (the process's modules changed). */
void cfi_rules_clear(struct cfi_rules *t);
void cfi_rules_release(struct cfi_rules *t);

#endif
