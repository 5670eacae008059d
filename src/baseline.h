/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * baseline.h - what the fetcher already handed on of each entry of the
 * active kernel map.
 *
 * Between epochs the fetcher reads the active map's cumulative values
 * without deleting them and hands on only what grew since the previous
 * read: the baseline of a key is the packets and bytes (sums over the
 * CPUs) and the latest last_seen delivered so far.  The table holds at
 * most as many keys as the kernel map (its max_entries), so its memory is
 * fixed at creation: 96 bytes a key in a slab touched only as it fills,
 * and a 4-byte index slot for every half key.  It is emptied at every
 * epoch, when the map it describes has been drained.
 */
#ifndef TCFLOWD_BASELINE_H
#define TCFLOWD_BASELINE_H

#include <stddef.h>
#include <stdint.h>

#include "flow.h"

struct baseline {
	struct flow_key	key;
	uint64_t	packets;
	uint64_t	bytes;
	uint64_t	last_seen;	/* datapath clock, as in flow_metrics */
	/* TCP health handed on: the counts, the handshake's state, which
	 * delays were valid (TCP_B_SDELAY, TCP_B_CDELAY) and whether the
	 * first data segment's mark went (TCP_B_FIRST) */
	uint32_t	syn_count, fin_count, rst_count, retrans;
	uint8_t		tcp_hs, tcp_bits;
};

struct baseline_table;

/* A table for up to max_keys keys.  Returns NULL and sets errno. */
struct baseline_table *baseline_new(uint32_t max_keys);
void baseline_free(struct baseline_table *t);

/* The baseline of key, or NULL if nothing of it was handed on yet. */
struct baseline *baseline_find(struct baseline_table *t,
			       const struct flow_key *key);

/* The baseline of key, added (zeroed) if new; NULL when the table is full
 * (more keys than the map can hold: cannot happen). */
struct baseline *baseline_get(struct baseline_table *t,
			      const struct flow_key *key);

/* Forget every key (the map was drained); O(index), no free. */
void baseline_clear(struct baseline_table *t);

uint32_t baseline_count(const struct baseline_table *t);

/* Bytes a table for max_keys keys takes at most. */
size_t baseline_bytes(uint32_t max_keys);

#endif /* TCFLOWD_BASELINE_H */
