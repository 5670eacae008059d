/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * kmem.h - what the kernel maps take, and the default kernel_flows.
 *
 * A per-CPU hash preallocates, per entry, one element (kernel/bpf/
 * hashtab.c: struct htab_elem, 48 bytes, the key rounded up to 8, a
 * pointer to the per-CPU value) and a value for every possible CPU (64
 * bytes each), plus a 16-byte bucket per entry rounded up to a power of
 * 2.  There are two flow maps (A and B).  Pure arithmetic: the config
 * check and the loader share it, and so can a test.
 */
#ifndef TCFLOWD_KMEM_H
#define TCFLOWD_KMEM_H

#include <stdint.h>

#include "flow.h"

/* Both flow maps stay within this by default. */
#define KMEM_BUDGET	(256ull << 20)

/* Bytes of one flow map of entries entries on ncpus CPUs. */
uint64_t kmem_flow_map_bytes(uint32_t entries, int ncpus);

/* Bytes of every map: both flow maps, the ring, the stats. */
uint64_t kmem_map_bytes(uint32_t entries, uint32_t ring_bytes, int ncpus);

/*
 * The default flows per map on ncpus CPUs: FLOW_MAP_DEFAULT_ENTRIES, or
 * fewer (a multiple of 1024, at least 1024) so that both flow maps stay
 * within KMEM_BUDGET.
 */
uint32_t kmem_default_entries(int ncpus);

/* Possible CPUs (/sys/devices/system/cpu/possible, as libbpf counts
 * them; per-CPU maps hold a value for each), 1 if unknown. */
int kmem_possible_cpus(void);

#endif /* TCFLOWD_KMEM_H */
