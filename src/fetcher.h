/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fetcher.h - the only place where BPF map contents become flow deltas.
 *
 * Every fetch: swap the active A/B map (the kernel returns from that
 * update only after every running program finished), drain the idle map
 * with BPF_MAP_LOOKUP_AND_DELETE_BATCH (per-key on kernels without it),
 * merge the per-CPU values, and hand each key's delta, with times already
 * CLOCK_MONOTONIC ns, to a callback.  Ring-buffer records (flows that did
 * not fit in the map) go to the same callback.  Stats are read as deltas.
 */
#ifndef TCFLOWD_FETCHER_H
#define TCFLOWD_FETCHER_H

#include <stdbool.h>
#include <stdint.h>

#include "datapath.h"
#include "delta.h"

typedef void (*fetcher_flow_fn)(void *ctx, const struct flow_key *key,
				const struct flow_delta *delta);

struct fetcher_stats {
	uint64_t	fetches;
	uint64_t	skipped;	/* of which found nothing to drain */
	uint64_t	flows;		/* map entries drained */
	uint64_t	ring_records;	/* ring-buffer records merged */
	uint64_t	ring_bad;	/* ring-buffer records too short: lost */
	uint64_t	last_fetch_ns;	/* how long the last fetch took */
	bool		batch;		/* batch ops in use */
};

struct fetcher;

/* Returns NULL and sets errno. */
struct fetcher *fetcher_new(struct datapath *dp, uint32_t map_entries,
			    fetcher_flow_fn fn, void *ctx);
void fetcher_free(struct fetcher *f);

/* Swap, drain the idle map, consume the ring.  Returns 0 or -errno. */
int fetcher_run(struct fetcher *f);

/* The ring buffer's epoll fd, and a consume for when it is readable. */
int fetcher_ring_fd(const struct fetcher *f);
int fetcher_poll_ring(struct fetcher *f);

/* Skip the drain when no program ran since the map was made active (the
 * default); off for bench/fetch, which fills the maps itself. */
void fetcher_skip_idle(struct fetcher *f, bool skip);

/* Force the per-key path (tests and bench/fetch compare the two). */
void fetcher_use_batch(struct fetcher *f, bool batch);

/*
 * The kernel counters since the previous call, added into *total as well.
 * Reads sums of per-CPU counters and subtracts; never read-then-zero.
 */
int fetcher_stats_delta(struct fetcher *f, struct flow_stats *delta,
			struct flow_stats *total);

const struct fetcher_stats *fetcher_stats(const struct fetcher *f);

#endif /* TCFLOWD_FETCHER_H */
