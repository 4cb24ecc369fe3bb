/*
 * verifier_log.c - the verifier's reason in a load log (verifier_log.h).
 */
#include <string.h>

#include "engines/bpf/verifier_log.h"

#define LOG_BEGIN "-- BEGIN PROG LOAD LOG --"
#define LOG_END "-- END PROG LOAD LOG --"

static int is_summary(const char *line, size_t len)
{
	return len > 10 && !strncmp(line, "processed ", 10) &&
	       memmem(line, len, " insns", 6) != NULL;
}

size_t bpf_verifier_reason(const char *text, char *out, size_t room)
{
	const char *p = strstr(text, LOG_BEGIN), *end, *reason = NULL;
	size_t reason_len = 0;

	if (room)
		out[0] = '\0';
	if (!p || !room)
		return 0;
	p += strlen(LOG_BEGIN);
	end = strstr(p, LOG_END);
	if (!end)
		end = p + strlen(p);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);

		if (is_summary(p, len))
			break;	/* the reason came just before */
		if (len) {
			reason = p;
			reason_len = len;
		}
		p += len + (nl != NULL);
	}
	if (!reason)
		return 0;
	if (reason_len >= room)
		reason_len = room - 1;
	memcpy(out, reason, reason_len);
	out[reason_len] = '\0';
	return reason_len;
}
