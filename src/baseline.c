// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * baseline.c - a fixed-size hash of kernel keys to what was handed on.
 *
 * A slab of entries filled in order, and an open-addressing index (linear
 * probing) at most half full.  Keys are only added until the table is
 * cleared as a whole, so there is no deletion; clearing gives back the
 * pages the keys used.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include "baseline.h"
#include "delta.h"

struct baseline_table {
	struct baseline	*e;		/* max_keys, used from 0 to n */
	uint32_t	*index;		/* slab slot + 1; 0 = empty */
	uint32_t	mask;		/* index size - 1 */
	uint32_t	n, max;
};

static uint32_t index_size(uint32_t max_keys)
{
	uint32_t size = 16;

	while (size < 2ull * max_keys)
		size <<= 1;
	return size;
}

size_t baseline_bytes(uint32_t max_keys)
{
	return (size_t)max_keys * sizeof(struct baseline) +
	       (size_t)index_size(max_keys) * sizeof(uint32_t);
}

struct baseline_table *baseline_new(uint32_t max_keys)
{
	struct baseline_table *t = calloc(1, sizeof(*t));

	if (!t)
		return NULL;
	t->max = max_keys;
	t->mask = index_size(max_keys) - 1;
	/* calloc: pages are resident only once a key lands there */
	t->e = calloc(max_keys ? max_keys : 1, sizeof(*t->e));
	t->index = calloc((size_t)t->mask + 1, sizeof(*t->index));
	if (!t->e || !t->index) {
		baseline_free(t);
		errno = ENOMEM;
		return NULL;
	}
	return t;
}

void baseline_free(struct baseline_table *t)
{
	if (!t)
		return;
	free(t->e);
	free(t->index);
	free(t);
}

/* The index slot holding key, or the empty slot where it would go. */
static uint32_t slot_of(const struct baseline_table *t,
			const struct flow_key *key)
{
	uint32_t s = flow_key_hash(key) & t->mask;

	while (t->index[s] &&
	       memcmp(&t->e[t->index[s] - 1].key, key, sizeof(*key)))
		s = (s + 1) & t->mask;
	return s;
}

struct baseline *baseline_find(struct baseline_table *t,
			       const struct flow_key *key)
{
	uint32_t s = slot_of(t, key);

	return t->index[s] ? &t->e[t->index[s] - 1] : NULL;
}

struct baseline *baseline_get(struct baseline_table *t,
			      const struct flow_key *key)
{
	uint32_t s = slot_of(t, key);
	struct baseline *b;

	if (t->index[s])
		return &t->e[t->index[s] - 1];
	if (t->n == t->max)
		return NULL;
	b = &t->e[t->n];
	memset(b, 0, sizeof(*b));
	b->key = *key;
	t->index[s] = ++t->n;
	return b;
}

/*
 * Zero len bytes at p and give their whole pages back to the kernel
 * (anonymous memory reads as zero again once touched): an epoch frees
 * what the last one's keys took.  Partial pages at the ends are zeroed.
 */
static void release(void *p, size_t len)
{
	uintptr_t page = (uintptr_t)sysconf(_SC_PAGESIZE);
	uintptr_t a = (uintptr_t)p, end = a + len;
	uintptr_t lo = (a + page - 1) & ~(page - 1), hi = end & ~(page - 1);

	if (lo >= hi || madvise((void *)lo, hi - lo, MADV_DONTNEED)) {
		memset(p, 0, len);
		return;
	}
	memset(p, 0, lo - a);
	memset((void *)hi, 0, end - hi);
}

void baseline_clear(struct baseline_table *t)
{
	if (!t->n)
		return;
	release(t->index, ((size_t)t->mask + 1) * sizeof(*t->index));
	release(t->e, (size_t)t->n * sizeof(*t->e));
	t->n = 0;
}

uint32_t baseline_count(const struct baseline_table *t)
{
	return t->n;
}
