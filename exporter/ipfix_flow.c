// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipfix_flow.c - the IPFIX flow record: its elements (one array, sixteen
 * templates, see ipfix_flow_spec), the enterprise elements it uses, and
 * how an export_record fills it.
 */
#include <arpa/inet.h>
#include <string.h>
#include <fixbuf/public.h>

#include "exporter.h"
#include "ipfix.h"

/*
 * TCP health beyond IANA's SYN/FIN/RST counts (218-220): ntop's elements
 * (PEN 35632), which Wireshark, ntopng and nProbe's collectors decode.
 * Their meaning is ntop's: retransmitted packets src -> dst of this
 * record, and the network latency as half the round trip in ms
 * (tcflowd's delays are whole round trips in us; JSON has those).
 */
#define NTOP_PEN	35632
fbInfoElement_t ipfix_ntop_elements[] = {
	FB_IE_INIT_FULL("RETRANSMITTED_IN_PKTS", NTOP_PEN, 109, 4,
			FB_IE_DELTACOUNTER | FB_IE_F_ENDIAN | FB_UNITS_PACKETS,
			0, 0, FB_UINT_32, NULL),
	FB_IE_INIT_FULL("CLIENT_NW_LATENCY_MS", NTOP_PEN, 123, 4,
			FB_IE_QUANTITY | FB_IE_F_ENDIAN | FB_UNITS_MILLISECONDS,
			0, 0, FB_UINT_32, NULL),
	FB_IE_INIT_FULL("SERVER_NW_LATENCY_MS", NTOP_PEN, 124, 4,
			FB_IE_QUANTITY | FB_IE_F_ENDIAN | FB_UNITS_MILLISECONDS,
			0, 0, FB_UINT_32, NULL),
	FB_IE_NULL
};

/* One array, sixteen external templates: F_V4 or F_V6 picks the
 * addresses, F_ROUTE adds the route (only records whose route is known use
 * it), F_TCP the TCP health (TCP records), F_NAT the translation (records
 * of translated connections, with nat on: IEs 225-228, 281, 282). */
fbInfoElementSpec_t ipfix_flow_spec[] = {
	{ "octetDeltaCount",		8, 0 },
	{ "packetDeltaCount",		8, 0 },
	{ "flowStartMilliseconds",	8, 0 },
	{ "flowEndMilliseconds",	8, 0 },
	{ "sourceIPv6Address",		16, F_V6 },
	{ "destinationIPv6Address",	16, F_V6 },
	{ "ipNextHopIPv6Address",	16, F_V6 | F_ROUTE },
	{ "postNATSourceIPv6Address",	16, F_V6 | F_NAT },
	{ "postNATDestinationIPv6Address", 16, F_V6 | F_NAT },
	{ "sourceIPv4Address",		4, F_V4 },
	{ "destinationIPv4Address",	4, F_V4 },
	{ "ipNextHopIPv4Address",	4, F_V4 | F_ROUTE },
	{ "postNATSourceIPv4Address",	4, F_V4 | F_NAT },
	{ "postNATDestinationIPv4Address", 4, F_V4 | F_NAT },
	{ "ingressInterface",		4, 0 },
	{ "egressInterface",		4, 0 },
	{ "sourceTransportPort",	2, 0 },
	{ "destinationTransportPort",	2, 0 },
	{ "postNAPTSourceTransportPort", 2, F_NAT },
	{ "postNAPTDestinationTransportPort", 2, F_NAT },
	{ "tcpControlBits",		2, 0 },
	{ "icmpTypeCodeIPv4",		2, F_V4 },
	{ "icmpTypeCodeIPv6",		2, F_V6 },
	{ "vlanId",			2, 0 },
	{ "ethernetType",		2, 0 },
	{ "sourceMacAddress",		6, 0 },
	{ "destinationMacAddress",	6, 0 },
	{ "protocolIdentifier",		1, 0 },
	{ "ipClassOfService",		1, 0 },
	{ "flowDirection",		1, 0 },
	{ "minimumTTL",			1, 0 },
	{ "maximumTTL",			1, 0 },
	{ "flowEndReason",		1, 0 },
	{ "sourceIPv4PrefixLength",	1, F_V4 | F_ROUTE },
	{ "destinationIPv4PrefixLength", 1, F_V4 | F_ROUTE },
	{ "sourceIPv6PrefixLength",	1, F_V6 | F_ROUTE },
	{ "destinationIPv6PrefixLength", 1, F_V6 | F_ROUTE },
	/* 4 bytes each, as in NetFlow v9: one mapping file for both */
	{ "tcpSynTotalCount",		4, F_TCP },
	{ "tcpFinTotalCount",		4, F_TCP },
	{ "tcpRstTotalCount",		4, F_TCP },
	{ "RETRANSMITTED_IN_PKTS",	4, F_TCP },
	{ "CLIENT_NW_LATENCY_MS",	4, F_TCP },
	{ "SERVER_NW_LATENCY_MS",	4, F_TCP },
	{ "paddingOctets",		4, F_INTERNAL },
	FB_IESPEC_NULL
};

static void fill_nat(struct ipfix_flow *f, const struct export_record *r,
		     int v4)
{
	uint32_t a;

	if (!r->nat)
		return;
	if (v4) {
		memcpy(&a, r->nat_src + 12, 4);
		f->postNATSourceIPv4Address = ntohl(a);
		memcpy(&a, r->nat_dst + 12, 4);
		f->postNATDestinationIPv4Address = ntohl(a);
	} else {
		memcpy(f->postNATSourceIPv6Address, r->nat_src, 16);
		memcpy(f->postNATDestinationIPv6Address, r->nat_dst, 16);
	}
	f->postNAPTSourceTransportPort = ntohs(r->nat_sport);
	f->postNAPTDestinationTransportPort = ntohs(r->nat_dport);
}

void ipfix_fill_flow(struct ipfix_flow *f, const struct export_record *r)
{
	const struct export_key *k = &r->key;
	int v4 = export_is_ipv4(k), icmp = export_is_icmp(k);

	memset(f, 0, sizeof(*f));
	f->octetDeltaCount = r->bytes;
	f->packetDeltaCount = r->packets;
	f->flowStartMilliseconds = r->start_ms;
	f->flowEndMilliseconds = r->end_ms;
	if (v4) {
		uint32_t a;

		memcpy(&a, k->src + 12, 4);
		f->sourceIPv4Address = ntohl(a);
		memcpy(&a, k->dst + 12, 4);
		f->destinationIPv4Address = ntohl(a);
		f->icmpTypeCodeIPv4 = icmp ? ntohs(k->dport) : 0;
		memcpy(&a, r->next_hop + 12, 4);
		f->ipNextHopIPv4Address = r->has_next_hop ? ntohl(a) : 0;
		f->sourceIPv4PrefixLength = r->src_prefix_len;
		f->destinationIPv4PrefixLength = r->dst_prefix_len;
	} else {
		memcpy(f->sourceIPv6Address, k->src, 16);
		memcpy(f->destinationIPv6Address, k->dst, 16);
		f->icmpTypeCodeIPv6 = icmp ? ntohs(k->dport) : 0;
		if (r->has_next_hop)
			memcpy(f->ipNextHopIPv6Address, r->next_hop, 16);
		f->sourceIPv6PrefixLength = r->src_prefix_len;
		f->destinationIPv6PrefixLength = r->dst_prefix_len;
	}
	f->ingressInterface = r->ingress_ifindex;
	f->egressInterface = r->egress_ifindex;
	f->sourceTransportPort = ntohs(k->sport);
	f->destinationTransportPort = ntohs(k->dport);
	f->tcpControlBits = r->tcp_flags;
	f->vlanId = k->vlan_id;
	f->ethernetType = ntohs(k->eth_type);
	memcpy(f->sourceMacAddress, r->src_mac, 6);
	memcpy(f->destinationMacAddress, r->dst_mac, 6);
	f->protocolIdentifier = k->proto;
	f->ipClassOfService = r->tos;
	f->flowDirection = k->direction;
	f->minimumTTL = r->min_ttl;
	f->maximumTTL = r->max_ttl;
	f->flowEndReason = r->end_reason;
	f->tcpSynTotalCount = r->syn_count;
	f->tcpFinTotalCount = r->fin_count;
	f->tcpRstTotalCount = r->rst_count;
	f->retransmittedInPkts = r->retrans;
	/* ntop: half the round trip, ms (rounded) */
	f->clientNwLatencyMs = (r->client_delay_us + 1000) / 2000;
	f->serverNwLatencyMs = (r->server_delay_us + 1000) / 2000;
	fill_nat(f, r, v4);
}
