// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_baseline.c - the fetcher's table of what each kernel key handed
 * on: as many keys as the map, found again, none past that, and after a
 * clear (whose pages go back to the kernel) empty and usable again.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "baseline.h"
#include "tap.h"

#define KEYS	100000

static struct flow_key key(uint32_t i)
{
	struct flow_key k = { .ifindex = 2, .proto = 17 };

	memcpy(k.src + 12, &i, 4);
	return k;
}

/* Fill all KEYS with packets = i + round; count the keys found intact. */
static uint32_t fill(struct baseline_table *t, uint64_t round)
{
	uint32_t i, good = 0;

	for (i = 0; i < KEYS; i++) {
		struct flow_key k = key(i);
		struct baseline *b = baseline_get(t, &k);

		if (b && b->packets == 0 && b->bytes == 0 && b->last_seen == 0) {
			b->packets = i + round;
			b->bytes = 2 * b->packets;
		}
	}
	for (i = 0; i < KEYS; i++) {
		struct flow_key k = key(i);
		struct baseline *b = baseline_find(t, &k);

		good += b && !memcmp(&b->key, &k, sizeof(k)) &&
			b->packets == i + round && b->bytes == 2 * (i + round);
	}
	return good;
}

/* Resident bytes of this process. */
static uint64_t rss(void)
{
	long pages = 0, res = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &res) != 2)
			res = 0;
		fclose(f);
	}
	return (uint64_t)res * (uint64_t)sysconf(_SC_PAGESIZE);
}

int main(void)
{
	uint64_t full;
	int64_t freed;
	struct baseline_table *t = baseline_new(KEYS);
	struct flow_key k = key(KEYS);

	if (!t)
		tap_bail("baseline_new");
	tap_is(fill(t, 1), KEYS, "%d keys, each found with its values", KEYS);
	tap_is(baseline_count(t), KEYS, "... counted");
	tap_ok(baseline_get(t, &k) == NULL, "one more than the map holds: none");
	tap_ok(baseline_find(t, &k) == NULL, "... and not found");
	full = rss();
	baseline_clear(t);
	freed = (int64_t)full - (int64_t)rss();
	tap_ok(freed >= (int64_t)(KEYS * sizeof(struct baseline)),
	       "cleared: the pages of %d keys given back (%lld KiB)", KEYS,
	       (long long)(freed / 1024));
	tap_is(baseline_count(t), 0, "cleared: empty");
	k = key(5);
	tap_ok(baseline_find(t, &k) == NULL, "cleared: a key is gone");
	tap_is(fill(t, 7), KEYS, "after the clear: every key new (zeroed) again");
	baseline_clear(t);
	baseline_clear(t);
	tap_is(baseline_count(t), 0, "a second clear changes nothing");
	tap_ok(baseline_bytes(KEYS) == (size_t)KEYS * sizeof(struct baseline) +
	       (1u << 18) * 4, "memory: 72 bytes a key and a 2^18-slot index");
	baseline_free(t);
	return tap_done();
}
