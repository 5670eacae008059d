/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * parse.h - packet parser shared by the TC programs and the socket filter.
 *
 * The parser only reads.  It never drops, redirects or modifies a packet.
 * It fills struct pkt with the flow key and the per-packet metrics, or
 * returns the index of the stats counter that explains why the packet is
 * not a flow (non-IP, truncated, malformed).
 *
 * Kernel features: bpf_skb_load_bytes_relative (4.18), __sk_buff.gso_segs
 * (5.1) and gso_size (5.7).  Nothing here needs more than 5.8.
 */
#ifndef TCFLOWD_PARSE_H
#define TCFLOWD_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "flow.h"

/*
 * How the program reads the packet.  TC programs see skb->data at the MAC
 * header and may read the linear part directly; a socket filter may not
 * touch skb->data and reads relative to the MAC header.
 */
#define PARSE_TC	0
#define PARSE_SOCKET	1

#define ETH_P_8021AD_OLD	0x9100	/* pre-standard QinQ outer tag */
#define IPV6_MAX_EXT_HDRS	8	/* extension headers walked before giving up */
#define MAX_HDR_OFF		1024	/* no header we parse starts beyond this */
#define HDR_ALIGN		__attribute__((aligned(4)))	/* header buffers */

struct pkt {
	struct flow_key	key;
	__u8		src_mac[6];
	__u8		dst_mac[6];
	__u32		ip_len;		/* IP total length (header + payload) */
	__u32		hdr_len;	/* L3 + L4 header bytes, repeated per segment */
	__u32		tcp_seq;	/* TCP sequence number (host order) */
	__u16		tcp_flags;
	__u8		tos;
	__u8		ttl;
	__u8		flags;		/* FLOW_F_* */
};

struct vlan_tag {
	__be16	tci;
	__be16	proto;
};

struct frag6 {
	__u8	nexthdr;
	__u8	reserved;
	__be16	frag_off;	/* offset << 3 | M */
	__be32	id;
};

/*
 * Copy len bytes (a constant) from the packet into a 4-byte aligned stack
 * buffer with 4- and 2-byte loads.  clang lowers a memcpy from a packet
 * pointer to single-byte loads, which made header copies the largest cost
 * of the program.  Unaligned packet loads are fine on TC (the verifier
 * only insists on alignment for the stack).
 */
static __always_inline void copy_hdr(void *to, const void *from, __u32 len)
{
	__u32 i;

#pragma unroll
	for (i = 0; i + 4 <= len; i += 4)
		*(__u32 *)(to + i) = *(const __u32 *)(from + i);
	if (len & 2)
		*(__u16 *)(to + (len & ~3u)) = *(const __u16 *)(from + (len & ~3u));
	if (len & 1)
		*(__u8 *)(to + len - 1) = *(const __u8 *)(from + len - 1);
}

/*
 * Copy len bytes at offset off (from the MAC header) into to.  Returns 0,
 * or a negative value when the packet ends before off + len.  len is a
 * compile-time constant at every call site; to is 4-byte aligned (HDR_ALIGN).
 */
static __always_inline int pkt_load(struct __sk_buff *skb, __u32 off,
				    void *to, __u32 len, const int mode)
{
	if (mode == PARSE_TC) {
		void *data = (void *)(long)skb->data;
		void *data_end = (void *)(long)skb->data_end;

		if (off < MAX_HDR_OFF) {
			void *p = data + off;

			if (p + len <= data_end) {
				copy_hdr(to, p, len);
				return 0;
			}
		}
		/* not in the linear part (or truncated): the slow way */
		return bpf_skb_load_bytes(skb, off, to, len);
	}
	return bpf_skb_load_bytes_relative(skb, off, to, len,
					   BPF_HDR_START_MAC);
}

/*
 * Bytes of the frame in front of skb->data in a socket filter.  On an
 * AF_PACKET SOCK_RAW socket (src/attach.c) skb->data is at the MAC header,
 * as on the TC hooks: 0.  BPF_PROG_TEST_RUN runs socket filters with the
 * Ethernet header pulled (skb->data at the network header), so the tests
 * set ETH_HLEN here.  A plain global (.bss): the tests write it.
 */
volatile __u32 sock_data_off;

/* Bytes from the MAC header to the end of the packet (linear or not). */
static __always_inline __u32 frame_len(struct __sk_buff *skb, const int mode)
{
	return mode == PARSE_TC ? skb->len : skb->len + sock_data_off;
}

/*
 * The IP datagram from off on may claim at most the bytes the frame has
 * behind off: the parser reads only headers, but the counts come from the
 * length field.  Returns 0 or STAT_TRUNC_L3.
 */
static __always_inline int check_ip_len(struct __sk_buff *skb,
					const struct pkt *p, __u32 off,
					const int mode)
{
	__u32 len = frame_len(skb, mode);

	return len < off || len - off < p->ip_len ? STAT_TRUNC_L3 : 0;
}

/*
 * BIG TCP (GSO/GRO super-frames over 64 KiB) leaves the 16-bit length
 * field 0 (IPv4 tot_len, IPv6 payload_len with a jumbo hop-by-hop
 * option); the frame's length is the datagram's then.
 */
static __always_inline __u32 big_len(struct __sk_buff *skb, __u32 off,
				     const int mode)
{
	__u32 len = frame_len(skb, mode);

	return len > off ? len - off : 0;
}

/* Store an IPv4 address as IPv4-mapped IPv6 (::ffff:a.b.c.d). */
static __always_inline void addr_map4(__u8 *dst, __be32 a)
{
	__builtin_memset(dst, 0, 10);
	dst[10] = 0xff;
	dst[11] = 0xff;
	__builtin_memcpy(dst + 12, &a, 4);
}

/*
 * Parse the L4 header at off.  payload is the number of bytes the IP
 * datagram has from off on.  Fills ports, TCP flags and hdr_len.
 * Returns 0 or a STAT_* index.
 */
static __always_inline int parse_l4(struct __sk_buff *skb, struct pkt *p,
				    __u32 off, __u32 payload, const int mode)
{
	__u8 b[20] HDR_ALIGN;

	switch (p->key.proto) {
	case IPPROTO_TCP:
		if (payload < 20 || pkt_load(skb, off, b, 20, mode))
			return STAT_TRUNC_L4;
		if ((b[12] >> 4) < 5)
			return STAT_BAD_L4;
		__builtin_memcpy(&p->key.sport, b, 4);	/* sport, dport */
		p->tcp_flags = (__u16)(b[12] & 1) << 8 | b[13];
		p->tcp_seq = bpf_ntohl(*(__be32 *)(b + 4));
		p->hdr_len += (b[12] >> 4) * 4;
		if (b[13] & 0x01)
			p->flags |= FLOW_F_FIN;
		if (b[13] & 0x04)
			p->flags |= FLOW_F_RST;
		return 0;
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_SCTP:
		/* ports are the first four bytes of all three */
		if (payload < 8 || pkt_load(skb, off, b, 8, mode))
			return STAT_TRUNC_L4;
		__builtin_memcpy(&p->key.sport, b, 4);
		p->hdr_len += p->key.proto == IPPROTO_SCTP ? 12 : 8;
		return 0;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		if (payload < 4 || pkt_load(skb, off, b, 2, mode))
			return STAT_TRUNC_L4;
		p->key.sport = 0;
		p->key.dport = bpf_htons((__u16)b[0] << 8 | b[1]);
		p->hdr_len += 8;
		return 0;
	default:
		/* by protocol number, ports 0 */
		return 0;
	}
}

static __always_inline int parse_ipv4(struct __sk_buff *skb, struct pkt *p,
				      __u32 off, const int mode)
{
	struct iphdr ip HDR_ALIGN;
	__u32 ihl;
	__u16 frag;

	if (pkt_load(skb, off, &ip, sizeof(ip), mode))
		return STAT_TRUNC_L3;
	if (ip.version != 4)
		return STAT_BAD_L3;
	ihl = ip.ihl * 4;
	if (ihl < 20)
		return STAT_BAD_IHL;
	p->ip_len = bpf_ntohs(ip.tot_len);
	if (p->ip_len == 0 && skb->gso_segs > 1)
		p->ip_len = big_len(skb, off, mode);	/* BIG TCP */
	if (p->ip_len < ihl)
		return STAT_BAD_L3;
	/* options are skipped, but they must be in the packet */
	if (check_ip_len(skb, p, off, mode))
		return STAT_TRUNC_L3;

	p->key.eth_type = bpf_htons(ETH_P_IP);
	p->key.proto = ip.protocol;
	addr_map4(p->key.src, ip.saddr);
	addr_map4(p->key.dst, ip.daddr);
	p->tos = ip.tos;
	p->ttl = ip.ttl;
	p->hdr_len = ihl;

	frag = bpf_ntohs(ip.frag_off);
	if (frag & 0x3fff) {			/* MF or an offset */
		p->flags |= FLOW_F_FRAGMENT;
		if (frag & 0x1fff) {		/* not the first: no ports */
			p->flags |= FLOW_F_LATER_FRAG;
			return 0;
		}
	}
	return parse_l4(skb, p, off + ihl, p->ip_len - ihl, mode);
}

static __always_inline int ipv6_is_ext(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_FRAGMENT || nexthdr == IPPROTO_DSTOPTS ||
	       nexthdr == IPPROTO_AH;
}

static __always_inline int parse_ipv6(struct __sk_buff *skb, struct pkt *p,
				      __u32 off, const int mode)
{
	struct ipv6hdr ip6 HDR_ALIGN;
	__u32 l4off, end, jumbo = 0;
	__u8 nexthdr;
	int i, big;

	if (pkt_load(skb, off, &ip6, sizeof(ip6), mode))
		return STAT_TRUNC_L3;
	if (ip6.version != 6)
		return STAT_BAD_L3;
	p->ip_len = bpf_ntohs(ip6.payload_len) + 40;
	big = p->ip_len == 40 && skb->gso_segs > 1;
	if (big)
		p->ip_len = big_len(skb, off, mode);	/* BIG TCP jumbogram */
	if (check_ip_len(skb, p, off, mode))
		return STAT_TRUNC_L3;

	p->key.eth_type = bpf_htons(ETH_P_IPV6);
	__builtin_memcpy(p->key.src, &ip6.saddr, 16);
	__builtin_memcpy(p->key.dst, &ip6.daddr, 16);
	p->tos = (ip6.priority << 4) | (ip6.flow_lbl[0] >> 4);
	p->ttl = ip6.hop_limit;

	/* walk the extension headers, a fixed number at most */
	nexthdr = ip6.nexthdr;
	l4off = off + 40;
	end = off + p->ip_len;
	for (i = 0; i < IPV6_MAX_EXT_HDRS && ipv6_is_ext(nexthdr); i++) {
		struct frag6 fh HDR_ALIGN;
		__u8 h[4] HDR_ALIGN;

		if (nexthdr == IPPROTO_FRAGMENT) {
			if (l4off + 8 > end ||
			    pkt_load(skb, l4off, &fh, sizeof(fh), mode))
				return STAT_BAD_IPV6_CHAIN;
			p->flags |= FLOW_F_FRAGMENT;
			nexthdr = fh.nexthdr;
			l4off += 8;
			if (bpf_ntohs(fh.frag_off) & 0xfff8) {
				/* not the first fragment: no L4 header */
				p->flags |= FLOW_F_LATER_FRAG;
				p->key.proto = nexthdr;
				return 0;
			}
			continue;
		}
		/* every extension header has at least 8 bytes */
		if (l4off + 8 > end || pkt_load(skb, l4off, h, 4, mode))
			return STAT_BAD_IPV6_CHAIN;
		/* BIG TCP's hop-by-hop header of 8 bytes with only the jumbo
		 * payload option (0xc2): GSO strips it from the segments */
		if (big && i == 0 && nexthdr == IPPROTO_HOPOPTS && h[1] == 0 &&
		    h[2] == 0xc2)
			jumbo = 8;
		/* AH counts its length in 4-byte units, less 2; the others in
		 * 8-byte units, less 1 */
		if (nexthdr == IPPROTO_AH)
			l4off += ((__u32)h[1] + 2) * 4;
		else
			l4off += ((__u32)h[1] + 1) * 8;
		nexthdr = h[0];
	}
	if (ipv6_is_ext(nexthdr) || l4off > end)
		return STAT_BAD_IPV6_CHAIN;

	p->key.proto = nexthdr;
	p->hdr_len = l4off - off - jumbo;
	p->ip_len -= jumbo;
	if (nexthdr == IPPROTO_NONE)
		return 0;
	return parse_l4(skb, p, l4off, end - l4off, mode);
}

/*
 * Parse a frame from its Ethernet header.  VLAN ids: the offloaded tag
 * (skb->vlan_tci) is the outer one when present, then up to two tags in
 * the packet (802.1Q, 802.1ad, and the old 0x9100).
 * Returns 0 (p holds a flow key) or a STAT_* index.
 */
static __always_inline int parse_frame(struct __sk_buff *skb, struct pkt *p,
				       const int mode)
{
	struct ethhdr eth HDR_ALIGN;
	struct vlan_tag tag HDR_ALIGN;
	__u32 off = sizeof(eth);
	__u32 tags = 0;
	__be16 proto;
	int i;

	if (pkt_load(skb, 0, &eth, sizeof(eth), mode))
		return STAT_TRUNC_L2;
	__builtin_memcpy(p->dst_mac, eth.h_dest, 6);
	__builtin_memcpy(p->src_mac, eth.h_source, 6);
	proto = eth.h_proto;

	if (skb->vlan_present) {
		p->key.vlan_id = skb->vlan_tci & 0x0fff;
		tags = 1;
	}
	for (i = 0; i < 2; i++) {
		if (proto != bpf_htons(ETH_P_8021Q) &&
		    proto != bpf_htons(ETH_P_8021AD) &&
		    proto != bpf_htons(ETH_P_8021AD_OLD))
			break;
		if (pkt_load(skb, off, &tag, sizeof(tag), mode))
			return STAT_TRUNC_L2;
		if (tags == 0)
			p->key.vlan_id = bpf_ntohs(tag.tci) & 0x0fff;
		else if (tags == 1)
			p->key.inner_vlan_id = bpf_ntohs(tag.tci) & 0x0fff;
		tags++;
		off += sizeof(tag);
		proto = tag.proto;
	}

	if (proto == bpf_htons(ETH_P_IP))
		return parse_ipv4(skb, p, off, mode);
	if (proto == bpf_htons(ETH_P_IPV6))
		return parse_ipv6(skb, p, off, mode);
	return STAT_NON_IP;
}

#endif /* TCFLOWD_PARSE_H */
