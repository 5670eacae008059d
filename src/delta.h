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
	/* TCP health (bpf/tcp.h) */
	uint32_t	syn_count, fin_count, rst_count; /* packets */
	uint32_t	retrans;	/* retransmitted data segments */
	uint32_t	server_delay_us; /* SYN -> SYN-ACK; valid: TCP_B_SDELAY */
	uint32_t	client_delay_us; /* SYN-ACK -> ACK; valid: TCP_B_CDELAY */
	uint8_t		tcp_hs;		/* TCP_HS_* */
	uint8_t		tcp_bits;	/* TCP_B_SDELAY, _CDELAY, _SEQ, _FIRST */
	/* sequence marks: the highest end seen (TCP_B_SEQ), and the end and
	 * segments of the first data segment of this kernel epoch, which
	 * the kernel could not compare with the epochs before (TCP_B_FIRST;
	 * handed on with the entry's first delta of the epoch only, else 0) */
	uint32_t	seq_end;
	uint32_t	seq_first_end;
	uint32_t	seq_first_segs;
};

/*
 * Merge v into acc: sums, OR of flags, earliest first_seen, latest
 * last_seen, min/max TTL, and the MACs, ToS and peer interface of the
 * earliest packet; TCP health: counts summed, the latest handshake state,
 * the first delays.  A v without packets adds its bytes (bytes a torn
 * read of a live kernel entry saw after their packets; see fetcher.c) and
 * its TCP health (the kernel writes the handshake's outcome into the
 * other direction's value, which may have no new packet).
 * flow_metrics_merge() does the same for the kernel's per-CPU values (of
 * one clock), flow_delta_merge() for the flow cache.
 */
void flow_metrics_merge(struct flow_metrics *acc, const struct flow_metrics *v);
void flow_delta_merge(struct flow_delta *acc, const struct flow_delta *v);

/* A hash of the whole key (flow cache, fetcher baselines). */
uint32_t flow_key_hash(const struct flow_key *k);

/*
 * The retransmitted segments among v's first data segments, against the
 * sequence mark of the flow so far (acc): a delta's first segment was
 * only a mark in the kernel, whose values start anew at every epoch (the
 * fetcher hands the mark on once an epoch).  0 if either has no mark.
 */
uint32_t flow_delta_seq_retrans(const struct flow_delta *acc,
				const struct flow_delta *v);

#endif /* TCFLOWD_DELTA_H */
