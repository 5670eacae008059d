/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tcp.h - TCP health per flow: SYN/FIN/RST counts, retransmitted data
 * segments, the handshake's delays and how it ended.  Included by
 * account.h; flow_tcp() runs for every counted TCP packet.
 *
 * The cost stays off the established path: a packet without SYN/FIN/RST
 * pays three adds, one test of the CHECKED bit and the sequence compare
 * (on a CPU that joined another's mark, below, one lookup more for a
 * data segment).  The map "tcp_conns" and the precise clock are touched
 * only on SYN, SYN-ACK, RST and the first ACK-only packet of a flow's
 * per-CPU value (one lookup per flow and CPU per fetch interval).
 *
 * Retransmissions: the highest sequence end (seq + payload) seen is the
 * flow's mark; a data segment whose end is not beyond it (serial-number
 * arithmetic, RFC 1982, so wrap-around is fine) counts, as many segments
 * as a GSO/GRO skb carries.  Each CPU's value has its own: a router's RSS
 * keeps a flow on one CPU.  A host's TCP also sends from timers and from
 * the softirq of an ACK, on whatever CPU runs them (a retransmission
 * timer that fires on the other CPU is one).  So in the *_p programs
 * (peers), the first data segment of a CPU's value in the map is compared
 * with the highest mark among the other CPUs' values
 * (bpf_map_lookup_percpu_elem, Linux 5.19, in bpf_loop, 5.17; the loader
 * takes the programs without it on older kernels, which never see the
 * callback).  At the egress hook, for a local sender's segments, the CPU
 * also joins that mark: the CPU whose value held it (not itself a joiner)
 * is the owner (seq_owner, TCP_B_JOINED), and from then on this CPU
 * compares every data segment with the owner's seq_end and moves that on.
 * The owner keeps using its own seq_end, which the joiners move on, so
 * every CPU compares with one mark, and user space takes the owner's.
 * The sender's socket lock orders its segments on every CPU, so that mark
 * is exact within the epoch.  Elsewhere (forwarded packets, ingress, the
 * socket filter) nothing orders two CPUs' segments of one flow, and a
 * shared mark would count the later-processed one as old: a CPU keeps its
 * own mark after its first segment.  The look costs a lookup of every CPU
 * once per value and epoch, for values whose first packet had no data;
 * the value the first packet creates never looks (no other CPU has the
 * entry yet).  The first data segment of an entry (each epoch starts new
 * entries) only sets the mark; it is kept in seq_first_end/segs
 * (TCP_B_FIRST), and user space checks it against the flow's mark from
 * the epochs before (flowcache.c).
 */
#ifndef TCFLOWD_TCP_H
#define TCFLOWD_TCP_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "counters.h"
#include "flow.h"
#include "parse.h"
#include "ring.h"

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_ACK	0x10

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, TCP_CONN_DEFAULT_ENTRIES);
	__type(key, struct flow_key);
	__type(value, struct tcp_conn);
} tcp_conns SEC(".maps");

/* How many CPUs' values a joining CPU consults: the possible CPUs, set
 * by user space before load when the kernel has bpf_loop and
 * bpf_map_lookup_percpu_elem; 0 (no lookups, the calls are dead code the
 * verifier never checks) otherwise.  At most TCP_PEER_CPUS_MAX. */
const volatile __u32 seq_peer_cpus = 0;

/* The highest sequence end (serial order) among the other CPUs' values of
 * one entry that hold a mark of their own (not TCP_B_JOINED), and whose it
 * is: bpf_loop (5.17) over the CPUs, so the verifier walks the body once,
 * not once a CPU for every state that reaches it. */
struct tcp_peers {
	void			*map;
	const struct flow_key	*key;
	__u32			self;
	__u32			mark;
	__u32			owner;
	int			found;
};

static long tcp_peer_cpu(__u64 cpu, void *ctx)
{
	struct tcp_peers *c = ctx;
	struct flow_metrics *o;
	__u32 end;
	__u8 bits;

	if (cpu == c->self)
		return 0;
	o = bpf_map_lookup_percpu_elem(c->map, c->key, (__u32)cpu);
	if (!o)
		return 0;
	/* the bits first: tcp_seq() sets them after the mark */
	bits = *(volatile __u8 *)&o->tcp_bits;
	if ((bits & (TCP_B_SEQ | TCP_B_JOINED)) != TCP_B_SEQ)
		return 0;	/* no mark, or a copy of its owner's */
	asm volatile("" ::: "memory");
	end = *(volatile __u32 *)&o->seq_end;
	if (!c->found || (__s32)(end - c->mark) > 0) {
		c->mark = end;
		c->owner = (__u32)cpu;
	}
	c->found = 1;
	return 0;
}

/* 1, *mark and *owner if another CPU's value of k in map has a mark of
 * its own, else 0.  peers: a compile-time constant; without it nothing
 * here is built. */
static __always_inline int tcp_peer_mark(void *map, const struct flow_key *k,
					 __u32 *mark, __u32 *owner,
					 const int peers)
{
	struct tcp_peers c = { .map = map, .key = k };

	if (!peers || !seq_peer_cpus)
		return 0;
	c.self = bpf_get_smp_processor_id();
	bpf_loop(seq_peer_cpus, tcp_peer_cpu, &c, 0);
	*mark = c.mark;
	*owner = c.owner;
	return c.found;
}

/* The mark a value compares with: its owner's seq_end once it joined one
 * (look: the *_p programs), else its own.  The owner's value is the same
 * entry's, so it is there while m is (the programs never delete entries:
 * the fallback to m's own only keeps the verifier content). */
static __always_inline __u32 *tcp_mark_of(void *map, struct flow_metrics *m,
					  const struct flow_key *k,
					  const int look)
{
	struct flow_metrics *o;

	if (!look || !seq_peer_cpus || !(m->tcp_bits & TCP_B_JOINED))
		return &m->seq_end;
	o = bpf_map_lookup_percpu_elem(map, k, m->seq_owner);
	if (!o || !(o->tcp_bits & TCP_B_SEQ))
		return &m->seq_end;
	return &o->seq_end;
}

/* The key of the opposite direction at the same hook pair: addresses and
 * ports swapped, the other direction. */
static __always_inline void tcp_reverse_key(struct flow_key *r,
					    const struct flow_key *k)
{
	*r = *k;
	__builtin_memcpy(r->src, k->dst, 16);
	__builtin_memcpy(r->dst, k->src, 16);
	r->sport = k->dport;
	r->dport = k->sport;
	r->direction = k->direction ^ 1;
}

static __always_inline __u32 tcp_us(__u64 ns)
{
	__u64 us = ns / 1000;

	return us > 0xffffffffull ? 0xffffffffu : (__u32)us;
}

/* The handshake's state and delays of m, into o. */
static __always_inline void tcp_tell(struct flow_metrics *o, __u8 hs,
				     const struct flow_metrics *m)
{
	if (o->tcp_hs < hs)
		o->tcp_hs = hs;
	if (m->tcp_bits & TCP_B_SDELAY) {
		o->server_delay_us = m->server_delay_us;
		o->tcp_bits |= TCP_B_SDELAY;
	}
	if (m->tcp_bits & TCP_B_CDELAY) {
		o->client_delay_us = m->client_delay_us;
		o->tcp_bits |= TCP_B_CDELAY;
	}
}

/* Write what the handshake decided into the other direction's flow, if
 * the active map holds it (this CPU's value; user space merges all), or,
 * counting through the ring, as a record of its own.  A function of its
 * own in the program, not a copy at each of its four places: the socket
 * filter's size is charged to the socket (account.h flow_insert). */
static __noinline void tcp_tell_peer(void *map, const struct flow_key *k,
					  __u8 hs, const struct flow_metrics *m)
{
	struct flow_metrics *o = bpf_map_lookup_elem(map, k);
	struct flow_overflow *rec = NULL;
	int in_ring = 0;

	if (!o && ring_first) {
		/* the other direction is counted through the ring too: a
		 * record without packets carries the outcome to its flow */
		rec = bpf_ringbuf_reserve(&overflow, sizeof(*rec), 0);
		if (!rec) {
			/* that flow's record says "unanswered" instead */
			counter_add(STAT_TCP_LOST);
			return;
		}
		__builtin_memset(&rec->metrics, 0, sizeof(rec->metrics));
		rec->key = *k;
		o = &rec->metrics;
		in_ring = 1;
	}
	if (!o)
		return;
	tcp_tell(o, hs, m);
	/* one tcp_tell for both ways: keep the compiler from making two
	 * (in_ring, not rec: account.h flow_insert) */
	asm volatile("" : "+r"(in_ring));
	if (in_ring)
		ring_submit(rec);
}

/* A SYN without ACK: the client opens (or retries). */
static __always_inline void tcp_on_syn(struct flow_metrics *m,
				       const struct pkt *p)
{
	struct tcp_conn c = {}, *old;

	old = bpf_map_lookup_elem(&tcp_conns, &p->key);
	if (old && old->state != TCP_HS_SYN)
		return;		/* answered already: a late duplicate */
	c.syn_ns = bpf_ktime_get_ns();	/* the latest SYN is the one answered */
	c.state = TCP_HS_SYN;
	bpf_map_update_elem(&tcp_conns, &p->key, &c, BPF_ANY);
	if (m->tcp_hs < TCP_HS_SYN)
		m->tcp_hs = TCP_HS_SYN;
}

/* A SYN-ACK: the server answers the SYN of the reverse flow. */
static __always_inline void tcp_on_synack(struct flow_metrics *m,
					  const struct pkt *p)
{
	struct flow_key rk;
	struct tcp_conn *c;
	__u64 now;

	tcp_reverse_key(&rk, &p->key);
	c = bpf_map_lookup_elem(&tcp_conns, &rk);
	if (!c || c->state != TCP_HS_SYN)
		return;		/* no SYN seen here, or a retransmission */
	now = bpf_ktime_get_ns();
	c->synack_ns = now;
	c->server_delay_us = tcp_us(now - c->syn_ns);
	c->state = TCP_HS_SYNACK;
	m->server_delay_us = c->server_delay_us;
	m->tcp_bits |= TCP_B_SDELAY;
	if (m->tcp_hs < TCP_HS_SYNACK)
		m->tcp_hs = TCP_HS_SYNACK;
}

/* A RST: refused if it answers a SYN that had no SYN-ACK. */
static __always_inline void tcp_on_rst(void *map, struct flow_metrics *m,
				       const struct pkt *p)
{
	struct flow_key rk;
	struct tcp_conn *c;

	tcp_reverse_key(&rk, &p->key);
	c = bpf_map_lookup_elem(&tcp_conns, &rk);
	if (!c || c->state != TCP_HS_SYN)
		return;
	bpf_map_delete_elem(&tcp_conns, &rk);
	m->tcp_hs = TCP_HS_REFUSED;
	tcp_tell_peer(map, &rk, TCP_HS_REFUSED, m);
}

/* The first ACK-only packet of this CPU's value: does it complete a
 * handshake this hook saw the SYN and SYN-ACK of? */
static __always_inline void tcp_on_ack(void *map, struct flow_metrics *m,
				       const struct pkt *p)
{
	struct flow_key rk;
	struct tcp_conn *c;

	m->tcp_bits |= TCP_B_CHECKED;	/* once per value, not per packet */
	c = bpf_map_lookup_elem(&tcp_conns, &p->key);
	if (!c)
		return;
	if (c->state == TCP_HS_SYNACK) {
		m->client_delay_us = tcp_us(bpf_ktime_get_ns() - c->synack_ns);
		m->server_delay_us = c->server_delay_us;
		m->tcp_bits |= TCP_B_SDELAY | TCP_B_CDELAY;
		m->tcp_hs = TCP_HS_COMPLETED;
		tcp_reverse_key(&rk, &p->key);
		tcp_tell_peer(map, &rk, TCP_HS_COMPLETED, m);
		bpf_map_delete_elem(&tcp_conns, &p->key);
	}
}

/* Sequence numbers: count data segments that end at or before the
 * highest end seen (retransmitted or out of order).  look: m is a value
 * in the map (not the fresh one an insert makes) and the program consults
 * the other CPUs (peers).  join: the segment is a local sender's, at the
 * egress hook (its socket lock orders the flow's segments on every CPU),
 * so the CPU may share the mark it found from then on.  The first segment
 * writes the mark, then the bits: another CPU that sees TCP_B_SEQ reads a
 * mark that is there. */
static __always_inline void tcp_seq(void *map, struct flow_metrics *m,
				    const struct pkt *p, __u64 segs,
				    const int look, int join)
{
	__u32 len = p->ip_len - p->hdr_len, end = p->tcp_seq + len, mark = 0;
	__u32 owner = 0, *at;
	__u8 bits = TCP_B_SEQ;

	if (len == 0 || p->ip_len < p->hdr_len)
		return;
	if (!(m->tcp_bits & TCP_B_SEQ)) {
		if (tcp_peer_mark(map, &p->key, &mark, &owner, look)) {
			if ((__s32)(end - mark) <= 0)
				m->retrans += segs;
			else
				mark = end;
			m->seq_end = mark;
			if (join) {
				m->seq_owner = (__u16)owner;
				bits |= TCP_B_JOINED;
			}
			asm volatile("" ::: "memory");
			m->tcp_bits |= bits;
			if (join) {	/* new data moves the owner's mark on */
				at = tcp_mark_of(map, m, &p->key, look);
				if ((__s32)(mark - *at) > 0)
					*at = mark;
			}
			return;
		}
		bits |= TCP_B_FIRST;
		m->seq_end = end;
		m->seq_first_end = end;
		m->seq_first_segs = segs > 0xffff ? 0xffff : (__u16)segs;
		asm volatile("" ::: "memory");
		m->tcp_bits |= bits;
		return;
	}
	at = tcp_mark_of(map, m, &p->key, look);
	if ((__s32)(end - *at) <= 0)
		m->retrans += segs;
	else
		*at = end;
}

/* Account one counted TCP packet into m (a fresh value or the map's;
 * look, join: see tcp_seq). */
static __always_inline void flow_tcp(void *map, struct flow_metrics *m,
				     const struct pkt *p, __u64 segs,
				     const int look, int join)
{
	__u16 f = p->tcp_flags;

	if (p->flags & FLOW_F_FRAGMENT)
		return;		/* no reliable header or length */
	if (f & (TH_SYN | TH_FIN | TH_RST)) {
		m->syn_count += !!(f & TH_SYN);
		m->fin_count += !!(f & TH_FIN);
		m->rst_count += !!(f & TH_RST);
		if ((f & (TH_SYN | TH_ACK)) == TH_SYN)
			tcp_on_syn(m, p);
		else if (f & TH_SYN)
			tcp_on_synack(m, p);
		else if (f & TH_RST)
			tcp_on_rst(map, m, p);
	} else if ((f & TH_ACK) && !(m->tcp_bits & TCP_B_CHECKED)) {
		tcp_on_ack(map, m, p);
	}
	tcp_seq(map, m, p, segs, look, join);
}

/* Another CPU inserted the flow first: add what flow_tcp() put into the
 * value that could not be inserted. */
static __always_inline void flow_tcp_add(struct flow_metrics *m,
					 const struct flow_metrics *v)
{
	m->syn_count += v->syn_count;
	m->fin_count += v->fin_count;
	m->rst_count += v->rst_count;
	if (m->tcp_hs < v->tcp_hs)
		m->tcp_hs = v->tcp_hs;
	if (v->tcp_bits & TCP_B_SDELAY)
		m->server_delay_us = v->server_delay_us;
	if (v->tcp_bits & TCP_B_CDELAY)
		m->client_delay_us = v->client_delay_us;
	m->tcp_bits |= v->tcp_bits & (TCP_B_SDELAY | TCP_B_CDELAY);
}

#endif /* TCFLOWD_TCP_H */
