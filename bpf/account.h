/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * account.h - the maps and the per-packet accounting shared by the TC
 * programs (flow.bpf.c) and the socket filter (sock.bpf.c).
 *
 * Snapshot without loss: the programs reach the active per-CPU hash
 * (flows_a or flows_b) through the one-slot array-of-maps "flows".  User
 * space writes the other map into the slot; that update returns only after
 * every running program has finished (synchronize_rcu in the map-in-map
 * update path), so nothing writes the old map afterwards and it can be
 * drained at leisure.
 *
 * Kernel features: ring buffer (5.8).
 */
#ifndef TCFLOWD_ACCOUNT_H
#define TCFLOWD_ACCOUNT_H

#include <asm-generic/errno-base.h>
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "counters.h"
#include "flow.h"
#include "ct.h"
#include "parse.h"
#include "ring.h"
#include "tcp.h"

struct flow_map {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, FLOW_MAP_DEFAULT_ENTRIES);
	__type(key, struct flow_key);
	__type(value, struct flow_metrics);
} flows_a SEC(".maps"), flows_b SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY_OF_MAPS);
	__uint(max_entries, 1);
	__type(key, __u32);
	__array(values, struct flow_map);
} flows SEC(".maps") = {
	.values = { [0] = &flows_a },
};

/*
 * 1-in-N random sampling; 1 (or 0) counts every packet.  A plain global:
 * the daemon changes it at run time through the mmap'ed .data section.
 * One GSO/GRO skb is sampled as a unit.
 */
volatile __u32 sample_rate = 1;

/*
 * The clock of first_seen/last_seen.  Reading CLOCK_MONOTONIC for every
 * packet (bpf_ktime_get_ns) was the largest single cost of the program
 * (bench/datapath: 1.75x the reference with it, 1.3x without); jiffies
 * are one load (the verifier inlines bpf_jiffies64, 5.5+) with the tick's
 * resolution (1000/HZ ms; flow records carry milliseconds).  User space
 * maps jiffies to CLOCK_MONOTONIC with clock_sample below.  Set by the
 * loader: 1 for ns timestamps.
 */
const volatile __u8 clock_precise = 0;

/* Written by the clock_sample programs: the same instant on both clocks. */
__u64 clock_jiffies;
__u64 clock_ns;

static __always_inline __u64 flow_clock(void)
{
	return clock_precise ? bpf_ktime_get_ns() : bpf_jiffies64();
}

static __always_inline void clock_take_sample(void)
{
	clock_jiffies = bpf_jiffies64();
	clock_ns = bpf_ktime_get_ns();
}

/* Fill a fresh per-CPU value from the packet. */
static __always_inline void metrics_init(struct flow_metrics *m,
					 const struct pkt *p,
					 struct __sk_buff *skb, __u8 dir,
					 __u64 now)
{
	__builtin_memcpy(m->src_mac, p->src_mac, 6);
	__builtin_memcpy(m->dst_mac, p->dst_mac, 6);
	m->first_seen = now;
	m->tos = p->tos;
	m->min_ttl = p->ttl;
	m->max_ttl = p->ttl;
	m->peer_ifindex = dir == FLOW_DIR_EGRESS ? skb->ingress_ifindex : 0;
}

static __always_inline void metrics_add(struct flow_metrics *m,
					const struct pkt *p, __u64 segs,
					__u64 bytes, __u64 now)
{
	m->packets += segs;
	m->bytes += bytes;
	m->last_seen = now;
	m->tcp_flags |= p->tcp_flags;
	m->flags |= p->flags;
	if (p->ttl < m->min_ttl)
		m->min_ttl = p->ttl;
	if (p->ttl > m->max_ttl)
		m->max_ttl = p->ttl;
}

/* A value of this packet alone (zeroed by the caller): what an insert
 * puts in the map, and what a ring record carries. */
static __always_inline void metrics_fresh(void *map, struct flow_metrics *m,
					  struct __sk_buff *skb,
					  const struct pkt *p, __u8 dir,
					  __u64 segs, __u64 bytes, __u64 now,
					  const int nat)
{
	metrics_init(m, p, skb, dir, now);
	if (nat)
		nat_track(skb, &p->key, dir, m, segs);
	metrics_add(m, p, segs, bytes, now);
	if (p->key.proto == IPPROTO_TCP)
		flow_tcp(map, m, p, segs, 0, 0);
}

/*
 * A packet to count as a value of its own: a flow the active map does not
 * hold yet, or, counting through the ring, any packet.  rec: the ring
 * record reserved for it (ring_first), or NULL.  The value is built in
 * rec, or on the stack and inserted; if the map is full, it goes to the
 * overflow ring.  One place builds the value for both ways: the socket
 * filter's size is charged to the socket (net.core.optmem_max, 20480
 * bytes before 6.9), so the program has no room for two copies.
 * Returns NULL when the packet is accounted for; a value to add to when
 * another CPU inserted the same key first (its TCP health is added
 * already).  nat: the programs that look up NAT (ct.h).
 */
static __always_inline struct flow_metrics *
flow_insert(void *map, struct flow_stats *st, struct flow_overflow *rec,
	    struct __sk_buff *skb, const struct pkt *p, __u8 dir, __u64 segs,
	    __u64 bytes, __u64 now, const int nat, const int peers, int join)
{
	struct flow_metrics fresh = {}, *v = &fresh, *m = NULL;
	int err, in_ring = 0;

	if (rec) {
		/* built in place: the stack has no room for a second value */
		__builtin_memset(&rec->metrics, 0, sizeof(rec->metrics));
		v = &rec->metrics;
		in_ring = 1;
	}
	metrics_fresh(map, v, skb, p, dir, segs, bytes, now, nat);
	/* hide from the compiler which way this is: else it builds the
	 * value twice, once for each.  The verifier knows in_ring on each
	 * path; it would not know that rec is not NULL (before 6.3 it
	 * follows "rec == NULL" for a ring record, and finds it unreleased) */
	asm volatile("" : "+r"(in_ring));
	if (in_ring) {
		rec->key = p->key;
		ring_submit(rec);
		st->c[STAT_RING_RECORDS]++;
		st->c[STAT_SEGMENTS] += segs;
		return NULL;
	}
	err = bpf_map_update_elem(map, &p->key, &fresh, BPF_NOEXIST);
	if (!err) {
		st->c[STAT_COUNTED]++;
		st->c[STAT_SEGMENTS] += segs;
		st->c[STAT_INSERTS]++;
		return NULL;
	}
	if (err == -EEXIST)
		m = bpf_map_lookup_elem(map, &p->key);
	if (m) {
		/* the sequence mark of fresh is this CPU's first, in m */
		flow_tcp_add(m, &fresh);
		if (p->key.proto == IPPROTO_TCP && !(p->flags & FLOW_F_FRAGMENT))
			tcp_seq(map, m, p, segs, peers, join);
		return m;
	}

	st->c[STAT_MAP_FULL]++;
	rec = bpf_ringbuf_reserve(&overflow, sizeof(*rec), 0);
	if (!rec) {
		st->c[STAT_RING_FULL]++;
		return NULL;
	}
	rec->key = p->key;
	rec->metrics = fresh;
	rec->metrics.flags |= FLOW_F_OVERFLOW;
	bpf_ringbuf_submit(rec, 0);
	st->c[STAT_RING_RECORDS]++;
	st->c[STAT_SEGMENTS] += segs;
	return NULL;
}

/*
 * ring_first: every packet a record of its own in the ring, built as an
 * insert builds its fresh value (flow_insert).  NULL when the ring is
 * full: then the map path takes the packet, as any other.  Not for the
 * NAT programs: a record asks conntrack again for every packet, a map
 * entry for a flow's first packets only.
 */
static __always_inline struct flow_overflow *flow_ring(struct flow_stats *st)
{
	struct flow_overflow *rec;

	rec = bpf_ringbuf_reserve(&overflow, sizeof(*rec), 0);
	if (!rec)
		st->c[STAT_RING_BUSY]++;
	return rec;
}

/*
 * Account one skb seen on the hook.  Never fails the packet: whatever
 * happens, exactly one stats counter says what became of it.  nat: look
 * the flow up in conntrack (ct.h); only the tc_*_nat* programs do.  peers:
 * a CPU's first TCP data segment in a value consults the other CPUs'
 * sequence marks, and a local sender's egress shares one from then on
 * (tcp.h); only the *_p programs do (bpf_loop, 5.17).
 */
static __always_inline void flow_count(struct __sk_buff *skb, __u8 dir,
				       const int mode, const int nat,
				       const int peers)
{
	struct flow_overflow *rec = NULL;
	struct flow_metrics *m = NULL;
	struct flow_stats *st;
	struct pkt p = {};
	__u64 segs, bytes, now;
	__u32 zero = 0, rate;
	void *map;
	int err, join;

	st = bpf_map_lookup_elem(&stats, &zero);
	if (!st)
		return;		/* a one-slot array: cannot happen */
	st->c[STAT_PACKETS]++;

	err = parse_frame(skb, &p, mode);
	if (err) {
		if ((__u32)err < STAT_MAX)
			st->c[err]++;
		return;
	}
	if (p.flags & FLOW_F_FRAGMENT)
		st->c[STAT_FRAGMENTS]++;

	rate = sample_rate;
	if (rate > 1 && bpf_get_prandom_u32() % rate) {
		st->c[STAT_SAMPLED_OUT]++;
		return;
	}

	p.key.ifindex = skb->ifindex;
	p.key.direction = dir;
	/* a local sender's packet (no interface brought it in) at the egress
	 * hook: its TCP segments are in its socket's order on every CPU */
	join = peers && mode == PARSE_TC && dir == FLOW_DIR_EGRESS &&
	       !skb->ingress_ifindex;
	/* a GSO/GRO skb stands for gso_segs wire packets, each of which
	 * carried its own copy of the L3 and L4 headers */
	segs = skb->gso_segs;
	if (segs == 0)
		segs = 1;
	bytes = p.ip_len + (segs - 1) * p.hdr_len;
	now = flow_clock();

	map = bpf_map_lookup_elem(&flows, &zero);
	if (!map) {
		st->c[STAT_NO_MAP]++;
		return;
	}
	if (!nat && ring_first)
		rec = flow_ring(st);
	if (!rec)
		m = bpf_map_lookup_elem(map, &p.key);
	if (!m) {
		m = flow_insert(map, st, rec, skb, &p, dir, segs, bytes, now,
				nat, peers, join);
		if (!m)
			return;		/* inserted, or went to the ring */
	} else if (p.key.proto == IPPROTO_TCP) {
		flow_tcp(map, m, &p, segs, peers, join);
	}
	/* another CPU created the entry: this CPU's value is still zero */
	if (m->packets == 0)
		metrics_init(m, &p, skb, dir, now);
	if (nat)
		nat_track(skb, &p.key, dir, m, segs);
	metrics_add(m, &p, segs, bytes, now);
	st->c[STAT_COUNTED]++;
	st->c[STAT_SEGMENTS] += segs;
}

#endif /* TCFLOWD_ACCOUNT_H */
