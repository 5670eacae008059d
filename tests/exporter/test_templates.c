// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_templates.c - the template-based exporters, NetFlow v9 and IPFIX,
 * decoded by tshark: templates that tshark accepts (it decodes data only
 * through them), IPv4, IPv6, ICMP, 64-bit counters, message boundaries,
 * sequence numbers, template refresh, and the sampling and interface-name
 * options.  The same records and checks for both.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture.h"
#include "exporter.h"
#include "tap.h"

static struct capture cap;

static struct export_record rec(int v6, uint8_t proto, uint16_t sport,
				uint16_t dport, uint32_t ifindex, const char *ifname)
{
	struct export_record r = { .packets = 10, .bytes = 1000,
				   .sampling_interval = 1, .end_reason = 1,
				   .min_ttl = 60, .max_ttl = 64,
				   .ingress_ifindex = ifindex, .ifname = ifname };

	r.key.ifindex = ifindex;
	r.key.proto = proto;
	if (v6) {
		r.key.eth_type = htons(0x86dd);
		inet_pton(AF_INET6, "2001:db8::1", r.key.src);
		inet_pton(AF_INET6, "2001:db8::2", r.key.dst);
	} else {
		r.key.eth_type = htons(0x0800);
		r.key.src[10] = r.key.src[11] = r.key.dst[10] = r.key.dst[11] = 0xff;
		inet_pton(AF_INET, "192.0.2.1", r.key.src + 12);
		inet_pton(AF_INET, "198.51.100.2", r.key.dst + 12);
	}
	r.key.sport = htons(sport);
	r.key.dport = htons(dport);
	return r;
}

/* How many comma-separated values s holds ("" holds none). */
static int values(const char *s)
{
	int n = *s ? 1 : 0;

	for (; *s; s++)
		n += *s == ',';
	return n;
}

static void run(int protocol, const char *name, const char *version)
{
	static const char *const fields[] = {
		"frame.protocols", "cflow.version", "cflow.sequence",
		"cflow.template_id", "cflow.srcport", "cflow.srcaddrv6",
		"cflow.packets", "cflow.if_name", "cflow.scope_interface",
		"cflow.sampling_interval", "cflow.icmp_type_code_ipv4",
		"cflow.flow_end_reason", "cflow.ttl_min", "cflow.vlanid",
		"cflow.unix_secs", "cflow.exporttime",
		"cflow.nexthop", "cflow.nexthopv6", "cflow.srcmask",
		"cflow.dstmask", "cflow.dstmaskv6", "cflow.if_descr",
	};
	struct link_info up = { .ifindex = 2, .name = "eth0",
				.alias = "uplink to AS64500" };
	struct collector_config cc = { .name = "t", .protocol = protocol,
				       .transport = TRANSPORT_UDP,
				       .message_size = 600,
				       .template_refresh_s = 3600,
				       .template_refresh_messages = 3 };
	struct exporter_env env = { .observation_domain = 42 };
	int i, n, msgs = 0, flows = 0, v6 = 0, with_tmpl = 0, malformed = 0;
	int seq_ok = 1, big = 0, eth0 = 0, eth1 = 0, samp10 = 0, icmp = 0;
	long prev_seq = -1;
	int gap = 0, max_gap = 0;
	int reason_ok = 1, ttl_ok = 1, vlan = 0, times_ok = 1;
	int nh4 = 0, nh6 = 0, masks = 0, mask6 = 0, descr = 0;
	long now = (long)time(NULL);
	long want_seq = 0;
	struct export_record r;
	struct exporter *e;
	char *text, *rest, *line;

	capture_open(&cap);
	strcpy(cc.address, "127.0.0.1");
	cc.port = cap.port;
	e = exporter_open(&cc, &env);
	if (!e)
		tap_bail("open the %s exporter", name);
	exporter_note_iface(e, &up);	/* as the daemon does at start */

	for (i = 0; i < 20; i++) {
		r = rec(0, 17, (uint16_t)(1000 + i), 53, 2, "eth0");
		if (i == 0)
			r.packets = 10000000000ull;	/* past 32 bits */
		exporter_add(e, &r);
	}
	for (i = 0; i < 10; i++) {
		r = rec(1, 6, (uint16_t)(2000 + i), 443, 3, "eth1");
		exporter_add(e, &r);
	}
	r = rec(0, 1, 0, 0x0800, 2, "eth0");
	exporter_add(e, &r);
	r = rec(0, 17, 999, 53, 2, "eth0");
	r.key.vlan_id = 3001;
	exporter_add(e, &r);
	for (i = 0; i < 5; i++) {		/* sampling changes */
		r = rec(0, 17, (uint16_t)(3000 + i), 53, 2, "eth0");
		r.sampling_interval = 10;
		exporter_add(e, &r);
	}
	/* two records with their route: a next hop and prefix lengths */
	r = rec(0, 6, 4000, 80, 2, "eth0");
	r.route = EXPORT_ROUTE_DST | EXPORT_ROUTE_SRC;
	r.has_next_hop = 1;
	r.next_hop[10] = r.next_hop[11] = 0xff;
	inet_pton(AF_INET, "203.0.113.254", r.next_hop + 12);
	r.src_prefix_len = 24;
	r.dst_prefix_len = 16;
	r.egress_ifindex = 3;
	exporter_add(e, &r);
	r = rec(1, 6, 4001, 80, 3, "eth1");
	r.route = EXPORT_ROUTE_DST | EXPORT_ROUTE_SRC;
	r.has_next_hop = 1;
	inet_pton(AF_INET6, "fe80::1", r.next_hop);
	r.src_prefix_len = 64;
	r.dst_prefix_len = 48;
	exporter_add(e, &r);
	exporter_flush(e);
	tap_is(e->counters.errors, 0, "%s: no send errors", name);
	tap_is(e->counters.records, 39, "%s: 39 flow records sent", name);
	n = capture_collect(&cap);
	tap_is((uint64_t)n, e->counters.messages, "%s: every message arrived (%d)", name, n);

	text = capture_decode(&cap, fields, 22);
	rest = text;
	while ((line = strsep(&rest, "\n"))) {
		char *c[22];
		long t;

		if (capture_split(line, '\t', c, 22) < 22)
			continue;
		nh4 += strstr(c[16], "203.0.113.254") != NULL;
		nh6 += strstr(c[17], "fe80::1") != NULL;
		masks += !strcmp(c[18], "24,64") || !strcmp(c[18], "24");
		mask6 += strstr(c[20], "48") != NULL;
		masks += strstr(c[19], "16") != NULL;
		descr += strstr(c[21], "uplink to AS64500") != NULL;
		vlan += strstr(c[13], "3001") != NULL;
		t = atol(*c[14] ? c[14] : c[15]);	/* v9 : IPFIX */
		times_ok &= t >= now - 60 && t <= now + 60;
		malformed += strstr(c[0], "malformed") != NULL;
		if (strcmp(c[1], version))
			continue;
		/* v9 counts export packets; IPFIX counts data records */
		if (protocol == PROTO_NETFLOW9)
			seq_ok &= atol(c[2]) == want_seq++;
		else	/* a templates-only message carries no data records */
			seq_ok &= atol(c[2]) >= prev_seq;
		prev_seq = atol(c[2]);
		if (strstr(c[3], "256")) {
			with_tmpl++;
			gap = 0;
		} else if (++gap > max_gap) {
			max_gap = gap;
		}
		flows += values(c[4]);
		v6 += values(c[5]);
		big += strstr(c[6], "10000000000") != NULL;
		eth0 += strstr(c[7], "eth0") != NULL;
		eth1 += strstr(c[7], "eth1") != NULL;
		samp10 += strstr(c[9], "10") != NULL;
		icmp += strstr(c[10], "2048") != NULL || strstr(c[10], "0x0800") != NULL;
		reason_ok &= !*c[11] || strspn(c[11], "1,") == strlen(c[11]);
		ttl_ok &= !*c[12] || strspn(c[12], "60,") == strlen(c[12]);
		msgs++;
	}
	free(text);
	tap_is((uint64_t)msgs, (uint64_t)n, "%s: tshark decoded every message (version %s)", name, version);
	tap_is((uint64_t)malformed, 0, "%s: tshark found nothing malformed", name);
	tap_ok(n >= 4, "%s: messages of at most 600 bytes: %d of them", name, n);
	for (i = 0, big += 0; i < n; i++)
		if (cap.len[i] > 600 || cap.len[i] % 4)
			tap_diag("message %d is %zu bytes", i, cap.len[i]);
	tap_ok(seq_ok, "%s: sequence numbers (v9: export packets from 0; IPFIX: data records, never falling)", name);
	tap_is((uint64_t)flows, 39, "%s: tshark decoded all 39 flow records through "
	       "our templates", name);
	tap_is((uint64_t)v6, 11, "%s: 11 IPv6 records, addresses decoded", name);
	tap_is((uint64_t)nh4, 1, "%s: the IPv4 next hop decoded", name);
	tap_is((uint64_t)nh6, 1, "%s: the IPv6 next hop decoded", name);
	tap_ok(masks == 2 && mask6 == 1, "%s: source and destination prefix "
	       "lengths decoded (/24 -> /16, and /48 for IPv6)", name);
	tap_ok(descr >= 1, "%s: the interface description (ifAlias) in the "
	       "interface options", name);
	tap_ok(with_tmpl >= 2 && max_gap <= 3, "%s: templates refreshed: never more "
	       "than 3 messages without them (%d of %d carry them)", name, with_tmpl, n);
	tap_is((uint64_t)big, 1, "%s: a 64-bit packet count (10^10) decoded", name);
	tap_ok(eth0 && eth1, "%s: interface names in options records (eth0, eth1)", name);
	tap_ok(samp10 > 0, "%s: the new sampling interval announced", name);
	tap_is((uint64_t)icmp, 1, "%s: ICMP type/code field: echo request (2048)", name);
	tap_ok(reason_ok && ttl_ok, "%s: flowEndReason and minimum TTL decoded", name);
	tap_is((uint64_t)vlan, 1, "%s: a VLAN record: VLAN id 3001 decoded", name);
	tap_ok(times_ok, "%s: every message's export time within a minute of now", name);
	exporter_close(e);
	capture_close(&cap);
}

/* A router with more interfaces than one message holds (and than the
 * table once held): every one of them is announced, in as many messages
 * as it takes. */
static void many_interfaces(int protocol, const char *name)
{
	static const char *const fields[] = { "cflow.if_name" };
	struct collector_config cc = { .name = "t", .protocol = protocol,
				       .transport = TRANSPORT_UDP,
				       .message_size = 600 };
	struct exporter_env env = { .observation_domain = 7 };
	char seen[300] = { 0 }, *text, *rest, *line, *tok;
	struct export_record r;
	struct exporter *e;
	int i, n = 0;

	capture_open(&cap);
	strcpy(cc.address, "127.0.0.1");
	cc.port = cap.port;
	e = exporter_open(&cc, &env);
	if (!e)
		tap_bail("open the %s exporter", name);
	for (i = 0; i < 300; i++) {
		struct link_info li = { .ifindex = (uint32_t)(100 + i) };

		snprintf(li.name, sizeof(li.name), "port%d", i);
		exporter_note_iface(e, &li);
	}
	r = rec(0, 17, 1000, 53, 100, "port0");
	exporter_add(e, &r);
	exporter_flush(e);
	capture_collect(&cap);
	text = capture_decode(&cap, fields, 1);
	rest = text;
	while ((line = strsep(&rest, "\n")))
		while ((tok = strsep(&line, ",")))
			if (!strncmp(tok, "port", 4) && atoi(tok + 4) < 300 &&
			    !seen[atoi(tok + 4)]++)
				n++;
	free(text);
	tap_is((uint64_t)n, 300, "%s: all 300 interface names announced, over "
	       "many 600-byte messages", name);
	tap_is(e->counters.records, 1, "%s: and the flow record", name);
	exporter_close(e);
	capture_close(&cap);
}

int main(void)
{
	run(PROTO_NETFLOW9, "netflow9", "9");
	run(PROTO_IPFIX, "ipfix", "10");
	many_interfaces(PROTO_NETFLOW9, "netflow9");
	many_interfaces(PROTO_IPFIX, "ipfix");
	return tap_done();
}
