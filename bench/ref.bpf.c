// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ref.bpf.c - the practical floor for bench/datapath: parse
 * Ethernet/IPv4/UDP with direct packet access and add packets and bytes to
 * a per-CPU hash keyed by the 5-tuple.  No VLANs, no IPv6, no sampling, no
 * overflow path, no timestamps.
 *
 * ref_count48 is the same with tcflowd's key (struct flow_key, 48 bytes:
 * interface, direction, VLANs, IPv4 as IPv4-mapped IPv6), to tell what the
 * key's size costs on its own: the kernel hashes and compares every byte
 * of it on every lookup.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/pkt_cls.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "flow.h"

struct key5 {
	__be32	saddr;
	__be32	daddr;
	__be16	sport;
	__be16	dport;
	__u8	proto;
	__u8	pad[3];
};

struct val {
	__u64	packets;
	__u64	bytes;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct key5);
	__type(value, struct val);
} ref_flows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct flow_key);
	__type(value, struct val);
} ref_flows48 SEC(".maps");

/* The IPv4 and UDP headers of an Ethernet frame, or NULL for the rest. */
static __always_inline struct iphdr *udp4(struct __sk_buff *skb,
					  struct udphdr **udp)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return NULL;
	*udp = (void *)ip + ip->ihl * 4;
	if ((void *)(*udp + 1) > data_end || ip->protocol != IPPROTO_UDP)
		return NULL;
	return ip;
}

/* One packet of ip's length into k's entry of map. */
static __always_inline void count(void *map, const void *k,
				  const struct iphdr *ip)
{
	struct val *v = bpf_map_lookup_elem(map, k), nv;

	if (v) {
		v->packets++;
		v->bytes += bpf_ntohs(ip->tot_len);
	} else {
		nv.packets = 1;
		nv.bytes = bpf_ntohs(ip->tot_len);
		bpf_map_update_elem(map, k, &nv, BPF_NOEXIST);
	}
}

SEC("tc")
int ref_count(struct __sk_buff *skb)
{
	struct key5 k = {};
	struct udphdr *udp;
	struct iphdr *ip = udp4(skb, &udp);

	if (!ip)
		return TC_ACT_UNSPEC;
	k.saddr = ip->saddr;
	k.daddr = ip->daddr;
	k.sport = udp->source;
	k.dport = udp->dest;
	k.proto = ip->protocol;
	count(&ref_flows, &k, ip);
	return TC_ACT_UNSPEC;
}

SEC("tc")
int ref_count48(struct __sk_buff *skb)
{
	struct udphdr *udp;
	struct iphdr *ip = udp4(skb, &udp);
	struct flow_key k = {};

	if (!ip)
		return TC_ACT_UNSPEC;
	k.ifindex = skb->ifindex;
	k.proto = ip->protocol;
	k.eth_type = bpf_htons(ETH_P_IP);
	/* ::ffff:a.b.c.d, as bpf/parse.h stores it */
	*(__u32 *)&k.src[8] = bpf_htonl(0xffff);
	*(__u32 *)&k.src[12] = ip->saddr;
	*(__u32 *)&k.dst[8] = bpf_htonl(0xffff);
	*(__u32 *)&k.dst[12] = ip->daddr;
	k.sport = udp->source;
	k.dport = udp->dest;
	count(&ref_flows48, &k, ip);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
