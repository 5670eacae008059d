// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * kmem.c - what the kernel maps take, and the default kernel_flows.
 */
#include <stdio.h>
#include <stdlib.h>

#include "flow.h"
#include "kmem.h"

uint64_t kmem_flow_map_bytes(uint32_t entries, int ncpus)
{
	uint64_t elem = 48 + ((sizeof(struct flow_key) + 7) & ~7ull) + 8;
	uint64_t buckets = 1;

	while (buckets < entries)
		buckets <<= 1;
	return (uint64_t)entries *
	       (elem + (uint64_t)ncpus * sizeof(struct flow_metrics)) +
	       buckets * 16;
}

uint64_t kmem_map_bytes(uint32_t entries, uint32_t ring_bytes, int ncpus)
{
	return 2 * kmem_flow_map_bytes(entries, ncpus) + ring_bytes +
	       (uint64_t)ncpus * sizeof(struct flow_stats);
}

uint32_t kmem_default_entries(int ncpus)
{
	uint32_t n = FLOW_MAP_DEFAULT_ENTRIES;

	if (ncpus < 1)
		ncpus = 1;
	while (n > 1024 && 2 * kmem_flow_map_bytes(n, ncpus) > KMEM_BUDGET)
		n -= 1024;
	return n;
}

int kmem_possible_cpus(void)
{
	FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
	int n = 0, a, b;
	char sep;

	if (!f)
		return 1;
	/* "0-127" or "0,2-5,8": ranges and single CPUs */
	while (fscanf(f, "%d", &a) == 1) {
		b = a;
		sep = (char)fgetc(f);
		if (sep == '-') {
			if (fscanf(f, "%d", &b) != 1)
				break;
			sep = (char)fgetc(f);
		}
		n += b - a + 1;
		if (sep != ',')
			break;
	}
	fclose(f);
	return n > 0 ? n : 1;
}
