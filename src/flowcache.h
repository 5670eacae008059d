/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flowcache.h - cumulative per-flow state between fetches, and expiry.
 *
 * Fed one fetch's deltas per key (times already CLOCK_MONOTONIC ns), it
 * emits a record whenever a flow ends or must be reported: idle timeout,
 * active timeout (the flow continues with fresh counters), TCP FIN/RST
 * plus tcp_end timeout, cache full (the least recently active flow), and
 * shutdown.  O(1) per update; memory is fixed at creation.
 * The clock is passed in (now), so tests drive it.
 */
#ifndef TCFLOWD_FLOWCACHE_H
#define TCFLOWD_FLOWCACHE_H

#include <stdint.h>

#include "delta.h"

/* flowEndReason, IANA IE 136 */
#define END_IDLE	1
#define END_ACTIVE	2
#define END_DETECTED	3	/* TCP FIN or RST */
#define END_FORCED	4	/* shutdown, interface gone */
#define END_RESOURCES	5	/* cache full */
#define END_REASONS	6

struct flowcache;

struct flowcache_timeouts {
	uint64_t	active_ns;
	uint64_t	idle_ns;
	uint64_t	tcp_end_ns;
};

struct flowcache_stats {
	uint64_t	updates;		/* deltas merged */
	uint64_t	created;		/* flows created */
	uint64_t	exported[END_REASONS];	/* records, by end reason */
	uint64_t	evicted;		/* cache full: END_RESOURCES */
	uint64_t	tcp_states_unreported;	/* TCP health alone, for a flow
						 * with no record open to carry
						 * it (just reported, or not
						 * in the cache) */
	uint32_t	active;			/* flows held now */
};

/*
 * Called for every record the cache emits.  m holds the counters since the
 * previous record of the same flow (times CLOCK_MONOTONIC ns).  The
 * callback must not call back into the cache.
 */
typedef void (*flowcache_emit_fn)(void *ctx, const struct flow_key *key,
				  const struct flow_delta *m, int reason);

/* A cache of max_flows flows.  Returns NULL and sets errno. */
struct flowcache *flowcache_new(uint32_t max_flows,
				const struct flowcache_timeouts *t,
				flowcache_emit_fn emit, void *ctx);
void flowcache_free(struct flowcache *fc);

void flowcache_set_timeouts(struct flowcache *fc,
			    const struct flowcache_timeouts *t);

/* Merge one delta for key (a full cache first evicts a flow). */
void flowcache_update(struct flowcache *fc, const struct flow_key *key,
		      const struct flow_delta *delta);

/* flowcache_update for n deltas, in order, faster: their memory is
 * fetched ahead. */
void flowcache_update_batch(struct flowcache *fc, const struct flow_key *keys,
			    const struct flow_delta *deltas, size_t n);

/* Emit and drop/restart what has timed out at now. */
void flowcache_expire(struct flowcache *fc, uint64_t now);

/* Emit every flow with reason END_FORCED and empty the cache. */
void flowcache_flush(struct flowcache *fc);

/* Emit (END_FORCED) and drop the flows observed on ifindex. */
void flowcache_flush_ifindex(struct flowcache *fc, uint32_t ifindex);

const struct flowcache_stats *flowcache_stats(const struct flowcache *fc);

/* Bytes of memory per flow slot (entry plus index). */
size_t flowcache_bytes_per_flow(void);

#endif /* TCFLOWD_FLOWCACHE_H */
