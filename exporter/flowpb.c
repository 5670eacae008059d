// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flowpb.c - a flow record as goflow2's FlowMessage, with protobuf-c from
 * proto/flow.proto (generated at build time).  IPv4 addresses are 4 bytes,
 * IPv6 16; MACs the 48 bits in a uint64; times in ns since 1970.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include "flowpb.h"
#include "proto/flow.pb-c.h"

static uint64_t mac64(const uint8_t m[6])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = v << 8 | m[i];
	return v;
}

static uint64_t real_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void addresses(Flowpb__FlowMessage *m, const struct export_record *r)
{
	size_t off = export_is_ipv4(&r->key) ? 12 : 0;

	m->src_addr.data = (uint8_t *)r->key.src + off;
	m->src_addr.len = 16 - off;
	m->dst_addr.data = (uint8_t *)r->key.dst + off;
	m->dst_addr.len = 16 - off;
	if (r->route & EXPORT_ROUTE_DST) {
		m->dst_net = r->dst_prefix_len;
		if (r->has_next_hop) {
			m->next_hop.data = (uint8_t *)r->next_hop + off;
			m->next_hop.len = 16 - off;
		}
	}
	if (r->route & EXPORT_ROUTE_SRC)
		m->src_net = r->src_prefix_len;
}

uint8_t *flowpb_encode(const struct export_record *r, uint32_t domain,
		       uint32_t seq, size_t *len)
{
	Flowpb__FlowMessage m = FLOWPB__FLOW_MESSAGE__INIT;
	const struct export_key *k = &r->key;
	size_t n, hdr = 0, v;
	uint8_t *buf;

	m.type = FLOWPB__FLOW_MESSAGE__FLOW_TYPE__IPFIX;
	m.time_received_ns = real_ns();
	m.sequence_num = seq;
	m.sampling_rate = r->sampling_interval;
	m.time_flow_start_ns = r->start_ms * 1000000u;
	m.time_flow_end_ns = r->end_ms * 1000000u;
	m.bytes = r->bytes;
	m.packets = r->packets;
	addresses(&m, r);
	m.etype = ntohs(k->eth_type);
	m.proto = k->proto;
	if (export_is_icmp(k)) {
		m.icmp_type = ntohs(k->dport) >> 8;
		m.icmp_code = ntohs(k->dport) & 0xff;
	} else {
		m.src_port = ntohs(k->sport);
		m.dst_port = ntohs(k->dport);
	}
	m.in_if = r->ingress_ifindex;
	m.out_if = r->egress_ifindex;
	m.src_mac = mac64(r->src_mac);
	m.dst_mac = mac64(r->dst_mac);
	m.src_vlan = m.vlan_id = k->vlan_id;
	m.ip_tos = r->tos;
	m.ip_ttl = r->min_ttl;
	m.tcp_flags = r->tcp_flags;
	m.observation_domain_id = domain;
	n = flowpb__flow_message__get_packed_size(&m);
	buf = malloc(n + 10);
	if (!buf)
		return NULL;
	for (v = n; v >= 0x80; v >>= 7)		/* the varint length */
		buf[hdr++] = (uint8_t)(v | 0x80);
	buf[hdr++] = (uint8_t)v;
	*len = hdr + flowpb__flow_message__pack(&m, buf + hdr);
	return buf;
}
