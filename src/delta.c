// SPDX-License-Identifier: GPL-2.0-or-later
#include <string.h>

#include "delta.h"

/* The same fields in both structs: one body for both merges. */
#define MERGE(acc, v)							\
	do {								\
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

void flow_metrics_merge(struct flow_metrics *acc, const struct flow_metrics *v)
{
	MERGE(acc, v);
}

void flow_delta_merge(struct flow_delta *acc, const struct flow_delta *v)
{
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
