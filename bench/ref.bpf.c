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

SEC("tc")
int ref_count(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp;
	struct key5 k = {};
	struct val *v, nv;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end || ip->protocol != IPPROTO_UDP)
		return TC_ACT_UNSPEC;
	k.saddr = ip->saddr;
	k.daddr = ip->daddr;
	k.sport = udp->source;
	k.dport = udp->dest;
	k.proto = ip->protocol;
	v = bpf_map_lookup_elem(&ref_flows, &k);
	if (v) {
		v->packets++;
		v->bytes += bpf_ntohs(ip->tot_len);
	} else {
		nv.packets = 1;
		nv.bytes = bpf_ntohs(ip->tot_len);
		bpf_map_update_elem(&ref_flows, &k, &nv, BPF_NOEXIST);
	}
	return TC_ACT_UNSPEC;
}

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_HASH);
	__uint(max_entries, 65536);
	__type(key, struct flow_key);
	__type(value, struct val);
} ref_flows48 SEC(".maps");

SEC("tc")
int ref_count48(struct __sk_buff *skb)
{
	void *data = (void *)(long)skb->data;
	void *data_end = (void *)(long)skb->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	struct udphdr *udp;
	struct flow_key k = {};
	struct val *v, nv;

	if ((void *)(ip + 1) > data_end || eth->h_proto != bpf_htons(ETH_P_IP))
		return TC_ACT_UNSPEC;
	udp = (void *)ip + ip->ihl * 4;
	if ((void *)(udp + 1) > data_end || ip->protocol != IPPROTO_UDP)
		return TC_ACT_UNSPEC;
	k.ifindex = skb->ifindex;
	k.proto = ip->protocol;
	k.eth_type = eth->h_proto;
	/* ::ffff:a.b.c.d, as bpf/parse.h stores it */
	*(__u32 *)&k.src[8] = bpf_htonl(0xffff);
	*(__u32 *)&k.src[12] = ip->saddr;
	*(__u32 *)&k.dst[8] = bpf_htonl(0xffff);
	*(__u32 *)&k.dst[12] = ip->daddr;
	k.sport = udp->source;
	k.dport = udp->dest;
	v = bpf_map_lookup_elem(&ref_flows48, &k);
	if (v) {
		v->packets++;
		v->bytes += bpf_ntohs(ip->tot_len);
	} else {
		nv.packets = 1;
		nv.bytes = bpf_ntohs(ip->tot_len);
		bpf_map_update_elem(&ref_flows48, &k, &nv, BPF_NOEXIST);
	}
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
