/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * counters.h - the per-CPU counters (flow.h STAT_*) every program counts
 * into, read and summed by the daemon (the stats line, the metrics).
 */
#ifndef TCFLOWD_COUNTERS_H
#define TCFLOWD_COUNTERS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "flow.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct flow_stats);
} stats SEC(".maps");

/* One more of counter i, where the caller does not hold the counters. */
static __always_inline void counter_add(__u32 i)
{
	__u32 zero = 0;
	struct flow_stats *st = bpf_map_lookup_elem(&stats, &zero);

	if (st && i < STAT_MAX)
		st->c[i]++;
}

#endif /* TCFLOWD_COUNTERS_H */
