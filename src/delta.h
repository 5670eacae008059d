/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * delta.h - struct flow_delta, the user-space flow type, and merging.
 *
 * The kernel's struct flow_metrics (bpf/flow.h) keeps datapath-clock
 * times (jiffies or ns); src/fetcher.c alone turns it into a flow_delta,
 * whose times are CLOCK_MONOTONIC ns.  Everything after the fetcher (the
 * flow cache, record building) works with flow_delta only.
 */
#ifndef TCFLOWD_DELTA_H
#define TCFLOWD_DELTA_H

#include <stdint.h>

#include "flow.h"

/* What one flow did since it was last reported, in user-space terms. */
struct flow_delta {
	uint64_t	packets;
	uint64_t	bytes;		/* IP bytes (octetDeltaCount) */
	uint64_t	first_seen;	/* CLOCK_MONOTONIC ns */
	uint64_t	last_seen;	/* CLOCK_MONOTONIC ns */
	uint8_t		src_mac[6];	/* of the first packet */
	uint8_t		dst_mac[6];
	uint16_t	tcp_flags;	/* OR of all TCP flags seen */
	uint8_t		tos;		/* of the first packet */
	uint8_t		min_ttl;
	uint8_t		max_ttl;
	uint8_t		flags;		/* FLOW_F_* */
	uint32_t	peer_ifindex;	/* egress hook: where a forwarded
					 * packet came in */
};

/*
 * Merge v into acc: sums, OR of flags, earliest first_seen, latest
 * last_seen, min/max TTL, and the MACs, ToS and peer interface of the
 * earliest packet.  A v without packets adds its bytes only (bytes a torn
 * read of a live kernel entry saw after their packets; see fetcher.c).
 * flow_metrics_merge() does the same for the kernel's per-CPU values (of
 * one clock), flow_delta_merge() for the flow cache.
 */
void flow_metrics_merge(struct flow_metrics *acc, const struct flow_metrics *v);
void flow_delta_merge(struct flow_delta *acc, const struct flow_delta *v);

/* A hash of the whole key (flow cache, fetcher baselines). */
uint32_t flow_key_hash(const struct flow_key *k);

#endif /* TCFLOWD_DELTA_H */
