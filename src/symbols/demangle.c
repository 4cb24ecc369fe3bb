/*
 * demangle.c - C++ (Itanium) and Rust (legacy and v0) symbol names made
 * readable with libiberty's cplus_demangle, the demangler binutils and
 * GCC maintain.  Rust legacy hashes ("::h0123456789abcdef") and v0 crate
 * disambiguators are dropped (no DMGL_VERBOSE), so a flame graph merges
 * the same function across builds.  Unknown names come back as NULL.
 */
#include <libiberty/demangle.h>
#include <stdlib.h>
#include <string.h>

#include "symbols/symbols.h"

char *symbols_demangle(const char *name)
{
	int options = DMGL_PARAMS | DMGL_ANSI;

	if (!name)
		return NULL;
	/* Itanium names start with _Z, Rust v0 with _R (both may carry
	 * extra leading underscores on some platforms). */
	if (strncmp(name, "_Z", 2) && strncmp(name, "__Z", 3) &&
	    strncmp(name, "_R", 2))
		return NULL;
	/* AUTO tries Rust (legacy and v0) first and falls back to the
	 * Itanium C++ rules; a plain DMGL_RUST would refuse C++ names. */
	options |= DMGL_AUTO;
	return cplus_demangle(name, options);
}
