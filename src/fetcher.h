/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * fetcher.h - the only place where BPF map contents become flow deltas.
 *
 * Kernel entries persist between epochs.  A fetch inside an epoch reads
 * the active map's cumulative per-CPU values in place (BPF_MAP_LOOKUP_BATCH,
 * nothing deleted, so a steady flow is never re-inserted) and hands on
 * only what each key gained since it was last handed on (baselines kept
 * per key, see baseline.h); a large map's read waits for a multiple of
 * the last one's length (fetcher_set_read_spacing).  A fetch that ends an
 * epoch swaps the active A/B map (the kernel returns from that update only
 * after every running program finished) and drains the now idle map with
 * BPF_MAP_LOOKUP_AND_DELETE_BATCH (per key on kernels without batch ops):
 * the last deltas of its keys, exact.  An epoch ends every epoch_ns, when
 * the map was seven eighths full at the last read or an insert failed
 * (map full), and when asked (fetcher_end_epoch: shutdown).  Deltas have
 * times already CLOCK_MONOTONIC ns.  Ring-buffer records (flows that did
 * not fit in the map) go to the same callback.  Stats are read as deltas.
 */
#ifndef TCFLOWD_FETCHER_H
#define TCFLOWD_FETCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "datapath.h"
#include "delta.h"

typedef void (*fetcher_flow_fn)(void *ctx, const struct flow_key *key,
				const struct flow_delta *delta);
/* n deltas at once, in the order they were read */
typedef void (*fetcher_flows_fn)(void *ctx, const struct flow_key *keys,
				 const struct flow_delta *deltas, size_t n);

struct fetcher_stats {
	uint64_t	fetches;
	uint64_t	skipped;	/* of which found nothing to drain */
	uint64_t	flows;		/* map entries drained */
	uint64_t	epochs;		/* swaps */
	uint64_t	reads;		/* reads of the active map in place */
	uint64_t	deferred;	/* fetches that left the read for later
					 * (read spacing) */
	uint64_t	live_entries;	/* entries at the last read in place */
	uint64_t	untracked;	/* entries with no baseline room (left
					 * for the drain; cannot happen) */
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

/* Hand deltas on through fn, in batches, instead of one by one; before
 * fetcher_run and fetcher_poll_ring return, every delta is handed on. */
void fetcher_set_batch_fn(struct fetcher *f, fetcher_flows_fn fn);

/* A poll of the ring hands on at most this many records (default: as
 * many as the ring holds), so that a producer faster than the merge
 * cannot keep the caller there; fetcher_poll_ring returns 1 and
 * fetcher_ring_more says so when it stopped at the bound.  Counting
 * through the ring, a batched read of a map polls it between batches too,
 * each poll with this bound (a fetch's reads of the ring are as many as
 * its map read's batches, plus one). */
void fetcher_set_ring_bound(struct fetcher *f, uint32_t records);
bool fetcher_ring_more(const struct fetcher *f);

/* Read the active map in place, or at an epoch swap and drain the idle
 * map; consume the ring.  Returns 0 or -errno. */
int fetcher_run(struct fetcher *f);

/* Epoch length; 0 (the default): every fetch swaps and drains. */
void fetcher_set_epoch(struct fetcher *f, uint64_t epoch_ns);

/*
 * A read in place waits factor times the previous read's length from
 * that read's start (FETCHER_READ_SPACING by default: a read at most a
 * quarter of the time), max_wait_ns at most (0: no bound; the default);
 * factor 0: every fetch between epochs reads.
 */
#define FETCHER_READ_SPACING	4
void fetcher_set_read_spacing(struct fetcher *f, uint32_t factor,
			      uint64_t max_wait_ns);

/* The next fetch reads in place whatever the spacing (a fetch whose
 * caller needs every count now: an interface forgotten, the stop). */
void fetcher_read_now(struct fetcher *f);

/*
 * CLOCK_MONOTONIC ns before which the counts have been handed on: the
 * start of the last read in place (or swap, or fetch that found nothing
 * new).  What flows are timed out against.  (A packet whose program ran
 * across a read's start and wrote behind it waits for a later read or
 * the epoch; its flow may time out before that, and it starts a record.)
 */
uint64_t fetcher_horizon(const struct fetcher *f);

/* Make the next fetch an epoch (a swap and exact drain): shutdown. */
void fetcher_end_epoch(struct fetcher *f);

/* The ring buffer's epoll fd, and a consume for when it is readable:
 * 0, 1 (it stopped at the bound: more waits) or -errno. */
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
