/*
 * verifier_log.h - the one line that says why the kernel's verifier
 * refused a BPF program, out of the load log libbpf prints as a warning
 * ("prog 'NAME': -- BEGIN PROG LOAD LOG --\n<log>-- END PROG LOAD LOG --").
 * Pure text work: no libbpf, no I/O.
 */
#ifndef SCORCH_ENGINES_BPF_VERIFIER_LOG_H
#define SCORCH_ENGINES_BPF_VERIFIER_LOG_H

#include <stddef.h>

/*
 * The verifier's reason in text (a libbpf message holding a load log):
 * the last line before the log's "processed N insns" summary, else its
 * last nonempty line.  Copied into out[room] (cut to fit, NUL-ended).
 * Returns its length, 0 when text holds no load log or the log no line.
 */
size_t bpf_verifier_reason(const char *text, char *out, size_t room);

#endif
