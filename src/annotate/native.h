/*
 * native.h - what `scorch annotate` needs from a binary: a function's
 * address range, its instructions (capstone) and the source line of
 * each instruction (DWARF line table via libdw, from the file itself or
 * its /usr/lib/debug/.build-id/ debug file).
 *
 * Owns only reading ELF files; never prints, never touches a profile.
 * Ownership: annotate_function_release() frees everything it filled.
 */
#ifndef SCORCH_ANNOTATE_NATIVE_H
#define SCORCH_ANNOTATE_NATIVE_H

#include <stddef.h>
#include <stdint.h>

struct annotate_insn {
	uint64_t address;	/* ELF virtual address */
	char *text;		/* "mnemonic operands", owned */
	char *file;		/* source file, owned; NULL if unknown */
	int line;		/* 0 if unknown */
	/* In code inlined into the function (DWARF inlined subroutines):
	 * the innermost inlined function, and the file and line of the
	 * outermost call, i.e. the call's spot in the function's own code.
	 * All NULL / 0 otherwise; owned. */
	char *inlined;
	char *call_file;
	int call_line;
};

struct annotate_function {
	char *name;		/* the symbol's name, owned */
	uint64_t start, size;	/* from the symbol table */
	struct annotate_insn *insns;
	size_t nr_insns;
	int have_lines;		/* at least one instruction has a line */
};

/*
 * Finds function name in the ELF file path (its .symtab, else .dynsym,
 * else the build-id debug file's) and disassembles it.  hint is an
 * address inside the function (0 = none): it picks among symbols that
 * share the name, and names the function when no symbol has the name as
 * given (a demangled or tidied name).  Returns 0, or -1 with a static
 * reason in *why.
 */
int annotate_load_function(const char *path, const char *name, uint64_t hint,
			   struct annotate_function *f, const char **why);
void annotate_function_release(struct annotate_function *f);

#endif
