/*
 * test_hash.c - util/hash.c's index and util/pidtable.c: ids found by
 * hash and key through the owner's equality (colliding hashes included:
 * every key under one hash), growth past many sizes keeping every id,
 * clearing, the byte hash's dependence on every byte and the length; the
 * inline probe (a miss's slot taking the new id, also when that insert
 * grows the index; runs of equal tags walked to the end), a fuller
 * index's limit, its header alone on a cache line, and clear_for's
 * sizes; and the pid table's dense ids, lookups of absent pids, negative and large
 * pids, and clearing.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "test.h"
#include "util/hash.h"
#include "util/pidtable.h"
#include "util/xalloc.h"

/* The owner's items: keys by id - 1. */
struct items {
	uint64_t *keys;
	uint64_t want;
};

static int key_equals(const void *ctx, uint32_t id)
{
	const struct items *it = ctx;

	return it->keys[id - 1] == it->want;
}

static uint32_t find(struct hash_index *h, struct items *it, uint64_t key,
		     uint64_t hash)
{
	it->want = key;
	return hash_index_find(h, hash, key_equals, it);
}

/* 100000 keys with their own hashes: each found under its id, after
 * every growth; absent keys are not. */
static void test_index_grows(void)
{
	enum { N = 100000 };
	struct hash_index *h = hash_index_new();
	struct items it;
	uint32_t i, wrong = 0;

	it.keys = calloc(N, sizeof(*it.keys));
	for (i = 0; i < N; i++) {
		it.keys[i] = (uint64_t)i * 7919 + 13;
		hash_index_insert(h, hash_u64(it.keys[i]), i + 1);
		/* the first and the newest stay findable while it grows */
		if (find(h, &it, it.keys[0], hash_u64(it.keys[0])) != 1 ||
		    find(h, &it, it.keys[i], hash_u64(it.keys[i])) != i + 1)
			wrong++;
	}
	CHECK(wrong == 0);
	CHECK(hash_index_count(h) == N);
	for (i = 0; i < N; i++)
		if (find(h, &it, it.keys[i], hash_u64(it.keys[i])) != i + 1)
			wrong++;
	CHECK(wrong == 0);
	CHECK(find(h, &it, 5, hash_u64(5)) == 0);
	CHECK(find(h, &it, (uint64_t)N * 7919 + 13, hash_u64((uint64_t)N * 7919 + 13)) == 0);
	hash_index_free(h);
	free(it.keys);
}

/* Every key under the same hash: the owner's equality tells them apart. */
static void test_index_collisions(void)
{
	struct hash_index *h = hash_index_new();
	uint64_t keys[200];
	struct items it = { keys, 0 };
	uint32_t i, wrong = 0;

	for (i = 0; i < 200; i++) {
		keys[i] = 1000 + i;
		hash_index_insert(h, 42ULL << 32, i + 1);
	}
	for (i = 0; i < 200; i++)
		if (find(h, &it, keys[i], 42ULL << 32) != i + 1)
			wrong++;
	CHECK(wrong == 0);
	CHECK(find(h, &it, 999, 42ULL << 32) == 0);
	/* same key, another hash: not found (the hash is part of the key) */
	CHECK(find(h, &it, 1000, 43ULL << 32) == 0);

	hash_index_clear(h);
	CHECK(hash_index_count(h) == 0);
	CHECK(find(h, &it, 1000, 42ULL << 32) == 0);
	hash_index_insert(h, 42ULL << 32, 7);
	CHECK(find(h, &it, keys[6], 42ULL << 32) == 7);
	hash_index_free(h);
	hash_index_free(NULL);
}

/* The inline probe as an owner uses it: find or add each key, with
 * many keys under a few tags so that runs are long. */
static uint32_t probe_find_or_add(struct hash_index *h, uint64_t *keys,
				  uint32_t *n, uint64_t key, uint64_t hash)
{
	struct hash_probe pr;
	uint32_t id;

	hash_probe_start(h, hash, &pr);
	while ((id = hash_probe_next(h, &pr)))
		if (keys[id - 1] == key)
			return id;
	keys[*n] = key;
	id = ++*n;
	hash_index_insert_at(h, &pr, id);
	return id;
}

static void test_index_probe(void)
{
	enum { N = 30000 };
	struct hash_index *h = hash_index_new_fill(75);
	uint64_t *keys = calloc(N, sizeof(*keys));
	struct items it = { keys, 0 };
	struct hash_probe pr;
	uint32_t n = 0, i, wrong = 0;

	for (i = 0; i < N; i++)
		/* 7 tags only, in the upper half of the hash */
		if (probe_find_or_add(h, keys, &n, i * 3 + 1,
				      (uint64_t)(i % 7) << 32) != i + 1)
			wrong++;
	CHECK(wrong == 0 && n == N && hash_index_count(h) == N);
	for (i = 0; i < N; i++)
		if (probe_find_or_add(h, keys, &n, i * 3 + 1,
				      (uint64_t)(i % 7) << 32) != i + 1)
			wrong++;
	CHECK(wrong == 0 && n == N);
	/* the callback lookup agrees with the probe */
	CHECK(find(h, &it, 3 * 500 + 1, (uint64_t)(500 % 7) << 32) == 501);
	/* an absent key under a new tag: the probe ends at once; skip
	 * stops at the same empty slot */
	hash_probe_start(h, 99ULL << 32, &pr);
	CHECK(hash_probe_next(h, &pr) == 0);
	{
		struct hash_probe again;

		hash_probe_start(h, 99ULL << 32, &again);
		hash_probe_skip(h, &again);
		CHECK(again.pos == pr.pos);
	}
	hash_index_prefetch(h, 5ULL << 32);
	hash_index_free(h);
	free(keys);
}

/* A 75 % index holds 48 of 64 slots before it grows; clear_for sizes
 * for n entries without growing on the way, and forgets everything. */
static void test_index_fill(void)
{
	struct hash_index *h = hash_index_new_fill(75), *half;
	uint32_t i;
	size_t slots;

	CHECK(h->mask + 1 == 64);
	/* alone on its cache line (xcalloc_line) */
	CHECK((uintptr_t)h % CACHE_LINE == 0);
	for (i = 1; i <= 48; i++)
		hash_index_insert(h, hash_u64(i), i);
	CHECK(h->mask + 1 == 64 && hash_index_full(h));
	hash_index_insert(h, hash_u64(49), 49);
	CHECK(h->mask + 1 == 128 && !hash_index_full(h));
	hash_index_clear_for(h, 1000);
	CHECK(hash_index_count(h) == 0 && h->limit >= 1000);
	slots = h->mask + 1;
	for (i = 1; i <= 1000; i++)
		hash_index_insert(h, hash_u64(i), i);
	CHECK(h->mask + 1 == slots && hash_index_count(h) == 1000);
	/* never shrinks; keeps the room when it is enough */
	hash_index_clear_for(h, 10);
	CHECK(h->mask + 1 == slots && hash_index_count(h) == 0);
	{
		struct items it = { NULL, 0 };

		CHECK(find(h, &it, 1, hash_u64(1)) == 0);
	}
	hash_index_free(h);
	/* the bounds of fill: 50 by default, 25 to 90 */
	half = hash_index_new();
	CHECK(half->limit == 32);
	hash_index_free(half);
	h = hash_index_new_fill(100);
	CHECK(h->limit == 57);
	hash_index_free(h);
	h = hash_index_new_fill(1);
	CHECK(h->limit == 16);
	hash_index_free(h);
}

static void test_hash_bytes(void)
{
	char a[40], b[40];
	size_t i;
	int same = 0;

	memset(a, 'x', sizeof(a));
	memcpy(b, a, sizeof(b));
	CHECK(hash_bytes(a, sizeof(a), 0) == hash_bytes(b, sizeof(b), 0));
	for (i = 0; i < sizeof(a); i++) {
		b[i] ^= 1;
		same += hash_bytes(a, sizeof(a), 0) == hash_bytes(b, sizeof(b), 0);
		b[i] ^= 1;
	}
	CHECK(same == 0);
	/* the length counts: "xxx" and "xxxx", and the empty string */
	CHECK(hash_bytes(a, 3, 0) != hash_bytes(a, 4, 0));
	CHECK(hash_bytes(a, 0, 0) != hash_bytes(a, 0, 1));
	CHECK(hash_u64(1) != hash_u64(2) && hash_u64(0) != 0);
}

static void test_pid_table(void)
{
	struct pid_table t;
	int added = -1;
	uint32_t i, wrong = 0;

	pid_table_init(&t);
	CHECK(pid_table_find(&t, 1) == 0);
	CHECK(pid_table_add(&t, 4242, &added) == 1 && added == 1);
	CHECK(pid_table_add(&t, 4242, &added) == 1 && added == 0);
	CHECK(pid_table_add(&t, -1, NULL) == 2);
	CHECK(pid_table_add(&t, (int64_t)1 << 40, NULL) == 3);
	CHECK(pid_table_find(&t, -1) == 2);
	CHECK(pid_table_find(&t, (int64_t)1 << 40) == 3);
	CHECK(pid_table_find(&t, 4243) == 0);
	/* many processes: dense ids in order, each found */
	for (i = 0; i < 5000; i++)
		if (pid_table_add(&t, 100000 + i, NULL) != i + 4)
			wrong++;
	for (i = 0; i < 5000; i++)
		if (pid_table_find(&t, 100000 + i) != i + 4 ||
		    t.pids[i + 3] != 100000 + i)
			wrong++;
	CHECK(wrong == 0);
	CHECK(pid_table_count(&t) == 5003);
	pid_table_clear(&t);
	CHECK(pid_table_count(&t) == 0 && pid_table_find(&t, 4242) == 0);
	CHECK(pid_table_add(&t, 7, NULL) == 1);
	pid_table_release(&t);
}

int main(void)
{
	RUN(test_index_grows);
	RUN(test_index_collisions);
	RUN(test_index_probe);
	RUN(test_index_fill);
	RUN(test_hash_bytes);
	RUN(test_pid_table);
	TEST_EXIT();
}
