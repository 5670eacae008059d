// SPDX-License-Identifier: GPL-2.0-or-later
#include <arpa/inet.h>
#include <assert.h>
#include <string.h>

#include "frames.h"

const uint8_t frame_src_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
const uint8_t frame_dst_mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x02 };

static uint8_t *put(struct frame *f, size_t n)
{
	uint8_t *p = f->buf + f->len;

	assert(f->len + n <= FRAME_MAX);
	memset(p, 0, n);
	f->len += n;
	return p;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void set_next(struct frame *f, uint8_t proto)
{
	if (f->nexthdr_off)
		f->buf[f->nexthdr_off] = proto;
}

void frame_eth(struct frame *f, uint16_t ethertype)
{
	uint8_t *p;

	memset(f, 0, sizeof(*f));
	p = put(f, 14);
	memcpy(p, frame_dst_mac, 6);
	memcpy(p + 6, frame_src_mac, 6);
	put16(p + 12, ethertype);
	f->ethertype_off = 12;
}

void frame_vlan(struct frame *f, uint16_t tpid, uint16_t vid)
{
	uint16_t inner = (uint16_t)(f->buf[f->ethertype_off] << 8 |
				    f->buf[f->ethertype_off + 1]);
	uint8_t *p;

	put16(f->buf + f->ethertype_off, tpid);
	p = put(f, 4);
	put16(p, vid & 0x0fff);
	put16(p + 2, inner);
	f->ethertype_off = f->len - 2;
}

void frame_ipv4_ex(struct frame *f, const char *src, const char *dst,
		   uint8_t proto, uint8_t tos, uint8_t ttl, size_t optlen,
		   uint16_t frag_off)
{
	uint8_t *p;

	put16(f->buf + f->ethertype_off, 0x0800);
	f->ip_off = f->len;
	f->ip_version = 4;
	p = put(f, 20 + optlen);
	p[0] = 0x40 | ((20 + optlen) / 4);
	p[1] = tos;
	put16(p + 6, frag_off);
	p[8] = ttl;
	p[9] = proto;
	inet_pton(AF_INET, src, p + 12);
	inet_pton(AF_INET, dst, p + 16);
	memset(p + 20, 1, optlen);	/* NOP options */
	f->nexthdr_off = 0;
}

void frame_ipv4(struct frame *f, const char *src, const char *dst,
		uint8_t proto)
{
	frame_ipv4_ex(f, src, dst, proto, 0, 64, 0, 0);
}

void frame_ipv6(struct frame *f, const char *src, const char *dst,
		uint8_t nexthdr, uint8_t tclass, uint8_t hlim)
{
	uint8_t *p;

	put16(f->buf + f->ethertype_off, 0x86dd);
	f->ip_off = f->len;
	f->ip_version = 6;
	p = put(f, 40);
	p[0] = 0x60 | tclass >> 4;
	p[1] = (uint8_t)(tclass << 4);
	p[6] = nexthdr;
	p[7] = hlim;
	inet_pton(AF_INET6, src, p + 8);
	inet_pton(AF_INET6, dst, p + 24);
	f->nexthdr_off = f->ip_off + 6;
}

void frame_ext6(struct frame *f, uint8_t type, size_t len)
{
	uint8_t *p;

	set_next(f, type);
	p = put(f, len);
	/* AH counts 4-byte units less 2, the others 8-byte units less 1 */
	p[1] = type == 51 ? (uint8_t)(len / 4 - 2) : (uint8_t)(len / 8 - 1);
	f->nexthdr_off = (size_t)(p - f->buf);
}

void frame_frag6(struct frame *f, uint16_t offset, int more)
{
	uint8_t *p;

	set_next(f, 44);
	p = put(f, 8);
	put16(p + 2, (uint16_t)(offset << 3 | (more ? 1 : 0)));
	p[7] = 0x42;	/* identification */
	f->nexthdr_off = (size_t)(p - f->buf);
}

void frame_tcp(struct frame *f, uint16_t sport, uint16_t dport,
	       uint8_t flags, size_t optlen)
{
	uint8_t *p;

	set_next(f, 6);
	p = put(f, 20 + optlen);
	put16(p, sport);
	put16(p + 2, dport);
	p[12] = (uint8_t)(((20 + optlen) / 4) << 4);
	p[13] = flags;
	put16(p + 14, 65535);
	memset(p + 20, 1, optlen);
}

void frame_tcp4_seg(struct frame *f, const char *src, const char *dst,
		    uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
		    size_t payload)
{
	frame_eth(f, 0);
	frame_ipv4(f, src, dst, 6);
	frame_tcp(f, sport, dport, flags, 0);
	put16(f->buf + f->len - 20 + 4, (uint16_t)(seq >> 16));
	put16(f->buf + f->len - 20 + 6, (uint16_t)seq);
	frame_payload(f, payload);
	frame_finish(f);
}

void frame_udp(struct frame *f, uint16_t sport, uint16_t dport)
{
	uint8_t *p;

	set_next(f, 17);
	f->udp_off = f->len;
	p = put(f, 8);
	put16(p, sport);
	put16(p + 2, dport);
}

void frame_sctp(struct frame *f, uint16_t sport, uint16_t dport)
{
	uint8_t *p;

	set_next(f, 132);
	p = put(f, 12);
	put16(p, sport);
	put16(p + 2, dport);
}

void frame_icmp(struct frame *f, uint8_t type, uint8_t code)
{
	uint8_t *p;

	set_next(f, f->ip_version == 6 ? 58 : 1);
	p = put(f, 8);
	p[0] = type;
	p[1] = code;
}

void frame_payload(struct frame *f, size_t n)
{
	uint8_t *p = put(f, n);
	size_t i;

	for (i = 0; i < n; i++)
		p[i] = (uint8_t)i;
}

void frame_pad(struct frame *f, size_t len)
{
	if (f->len < len) {
		f->trailer = len - f->len;
		put(f, f->trailer);
	}
}

size_t frame_ip_len(const struct frame *f)
{
	return f->len - f->trailer - f->ip_off;
}

void frame_finish(struct frame *f)
{
	uint8_t *ip = f->buf + f->ip_off;
	uint32_t sum = 0;
	size_t i, hl;

	if (f->udp_off)
		put16(f->buf + f->udp_off + 4,
		      (uint16_t)(f->len - f->trailer - f->udp_off));
	if (f->ip_version == 4) {
		hl = (ip[0] & 0x0f) * 4u;
		put16(ip + 2, (uint16_t)frame_ip_len(f));
		put16(ip + 10, 0);
		for (i = 0; i < hl; i += 2)
			sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
		while (sum >> 16)
			sum = (sum & 0xffff) + (sum >> 16);
		put16(ip + 10, (uint16_t)~sum);
	} else if (f->ip_version == 6) {
		put16(ip + 4, (uint16_t)(frame_ip_len(f) - 40));
	}
}
