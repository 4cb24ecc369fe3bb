/*
 * speedscope.c - speedscope's JSON file format, written and read.
 *
 * The writer emits one "sampled" profile per thread sharing one frame
 * table: the kept samples in time order when there are any, otherwise one
 * sample per distinct stack weighted by its total.  The reader accepts
 * "sampled" and "evented" profiles.  Layout: ../shared/reference/formats.md
 * section 4.  The writer only reads the profile; the reader trusts nothing.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "formats/formats.h"
#include "formats/json.h"
#include "formats/speedscope.h"
#include "model/profile.h"
#include "util/error.h"
#include "util/text.h"
#include "util/input.h"
#include "util/strbuf.h"
#include "util/xalloc.h"
#include "version.h"

#define SPEEDSCOPE_SCHEMA "https://www.speedscope.app/file-format-schema.json"

/* ------------------------------------------------------------------ */
/* Writing.                                                           */

static const char *speedscope_unit(const char *unit)
{
	static const char *const known[] = {
		"nanoseconds", "microseconds", "milliseconds", "seconds", "bytes",
	};
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(unit, known[i]))
			return known[i];
	return "none";
}

static void append_weight(struct strbuf *sb, double w)
{
	if (!(w > 0) || isinf(w))
		w = 0;	/* the importer rejects negative and NaN weights */
	strbuf_add_number(sb, w);
}

static void append_thread_name(const struct profile *p, uint32_t thread,
			       const char *fallback, struct strbuf *name)
{
	const struct thread_info *t = &p->threads[thread];

	if (!thread) {
		strbuf_addstr(name, fallback);
		return;
	}
	strbuf_addf(name, "%s pid: %lld tid: %lld",
		    t->name ? profile_str(p, t->name) : "thread",
		    (long long)t->pid, (long long)t->tid);
}

static const struct profile *sort_profile;

/* Kept samples: by thread, then time, then arrival. */
static int compare_samples(const void *a, const void *b)
{
	const struct sample *s = sort_profile->samples;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (s[x].thread != s[y].thread)
		return s[x].thread < s[y].thread ? -1 : 1;
	if (s[x].time_ns != s[y].time_ns)
		return s[x].time_ns < s[y].time_ns ? -1 : 1;
	return x < y ? -1 : x > y;
}

/* Totals: by thread, then stack id. */
static int compare_totals(const void *a, const void *b)
{
	const struct stack_total *t = sort_profile->totals;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	if (t[x].thread != t[y].thread)
		return t[x].thread < t[y].thread ? -1 : 1;
	if (t[x].stack != t[y].stack)
		return t[x].stack < t[y].stack ? -1 : 1;
	return 0;
}

static void append_stack(const struct profile *p, uint32_t stack,
			 struct strbuf *sb, uint32_t **scratch, size_t *alloc)
{
	uint32_t depth = p->stacks[stack].depth, i;

	grow_array((void **)scratch, sizeof(**scratch), depth + 1, alloc);
	profile_stack_frames(p, stack, *scratch);
	strbuf_addch(sb, '[');
	for (i = 0; i < depth; i++) {
		if (i)
			strbuf_addch(sb, ',');
		strbuf_addf(sb, "%u", (*scratch)[i] - 1);
	}
	strbuf_addch(sb, ']');
}

static int flush(struct strbuf *sb, FILE *out)
{
	if (sb->len)
		fwrite(sb->buf, 1, sb->len, out);
	strbuf_reset(sb);
	return ferror(out) ? -1 : 0;
}

/* The value to weigh by: the last (pprof's default: cpu after samples),
 * but not a sample count that follows the periods of perf.data. */
static int speedscope_value(const struct profile *p)
{
	int v = p->nr_values - 1;

	if (v > 0 && !strcmp(profile_str(p, p->value_types[v].type), "samples"))
		v = 0;
	return v;
}

static int speedscope_write(const struct profile *p, FILE *out,
			    const struct write_options *o)
{
	int by_sample = p->nr_samples > 0, v = speedscope_value(p);
	size_t n = by_sample ? p->nr_samples : p->nr_totals, i, start;
	const char *title = o->title;
	const char *unit = speedscope_unit(profile_str(p, p->value_types[v].unit));
	struct strbuf sb, weights, name;
	uint32_t *scratch = NULL;
	size_t *order, alloc = 0;
	int nr_profiles = 0;
	double sum;

	/* a thread's endValue is the sum of its weights: it must be a
	 * finite number, JSON has no "inf" */
	for (i = 0, sum = 0; i < p->nr_totals; i++) {
		double w = p->totals[i].value[v];

		if (w > 0 && !((sum += w) < 1.7976931348623157e308))
			return error("speedscope: the weights add up to more than JSON numbers hold (scale the counts down)");
	}
	if (!title || !*title)
		title = p->meta.command ? profile_str(p, p->meta.command) : "";
	if (!*title)
		title = "scorch profile";
	strbuf_init(&sb);
	strbuf_init(&weights);
	strbuf_init(&name);
	strbuf_addstr(&sb, "{\"$schema\":\"" SPEEDSCOPE_SCHEMA "\",\n"
		      "\"exporter\":\"scorch@" SCORCH_VERSION "\",\n\"name\":");
	json_append_string(&sb, title, strlen(title));
	strbuf_addstr(&sb, ",\n\"activeProfileIndex\":0,\n\"shared\":{\"frames\":[");
	for (i = 1; i < p->nr_frames; i++) {
		const struct frame *f = &p->frames[i];

		if (i > 1)
			strbuf_addch(&sb, ',');
		strbuf_addstr(&sb, "\n{\"name\":");
		json_append_string(&sb, profile_str(p, f->name),
				   strtab_len(&p->strings, f->name));
		if (f->file) {
			strbuf_addstr(&sb, ",\"file\":");
			json_append_string(&sb, profile_str(p, f->file),
					   strtab_len(&p->strings, f->file));
		}
		if (f->line > 0)
			strbuf_addf(&sb, ",\"line\":%d", (int)f->line);
		strbuf_addch(&sb, '}');
		if (sb.len > 1 << 16 && flush(&sb, out))
			break;
	}
	strbuf_addstr(&sb, "]},\n\"profiles\":[");

	order = xmalloc((n + 1) * sizeof(*order));
	for (i = 0; i < n; i++)
		order[i] = i;
	sort_profile = p;
	qsort(order, n, sizeof(*order), by_sample ? compare_samples : compare_totals);

	for (start = 0; start < n;) {
		uint32_t thread = by_sample ? p->samples[order[start]].thread :
				  p->totals[order[start]].thread;
		double total = 0;
		size_t j;
		int first = 1;

		strbuf_reset(&name);
		append_thread_name(p, thread, title, &name);
		if (nr_profiles++)
			strbuf_addch(&sb, ',');
		strbuf_addstr(&sb, "\n{\"type\":\"sampled\",\"name\":");
		json_append_string(&sb, name.buf, name.len);
		strbuf_addf(&sb, ",\"unit\":\"%s\",\"startValue\":0,\"samples\":[",
			    unit);
		strbuf_reset(&weights);
		for (j = start; j < n; j++) {
			uint32_t stack, t;
			double w;

			if (by_sample) {
				const struct sample *s = &p->samples[order[j]];

				stack = s->stack, t = s->thread, w = s->value[v];
			} else {
				const struct stack_total *s = &p->totals[order[j]];

				stack = s->stack, t = s->thread, w = s->value[v];
			}
			if (t != thread)
				break;
			if (!first) {
				strbuf_addch(&sb, ',');
				strbuf_addch(&weights, ',');
			}
			first = 0;
			append_stack(p, stack, &sb, &scratch, &alloc);
			append_weight(&weights, w);
			if (w > 0 && !isinf(w))
				total += w;
			if (sb.len > 1 << 16 && flush(&sb, out))
				break;
		}
		start = j;
		strbuf_addstr(&sb, "],\"weights\":[");
		strbuf_add(&sb, weights.buf, weights.len);
		strbuf_addstr(&sb, "],\"endValue\":");
		strbuf_add_number(&sb, total);
		strbuf_addch(&sb, '}');
		if (flush(&sb, out))
			break;
	}
	strbuf_addstr(&sb, "]}\n");
	flush(&sb, out);
	free(order);
	free(scratch);
	strbuf_release(&sb);
	strbuf_release(&weights);
	strbuf_release(&name);
	return ferror(out) ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Reading.                                                           */

static int speedscope_probe(const unsigned char *head, size_t len)
{
	size_t i = 0;

	while (i < len && (head[i] == ' ' || head[i] == '\n' ||
			   head[i] == '\t' || head[i] == '\r'))
		i++;
	if (i >= len || head[i] != '{')
		return 0;
	return memmem(head, len, "speedscope.app/file-format-schema",
		      strlen("speedscope.app/file-format-schema")) ? 95 : 0;
}

struct speedscope_reader {
	const char *name;
	struct json_doc doc;
	struct profile *p;
	uint32_t *frames;		/* JSON frame index -> frame id */
	size_t nr_frames;
	uint32_t *stack;		/* scratch */
	size_t alloc_stack;
	int keep_time;
	double ns_per_unit;	/* this profile's unit in ns; 0 = not time */
};

/* Weights fit a 64-bit counter (pprof's) so that no sum reaches inf. */
#define SPEEDSCOPE_MAX_WEIGHT 9223372036854775808.0

static int bad(struct speedscope_reader *r, const char *why)
{
	return error("%s: not a valid speedscope file: %s (was it written by speedscope or a compatible exporter?)",
		     r->name, why);
}

/* A frame's kind from its file (".py") or name suffix (_[k] _[j] _[i]). */
static enum frame_kind speedscope_frame_kind(const struct profile *p,
					     const struct frame *f)
{
	const char *name = profile_str(p, f->name);
	size_t len = strtab_len(&p->strings, f->name);

	if (text_ends_with(profile_str(p, f->file),
			   strtab_len(&p->strings, f->file), ".py"))
		return FRAME_PYTHON;
	if (text_ends_with(name, len, "_[k]"))
		return FRAME_KERNEL;
	if (text_ends_with(name, len, "_[j]"))
		return FRAME_JIT;
	if (text_ends_with(name, len, "_[i]"))
		return FRAME_INLINED;
	return FRAME_NATIVE;
}

static int read_frames(struct speedscope_reader *r, uint32_t list)
{
	const struct json_doc *d = &r->doc;
	uint32_t c;
	size_t n = 0;

	if (!list || json_node(d, list)->type != JSON_ARRAY)
		return bad(r, "\"shared.frames\" is missing or not an array");
	for (c = json_node(d, list)->child; c; c = json_node(d, c)->next)
		n++;
	r->frames = xcalloc(n + 1, sizeof(*r->frames));
	for (c = json_node(d, list)->child; c; c = json_node(d, c)->next) {
		uint32_t name = json_member(d, c, "name");
		uint32_t file = json_member(d, c, "file");
		uint32_t line = json_member(d, c, "line");
		struct frame f;

		if (!name || json_node(d, name)->type != JSON_STRING)
			return bad(r, "a frame has no \"name\" string");
		memset(&f, 0, sizeof(f));
		f.name = profile_intern_len(r->p, json_string(d, name),
					    json_node(d, name)->len);
		if (file && json_node(d, file)->type == JSON_STRING)
			f.file = profile_intern_len(r->p, json_string(d, file),
						    json_node(d, file)->len);
		if (line && json_node(d, line)->type == JSON_NUMBER &&
		    json_node(d, line)->number >= 1 &&
		    json_node(d, line)->number < 1e9)
			f.line = (int32_t)json_node(d, line)->number;
		f.kind = speedscope_frame_kind(r->p, &f);
		r->frames[r->nr_frames++] = profile_frame(r->p, &f);
	}
	return 0;
}

static int frame_index(struct speedscope_reader *r, const struct json_node *n,
		       uint32_t *frame)
{
	if (n->type != JSON_NUMBER || !(n->number >= 0) ||
	    n->number >= (double)r->nr_frames || n->number != floor(n->number))
		return bad(r, "a sample refers to a frame index out of range");
	*frame = r->frames[(size_t)n->number];
	return 0;
}

/* The thread of a profile named "NAME pid: P tid: T" (our writer's and
 * speedscope's perf importer's form); otherwise thread 0. */
static uint32_t profile_thread_of(struct speedscope_reader *r, const char *name)
{
	const char *pid = strstr(name, " pid: ");
	char *end, *thread_name;
	long long p, t;
	uint32_t id;

	if (!pid)
		return 0;
	p = strtoll(pid + 6, &end, 10);
	if (strncmp(end, " tid: ", 6))
		return 0;
	t = strtoll(end + 6, &end, 10);
	if (*end)
		return 0;
	thread_name = xstrndup(name, (size_t)(pid - name));
	id = profile_thread(r->p, p, t, thread_name);
	free(thread_name);
	return id;
}

/* A sample's time in ns when the profile's unit is a time, else -1:
 * counts are not times, and inventing times would mislead pprof. */
static int64_t sample_time(const struct speedscope_reader *r, double at)
{
	if (!r->keep_time || !r->ns_per_unit)
		return -1;
	at *= r->ns_per_unit;
	return at >= 0 && at < 9e18 ? (int64_t)at : -1;
}

static double unit_ns(const char *unit)
{
	if (!strcmp(unit, "nanoseconds"))
		return 1;
	if (!strcmp(unit, "microseconds"))
		return 1e3;
	if (!strcmp(unit, "milliseconds"))
		return 1e6;
	if (!strcmp(unit, "seconds"))
		return 1e9;
	return 0;
}

static int read_sampled(struct speedscope_reader *r, uint32_t prof,
			uint32_t thread, double time)
{
	const struct json_doc *d = &r->doc;
	uint32_t samples = json_member(d, prof, "samples");
	uint32_t weights = json_member(d, prof, "weights");
	uint32_t s, w;

	if (!samples || json_node(d, samples)->type != JSON_ARRAY)
		return bad(r, "a sampled profile has no \"samples\" array");
	if (weights && json_node(d, weights)->type != JSON_ARRAY)
		return bad(r, "\"weights\" is not an array");
	w = weights ? json_node(d, weights)->child : 0;
	for (s = json_node(d, samples)->child; s; s = json_node(d, s)->next) {
		double weight = 1;
		size_t nr = 0;
		uint32_t c;

		if (weights) {
			if (!w)
				return bad(r, "fewer weights than samples");
			if (json_node(d, w)->type != JSON_NUMBER ||
			    !(json_node(d, w)->number >= 0) ||
			    isinf(json_node(d, w)->number))
				return bad(r, "a weight is not a non-negative number");
			if (json_node(d, w)->number >= SPEEDSCOPE_MAX_WEIGHT)
				return bad(r, "a weight is 2^63 or more");
			weight = json_node(d, w)->number;
			w = json_node(d, w)->next;
		}
		if (json_node(d, s)->type != JSON_ARRAY)
			return bad(r, "a sample is not an array of frame indexes");
		for (c = json_node(d, s)->child; c; c = json_node(d, c)->next) {
			grow_array((void **)&r->stack, sizeof(*r->stack), nr + 1,
				   &r->alloc_stack);
			if (frame_index(r, json_node(d, c), &r->stack[nr++]))
				return -1;
		}
		profile_add1(r->p, profile_stack_from_frames(r->p, r->stack, nr),
			     thread, sample_time(r, time), weight);
		time += weight;
	}
	if (w)
		return bad(r, "more weights than samples");
	return 0;
}

/* Each event costs O(1): the open frames are kept as one stack id of
 * the profile's prefix tree, pushed on "O" and popped to its parent on
 * "C", so deep nesting is never rebuilt frame by frame. */
static int read_evented(struct speedscope_reader *r, uint32_t prof,
			uint32_t thread)
{
	const struct json_doc *d = &r->doc;
	uint32_t events = json_member(d, prof, "events"), e;
	uint32_t open = 0;	/* stack id of the open frames; 0 = none */
	double last = 0;
	int started = 0;

	if (!events || json_node(d, events)->type != JSON_ARRAY)
		return bad(r, "an evented profile has no \"events\" array");
	for (e = json_node(d, events)->child; e; e = json_node(d, e)->next) {
		uint32_t type = json_member(d, e, "type");
		uint32_t at = json_member(d, e, "at");
		uint32_t frame = json_member(d, e, "frame"), id;
		double when;

		if (!type || json_node(d, type)->type != JSON_STRING ||
		    !at || json_node(d, at)->type != JSON_NUMBER || !frame)
			return bad(r, "an event lacks \"type\", \"at\" or \"frame\"");
		when = json_node(d, at)->number;
		if (started && !(when >= last))
			return bad(r, "event times go backwards");
		if (frame_index(r, json_node(d, frame), &id))
			return -1;
		if (open && when - last >= SPEEDSCOPE_MAX_WEIGHT)
			return bad(r, "a frame is open for 2^63 units or more");
		if (open && when > last)
			profile_add1(r->p, open, thread, sample_time(r, last),
				     when - last);
		last = when;
		started = 1;
		if (!strcmp(json_string(d, type), "O")) {
			open = profile_stack_push(r->p, open, id);
		} else if (!strcmp(json_string(d, type), "C")) {
			if (!open || r->p->stacks[open].frame != id)
				return bad(r, "an event closes a frame that is not open");
			open = r->p->stacks[open].parent;
		} else {
			return bad(r, "an event type is neither \"O\" nor \"C\"");
		}
	}
	if (open)
		return bad(r, "frames are still open at the end of the events");
	return 0;
}

static int read_document(struct speedscope_reader *r)
{
	const struct json_doc *d = &r->doc;
	uint32_t root = 1, shared, profiles, prof;
	int nr = 0, units_set = 0;

	if (json_node(d, root)->type != JSON_OBJECT)
		return bad(r, "the top level is not an object");
	shared = json_member(d, root, "shared");
	if (read_frames(r, json_member(d, shared, "frames")))
		return -1;
	profiles = json_member(d, root, "profiles");
	if (!profiles || json_node(d, profiles)->type != JSON_ARRAY)
		return bad(r, "\"profiles\" is missing or not an array");
	for (prof = json_node(d, profiles)->child; prof;
	     prof = json_node(d, prof)->next)
		nr++;
	for (prof = json_node(d, profiles)->child; prof;
	     prof = json_node(d, prof)->next) {
		uint32_t type = json_member(d, prof, "type");
		uint32_t name = json_member(d, prof, "name");
		uint32_t unit = json_member(d, prof, "unit");
		uint32_t start = json_member(d, prof, "startValue");
		uint32_t thread = 0;
		double time = 0;
		int ret;

		if (!type || json_node(d, type)->type != JSON_STRING)
			return bad(r, "a profile has no \"type\"");
		if (!units_set && unit && json_node(d, unit)->type == JSON_STRING &&
		    strcmp(json_string(d, unit), "none")) {
			const char *types[] = { "time" };
			const char *units[] = { json_string(d, unit) };

			if (!strcmp(units[0], "bytes"))
				types[0] = "space";
			if (r->p->nr_totals == 0)
				profile_set_value_types(r->p, 1, types, units);
		}
		units_set = 1;
		r->ns_per_unit = unit && json_node(d, unit)->type == JSON_STRING ?
				 unit_ns(json_string(d, unit)) : 0;
		if (name && json_node(d, name)->type == JSON_STRING && nr > 1)
			thread = profile_thread_of(r, json_string(d, name));
		if (start && json_node(d, start)->type == JSON_NUMBER)
			time = json_node(d, start)->number;
		if (!strcmp(json_string(d, type), "sampled"))
			ret = read_sampled(r, prof, thread, time);
		else if (!strcmp(json_string(d, type), "evented"))
			ret = read_evented(r, prof, thread);
		else
			ret = bad(r, "a profile type is neither \"sampled\" nor \"evented\"");
		if (ret)
			return -1;
	}
	return 0;
}

/* Parses data (freed here when owned, as soon as the document is built,
 * to halve the peak memory) and reads the document into p. */
static int read_data(char *data, size_t len, int owned, const char *name,
		     struct profile *p, const struct read_options *o)
{
	struct speedscope_reader r;
	char err[256];
	int ret;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.p = p;
	r.keep_time = o && o->keep_samples;
	if (r.keep_time)
		p->keep_samples = 1;
	ret = json_parse(&r.doc, data, len, err, sizeof(err));
	if (owned)
		free(data);
	if (ret)
		ret = error("%s: not valid JSON: %s (is the file complete?)", name,
			    err);
	else
		ret = read_document(&r);
	json_release(&r.doc);
	free(r.frames);
	free(r.stack);
	return ret;
}

int speedscope_read_buffer(const char *data, size_t len, const char *name,
			   struct profile *p, const struct read_options *o)
{
	return read_data((char *)data, len, 0, name, p, o);
}

static int speedscope_read(struct input *in, struct profile *p,
			   const struct read_options *o)
{
	unsigned char *data;
	size_t len;

	if (input_read_all(in, &data, &len, 0) < 0)
		return -1;
	return read_data((char *)data, len, 1, input_name(in), p, o);
}

const struct format_reader speedscope_reader = {
	.name = "speedscope",
	.probe = speedscope_probe,
	.read = speedscope_read,
};

const struct format_writer speedscope_writer = {
	.name = "speedscope",
	.extensions = ".speedscope.json .json",
	.write = speedscope_write,
};
