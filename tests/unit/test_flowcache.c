// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_flowcache.c - the flow cache with an injected clock: every expiry
 * reason, exact counts, eviction order, and a randomised comparison
 * against a plain array model.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flowcache.h"
#include "tap.h"

#define MS	1000000ull
#define S	(1000 * MS)

struct rec {
	struct flow_key		key;
	struct flow_delta	m;
	int			reason;
};

static struct rec recs[100000];
static int nrecs;

static void on_emit(void *ctx, const struct flow_key *k,
		    const struct flow_delta *m, int reason)
{
	(void)ctx;
	if (nrecs < (int)(sizeof(recs) / sizeof(recs[0])))
		recs[nrecs++] = (struct rec){ *k, *m, reason };
}

static struct flow_key key(uint16_t port)
{
	struct flow_key k = { .ifindex = 2, .proto = 17 };

	k.sport = port;
	k.dport = 53;
	return k;
}

static struct flow_delta delta(uint64_t pkts, uint64_t first, uint64_t last,
				 uint8_t flags)
{
	struct flow_delta m = { .packets = pkts, .bytes = pkts * 100,
				  .first_seen = first, .last_seen = last,
				  .flags = flags, .min_ttl = 64, .max_ttl = 64 };
	return m;
}

static const struct flowcache_timeouts tmo = {
	.active_ns = 60 * S, .idle_ns = 15 * S, .tcp_end_ns = 2 * S,
};

static void test_idle(void)
{
	struct flowcache *fc = flowcache_new(16, &tmo, on_emit, NULL);
	struct flow_key k = key(1);
	struct flow_delta d;

	nrecs = 0;
	d = delta(3, 1 * S, 2 * S, 0);
	flowcache_update(fc, &k, &d);
	d = delta(2, 3 * S, 4 * S, 0);
	flowcache_update(fc, &k, &d);
	flowcache_expire(fc, 18 * S);
	tap_is(nrecs, 0, "idle: not before 15 s of silence");
	flowcache_expire(fc, 19 * S);
	tap_is(nrecs, 1, "idle: one record at 15 s of silence");
	tap_is(recs[0].reason, END_IDLE, "idle: reason 1");
	tap_is(recs[0].m.packets, 5, "idle: packets summed");
	tap_is(recs[0].m.bytes, 500, "idle: bytes summed");
	tap_is(recs[0].m.first_seen, 1 * S, "idle: start is the first packet");
	tap_is(recs[0].m.last_seen, 4 * S, "idle: end is the last packet");
	tap_is(flowcache_stats(fc)->active, 0, "idle: flow dropped");
	flowcache_free(fc);
}

static void test_active(void)
{
	struct flowcache *fc = flowcache_new(16, &tmo, on_emit, NULL);
	struct flow_key k = key(1);
	struct flow_delta d;
	uint64_t t, total = 0;
	int i;

	nrecs = 0;
	/* 10 packets a second for 150 s: reports at 60 and 120 s */
	for (t = 0; t < 150; t++) {
		d = delta(10, t * S, t * S + 900 * MS, 0);
		flowcache_update(fc, &k, &d);
		flowcache_expire(fc, t * S + 999 * MS);
	}
	tap_is(nrecs, 2, "active: two reports in 150 s");
	tap_ok(recs[0].reason == END_ACTIVE && recs[1].reason == END_ACTIVE,
	       "active: reason 2");
	/* expiry runs after each second's update, so the report at 60 s
	 * holds second 60 too, and the next record starts at 61 s */
	tap_is(recs[0].m.last_seen, 60 * S + 900 * MS, "active: the first "
	       "report covers up to the expiry pass");
	tap_is(recs[1].m.first_seen, 61 * S, "active: the second record "
	       "starts where the first stopped");
	flowcache_flush(fc);
	for (i = 0; i < nrecs; i++)
		total += recs[i].m.packets;
	tap_is(total, 1500, "active: no packet lost or counted twice across "
	       "reports");
	tap_is(recs[2].reason, END_FORCED, "flush: reason 4");
	flowcache_free(fc);
}

static void test_tcp_end(void)
{
	struct flowcache *fc = flowcache_new(16, &tmo, on_emit, NULL);
	struct flow_key k = key(1);
	struct flow_delta d;

	nrecs = 0;
	d = delta(5, 1 * S, 2 * S, FLOW_F_FIN);
	flowcache_update(fc, &k, &d);
	d = delta(1, 2500 * MS, 2500 * MS, 0);	/* the last ACK */
	flowcache_update(fc, &k, &d);
	flowcache_expire(fc, 3 * S);
	tap_is(nrecs, 0, "tcp end: waits tcp_end_timeout after FIN");
	flowcache_expire(fc, 4 * S);
	tap_is(nrecs, 1, "tcp end: reported 2 s after FIN");
	tap_is(recs[0].reason, END_DETECTED, "tcp end: reason 3");
	tap_is(recs[0].m.packets, 6, "tcp end: includes the packets after FIN");
	flowcache_free(fc);
}

static void test_eviction(void)
{
	struct flowcache *fc = flowcache_new(4, &tmo, on_emit, NULL);
	struct flow_delta d;
	struct flow_key k;
	uint16_t p;

	nrecs = 0;
	for (p = 1; p <= 4; p++) {
		k = key(p);
		d = delta(1, p * S, p * S, 0);
		flowcache_update(fc, &k, &d);
	}
	k = key(1);		/* flow 1 is active again: 2 is now the oldest */
	d = delta(1, 5 * S, 5 * S, 0);
	flowcache_update(fc, &k, &d);
	k = key(9);
	d = delta(1, 6 * S, 6 * S, 0);
	flowcache_update(fc, &k, &d);
	tap_is(nrecs, 1, "full cache: one flow evicted");
	tap_is(recs[0].key.sport, 2, "full cache: the least recently active");
	tap_is(recs[0].reason, END_RESOURCES, "full cache: reason 5");
	tap_is(flowcache_stats(fc)->evicted, 1, "full cache: counted");
	tap_is(flowcache_stats(fc)->active, 4, "full cache: still 4 flows");
	flowcache_free(fc);
}

static void test_flush_ifindex(void)
{
	struct flowcache *fc = flowcache_new(16, &tmo, on_emit, NULL);
	struct flow_delta d = delta(1, S, S, 0);
	struct flow_key a = key(1), b = key(2);

	nrecs = 0;
	b.ifindex = 7;
	flowcache_update(fc, &a, &d);
	flowcache_update(fc, &b, &d);
	flowcache_flush_ifindex(fc, 7);
	tap_ok(nrecs == 1 && recs[0].key.ifindex == 7 &&
	       recs[0].reason == END_FORCED,
	       "flush one interface: only its flows, reason 4");
	tap_is(flowcache_stats(fc)->active, 1, "flush one interface: the "
	       "other flow stays");
	flowcache_free(fc);
}

/* Every record of the random test lands here, evictions included. */
struct tally {
	uint64_t	*got;
	uint64_t	records;
	uint64_t	zero;		/* records with no packets: a bug */
};

/* A TCP delta whose kernel values saw data: the mark, and its first data
 * segment (end, segments), which only set the mark there. */
static struct flow_delta tcp_delta(uint64_t t, uint32_t retrans,
				   uint32_t first_end, uint32_t first_segs,
				   uint32_t end)
{
	struct flow_delta d = delta(10, t, t + MS, 0);

	d.retrans = retrans;
	d.syn_count = 1;
	d.tcp_hs = TCP_HS_SYN;
	d.tcp_bits = TCP_B_SEQ | TCP_B_FIRST;
	d.seq_first_end = first_end;
	d.seq_first_segs = first_segs;
	d.seq_end = end;
	return d;
}

/* TCP health across fetches: counts summed, the latest handshake state,
 * the first delays; a fetch's first data segment checked against the
 * mark of the fetches before, across the 2^32 wrap and an active-timeout
 * report. */
static void test_tcp_health(void)
{
	struct flowcache *fc = flowcache_new(16, &tmo, on_emit, NULL);
	struct flow_key k = key(7);
	struct flow_delta d;

	k.proto = 6;
	nrecs = 0;
	d = tcp_delta(1 * S, 1, 0xfffff000u, 1, 0xfffff800u);
	d.tcp_bits |= TCP_B_SDELAY;
	d.server_delay_us = 300;
	flowcache_update(fc, &k, &d);
	/* first segment ends at 0xfffff700: before the mark, 2 segments */
	d = tcp_delta(2 * S, 2, 0xfffff700u, 2, 0x400u);
	d.tcp_hs = TCP_HS_COMPLETED;
	d.tcp_bits |= TCP_B_SDELAY | TCP_B_CDELAY;
	d.server_delay_us = 999;	/* not the first: ignored */
	d.client_delay_us = 40;
	flowcache_update(fc, &k, &d);
	/* beyond the mark (0x400, past the wrap): new data, not counted */
	d = tcp_delta(59 * S, 0, 0x800u, 1, 0x1000u);
	d.tcp_hs = TCP_HS_NONE;
	flowcache_update(fc, &k, &d);
	flowcache_expire(fc, 61 * S);		/* active timeout */
	tap_ok(nrecs == 1 && recs[0].reason == END_ACTIVE,
	       "tcp: an active-timeout record");
	tap_is(recs[0].m.retrans, 1 + 2 + 2, "tcp: retransmissions: the "
	       "kernel's, and 2 first segments before the mark (the wrap)");
	tap_is(recs[0].m.syn_count, 3, "tcp: SYN counts summed");
	tap_is(recs[0].m.tcp_hs, TCP_HS_COMPLETED, "tcp: the latest state");
	tap_ok(recs[0].m.server_delay_us == 300 && recs[0].m.client_delay_us == 40,
	       "tcp: the first delays (server 300, client 40 us)");
	/* a handshake change alone (the other direction's), for a record
	 * just reported: nothing carries it, and it is counted */
	d = tcp_delta(61 * S, 0, 0, 0, 0);
	d.packets = d.bytes = 0;
	d.syn_count = 0;
	d.tcp_bits = 0;
	d.tcp_hs = TCP_HS_REFUSED;
	flowcache_update(fc, &k, &d);
	tap_is(flowcache_stats(fc)->tcp_states_unreported, 1,
	       "tcp: a handshake change with no open record is counted");
	/* after the report the mark goes on, also through a delta without
	 * data (pure ACKs: no mark of its own) */
	d = tcp_delta(61 * S + MS, 0, 0, 0, 0);
	d.syn_count = 0;
	d.tcp_hs = TCP_HS_NONE;
	d.tcp_bits = 0;
	flowcache_update(fc, &k, &d);
	/* ... so an old segment still counts */
	d = tcp_delta(62 * S, 0, 0xf00u, 3, 0x2000u);
	flowcache_update(fc, &k, &d);
	/* values whose first segments the kernel compared with another
	 * CPU's mark (TCP_B_SEQ without TCP_B_FIRST): their counts are all */
	d = tcp_delta(63 * S, 1, 0x100u, 4, 0x2000u);
	d.tcp_bits &= (uint8_t)~TCP_B_FIRST;
	flowcache_update(fc, &k, &d);
	flowcache_expire(fc, 100 * S);		/* idle */
	tap_is(nrecs, 2, "tcp: the idle record");
	tap_is(recs[1].m.retrans, 3 + 1, "tcp: after an active-timeout report, "
	       "the mark still holds (3 old segments); a first segment that "
	       "is not TCP_B_FIRST is not checked again (1)");
	flowcache_free(fc);
}

/* Per-CPU values merged: the first segment is the earliest of those that
 * are one (TCP_B_FIRST), the mark the highest of all. */
static void test_seq_merge(void)
{
	struct flow_metrics acc = { 0 }, cpu0 = { 0 }, cpu1 = { 0 };

	cpu0.packets = 5;
	cpu0.tcp_bits = TCP_B_SEQ | TCP_B_FIRST;
	cpu0.seq_first_end = 0x1000;
	cpu0.seq_first_segs = 1;
	cpu0.seq_end = 0x5000;
	cpu1.packets = 2;
	cpu1.retrans = 1;		/* compared with cpu0's mark */
	cpu1.tcp_bits = TCP_B_SEQ;
	cpu1.seq_first_end = 0x800;	/* not a first segment */
	cpu1.seq_first_segs = 7;
	cpu1.seq_end = 0x6000;
	flow_metrics_merge(&acc, &cpu1);
	flow_metrics_merge(&acc, &cpu0);
	tap_ok((acc.tcp_bits & (TCP_B_SEQ | TCP_B_FIRST)) ==
	       (TCP_B_SEQ | TCP_B_FIRST), "merge: a mark and a first segment");
	tap_ok(acc.seq_first_end == 0x1000 && acc.seq_first_segs == 1,
	       "merge: the first segment is cpu0's (0x%x, %u)",
	       acc.seq_first_end, acc.seq_first_segs);
	tap_is(acc.seq_end, 0x6000, "merge: the highest mark");
	tap_is(acc.retrans, 1, "merge: retransmissions summed");

	/* a CPU that joined cpu0's mark (bpf/tcp.h): its own end lags, here
	 * by more than 2^31, so it would look ahead; the owner's is the mark */
	memset(&acc, 0, sizeof(acc));
	cpu0.seq_end = 0x90000000u;
	cpu1.tcp_bits = TCP_B_SEQ | TCP_B_JOINED;
	cpu1.seq_owner = 0;
	cpu1.seq_end = 0x00001000u;
	flow_metrics_merge(&acc, &cpu1);
	flow_metrics_merge(&acc, &cpu0);
	tap_ok(acc.seq_end == 0x90000000u && (acc.tcp_bits & TCP_B_SEQ),
	       "merge: a joined CPU's own end is not the mark (0x%x)",
	       acc.seq_end);
	memset(&acc, 0, sizeof(acc));
	flow_metrics_merge(&acc, &cpu1);
	tap_ok(!(acc.tcp_bits & TCP_B_SEQ), "merge: nor a mark on its own");
}

static void on_tally(void *ctx, const struct flow_key *k,
		     const struct flow_delta *m, int reason)
{
	struct tally *t = ctx;

	(void)reason;
	t->got[k->sport] += m->packets;
	t->records++;
	t->zero += m->packets == 0;
}

/* Random keys, updates and expiry: per-key totals must match a model. */
static void test_random(void)
{
	enum { KEYS = 3000, CAP = 1024, STEPS = 300000 };
	static uint64_t sent[KEYS], got[KEYS];
	struct tally t = { .got = got };
	struct flowcache *fc = flowcache_new(CAP, &tmo, on_tally, &t);
	const struct flowcache_stats *st;
	uint64_t now = S;
	int i, mismatched = 0;

	srand(42);
	for (i = 0; i < STEPS; i++) {
		/* one update in 4 goes to 8 hot flows that outlive the
		 * active timeout; the rest spread over many more flows
		 * than the cache holds */
		uint16_t p = (uint16_t)(rand() % 4 ? rand() % KEYS : rand() % 8);
		struct flow_key k = key(p);
		struct flow_delta d = delta(1 + (uint64_t)(rand() % 3), now,
					      now, p < 8 || rand() % 50 ? 0 : FLOW_F_RST);

		sent[p] += d.packets;
		flowcache_update(fc, &k, &d);
		now += 10 * MS;
		if (i % 100 == 0)
			flowcache_expire(fc, now);
	}
	flowcache_flush(fc);
	for (i = 0; i < KEYS; i++)
		mismatched += sent[i] != got[i];
	st = flowcache_stats(fc);
	tap_is(mismatched, 0, "random: every key's packets exported exactly "
	       "once (%llu records)", (unsigned long long)t.records);
	tap_is(t.zero, 0, "random: no empty records");
	tap_ok(st->evicted > 0, "random: the cache was under pressure "
	       "(%llu evictions)", (unsigned long long)st->evicted);
	tap_ok(st->exported[END_IDLE] > 0 && st->exported[END_DETECTED] > 0 &&
	       st->exported[END_ACTIVE] > 0, "random: idle, active and "
	       "TCP-end expiry all happened");
	tap_is(st->exported[END_IDLE] + st->exported[END_ACTIVE] +
	       st->exported[END_DETECTED] + st->exported[END_FORCED] +
	       st->exported[END_RESOURCES], t.records,
	       "random: the per-reason counters add up to the records");
	tap_is(st->active, 0, "random: empty after flush");
	flowcache_free(fc);
}

/* A run of deltas into a cache, one by one or in batches; the records
 * it emitted (nrecs from 0). */
static void batch_run(int batched, const struct flow_key *k,
		      const struct flow_delta *d, int n, uint64_t *now)
{
	struct flowcache *fc = flowcache_new(64, &tmo, on_emit, NULL);
	int i, step;

	nrecs = 0;
	for (i = 0; i < n; i += step) {
		step = 1 + i % 97;	/* groups of every size, odd ones too */
		if (step > n - i)
			step = n - i;
		if (batched) {
			flowcache_update_batch(fc, k + i, d + i, (size_t)step);
		} else {
			int j;

			for (j = 0; j < step; j++)
				flowcache_update(fc, &k[i + j], &d[i + j]);
		}
		flowcache_expire(fc, now[i]);
	}
	flowcache_flush(fc);
	flowcache_free(fc);
}

/* flowcache_update_batch is flowcache_update for each, in order: the
 * same records, in the same order, through eviction and expiry */
static void test_batch(void)
{
	enum { N = 5000 };
	static struct flow_key k[N];
	static struct flow_delta d[N];
	static uint64_t now[N];
	static struct rec one[100000];
	int i, n1, same = 1;
	unsigned int seed = 7;

	for (i = 0; i < N; i++) {
		uint64_t t = (uint64_t)i * 10 * MS;

		seed = seed * 1103515245u + 12345u;
		k[i] = key((uint16_t)(1 + (seed >> 16) % 150));
		d[i] = delta(1 + (seed >> 8) % 3, t, t, (seed % 50) ? 0 : FLOW_F_FIN);
		now[i] = t;
	}
	batch_run(0, k, d, N, now);
	n1 = nrecs;
	memcpy(one, recs, sizeof(one[0]) * (size_t)n1);
	batch_run(1, k, d, N, now);
	tap_ok(n1 > 150, "batch: a run with eviction and expiry (%d records)", n1);
	tap_is(nrecs, n1, "batch: as many records as one by one");
	for (i = 0; i < n1 && i < nrecs; i++) {
		const struct rec *a = &one[i], *b = &recs[i];

		if (memcmp(&a->key, &b->key, sizeof(a->key)) ||
		    a->reason != b->reason || a->m.packets != b->m.packets ||
		    a->m.bytes != b->m.bytes || a->m.flags != b->m.flags ||
		    a->m.first_seen != b->m.first_seen ||
		    a->m.last_seen != b->m.last_seen)
			same = 0;
	}
	tap_ok(same, "batch: the same records in the same order");
}

int main(void)
{
	test_idle();
	test_active();
	test_tcp_end();
	test_eviction();
	test_flush_ifindex();
	test_random();
	test_tcp_health();
	test_seq_merge();
	test_batch();
	tap_diag("bytes per flow slot: %zu", flowcache_bytes_per_flow());
	return tap_done();
}
