/*
 * test_output.c - unit tests of where an output name leads
 * (util/output_path.c) and of util/output.c's all-or-nothing files:
 * new names, regular files, relative and dangling symlink chains, loops,
 * directories, FIFOs, our own descriptors by /proc/self/fd/N and
 * /dev/fd/N; a committed file replaces the old one, an aborted or failed
 * one leaves it and no temporary file.  Works in a mkdtemp directory.
 */
#include <dirent.h>
#include <signal.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/output.h"
#include "util/output_path.h"
#include "test.h"

static char dir[64];

static const char *at(const char *name)
{
	static char path[4][256];
	static int next;
	char *p = path[next++ % 4];

	snprintf(p, 256, "%s/%s", dir, name);
	return p;
}

static void put(const char *name, const char *text)
{
	FILE *f = fopen(at(name), "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int same_text(const char *name, const char *text)
{
	char buf[256] = "";
	FILE *f = fopen(at(name), "r");
	size_t n;

	if (!f)
		return 0;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return !strcmp(buf, text);
}

/* entries of dir whose names hold ".tmp-" or start ".scorch-" */
static int temporaries(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp-") || !strncmp(e->d_name, ".scorch-", 8))
			n++;
	closedir(d);
	return n;
}

static void test_resolve_kinds(void)
{
	struct output_path w;

	CHECK(output_path_resolve(at("new.svg"), &w) == 0);
	CHECK(w.kind == OUTPUT_REPLACE && !w.exists);
	CHECK_STR(w.file, at("new.svg"));
	output_path_release(&w);

	put("old.svg", "old");
	chmod(at("old.svg"), 0640);
	CHECK(output_path_resolve(at("old.svg"), &w) == 0);
	CHECK(w.kind == OUTPUT_REPLACE && w.exists && (w.mode & 0777) == 0640);
	output_path_release(&w);

	CHECK(output_path_resolve(dir, &w) == -1);	/* a directory */

	mkfifo(at("fifo"), 0600);
	CHECK(output_path_resolve(at("fifo"), &w) == 0);
	CHECK(w.kind == OUTPUT_IN_PLACE);
	CHECK_STR(w.file, at("fifo"));
	output_path_release(&w);
}

static void test_resolve_links(void)
{
	struct output_path w;

	/* link -> sub/link2 -> ../real.txt (relative to each link's dir) */
	mkdir(at("sub"), 0755);
	put("real.txt", "x");
	symlink("sub/link2", at("link"));
	symlink("../real.txt", at("sub/link2"));
	CHECK(output_path_resolve(at("link"), &w) == 0);
	CHECK(w.kind == OUTPUT_REPLACE && w.exists);
	CHECK_STR(w.file, at("sub/../real.txt"));
	output_path_release(&w);

	/* dangling: the name it points to, to be created */
	symlink("sub/none.txt", at("dangling"));
	CHECK(output_path_resolve(at("dangling"), &w) == 0);
	CHECK(w.kind == OUTPUT_REPLACE && !w.exists);
	CHECK_STR(w.file, at("sub/none.txt"));
	output_path_release(&w);

	/* a loop is refused, not followed forever */
	symlink("loop2", at("loop1"));
	symlink("loop1", at("loop2"));
	CHECK(output_path_resolve(at("loop1"), &w) == -1);

	/* a link to a FIFO writes the FIFO in place */
	symlink("fifo", at("to-fifo"));
	CHECK(output_path_resolve(at("to-fifo"), &w) == 0);
	CHECK(w.kind == OUTPUT_IN_PLACE);
	output_path_release(&w);
}

static void test_resolve_descriptors(void)
{
	struct output_path w;

	CHECK(output_path_resolve("/proc/self/fd/1", &w) == 0);
	CHECK(w.kind == OUTPUT_DESCRIPTOR && w.fd == 1);
	output_path_release(&w);
	CHECK(output_path_resolve("/dev/fd/2", &w) == 0);
	CHECK(w.kind == OUTPUT_DESCRIPTOR && w.fd == 2);
	output_path_release(&w);
	/* a link of our own to /proc/self/fd/1 */
	symlink("/proc/self/fd/1", at("stdout"));
	CHECK(output_path_resolve(at("stdout"), &w) == 0);
	CHECK(w.kind == OUTPUT_DESCRIPTOR && w.fd == 1);
	output_path_release(&w);
}

static void test_commit_abort(void)
{
	struct output out;

	put("keep.txt", "old");
	CHECK(output_open(&out, at("keep.txt")) == 0);
	fputs("discarded", out.fp);
	CHECK(temporaries() == 1);
	output_abort(&out);
	CHECK(same_text("keep.txt", "old"));
	CHECK(temporaries() == 0);

	CHECK(output_open(&out, at("keep.txt")) == 0);
	fputs("new", out.fp);
	CHECK(!output_write_failed(&out));
	CHECK(output_commit(&out) == 0);
	CHECK(same_text("keep.txt", "new"));
	CHECK(temporaries() == 0);

	/* through a link: the target changes, the link stays */
	symlink("keep.txt", at("keep-link"));
	CHECK(output_open(&out, at("keep-link")) == 0);
	fputs("via link", out.fp);
	CHECK(output_commit(&out) == 0);
	CHECK(same_text("keep.txt", "via link"));
	{
		struct stat st;

		CHECK(lstat(at("keep-link"), &st) == 0 && S_ISLNK(st.st_mode));
	}
}

/* a descriptor that fails every write: the read end of a pipe is no
 * good, so a pipe with its read end closed, SIGPIPE ignored */
static void test_write_error(void)
{
	struct output out;
	char name[64];
	int p[2];

	CHECK(pipe(p) == 0);
	close(p[0]);
	signal(SIGPIPE, SIG_IGN);
	snprintf(name, sizeof(name), "/proc/self/fd/%d", p[1]);
	CHECK(output_open(&out, name) == 0);
	fputs("lost", out.fp);
	fflush(out.fp);
	CHECK(output_write_failed(&out));
	CHECK(output_commit(&out) == -1);	/* reported, one line */
	close(p[1]);
	signal(SIGPIPE, SIG_DFL);
}

int main(void)
{
	char cmd[128];

	snprintf(dir, sizeof(dir), "/tmp/scorch-test-output.XXXXXX");
	if (!mkdtemp(dir)) {
		printf("FAIL test_output: cannot make a directory\n");
		return 1;
	}
	RUN(test_resolve_kinds);
	RUN(test_resolve_links);
	RUN(test_resolve_descriptors);
	RUN(test_commit_abort);
	RUN(test_write_error);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		printf("  could not remove %s\n", dir);
	TEST_EXIT();
}
