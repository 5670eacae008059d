/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ct.h - the NAT translation of a flow, from the kernel's conntrack entry
 * (the tc_*_nat programs in flow.bpf.c; account.h calls nat_track()).
 *
 * When a flow's entry is created in the active map, and on its next
 * packets until found (NAT_TRIES: the first packet of a connection passes
 * TC ingress before conntrack has its entry), the programs look the flow
 * up with the bpf_skb_ct_lookup kfunc (TCP and UDP only: the kfunc knows
 * no other protocol).  A translated entry's two tuples go to the hash
 * "nat", each keyed by itself with the other as its value; user space
 * drains it at every fetch (src/nat.c).  Nothing else changes: the flow's
 * key and counters are the same as without NAT.
 *
 * The kfuncs live in nf_conntrack, which may be a module that is not
 * loaded: they are weak, and only the tc_*_nat programs (not loaded by
 * default, SEC("?tc")) call them, so the object loads without conntrack.
 * nf_conn is read with CO-RE (local definitions, preserve_access_index),
 * not a vmlinux.h.
 *
 * Kernel features: bpf_skb_ct_lookup (6.0), ct->status through CO-RE.
 */
#ifndef TCFLOWD_CT_H
#define TCFLOWD_CT_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "flow.h"

#define NAT_MAP_DEFAULT_ENTRIES	1	/* the loader sizes it when nat is on */

/* enum ip_conntrack_status (linux/netfilter/nf_conntrack_common.h) */
#define CT_IPS_SRC_NAT		(1 << 4)
#define CT_IPS_DST_NAT		(1 << 5)
#define CT_DIR_ORIGINAL		0
#define CT_DIR_REPLY		1
#define CT_NETNS_CURRENT	(-1)	/* BPF_F_CURRENT_NETNS */
#define CT_OPTS_SZ		12	/* what every kernel since 6.0 takes */

/* The kernel's, for CO-RE: only what is read; the tuple itself has kept
 * its layout since conntrack began, and is copied whole. */
struct nf_conntrack_tuple {
	struct {
		__u32	u3[4];		/* union nf_inet_addr */
		__be16	port;		/* union nf_conntrack_man_proto */
		__u16	l3num;
	} src;
	struct {
		__u32	u3[4];
		__be16	port;
		__u8	protonum;
		__u8	dir;
	} dst;
};

struct nf_conntrack_tuple_hash {
	struct nf_conntrack_tuple tuple;
} __attribute__((preserve_access_index));

struct nf_conn {
	unsigned long status;
	struct nf_conntrack_tuple_hash tuplehash[2];
} __attribute__((preserve_access_index));

/* The kfunc's options, in the 12 bytes every version accepts. */
struct bpf_ct_opts {
	__s32	netns_id;
	__s32	error;
	__u8	l4proto;
	__u8	dir;
	__u8	reserved[2];
};

extern struct nf_conn *bpf_skb_ct_lookup(struct __sk_buff *skb,
					 struct bpf_sock_tuple *tuple,
					 __u32 tuple__sz,
					 struct bpf_ct_opts *opts,
					 __u32 opts__sz) __ksym __weak;
extern void bpf_ct_release(struct nf_conn *ct) __ksym __weak;

/* drained at every fetch: usually nearly empty, so not preallocated */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, NAT_MAP_DEFAULT_ENTRIES);
	__type(key, struct nat_tuple);
	__type(value, struct nat_tuple);
} nat SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct nat_stats);
} nat_stats SEC(".maps");

/* Ask conntrack for the flow's tuple, or (reverse) for its reverse. */
static __always_inline struct nf_conn *
ct_find(struct __sk_buff *skb, const struct flow_key *k, int reverse,
	struct nat_stats *ns)
{
	struct bpf_ct_opts opts = { .netns_id = CT_NETNS_CURRENT,
				    .l4proto = k->proto };
	struct bpf_sock_tuple t = {};
	const __u8 *s = reverse ? k->dst : k->src;
	const __u8 *d = reverse ? k->src : k->dst;
	__u32 sz;

	if (k->eth_type == bpf_htons(ETH_P_IP)) {
		__builtin_memcpy(&t.ipv4.saddr, s + 12, 4);
		__builtin_memcpy(&t.ipv4.daddr, d + 12, 4);
		t.ipv4.sport = reverse ? k->dport : k->sport;
		t.ipv4.dport = reverse ? k->sport : k->dport;
		sz = sizeof(t.ipv4);
	} else {
		__builtin_memcpy(t.ipv6.saddr, s, 16);
		__builtin_memcpy(t.ipv6.daddr, d, 16);
		t.ipv6.sport = reverse ? k->dport : k->sport;
		t.ipv6.dport = reverse ? k->sport : k->dport;
		sz = sizeof(t.ipv6);
	}
	ns->c[NSTAT_LOOKUPS]++;
	return bpf_skb_ct_lookup(skb, &t, sz, &opts, CT_OPTS_SZ);
}

/* A conntrack tuple as ours: IPv4 IPv4-mapped, as in struct flow_key. */
static __always_inline void tuple_of(struct nat_tuple *n,
				     const struct nf_conntrack_tuple *t)
{
	if (t->src.l3num == 2) {	/* AF_INET */
		__u32 mapped = bpf_htonl(0xffff);

		__builtin_memcpy(n->src + 8, &mapped, 4);
		__builtin_memcpy(n->dst + 8, &mapped, 4);
		__builtin_memcpy(n->src + 12, &t->src.u3[0], 4);
		__builtin_memcpy(n->dst + 12, &t->dst.u3[0], 4);
	} else {
		__builtin_memcpy(n->src, t->src.u3, 16);
		__builtin_memcpy(n->dst, t->dst.u3, 16);
	}
	n->sport = t->src.port;
	n->dport = t->dst.port;
	n->proto = t->dst.protonum;
}

/* The entry is found: if it is translated, write both of its tuples. */
static __always_inline void nat_note(struct nf_conn *ct, struct nat_stats *ns)
{
	struct nf_conntrack_tuple ot, rt;
	struct nat_tuple o = {}, r = {};
	unsigned long status = 0;

	bpf_core_read(&status, sizeof(status), &ct->status);
	if (!(status & (CT_IPS_SRC_NAT | CT_IPS_DST_NAT))) {
		ns->c[NSTAT_PLAIN]++;
		return;
	}
	bpf_core_read(&ot, sizeof(ot), &ct->tuplehash[CT_DIR_ORIGINAL].tuple);
	bpf_core_read(&rt, sizeof(rt), &ct->tuplehash[CT_DIR_REPLY].tuple);
	tuple_of(&o, &ot);
	tuple_of(&r, &rt);
	if (bpf_map_update_elem(&nat, &o, &r, BPF_ANY) ||
	    bpf_map_update_elem(&nat, &r, &o, BPF_ANY))
		ns->c[NSTAT_MAP_FULL]++;
	else
		ns->c[NSTAT_TRANSLATED]++;
}

/*
 * Look the flow of entry m up in conntrack, unless that is done for this
 * entry (on this CPU) or cannot work (not TCP or UDP, no ports: a later
 * fragment).  On the ingress hook a packet is as conntrack's hash has it
 * (before translation, or a reply before it is translated back); on the
 * egress hook it usually is not, and its reverse is.  segs: the packets
 * this skb adds to m.
 */
static __always_inline void nat_track(struct __sk_buff *skb,
				      const struct flow_key *k, __u8 dir,
				      struct flow_metrics *m, __u64 segs)
{
	struct nat_stats *ns;
	struct nf_conn *ct;
	__u32 zero = 0;

	if (m->flags & FLOW_F_NAT_DONE)
		return;
	if ((k->proto != IPPROTO_TCP && k->proto != IPPROTO_UDP) ||
	    (!k->sport && !k->dport)) {
		m->flags |= FLOW_F_NAT_DONE;
		return;
	}
	ns = bpf_map_lookup_elem(&nat_stats, &zero);
	if (!ns)
		return;		/* a one-slot array: cannot happen */
	ct = ct_find(skb, k, dir == FLOW_DIR_EGRESS, ns);
	if (!ct)
		ct = ct_find(skb, k, dir != FLOW_DIR_EGRESS, ns);
	if (!ct) {
		if (m->packets + segs >= NAT_TRIES) {
			m->flags |= FLOW_F_NAT_DONE;
			ns->c[NSTAT_NOT_FOUND]++;
		}
		return;
	}
	m->flags |= FLOW_F_NAT_DONE;
	nat_note(ct, ns);
	bpf_ct_release(ct);
}

#endif /* TCFLOWD_CT_H */
