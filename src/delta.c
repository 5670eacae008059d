// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "delta.h"

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
	} while (0)

/* The same fields in both structs: one body for both merges. */
#define MERGE(acc, v)							\
	do {								\
		MERGE_TCP(acc, v);					\
		if ((v)->packets == 0)					\
			break;						\
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

void flow_metrics_merge(struct flow_metrics *acc, const struct flow_metrics *v)
{
	MERGE(acc, v);
}

void flow_delta_merge(struct flow_delta *acc, const struct flow_delta *v)
{
	MERGE(acc, v);
}
