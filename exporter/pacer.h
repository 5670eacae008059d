/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * pacer.h - the pace of a UDP collector's messages (inside the exporter
 * library, not its API): a bounded queue of whole messages and a token
 * bucket that lets them go at max_rate records/s and max_bitrate bits/s.
 *
 * A message costs its flow records, at least 1 (templates and options).
 * The bucket holds PACER_BURST_MS of the rate (at least one record): a
 * message goes while the bucket is not empty, and may leave it in debt,
 * so the records sent in any window of W ms are at most rate * (W +
 * PACER_BURST_MS) / 1000 plus one message's.  With rate auto, the rate is
 * what is queued spread over 0.8 of the spread interval (the fetch
 * interval), between PACER_AUTO_MIN and PACER_AUTO_MAX records/s; it only
 * rises while messages wait, and falls back when the queue is empty.
 *
 * Pure arithmetic on the times it is given (CLOCK_MONOTONIC ns): the unit
 * test drives it with an invented clock.
 */
#ifndef TCFLOWD_PACER_H
#define TCFLOWD_PACER_H

#include <stddef.h>
#include <stdint.h>

#define PACER_BURST_MS		2
#define PACER_AUTO_MIN		1000u		/* records/s */
#define PACER_AUTO_MAX		100000u	/* nfcapd with a default buffer: 15 ms of slack */

struct pacer_msg {
	uint8_t		*buf;
	uint32_t	len;
	uint32_t	records;
};

struct pacer {
	uint32_t	max_rate;	/* records/s; COLLECTOR_RATE_AUTO */
	uint64_t	byte_rate;	/* max_bitrate / 8; 0: no limit */
	uint32_t	spread_ms;	/* auto: spread what waits over 0.8 of it */
	uint32_t	cap;		/* record units queued at most */
	uint64_t	rate;		/* records/s in force */
	/* the buckets: records * 1e9 and bytes * 1e9, refilled at
	 * rate and byte_rate per ns; may be negative (debt) */
	int64_t		tokens, btokens;
	uint64_t	last_ns;	/* of the last refill */
	struct pacer_msg *q;		/* ring of qcap slots */
	uint32_t	qcap, head, n;
	uint64_t	units;		/* queued: sum of each message's cost */
	uint64_t	records;	/* queued flow records */
	uint64_t	not_queued;	/* records refused: the queue was full */
};

/* A pacer (nothing queued, buckets full at now_ns).  cap 0: the default. */
void pacer_init(struct pacer *p, uint32_t max_rate, uint64_t max_bitrate,
		uint32_t cap, uint32_t spread_ms, uint64_t now_ns);
/* New limits for a pacer that keeps its queue (reload). */
void pacer_set(struct pacer *p, uint32_t max_rate, uint64_t max_bitrate,
	       uint32_t cap, uint32_t spread_ms);
/*
 * Queue a copy of a message of records flow records.  0; -ENOBUFS when
 * the queue is full (the records are added to not_queued); -ENOMEM when
 * no memory is left for the copy (not counted here).
 */
int pacer_push(struct pacer *p, const void *msg, size_t len,
	       uint32_t records, uint64_t now_ns);
/* The oldest message, if the buckets let it go at now_ns; else NULL. */
const struct pacer_msg *pacer_due(struct pacer *p, uint64_t now_ns);
/* Drop the oldest message (after pacer_due(): its cost is charged). */
void pacer_pop(struct pacer *p);
/* ns until the oldest message may go: 0 now, -1 when nothing waits. */
int64_t pacer_wait_ns(struct pacer *p, uint64_t now_ns);
/* Go faster if need be so what waits is gone within ms from now (0.8 of
 * it, like a fetch interval): shutdown and retired collectors. */
void pacer_hurry(struct pacer *p, uint32_t ms);
/* Free what is queued; returns the flow records it held. */
uint64_t pacer_fini(struct pacer *p);

#endif /* TCFLOWD_PACER_H */
