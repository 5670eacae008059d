/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * frames.h - build Ethernet frames for BPF_PROG_TEST_RUN, layer by layer.
 *
 *	struct frame f;
 *	frame_eth(&f);
 *	frame_vlan(&f, ETH_P_8021Q, 100);
 *	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
 *	frame_udp(&f, 1000, 53);
 *	frame_payload(&f, 100);
 *	frame_finish(&f);	// lengths and checksums
 */
#ifndef TCFLOWD_FRAMES_H
#define TCFLOWD_FRAMES_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX	4096

struct frame {
	uint8_t	buf[FRAME_MAX];
	size_t	len;
	size_t	ethertype_off;	/* the last ethertype field written */
	size_t	ip_off;		/* IPv4 or IPv6 header, 0 if none */
	int	ip_version;
	size_t	nexthdr_off;	/* the field naming the next header */
	size_t	udp_off;	/* 0 if none */
	size_t	trailer;	/* bytes after the IP datagram (padding) */
};

extern const uint8_t frame_src_mac[6], frame_dst_mac[6];

void frame_eth(struct frame *f, uint16_t ethertype);
void frame_vlan(struct frame *f, uint16_t tpid, uint16_t vid);
/* IPv4 with optlen bytes of options (a multiple of 4); frag_off is the
 * host-order flags+offset field (0x2000 MF, offset in 8-byte units). */
void frame_ipv4_ex(struct frame *f, const char *src, const char *dst,
		   uint8_t proto, uint8_t tos, uint8_t ttl, size_t optlen,
		   uint16_t frag_off);
void frame_ipv4(struct frame *f, const char *src, const char *dst,
		uint8_t proto);
void frame_ipv6(struct frame *f, const char *src, const char *dst,
		uint8_t nexthdr, uint8_t tclass, uint8_t hlim);
/* An IPv6 extension header of len bytes (a multiple of 8; AH: of 4). */
void frame_ext6(struct frame *f, uint8_t type, size_t len);
/* An IPv6 fragment header: offset in 8-byte units, more fragments flag. */
void frame_frag6(struct frame *f, uint16_t offset, int more);
void frame_tcp(struct frame *f, uint16_t sport, uint16_t dport,
	       uint8_t flags, size_t optlen);
/* A whole IPv4 TCP segment (no options): sequence number seq, payload
 * bytes of payload, lengths and checksum done. */
void frame_tcp4_seg(struct frame *f, const char *src, const char *dst,
		    uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
		    size_t payload);
void frame_udp(struct frame *f, uint16_t sport, uint16_t dport);
void frame_sctp(struct frame *f, uint16_t sport, uint16_t dport);
void frame_icmp(struct frame *f, uint8_t type, uint8_t code);
void frame_payload(struct frame *f, size_t n);
/* Pad the frame to len bytes with a trailer outside the IP datagram (the
 * Ethernet minimum frame).  Call before frame_finish. */
void frame_pad(struct frame *f, size_t len);
/* Fix IP total/payload length, IPv4 header checksum and UDP length. */
void frame_finish(struct frame *f);
/* IP bytes in the frame (from the IP header on), after frame_finish. */
size_t frame_ip_len(const struct frame *f);

#endif /* TCFLOWD_FRAMES_H */
