/*
 * test_container.c - the container label of a /proc/PID/cgroup text
 * (proc/container.c): the v2 line found among v1 lines, runtime
 * prefixes and .scope cut to a 12-digit id, no label for the root or a
 * file without a v2 line, and labels cut to the room given.
 */
#include <unistd.h>

#include "proc/container.h"
#include "test.h"

static void test_cgroup_labels(void)
{
	char out[64];

	CHECK(container_cgroup_label("0::/\n", out, sizeof(out)) == 0);
	CHECK_STR(out, "");
	CHECK(container_cgroup_label("", out, sizeof(out)) == 0);
	CHECK(container_cgroup_label("1:name=systemd:/x\n", out,
				     sizeof(out)) == 0);
	CHECK(container_cgroup_label("0::/system.slice/web.service\n", out,
				     sizeof(out)) == 11);
	CHECK_STR(out, "web.service");
	/* the v2 line after v1 ones, no final newline, trailing slash */
	container_cgroup_label("3:cpu:/a\n0::/machine/box/", out, sizeof(out));
	CHECK_STR(out, "box");
	container_cgroup_label("0::/system.slice/docker-0123456789abcdef0123456789abcdef.scope\n",
			       out, sizeof(out));
	CHECK_STR(out, "0123456789ab");
	container_cgroup_label("0::/machine.slice/libpod-abc123.scope\n", out,
			       sizeof(out));
	CHECK_STR(out, "abc123");
	/* a prefix without a hex id stays as it is */
	container_cgroup_label("0::/docker-compose.scope\n", out, sizeof(out));
	CHECK_STR(out, "docker-compose.scope");
	CHECK(container_cgroup_label("0::/long-name\n", out, 5) == 4);
	CHECK_STR(out, "long");
}

static void test_own_process(void)
{
	char out[64];

	/* scorch's own pid namespace: no label */
	CHECK(container_label(getpid(), out, sizeof(out)) == 0);
	CHECK_STR(out, "");
}

int main(void)
{
	RUN(test_cgroup_labels);
	RUN(test_own_process);
	TEST_EXIT();
}
