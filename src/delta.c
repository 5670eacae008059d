// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "delta.h"

/* a after b in sequence space (RFC 1982) */
static int seq_after(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

/* Sequence marks: the highest end; the earliest first segment of those
 * that are one (TCP_B_FIRST; kept with its segment count by the callers'
 * MERGE_FIRST_SEGS). */
static void seq_merge(uint32_t *end, uint32_t *first, uint8_t *bits,
		      uint32_t v_end, uint32_t v_first, uint8_t v_bits)
{
	/* a joined CPU's own end can lag its owner's, which is the mark
	 * (bpf/tcp.h): only the owner's counts */
	if (!(v_bits & TCP_B_SEQ) || (v_bits & TCP_B_JOINED))
		return;
	if (!(*bits & TCP_B_SEQ) || seq_after(v_end, *end))
		*end = v_end;
	*bits |= TCP_B_SEQ;
	if (!(v_bits & TCP_B_FIRST))
		return;
	if (!(*bits & TCP_B_FIRST) || seq_after(*first, v_first))
		*first = v_first;
	*bits |= TCP_B_FIRST;
}

/* TCP health: sums, the latest state, the first delays. */
#define MERGE_TCP(acc, v)						\
	do {								\
		(acc)->syn_count += (v)->syn_count;			\
		(acc)->fin_count += (v)->fin_count;			\
		(acc)->rst_count += (v)->rst_count;			\
		(acc)->retrans += (v)->retrans;				\
		if ((v)->tcp_hs > (acc)->tcp_hs)			\
			(acc)->tcp_hs = (v)->tcp_hs;			\
		if (((v)->tcp_bits & TCP_B_SDELAY) &&			\
		    !((acc)->tcp_bits & TCP_B_SDELAY))			\
			(acc)->server_delay_us = (v)->server_delay_us;	\
		if (((v)->tcp_bits & TCP_B_CDELAY) &&			\
		    !((acc)->tcp_bits & TCP_B_CDELAY))			\
			(acc)->client_delay_us = (v)->client_delay_us;	\
		(acc)->tcp_bits |= (v)->tcp_bits &			\
				   (TCP_B_SDELAY | TCP_B_CDELAY);	\
		seq_merge(&(acc)->seq_end, &(acc)->seq_first_end,	\
			  &(acc)->tcp_bits, (v)->seq_end,		\
			  (v)->seq_first_end, (v)->tcp_bits);		\
	} while (0)

/* The same fields in both structs: one body for both merges. */
#define MERGE(acc, v)							\
	do {								\
		MERGE_TCP(acc, v);					\
		if ((v)->packets == 0) {				\
			/* bytes whose packets were handed on already */ \
			(acc)->bytes += (v)->bytes;			\
			break;						\
		}							\
		if ((acc)->packets == 0 ||				\
		    (v)->first_seen < (acc)->first_seen) {		\
			(acc)->first_seen = (v)->first_seen;		\
			memcpy((acc)->src_mac, (v)->src_mac, 6);	\
			memcpy((acc)->dst_mac, (v)->dst_mac, 6);	\
			(acc)->tos = (v)->tos;				\
			(acc)->peer_ifindex = (v)->peer_ifindex;	\
		}							\
		if ((acc)->packets == 0 || (v)->min_ttl < (acc)->min_ttl) \
			(acc)->min_ttl = (v)->min_ttl;			\
		if ((v)->max_ttl > (acc)->max_ttl)			\
			(acc)->max_ttl = (v)->max_ttl;			\
		if ((v)->last_seen > (acc)->last_seen)			\
			(acc)->last_seen = (v)->last_seen;		\
		(acc)->packets += (v)->packets;				\
		(acc)->bytes += (v)->bytes;				\
		(acc)->tcp_flags |= (v)->tcp_flags;			\
		(acc)->flags |= (v)->flags;				\
	} while (0)

/* Before MERGE: v's first segment becomes acc's if it is the earlier. */
#define MERGE_FIRST_SEGS(acc, v)					\
	do {								\
		if (((v)->tcp_bits & TCP_B_FIRST) &&			\
		    (!((acc)->tcp_bits & TCP_B_FIRST) ||		\
		     seq_after((acc)->seq_first_end, (v)->seq_first_end))) \
			(acc)->seq_first_segs = (v)->seq_first_segs;	\
	} while (0)

void flow_metrics_merge(struct flow_metrics *acc, const struct flow_metrics *v)
{
	MERGE_FIRST_SEGS(acc, v);
	MERGE(acc, v);
}

void flow_delta_merge(struct flow_delta *acc, const struct flow_delta *v)
{
	MERGE_FIRST_SEGS(acc, v);
	MERGE(acc, v);
}

uint32_t flow_key_hash(const struct flow_key *k)
{
	const uint64_t *w = (const uint64_t *)k;
	uint64_t h = 0x9e3779b97f4a7c15ull;
	size_t i;

	_Static_assert(sizeof(*k) % 8 == 0, "flow_key is whole words");
	for (i = 0; i < sizeof(*k) / 8; i++) {
		uint64_t x;

		memcpy(&x, w + i, 8);
		h ^= x;
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	h ^= h >> 29;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 32;
	return (uint32_t)h;
}

uint32_t flow_delta_seq_retrans(const struct flow_delta *acc,
				const struct flow_delta *v)
{
	if (!(acc->tcp_bits & TCP_B_SEQ) || !(v->tcp_bits & TCP_B_FIRST))
		return 0;
	return seq_after(v->seq_first_end, acc->seq_end) ? 0 : v->seq_first_segs;
}
