// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_kmem.c - the kernel map memory arithmetic and the default
 * kernel_flows rule: 65,536 flows a map until the two flow maps would pass
 * 256 MiB, then fewer (multiples of 1024, at least 1024).  The figures of
 * README's sizing table.
 */
#include <bpf/libbpf.h>

#include "kmem.h"
#include "tap.h"

#define MIB	(1ull << 20)

/* the default for ncpus CPUs, and that it fits while 1024 more would not */
static void rule(int ncpus, uint32_t want)
{
	uint32_t n = kmem_default_entries(ncpus);

	tap_is(n, want, "%d CPUs: %u flows a map by default", ncpus, want);
	tap_ok(2 * kmem_flow_map_bytes(n, ncpus) <= KMEM_BUDGET,
	       "%d CPUs: both maps within 256 MiB (%llu MiB)", ncpus,
	       (unsigned long long)(2 * kmem_flow_map_bytes(n, ncpus) / MIB));
	if (n < FLOW_MAP_DEFAULT_ENTRIES && n > 1024)
		tap_ok(2 * kmem_flow_map_bytes(n + 1024, ncpus) > KMEM_BUDGET,
		       "%d CPUs: the largest multiple of 1024 that fits", ncpus);
}

int main(void)
{
	/* one element: 48 (htab_elem) + 48 (key) + 8 (pointer), a 96-byte
	 * value per CPU, and a 16-byte bucket per power-of-2 entry */
	tap_is(kmem_flow_map_bytes(65536, 2), 65536ull * (104 + 2 * 96) + 65536 * 16,
	       "65536 flows on 2 CPUs: %llu bytes a map",
	       (unsigned long long)kmem_flow_map_bytes(65536, 2));
	tap_is(kmem_flow_map_bytes(1000, 1), 1000ull * 200 + 1024 * 16,
	       "buckets round up to a power of 2");
	tap_is(kmem_map_bytes(65536, 1 << 20, 2),
	       2 * kmem_flow_map_bytes(65536, 2) + (1 << 20) + 2 * 160,
	       "every map: two flow maps, the ring, the stats");
	/* without the rule: 783 MiB on 64 CPUs, 1551 MiB on 128 */
	tap_is(2 * kmem_flow_map_bytes(65536, 64) / MIB, 783,
	       "65536 flows on 64 CPUs would take 783 MiB");
	tap_is(2 * kmem_flow_map_bytes(65536, 128) / MIB, 1551,
	       "65536 flows on 128 CPUs would take 1551 MiB");
	rule(2, 65536);
	rule(16, 65536);
	rule(20, 65536);	/* the most CPUs that keep 65,536 */
	rule(21, 62464);
	rule(32, 40960);
	rule(64, 20480);
	rule(128, 10240);
	/* the floor: 1024 flows a map, past the budget (768 MiB) */
	tap_is(kmem_default_entries(4096), 1024, "4096 CPUs: never below 1024");
	tap_is(kmem_default_entries(0), 65536, "an unknown CPU count counts as 1");
	tap_is((uint64_t)kmem_possible_cpus(), (uint64_t)libbpf_num_possible_cpus(),
	       "possible CPUs counted as libbpf counts them (%d)",
	       kmem_possible_cpus());
	return tap_done();
}
