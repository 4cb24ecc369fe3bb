/*
 * test_svg.c - unit tests of the flame graph writer's parts: escaping and
 * label fitting (hostile, truncated and invalid UTF-8 names), counts with
 * separators, the merged tree (merging, sizes, order, reverse, flame
 * chart, pruning, differential), colours and the palette map, and the
 * HTML viewer page around the graph.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/format.h"
#include "formats/formats.h"
#include "formats/svg.h"
#include "formats/svg_color.h"
#include "formats/svg_text.h"
#include "formats/svg_tree.h"
#include "model/profile.h"
#include "util/input.h"
#include "util/strbuf.h"
#include "test.h"

static const char *escaped(const char *s, size_t len)
{
	static struct strbuf sb;

	strbuf_reset(&sb);
	svg_text_escape(&sb, s, len);
	return strbuf_str(&sb);
}

static const char *fitted(const char *s, long chars)
{
	static struct strbuf sb;

	strbuf_reset(&sb);
	svg_text_fit(&sb, s, strlen(s), chars);
	return strbuf_str(&sb);
}

static void test_escape(void)
{
	CHECK_STR(escaped("<script>alert(1)</script>", 25),
		  "&lt;script&gt;alert(1)&lt;/script&gt;");
	CHECK_STR(escaped("a&b\"c'd", 7), "a&amp;b&quot;c&#39;d");
	CHECK_STR(escaped("caf\xc3\xa9", 5), "caf\xc3\xa9");
	/* invalid bytes, controls, a truncated sequence, an overlong form */
	CHECK_STR(escaped("a\xff" "b", 3), "a\xef\xbf\xbd" "b");
	CHECK_STR(escaped("a\x01" "b", 3), "a\xef\xbf\xbd" "b");
	CHECK_STR(escaped("a\xc3", 2), "a\xef\xbf\xbd");
	CHECK_STR(escaped("\xc0\xaf", 2), "\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_STR(escaped("\xed\xa0\x80", 3),
		  "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_STR(escaped("tab\there", 8), "tab\there");
	/* NUL inside the given length */
	CHECK_STR(escaped("a\0b", 3), "a\xef\xbf\xbd" "b");
}

static void test_fit(void)
{
	CHECK_STR(fitted("function", 8), "function");
	CHECK_STR(fitted("function", 20), "function");
	CHECK_STR(fitted("function", 7), "funct..");
	CHECK_STR(fitted("function", 3), "f..");
	CHECK_STR(fitted("function", 2), "");
	CHECK_STR(fitted("ab", 3), "ab");
	/* never splits a multi-byte character */
	CHECK_STR(fitted("\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", 4),
		  "\xc3\xa9\xc3\xa9..");
	CHECK_STR(fitted("<<<<<", 4), "&lt;&lt;..");
}

static void test_annotation_and_count(void)
{
	struct strbuf sb;

	CHECK(svg_text_strip_annotation("vfs_read_[k]", 12) == 8);
	CHECK(svg_text_strip_annotation("x_[j]", 5) == 1);
	CHECK(svg_text_strip_annotation("x_[w]", 5) == 1);
	CHECK(svg_text_strip_annotation("x_[z]", 5) == 5);
	CHECK(svg_text_strip_annotation("[k]", 3) == 3);
	strbuf_init(&sb);
	svg_text_add_count(&sb, 1234567.4);
	CHECK_STR(strbuf_str(&sb), "1,234,567");
	strbuf_reset(&sb);
	svg_text_add_count(&sb, 999);
	CHECK_STR(strbuf_str(&sb), "999");
	strbuf_reset(&sb);
	svg_text_add_count(&sb, 1000);
	CHECK_STR(strbuf_str(&sb), "1,000");
	strbuf_reset(&sb);
	svg_text_add_count(&sb, 0.4);
	CHECK_STR(strbuf_str(&sb), "0");
	strbuf_reset(&sb);
	svg_text_add_fixed(&sb, 1179.84, 1);
	strbuf_addch(&sb, ' ');
	svg_text_add_fixed(&sb, 13, 2);
	strbuf_addch(&sb, ' ');
	svg_text_add_fixed(&sb, 0.996, 2);
	strbuf_addch(&sb, ' ');
	svg_text_add_fixed(&sb, -2.25, 1);
	strbuf_addch(&sb, ' ');
	svg_text_add_fixed(&sb, 7.5, 0);
	CHECK_STR(strbuf_str(&sb), "1179.8 13.00 1.00 -2.3 8");
	strbuf_reset(&sb);
	svg_text_add_value(&sb, 598400);
	strbuf_addch(&sb, ' ');
	svg_text_add_value(&sb, 2.5);
	strbuf_addch(&sb, ' ');
	svg_text_add_value(&sb, -3);
	CHECK_STR(strbuf_str(&sb), "598400 2.5 -3");
	strbuf_release(&sb);
}

/* Reads folded text into p. */
static void load(struct profile *p, const char *text, int keep_samples)
{
	struct read_options ro = { 0 };
	struct input *in = input_from_memory(text, strlen(text), "test");

	ro.keep_samples = keep_samples;
	profile_init(p);
	folded_reader.read(in, p, &ro);
	input_close(in);
}

/* The first child of node labelled name, or 0. */
static uint32_t find_child(const struct svg_tree *t, uint32_t node,
			   const char *name)
{
	uint32_t c;

	for (c = t->nodes[node].first_child; c; c = t->nodes[c].next_sibling) {
		size_t len;
		const char *l = svg_tree_label(t, c, &len);

		if (len == strlen(name) && !memcmp(l, name, len))
			return c;
	}
	return 0;
}

static uint32_t count_children(const struct svg_tree *t, uint32_t node)
{
	uint32_t c, n = 0;

	for (c = t->nodes[node].first_child; c; c = t->nodes[c].next_sibling)
		n++;
	return n;
}

static void test_tree_merge_and_order(void)
{
	struct svg_tree_options to = { 0 };
	struct profile p;
	struct svg_tree t;
	uint32_t m, w, a, b;

	load(&p, "main;work;b 25\nmain;work;a 75\nmain;idle 1\nmain;work;a 5\n", 0);
	svg_tree_build(&t, &p, &to, 0);
	svg_tree_layout(&t, 1, 0);
	CHECK(t.nodes[0].value == 106);
	m = find_child(&t, 0, "main");
	w = find_child(&t, m, "work");
	a = find_child(&t, w, "a");
	b = find_child(&t, w, "b");
	CHECK(m && w && a && b);
	CHECK(t.nodes[m].value == 106);
	CHECK(t.nodes[w].value == 105);
	CHECK(t.nodes[a].value == 80);
	CHECK(count_children(&t, m) == 2);
	/* children sorted by name: idle before work; a before b */
	CHECK(t.nodes[m].first_child == find_child(&t, m, "idle"));
	CHECK(t.nodes[find_child(&t, m, "idle")].start == 0);
	CHECK(t.nodes[w].start == 1);
	CHECK(t.nodes[a].start == 1);
	CHECK(t.nodes[b].start == 81);
	CHECK(t.nodes[b].depth == 3);
	CHECK(t.max_depth == 3);
	svg_tree_release(&t);

	/* pruning: nothing under 2 is drawn */
	svg_tree_build(&t, &p, &to, 2);
	svg_tree_layout(&t, 1, 2);
	m = find_child(&t, 0, "main");
	CHECK(t.visible[m]);
	CHECK(!t.visible[find_child(&t, m, "idle")]);
	/* the pruned frame still takes its place */
	CHECK(t.nodes[find_child(&t, m, "work")].start == 1);
	svg_tree_release(&t);

	to.reverse = 1;
	svg_tree_build(&t, &p, &to, 0);
	svg_tree_layout(&t, 1, 0);
	a = find_child(&t, 0, "a");
	CHECK(a && t.nodes[a].value == 80);
	CHECK(find_child(&t, a, "work") && count_children(&t, 0) == 3);
	svg_tree_release(&t);
	profile_release(&p);
}

static void test_tree_equal_labels_merge(void)
{
	struct svg_tree_options to = { 0 };
	struct profile p;
	struct svg_tree t;
	struct frame f;
	uint32_t f1, f2, s1, s2;

	/* two frames with the same name but different addresses */
	profile_init(&p);
	memset(&f, 0, sizeof(f));
	f.name = profile_intern(&p, "work");
	f.address = 1;
	f1 = profile_frame(&p, &f);
	f.address = 2;
	f2 = profile_frame(&p, &f);
	s1 = profile_stack_from_frames(&p, &f1, 1);
	s2 = profile_stack_from_frames(&p, &f2, 1);
	profile_add1(&p, s1, 0, -1, 3);
	profile_add1(&p, s2, 0, -1, 4);
	svg_tree_build(&t, &p, &to, 0);
	svg_tree_layout(&t, 1, 0);
	CHECK(count_children(&t, 0) == 1);
	CHECK(t.nodes[find_child(&t, 0, "work")].value == 7);
	svg_tree_release(&t);
	profile_release(&p);
}

static void test_tree_flamechart(void)
{
	struct svg_tree_options to = { 0 };
	struct profile p;
	struct svg_tree t;

	/* a;b, a;b merge (adjacent), then c, then a;b again is new */
	load(&p, "a;b 1\na;b 2\nc 1\na;b 4\n", 1);
	to.flamechart = 1;
	svg_tree_build(&t, &p, &to, 0);
	svg_tree_layout(&t, 0, 0);
	CHECK(count_children(&t, 0) == 3);
	CHECK(t.nodes[t.nodes[0].first_child].value == 3);
	CHECK(t.nodes[0].value == 8);
	{
		uint32_t last = t.nodes[t.nodes[t.nodes[0].first_child].next_sibling].next_sibling;

		CHECK(last && t.nodes[last].value == 4 && t.nodes[last].start == 4);
	}
	svg_tree_release(&t);
	profile_release(&p);
}

static void test_tree_differential(void)
{
	struct svg_tree_options to = { 0 };
	struct profile p;
	struct svg_tree t;
	uint32_t m, a, b;

	load(&p, "m;a 10 30\nm;b 20 5\n", 0);
	svg_tree_build(&t, &p, &to, 0);
	CHECK(t.differential);
	CHECK(t.nodes[0].value == 35);
	m = find_child(&t, 0, "m");
	a = find_child(&t, m, "a");
	b = find_child(&t, m, "b");
	CHECK(t.nodes[a].delta == 20 && t.nodes[b].delta == -15);
	CHECK(t.nodes[m].delta == 0);
	CHECK(t.max_delta == 20);
	svg_tree_release(&t);
	/* scorch diff's profiles: sized by before + after, "after" kept */
	p.meta.differential = PROFILE_DIFF_BOTH;
	svg_tree_build(&t, &p, &to, 0);
	CHECK(t.nodes[0].value == 65 && t.nodes[0].after == 35);
	m = find_child(&t, 0, "m");
	b = find_child(&t, m, "b");
	CHECK(t.nodes[b].value == 25 && t.nodes[b].after == 5 &&
	      t.nodes[b].delta == -15);
	svg_tree_release(&t);
	profile_release(&p);
}

static void test_colors(void)
{
	char c1[SVG_COLOR_LEN], c2[SVG_COLOR_LEN];
	uint64_t rng = 1;
	int r, g, b;
	const char *top, *bottom;

	CHECK(svg_color_palette_valid("hot") && svg_color_palette_valid("python"));
	CHECK(!svg_color_palette_valid("plaid"));
	/* kind: Python green, native red, kernel orange, whatever the name */
	CHECK(svg_color_palette_valid("kind"));
	svg_color_pick("kind", SVG_COLOR_BY_NAME, "run", 3, FRAME_PYTHON, 0, &rng, c1);
	CHECK(sscanf(c1, "rgb(%d,%d,%d)", &r, &g, &b) == 3 && g >= 200 && r <= 110 && b <= 110);
	svg_color_pick("kind", SVG_COLOR_BY_NAME, "run", 3, FRAME_NATIVE, 0, &rng, c1);
	CHECK(sscanf(c1, "rgb(%d,%d,%d)", &r, &g, &b) == 3 && r >= 200 && g <= 130 && b >= 50);
	svg_color_pick("kind", SVG_COLOR_BY_NAME, "run_[k]", 7, FRAME_NATIVE, 0, &rng, c1);
	CHECK(sscanf(c1, "rgb(%d,%d,%d)", &r, &g, &b) == 3 && r >= 190 && b == 0);
	/* the same name, the same colour; annotations do not change it */
	svg_color_pick("hot", SVG_COLOR_BY_NAME, "read", 4, 0, 0, &rng, c1);
	svg_color_pick("hot", SVG_COLOR_BY_NAME, "read_[k]", 8, 0, 0, &rng, c2);
	CHECK_STR(c1, c2);
	CHECK(sscanf(c1, "rgb(%d,%d,%d)", &r, &g, &b) == 3);
	CHECK(r >= 205 && r <= 255 && g <= 230 && b <= 55);
	/* java: kernel orange (blue 0), jit green */
	svg_color_pick("java", SVG_COLOR_BY_NAME, "vfs_read_[k]", 12, 0, 0, &rng, c1);
	CHECK(sscanf(c1, "rgb(%d,%d,%d)", &r, &g, &b) == 3 && b == 0 && r >= 190);
	svg_color_pick("java", SVG_COLOR_BY_NAME, "Foo.bar_[j]", 11, 0, 0, &rng, c1);
	CHECK(sscanf(c1, "rgb(%d,%d,%d)", &r, &g, &b) == 3 && g >= 200 && r < 120);
	svg_color_pick("java", SVG_COLOR_BY_NAME, "x", 1, FRAME_JIT, 0, &rng, c1);
	CHECK(sscanf(c1, "rgb(%d,%d,%d)", &r, &g, &b) == 3 && g >= 200 && r < 120);
	/* chain: waker frames aqua, others blue */
	svg_color_pick("chain", SVG_COLOR_BY_NAME, "x", 1, 0, 1, &rng, c1);
	CHECK(sscanf(c1, "rgb(%d,%d,%d)", &r, &g, &b) == 3 && r < 120 && g >= 165);
	svg_color_delta(10, 10, c1);
	CHECK_STR(c1, "rgb(255,0,0)");
	svg_color_delta(-5, 10, c1);
	CHECK_STR(c1, "rgb(105,105,255)");
	svg_color_delta(0, 10, c1);
	CHECK_STR(c1, "rgb(255,255,255)");
	CHECK(svg_color_background(NULL, "mem", &top, &bottom) == 0 &&
	      !strcmp(bottom, "#e0ffe0"));
	CHECK(svg_color_background("#123456", "hot", &top, &bottom) == 0 &&
	      !strcmp(top, "#123456"));
	CHECK(svg_color_background("#12345", "hot", &top, &bottom) < 0);
	CHECK(svg_color_background("pink", "hot", &top, &bottom) < 0);
}

static void test_palette_file(void)
{
	char path[] = "/tmp/scorch-test-palette-XXXXXX";
	struct svg_palette *pal;
	int fd = mkstemp(path);
	FILE *f;

	CHECK(fd >= 0);
	f = fdopen(fd, "w");
	fprintf(f, "main->rgb(1,2,3)\nodd->name->rgb(4,5,6)\nbroken line\nbad->rgb(300,0,0)\n");
	fclose(f);
	pal = svg_palette_new();
	CHECK(svg_palette_load(pal, path) == 0);
	CHECK(svg_palette_count(pal) == 2);
	CHECK(svg_palette_get(pal, "main", 4) && !strcmp(svg_palette_get(pal, "main", 4), "rgb(1,2,3)"));
	CHECK(svg_palette_get(pal, "odd->name", 9) != NULL);
	CHECK(svg_palette_get(pal, "bad", 3) == NULL);
	svg_palette_set(pal, "alpha", 5, "rgb(7,8,9)");
	CHECK(svg_palette_save(pal, path) == 0);
	svg_palette_free(pal);
	pal = svg_palette_new();
	CHECK(svg_palette_load(pal, path) == 0);
	CHECK(svg_palette_count(pal) == 3);
	CHECK(svg_palette_get(pal, "alpha", 5) != NULL);
	svg_palette_free(pal);
	unlink(path);
	/* a missing file is an empty map */
	pal = svg_palette_new();
	CHECK(svg_palette_load(pal, "/nonexistent/dir/palette.map") == 0);
	CHECK(svg_palette_count(pal) == 0);
	svg_palette_free(pal);
}

/* The whole writer on a huge name and on an empty profile. */
static void test_writer(void)
{
	struct write_options wo = { 0 };
	struct profile p;
	char *buf = NULL, *big;
	size_t len = 0, n = 200000;
	FILE *out;

	big = malloc(n + 16);
	memset(big, 'x', n);
	memcpy(big + n, " 5\n", 4);
	load(&p, big, 0);
	out = open_memstream(&buf, &len);
	CHECK(svg_writer.write(&p, out, &wo) == 0);
	fclose(out);
	CHECK(len > n && strstr(buf, "</svg>") != NULL);
	CHECK(strstr(buf, "<title>all (5 samples, 100%)</title>") != NULL);
	free(buf);
	profile_release(&p);
	free(big);

	profile_init(&p);
	buf = NULL;
	out = open_memstream(&buf, &len);
	CHECK(svg_writer.write(&p, out, &wo) == 0);
	fclose(out);
	CHECK(strstr(buf, "No samples") != NULL);
	free(buf);
	profile_release(&p);
}

/* Occurrences of needle in haystack. */
static int count_of(const char *haystack, const char *needle)
{
	int n = 0;

	while ((haystack = strstr(haystack, needle))) {
		n++;
		haystack += strlen(needle);
	}
	return n;
}

/* The HTML viewer: one page with the flame graph inline (no XML
 * declaration, no second copy of the script, no onload) and one table row
 * per function, names escaped everywhere. */
static void test_html_writer(void)
{
	struct write_options wo = { 0 };
	struct profile p;
	char *buf = NULL;
	size_t len = 0;
	FILE *out;

	load(&p, "main (app.py:3);<script>x</script> 3\n"
		 "main (app.py:4);a&b\"c 1\n", 0);
	out = open_memstream(&buf, &len);
	CHECK(html_writer.write(&p, out, &wo) == 0);
	fclose(out);
	CHECK(!strncmp(buf, "<!DOCTYPE html>", 15));
	CHECK(count_of(buf, "<svg ") == 1 && count_of(buf, "</svg>") == 1);
	CHECK(count_of(buf, "<?xml") == 0 && count_of(buf, "onload=") == 0);
	CHECK(count_of(buf, "function scorch_init") == 1);
	CHECK(count_of(buf, "<script>x</script>") == 0);
	CHECK(count_of(buf, "<tr data-row=") == 3);
	CHECK(strstr(buf, "<tr data-row=\"0\" data-name=\"main\" data-file=\"app.py\" "
		      "data-self=\"0\" data-total=\"4\">") != NULL);
	/* the stack tree for callers and callees: main:3 -> <script>,
	 * main:4 -> a&b"c; rows by total: main, <script>, a&b"c */
	CHECK(strstr(buf, "{\"parent\":[0,1,0,3],\n\"row\":[0,1,0,2],\n"
		      "\"self\":[0,3,0,1]}") != NULL);
	CHECK(strstr(buf, "data-name=\"&lt;script&gt;x&lt;/script&gt;\" "
		      "data-file=\"\" data-self=\"3\"") != NULL);
	CHECK(strstr(buf, "data-name=\"a&amp;b&quot;c\"") != NULL);
	CHECK(strstr(buf, "</html>") != NULL);
	free(buf);
	profile_release(&p);

	/* no samples: still a whole page, with the empty flame graph */
	profile_init(&p);
	buf = NULL;
	out = open_memstream(&buf, &len);
	CHECK(html_writer.write(&p, out, &wo) == 0);
	fclose(out);
	CHECK(strstr(buf, "No samples") != NULL && strstr(buf, "</html>") != NULL);
	CHECK(count_of(buf, "<tr data-row=") == 0);
	free(buf);
	profile_release(&p);
}

int main(void)
{
	RUN(test_escape);
	RUN(test_fit);
	RUN(test_annotation_and_count);
	RUN(test_tree_merge_and_order);
	RUN(test_tree_equal_labels_merge);
	RUN(test_tree_flamechart);
	RUN(test_tree_differential);
	RUN(test_colors);
	RUN(test_palette_file);
	RUN(test_writer);
	RUN(test_html_writer);
	TEST_EXIT();
}
