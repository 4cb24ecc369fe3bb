/*
 * svg_color.c - palettes and colour choice for flame graphs, and the
 * consistent-palette map file.  See svg_color.h.  Palette ranges are data
 * (one row per palette); language palettes only classify a frame and then
 * use a plain palette.  Never writes anywhere but the palette map file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/svg_color.h"
#include "util/text.h"
#include "formats/svg_text.h"
#include "model/profile.h"
#include "model/strings.h"
#include "util/error.h"
#include "util/hash.h"
#include "util/input.h"
#include "util/output.h"
#include "util/xalloc.h"

/* One channel: base + int(span * v[which]). */
struct channel {
	int base, span, which;
};

struct palette_row {
	const char *name;
	struct channel r, g, b;
};

static const struct palette_row plain_palettes[] = {
	{ "hot", { 205, 50, 2 }, { 0, 230, 0 }, { 0, 55, 1 } },
	{ "mem", { 0, 0, 0 }, { 190, 50, 1 }, { 0, 210, 0 } },
	{ "io", { 80, 60, 0 }, { 80, 60, 0 }, { 190, 55, 1 } },
	{ "red", { 200, 55, 0 }, { 50, 80, 0 }, { 50, 80, 0 } },
	{ "green", { 50, 60, 0 }, { 200, 55, 0 }, { 50, 60, 0 } },
	{ "blue", { 80, 60, 0 }, { 80, 60, 0 }, { 205, 50, 0 } },
	{ "yellow", { 175, 55, 0 }, { 175, 55, 0 }, { 50, 20, 0 } },
	{ "purple", { 190, 65, 0 }, { 80, 60, 0 }, { 190, 65, 0 } },
	{ "aqua", { 50, 60, 0 }, { 165, 55, 0 }, { 165, 55, 0 } },
	{ "orange", { 190, 65, 0 }, { 90, 65, 0 }, { 0, 0, 0 } },
};

/* Palettes that pick one of the plain palettes per frame. */
static const char *const language_palettes[] = {
	"kind", "java", "js", "perl", "python", "wakeup", "chain",
};

#define NR_PLAIN (sizeof(plain_palettes) / sizeof(plain_palettes[0]))
#define NR_LANGUAGE (sizeof(language_palettes) / sizeof(language_palettes[0]))

static const struct palette_row *plain_palette(const char *name)
{
	size_t i;

	for (i = 0; i < NR_PLAIN; i++)
		if (!strcmp(plain_palettes[i].name, name))
			return &plain_palettes[i];
	return NULL;
}

int svg_color_palette_valid(const char *name)
{
	size_t i;

	if (plain_palette(name))
		return 1;
	for (i = 0; i < NR_LANGUAGE; i++)
		if (!strcmp(language_palettes[i], name))
			return 1;
	return 0;
}

const char *svg_color_palette_names(void)
{
	return "kind hot mem io red green blue aqua yellow purple orange java js perl python wakeup chain";
}

static int starts_with_java_package(const char *s, size_t len)
{
	static const char *const packages[] = {
		"java/", "javax/", "jdk/", "net/", "org/", "com/", "io/", "sun/",
	};
	size_t i;

	if (len && s[0] == 'L') {
		s++;
		len--;
	}
	for (i = 0; i < sizeof(packages) / sizeof(packages[0]); i++)
		if (len >= strlen(packages[i]) &&
		    !memcmp(s, packages[i], strlen(packages[i])))
			return 1;
	return 0;
}

const char *svg_color_kind_palette(int kind)
{
	switch (kind) {
	case FRAME_PYTHON:
		return "green";
	case FRAME_KERNEL:
		return "orange";
	case FRAME_JIT:
		return "yellow";
	case FRAME_INLINED:
		return "aqua";
	case FRAME_PROCESS:
	case FRAME_MARKER:
		return "purple";
	default:
		return "red";
	}
}

void svg_color_of_palette(const char *plain, double v, char *out)
{
	const struct palette_row *row = plain_palette(plain);

	if (!row)
		row = &plain_palettes[0];
	snprintf(out, SVG_COLOR_LEN, "rgb(%d,%d,%d)",
		 row->r.base + (int)(row->r.span * v),
		 row->g.base + (int)(row->g.span * v),
		 row->b.base + (int)(row->b.span * v));
}

/* Which plain palette a language palette uses for this frame. */
static const char *classify(const char *palette, const char *s, size_t len,
			    int kind, int waker)
{
	int kernel = kind == FRAME_KERNEL || text_ends_with(s, len, "_[k]");
	int jit = kind == FRAME_JIT || text_ends_with(s, len, "_[j]");
	int inlined = kind == FRAME_INLINED || text_ends_with(s, len, "_[i]");

	if (!strcmp(palette, "kind"))
		return svg_color_kind_palette(kernel ? FRAME_KERNEL :
					      jit ? FRAME_JIT :
					      inlined ? FRAME_INLINED : kind);
	if (!strcmp(palette, "java")) {
		if (jit)
			return "green";
		if (inlined)
			return "aqua";
		if (starts_with_java_package(s, len) || text_contains(s, len, ":::"))
			return "green";
		if (text_contains(s, len, "::"))
			return "yellow";
		return kernel ? "orange" : "red";
	}
	if (!strcmp(palette, "js")) {
		if (jit)
			return memchr(s, '/', len) ? "green" : "aqua";
		if (text_contains(s, len, "::"))
			return "yellow";
		if (text_contains(s, len, ".js") && memchr(s, '/', len))
			return "green";
		if (memchr(s, ':', len))
			return "aqua";
		if (len == 1 && s[0] == ' ')
			return "green";
		return kernel ? "orange" : "red";
	}
	if (!strcmp(palette, "perl")) {
		if (text_contains(s, len, "::"))
			return "yellow";
		if (text_contains(s, len, "Perl") || text_contains(s, len, ".pl"))
			return "green";
		return kernel ? "orange" : "red";
	}
	if (!strcmp(palette, "python")) {
		if (kind == FRAME_PYTHON || text_contains(s, len, ".py:") ||
		    text_ends_with(s, len, ".py)")) {
			/* the standard library apart from the program's code */
			if (text_contains(s, len, "/lib/python") ||
			    text_contains(s, len, "<frozen"))
				return "aqua";
			return "green";
		}
		if (kernel)
			return "orange";
		if (text_contains(s, len, "::"))
			return "yellow";
		if (kind == FRAME_MARKER || kind == FRAME_PROCESS)
			return "purple";
		return "red";
	}
	if (!strcmp(palette, "wakeup"))
		return "aqua";
	if (!strcmp(palette, "chain"))
		return waker || text_ends_with(s, len, "_[w]") ? "aqua" : "blue";
	return "hot";
}

/* A value in [0, 1) from every bit of h (mixed first: the top bits of
 * a byte hash of a short name are not spread enough on their own). */
static double unit_from_bits(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return (double)(h >> 11) * (1.0 / 9007199254740992.0);
}

static uint64_t next_random(uint64_t *state)
{
	uint64_t x = *state ? *state : 0x2545f4914f6cdd1dULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dULL;
}

/* Weights the first characters most, so names sharing a prefix get
 * nearby values. */
static double prefix_value(const char *s, size_t len, int backwards)
{
	double sum = 0, weights = 0, w = 1;
	size_t i;

	for (i = 0; i < len && i < 8; i++) {
		unsigned char c = (unsigned char)s[backwards ? len - 1 - i : i];

		sum += w * (double)(c % 13) / 12.0;
		weights += w;
		w *= 0.65;
	}
	return weights > 0 ? 1.0 - sum / weights : 0.5;
}

void svg_color_pick(const char *palette, enum svg_color_mode mode,
		    const char *name, size_t len, int kind, int waker,
		    uint64_t *rng, char *out)
{
	const struct palette_row *row = plain_palette(palette);
	size_t base_len = svg_text_strip_annotation(name, len);
	double v[3];

	if (!row)
		row = plain_palette(classify(palette, name, len, kind, waker));
	if (!row)
		row = &plain_palettes[0];
	if (mode == SVG_COLOR_RANDOM) {
		v[0] = unit_from_bits(next_random(rng));
		v[1] = unit_from_bits(next_random(rng));
		v[2] = unit_from_bits(next_random(rng));
	} else if (mode == SVG_COLOR_BY_HASH) {
		const char *tick = memchr(name, '`', base_len);
		const char *s = name;
		size_t n = base_len;

		/* "module`function": colour by the function */
		if (tick) {
			n -= (size_t)(tick + 1 - name);
			s = tick + 1;
		}
		v[0] = prefix_value(s, n, 0);
		v[1] = v[2] = prefix_value(s, n, 1);
	} else {
		v[0] = v[1] = v[2] =
			unit_from_bits(hash_bytes(name, base_len, 0x5eed));
	}
	snprintf(out, SVG_COLOR_LEN, "rgb(%d,%d,%d)",
		 row->r.base + (int)(row->r.span * v[row->r.which]),
		 row->g.base + (int)(row->g.span * v[row->g.which]),
		 row->b.base + (int)(row->b.span * v[row->b.which]));
}

void svg_color_delta(double delta, double max_delta, char *out)
{
	int r = 255, g = 255, b = 255;

	if (max_delta <= 0)
		max_delta = 1;
	if (delta > max_delta)
		delta = max_delta;
	if (delta < -max_delta)
		delta = -max_delta;
	if (delta > 0)
		g = b = (int)(210 * (max_delta - delta) / max_delta);
	else if (delta < 0)
		r = g = (int)(210 * (max_delta + delta) / max_delta);
	snprintf(out, SVG_COLOR_LEN, "rgb(%d,%d,%d)", r, g, b);
}

static int is_hex_colour(const char *s)
{
	size_t i;

	if (s[0] != '#' || strlen(s) != 7)
		return 0;
	for (i = 1; i < 7; i++)
		if (!strchr("0123456789abcdefABCDEF", s[i]))
			return 0;
	return 1;
}

int svg_color_background(const char *bg, const char *palette,
			 const char **top, const char **bottom)
{
	if (!bg || !*bg) {
		if (!strcmp(palette, "mem"))
			bg = "green";
		else if (!strcmp(palette, "io") || !strcmp(palette, "wakeup") ||
			 !strcmp(palette, "chain"))
			bg = "blue";
		else if (plain_palette(palette) && strcmp(palette, "hot"))
			bg = "grey";
		else
			bg = "yellow";
	}
	if (!strcmp(bg, "yellow")) {
		*top = "#eeeeee";
		*bottom = "#eeeeb0";
	} else if (!strcmp(bg, "blue")) {
		*top = "#eeeeee";
		*bottom = "#e0e0ff";
	} else if (!strcmp(bg, "green")) {
		*top = "#eef2ee";
		*bottom = "#e0ffe0";
	} else if (!strcmp(bg, "grey") || !strcmp(bg, "gray")) {
		*top = "#f8f8f8";
		*bottom = "#e8e8e8";
	} else if (is_hex_colour(bg)) {
		*top = *bottom = bg;
	} else {
		return -1;
	}
	return 0;
}

/* ---- the palette map ---- */

struct svg_palette {
	struct strtab names;
	char (*colours)[SVG_COLOR_LEN];	/* by name id; "" = unset */
	uint32_t alloc;
	uint32_t count;
};

struct svg_palette *svg_palette_new(void)
{
	struct svg_palette *pal = xcalloc(1, sizeof(*pal));

	strtab_init(&pal->names);
	return pal;
}

void svg_palette_free(struct svg_palette *pal)
{
	if (!pal)
		return;
	strtab_release(&pal->names);
	free(pal->colours);
	free(pal);
}

const char *svg_palette_get(const struct svg_palette *pal, const char *name,
			    size_t len)
{
	uint32_t id = strtab_lookup(&pal->names, name, len);

	if (!id || id >= pal->alloc || !pal->colours[id][0])
		return NULL;
	return pal->colours[id];
}

void svg_palette_set(struct svg_palette *pal, const char *name, size_t len,
		     const char *colour)
{
	uint32_t id = strtab_intern(&pal->names, name, len), old = pal->alloc;

	if (id >= pal->alloc) {
		grow_array32((void **)&pal->colours, sizeof(*pal->colours),
			     id + 1, &pal->alloc);
		memset(pal->colours + old, 0,
		       (pal->alloc - old) * sizeof(*pal->colours));
	}
	if (!pal->colours[id][0])
		pal->count++;
	snprintf(pal->colours[id], SVG_COLOR_LEN, "%s", colour);
}

uint32_t svg_palette_count(const struct svg_palette *pal)
{
	return pal->count;
}

/* "rgb(R,G,B)" with 0..255 values, or "#rrggbb". */
static int valid_colour(const char *s, size_t len)
{
	char buf[SVG_COLOR_LEN];
	int r, g, b, end = 0;

	if (len >= sizeof(buf))
		return 0;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (is_hex_colour(buf))
		return 1;
	if (sscanf(buf, "rgb(%d,%d,%d)%n", &r, &g, &b, &end) != 3 ||
	    (size_t)end != len)
		return 0;
	return r >= 0 && r <= 255 && g >= 0 && g <= 255 && b >= 0 && b <= 255;
}

int svg_palette_load(struct svg_palette *pal, const char *path)
{
	struct input *in;
	const char *line;
	size_t len;
	int r;

	if (access(path, F_OK) < 0)
		return 0;
	in = input_open(path);
	if (!in)
		return -1;
	while ((r = input_getline(in, &line, &len)) > 0) {
		const char *arrow = NULL, *s;

		if (len && line[len - 1] == '\r')
			len--;
		if (!len)
			continue;
		/* the colour never holds "->", so the last one splits */
		for (s = line; s + 1 < line + len; s++)
			if (s[0] == '-' && s[1] == '>')
				arrow = s;
		if (!arrow || !valid_colour(arrow + 2,
					    (size_t)(line + len - arrow - 2))) {
			warning("%s:%lu: skipped palette line: expected 'name->rgb(R,G,B)'",
				path, input_line_number(in));
			continue;
		}
		{
			char colour[SVG_COLOR_LEN];
			size_t n = (size_t)(line + len - arrow - 2);

			memcpy(colour, arrow + 2, n);
			colour[n] = '\0';
			svg_palette_set(pal, line, (size_t)(arrow - line), colour);
		}
	}
	input_close(in);
	return r < 0 ? -1 : 0;
}

static const struct strtab *sort_names;

static int compare_names(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return strcmp(strtab_get(sort_names, x), strtab_get(sort_names, y));
}

int svg_palette_save(const struct svg_palette *pal, const char *path)
{
	struct output out;
	uint32_t *ids, n = 0, i;

	ids = xmalloc((pal->names.nr + 1) * sizeof(*ids));
	for (i = 1; i < pal->names.nr && i < pal->alloc; i++)
		if (pal->colours[i][0] &&
		    !strchr(strtab_get(&pal->names, i), '\n'))
			ids[n++] = i;
	sort_names = &pal->names;
	qsort(ids, n, sizeof(*ids), compare_names);
	if (output_open(&out, path) < 0) {
		free(ids);
		return -1;
	}
	for (i = 0; i < n; i++)
		fprintf(out.fp, "%s->%s\n", strtab_get(&pal->names, ids[i]),
			pal->colours[ids[i]]);
	free(ids);
	return output_commit(&out);
}
