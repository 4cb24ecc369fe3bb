/*
 * binary.h - what the Python reader needs from an ELF file on disk: the
 * addresses of _PyRuntime, Py_Version, PyCode_Type (and on 3.6, which has
 * no _PyRuntime, interp_head and _PyThreadState_Current), the .PyRuntime
 * section and the writable segment, all as link-time addresses (add the
 * load bias for the target's addresses).  Never reads the target's memory.
 */
#ifndef SCORCH_PYTHON_BINARY_H
#define SCORCH_PYTHON_BINARY_H

#include <stdint.h>

struct pybinary {
	uint64_t runtime;		/* _PyRuntime symbol, 0 if absent */
	uint64_t runtime_section;	/* .PyRuntime section start, 0 if absent */
	uint64_t py_version;		/* Py_Version symbol (3.11+), 0 if absent */
	uint64_t code_type;		/* PyCode_Type symbol, 0 if absent */
	uint64_t none;			/* _Py_NoneStruct (Py_None), 0 if absent */
	uint64_t interp_head;		/* 3.6: static interp_head, 0 if absent */
	uint64_t tstate_current;	/* 3.6: _PyThreadState_Current, 0 if absent */
	uint64_t load_base;		/* first PT_LOAD p_vaddr rounded to p_align */
	uint64_t rw_start, rw_end;	/* writable PT_LOAD (.data + .bss) */
	uint64_t rw_offset;		/* its p_offset in the file */
	int has_python;			/* any CPython marker seen */
};

/* Inspects the ELF file at path.  Returns 0, or -1 when it is not a
 * readable ELF file (errno-style reason not kept; nothing printed). */
int pybinary_inspect(const char *path, struct pybinary *out);

/* The major and minor version a file name states (python3.12,
 * libpython3.6m.so.1.0, libpython2.7.so); returns 1 when it states one. */
int pybinary_version_from_name(const char *path, int *major, int *minor);

#endif
