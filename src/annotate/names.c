/*
 * names.c - GCC clone/part suffixes and report labels; see names.h.
 * The suffixes are the ones GCC's IPA passes and LTO append (and
 * clang's ThinLTO ".llvm.N"); each is ".word" optionally followed by
 * ".N".  Pure functions, unit-tested in tests/unit/test_annotate_names.c.
 */
#include <string.h>

#include "annotate/names.h"

static const char *const clone_words[] = {
	"constprop", "isra", "part", "cold", "lto_priv", "clone", "llvm",
	"localalias",
};

/* Length of the clone suffix ".word" or ".word.N" at s, 0 if none. */
static size_t clone_suffix(const char *s)
{
	size_t i, n, k;

	if (s[0] != '.')
		return 0;
	for (i = 0; i < sizeof(clone_words) / sizeof(clone_words[0]); i++) {
		n = strlen(clone_words[i]);
		if (strncmp(s + 1, clone_words[i], n) ||
		    (s[1 + n] && s[1 + n] != '.'))
			continue;
		n++;
		if (s[n] == '.' && s[n + 1] >= '0' && s[n + 1] <= '9') {
			for (k = n + 1; s[k] >= '0' && s[k] <= '9'; k++)
				;
			if (!s[k] || s[k] == '.')
				n = k;
		}
		return n;
	}
	return 0;
}

/* Nonzero when s is nothing but clone suffixes. */
static int only_suffixes(const char *s)
{
	while (*s) {
		size_t n = clone_suffix(s);

		if (!n)
			return 0;
		s += n;
	}
	return 1;
}

size_t annotate_base_len(const char *symbol)
{
	const char *dot;

	for (dot = strchr(symbol + (symbol[0] != '\0'), '.'); dot;
	     dot = strchr(dot + 1, '.'))
		if (only_suffixes(dot))
			return (size_t)(dot - symbol);
	return strlen(symbol);
}

int annotate_is_cold(const char *symbol)
{
	const char *last = NULL, *s = symbol + annotate_base_len(symbol);

	while (*s) {
		last = s;
		s += clone_suffix(s);
	}
	return last && !strncmp(last, ".cold", 5) &&
		(last[5] == '\0' || last[5] == '.');
}

int annotate_split_label(const char *label, size_t *name_len,
			 const char **file, size_t *file_len)
{
	size_t len = strlen(label);
	const char *open, *colon, *end;

	*name_len = len;
	*file = NULL;
	*file_len = 0;
	if (len < 4 || label[len - 1] != ')')
		return 0;
	open = strstr(label, " (");
	if (!open || open == label)
		return 0;
	/* the last " (" : names may hold parentheses (C++ signatures) */
	for (const char *next; (next = strstr(open + 1, " (")); )
		open = next;
	end = label + len - 1;
	colon = memrchr(open + 2, ':', (size_t)(end - open - 2));
	if (colon && colon + 1 < end &&
	    strspn(colon + 1, "0123456789") == (size_t)(end - colon - 1))
		end = colon;
	*name_len = (size_t)(open - label);
	*file = open + 2;
	*file_len = (size_t)(end - open - 2);
	return *file_len > 0;
}
