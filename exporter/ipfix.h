/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ipfix.h - inside the IPFIX encoder (not the library's API): the state
 * ipfix.c (records, options, messages) and ipfix_tmpl.c (the template
 * messages) share.
 */
#ifndef TCFLOWD_IPFIX_H
#define TCFLOWD_IPFIX_H

#include <stdint.h>
#include <stdio.h>
#include <fixbuf/public.h>

#include "exporter.h"
#include "transport.h"

#define F_V4		0x1
#define F_V6		0x2
#define F_INTERNAL	0x4	/* padding: in the struct, not on the wire */
#define F_ROUTE		0x8	/* next hop and prefix lengths */
#define F_TCP		0x10	/* TCP health: SYN/FIN/RST, retransmissions,
				 * latencies */
#define F_NAT		0x20	/* the translation (postNAT*) */
#define TID_FLOW_INT	0x1000	/* internal: the whole struct ipfix_flow */
#define TID_FLOW_V4	256
#define TID_FLOW_V6	257
#define TID_SAMPLING	258
#define TID_IFNAME	259
#define TID_RELIABILITY	260
#define TID_FLOW_V4_RT	261	/* the same, with the route */
#define TID_FLOW_V6_RT	262
#define TID_IFDESCR	263
#define TID_TCP		8	/* + a flow template's id: its TCP sibling
				 * (264, 265, 269, 270) */
#define TID_NAT		16	/* + a flow template's id (+ TID_TCP): with the
				 * translation (272, 273, 277, 278; TCP: 280,
				 * 281, 285, 286), only with nat on */
#define IFNAME_LEN	EXPORT_IFNAME_LEN
#define IFDESCR_LEN	EXPORT_IFDESCR_LEN

/* The record as libfixbuf reads it; flow_spec mirrors it field by field. */
struct ipfix_flow {
	uint64_t	octetDeltaCount;
	uint64_t	packetDeltaCount;
	uint64_t	flowStartMilliseconds;
	uint64_t	flowEndMilliseconds;
	uint8_t		sourceIPv6Address[16];
	uint8_t		destinationIPv6Address[16];
	uint8_t		ipNextHopIPv6Address[16];
	uint8_t		postNATSourceIPv6Address[16];
	uint8_t		postNATDestinationIPv6Address[16];
	uint32_t	sourceIPv4Address;
	uint32_t	destinationIPv4Address;
	uint32_t	ipNextHopIPv4Address;
	uint32_t	postNATSourceIPv4Address;
	uint32_t	postNATDestinationIPv4Address;
	uint32_t	ingressInterface;
	uint32_t	egressInterface;
	uint16_t	sourceTransportPort;
	uint16_t	destinationTransportPort;
	uint16_t	postNAPTSourceTransportPort;
	uint16_t	postNAPTDestinationTransportPort;
	uint16_t	tcpControlBits;
	uint16_t	icmpTypeCodeIPv4;
	uint16_t	icmpTypeCodeIPv6;
	uint16_t	vlanId;
	uint16_t	ethernetType;
	uint8_t		sourceMacAddress[6];
	uint8_t		destinationMacAddress[6];
	uint8_t		protocolIdentifier;
	uint8_t		ipClassOfService;
	uint8_t		flowDirection;
	uint8_t		minimumTTL;
	uint8_t		maximumTTL;
	uint8_t		flowEndReason;
	uint8_t		sourceIPv4PrefixLength;
	uint8_t		destinationIPv4PrefixLength;
	uint8_t		sourceIPv6PrefixLength;
	uint8_t		destinationIPv6PrefixLength;
	/* TCP records only (F_TCP) */
	uint32_t	tcpSynTotalCount;	/* reduced-length unsigned64 */
	uint32_t	tcpFinTotalCount;
	uint32_t	tcpRstTotalCount;
	uint32_t	retransmittedInPkts;	/* ntop 35632/109 */
	uint32_t	clientNwLatencyMs;	/* ntop 35632/123 */
	uint32_t	serverNwLatencyMs;	/* ntop 35632/124 */
	uint8_t		pad[4];
};
_Static_assert(sizeof(struct ipfix_flow) == 208, "ipfix_flow has no holes");

/* ipfix_flow.c: the elements of struct ipfix_flow, in its order (flags
 * F_* pick a template's), ntop's elements (PEN 35632), and the fill. */
extern fbInfoElementSpec_t ipfix_flow_spec[];
extern fbInfoElement_t ipfix_ntop_elements[];
void ipfix_fill_flow(struct ipfix_flow *f, const struct export_record *r);

struct ipfix {
	fbInfoModel_t		*model;
	fbSession_t		*session;
	fbExporter_t		*exporter;	/* into buf */
	fBuf_t			*fbuf;
	uint8_t			*buf;
	size_t			bufsize;
	struct transport	t;		/* UDP */
	FILE			*file;		/* or an IPFIX file */
	int			file_broken;	/* a write failed: nothing but
						 * templates until one works */
	int			tmpl_msg;	/* the message is the templates */
	uint32_t		domain;
	int			open;		/* a message is being built */
	uint32_t		flows;		/* flow records in it */
	uint32_t		pending;	/* records or templates in it */
	uint64_t		templates_at;	/* CLOCK_MONOTONIC s, 0: due */
	uint32_t		since_templates; /* messages with flows since */
	uint32_t		refresh_s, refresh_msgs;
	int			refresh_wanted;	/* a UDP collector refused */
	int			options_due;
	uint32_t		sampling;
	const uint64_t		*ignored;	/* may be NULL */
	int			reliability_due;
	int			nat;		/* send the TID_FLOW_*_NAT templates */
};

/* Log a libfixbuf error, free it, return -EIO. */
int ipfix_gerr(GError **err, const char *what);
/* Send len bytes of x->buf as one message (transport or file). */
int ipfix_ship_len(struct exporter *e, size_t len);
/* The message libfixbuf has built so far goes out. */
int ipfix_emit(struct exporter *e);
/* Every template, in as few messages as message_size allows: data
 * templates first, each options template in a set of its own. */
int ipfix_send_templates(struct exporter *e);
/* The longest message one template needs (ipfix_min_message_size()). */
size_t ipfix_templates_len(struct ipfix *x);

#endif /* TCFLOWD_IPFIX_H */
