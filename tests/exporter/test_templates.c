// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_templates.c - the template-based exporters, NetFlow v9 and IPFIX,
 * decoded by tshark: templates that tshark accepts (it decodes data only
 * through them), every field of every record compared with the record
 * added (IPv4, IPv6, ICMP, 64-bit counters, routes), message sizes,
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
#include "records.h"
#include "tap.h"

static struct capture cap;

static struct export_record rec(int v6, uint8_t proto, uint16_t sport,
				uint16_t dport, uint32_t ifindex, const char *ifname)
{
	struct export_record r = v6 ?
		rec_flow("2001:db8::1", "2001:db8::2", proto, sport, dport) :
		rec_flow("192.0.2.1", "198.51.100.2", proto, sport, dport);
	const uint8_t src_mac[6] = { 2, 0, 0, 0, (uint8_t)(sport >> 8),
				     (uint8_t)sport };
	const uint8_t dst_mac[6] = { 2, 0, 0, 1, 0, (uint8_t)(sport % 251) };

	r.packets = 10 + sport % 89;
	r.bytes = 1000 + sport * 7ull;
	r.end_reason = (uint8_t)(1 + sport % 5);
	r.min_ttl = (uint8_t)(60 - sport % 7);
	r.max_ttl = (uint8_t)(64 + sport % 3);
	r.tos = (uint8_t)(sport % 64 << 2);
	r.tcp_flags = proto == 6 ? (uint16_t)(0x12 + sport % 2) : 0;
	if (proto == 6) {	/* TCP health */
		r.syn_count = 1 + sport % 3;
		r.fin_count = sport % 2;
		r.rst_count = sport % 5 == 0;
		r.retrans = 100000u + sport;
		r.client_delay_us = 1000u * (sport % 50) + 777;
		r.server_delay_us = 20000u + sport;
		r.flags |= EXPORT_F_SDELAY | EXPORT_F_CDELAY;
	}
	r.ingress_ifindex = ifindex;
	r.egress_ifindex = 10 + sport % 4;
	r.ifname = ifname;
	memcpy(r.src_mac, src_mac, sizeof(src_mac));
	memcpy(r.dst_mac, dst_mac, sizeof(dst_mac));
	r.key.ifindex = ifindex;
	r.key.direction = sport % 2;
	r.key.src[15] = (uint8_t)sport;
	return r;
}

/* The tshark fields, in this order. */
enum { C_PROTOS, C_VERSION, C_SEQ, C_TID, C_IFNAME, C_IFDESCR, C_SAMPLING,
       C_UNIXSECS, C_EXPORTTIME,
       /* in every flow record */
       C_SPORT, C_DPORT, C_PROTO, C_PACKETS, C_OCTETS, C_IN, C_OUT, C_DIR,
       C_VLAN, C_TOS, C_FLAGS, C_TTLMIN, C_TTLMAX, C_REASON, C_SMAC, C_DMAC,
       /* in IPv4 records / IPv6 records */
       C_SRC4, C_DST4, C_ICMP4, C_SRC6, C_DST6,
       /* in records with the route */
       C_NH4, C_SMASK4, C_DMASK4, C_NH6, C_SMASK6, C_DMASK6,
       /* TCP health: in TCP records (v9: the counts, in every record) */
       C_SYN, C_FIN, C_RST, C_RETRANS, C_CLAT, C_SLAT, C_N };
static const char *const fields[C_N] = {
	"frame.protocols", "cflow.version", "cflow.sequence", "cflow.template_id",
	"cflow.if_name", "cflow.if_descr", "cflow.sampling_interval",
	"cflow.unix_secs", "cflow.exporttime",
	"cflow.srcport", "cflow.dstport", "cflow.protocol", "cflow.packets",
	"cflow.octets", "cflow.inputint", "cflow.outputint", "cflow.direction",
	"cflow.vlanid", "cflow.tos", "cflow.tcpflags", "cflow.ttl_min",
	"cflow.ttl_max", "cflow.flow_end_reason", "cflow.srcmac", "cflow.dstmac",
	"cflow.srcaddr", "cflow.dstaddr", "cflow.icmp_type_code_ipv4",
	"cflow.srcaddrv6", "cflow.dstaddrv6",
	"cflow.nexthop", "cflow.srcmask", "cflow.dstmask",
	"cflow.nexthopv6", "cflow.srcmaskv6", "cflow.dstmaskv6",
	"cflow.total_tcp_syn", "cflow.total_tcp_fin", "cflow.total_tcp_rst",
	"cflow.pie.ntop.retransmitted_in_pkts",
	"cflow.pie.ntop.client_nw_latency_ms", "cflow.pie.server_nw_latency_ms",
};

#define MAX_RECS 64
static struct export_record added[MAX_RECS];
static int n_added, seen[MAX_RECS];

static void add(struct exporter *e, const struct export_record *r)
{
	added[n_added++] = *r;
	exporter_add(e, r);
}

/* The next comma-separated value of *list (advancing it), "" at the end. */
static char *next_value(char **list)
{
	static char empty[1];
	char *v = strsep(list, ",");

	if (!*list)
		*list = empty;
	return v ? v : empty;
}

/* How many comma-separated values s holds ("" holds none). */
static int values(const char *s)
{
	int n = *s ? 1 : 0;

	for (; *s; s++)
		n += *s == ',';
	return n;
}

/* What a record's columns must read, '-' where the record has none. */
static void want_record(char want[][64], const struct export_record *r,
			int ipfix)
{
	char a[64];
	int i;

	memset(want, 0, C_N * sizeof(*want));
	for (i = C_DPORT; i < C_N; i++)
		want[i][0] = '-';	/* not in this record */
	snprintf(want[C_DPORT], 64, "%u", ntohs(r->key.dport));
	snprintf(want[C_PROTO], 64, "%u", r->key.proto);
	snprintf(want[C_PACKETS], 64, "%llu", (unsigned long long)r->packets);
	snprintf(want[C_OCTETS], 64, "%llu", (unsigned long long)r->bytes);
	snprintf(want[C_IN], 64, "%u", r->ingress_ifindex);
	snprintf(want[C_OUT], 64, "%u", r->egress_ifindex);
	snprintf(want[C_DIR], 64, "%u", r->key.direction);
	snprintf(want[C_VLAN], 64, "%u", r->key.vlan_id);
	snprintf(want[C_TOS], 64, "0x%02x", r->tos);
	/* tcpControlBits: 2 bytes in IPFIX, 1 in v9 */
	snprintf(want[C_FLAGS], 64, ipfix ? "0x%04x" : "0x%02x", r->tcp_flags);
	snprintf(want[C_TTLMIN], 64, "%u", r->min_ttl);
	snprintf(want[C_TTLMAX], 64, "%u", r->max_ttl);
	snprintf(want[C_REASON], 64, "%u", r->end_reason);
	snprintf(want[C_SMAC], 64, "%02x:%02x:%02x:%02x:%02x:%02x", r->src_mac[0],
		 r->src_mac[1], r->src_mac[2], r->src_mac[3], r->src_mac[4], r->src_mac[5]);
	snprintf(want[C_DMAC], 64, "%02x:%02x:%02x:%02x:%02x:%02x", r->dst_mac[0],
		 r->dst_mac[1], r->dst_mac[2], r->dst_mac[3], r->dst_mac[4], r->dst_mac[5]);
	if (export_is_ipv4(&r->key)) {
		export_addr_str(r->key.src, want[C_SRC4], 64);
		export_addr_str(r->key.dst, want[C_DST4], 64);
		snprintf(want[C_ICMP4], 64, "0x%04x", r->key.proto == 1 ?
			 ntohs(r->key.dport) : 0);
	} else {
		export_addr_str(r->key.src, want[C_SRC6], 64);
		export_addr_str(r->key.dst, want[C_DST6], 64);
	}
	if (r->key.proto == 6 || !ipfix) {	/* v9: in every record */
		snprintf(want[C_SYN], 64, "%u", r->syn_count);
		snprintf(want[C_FIN], 64, "%u", r->fin_count);
		snprintf(want[C_RST], 64, "%u", r->rst_count);
	}
	if (r->key.proto == 6 && ipfix) {
		/* ntop's latency: half the round trip, ms, rounded */
		snprintf(want[C_RETRANS], 64, "%u", r->retrans);
		snprintf(want[C_CLAT], 64, "%u", (r->client_delay_us + 1000) / 2000);
		snprintf(want[C_SLAT], 64, "%u", (r->server_delay_us + 1000) / 2000);
	}
	if (r->route & EXPORT_ROUTE_DST) {
		int v4 = export_is_ipv4(&r->key);

		export_addr_str(r->next_hop, a, sizeof(a));
		snprintf(want[v4 ? C_NH4 : C_NH6], 64, "%s", a);
		snprintf(want[v4 ? C_SMASK4 : C_SMASK6], 64, "%u", r->src_prefix_len);
		snprintf(want[v4 ? C_DMASK4 : C_DMASK6], 64, "%u", r->dst_prefix_len);
	}
}

/*
 * Every flow record of one message, field by field, against the record
 * added with its source port.  Returns the mismatches, and tells them.
 * IPFIX's interface options (before the flows: a name and a description
 * record an interface) have their scope, ingressInterface, in inputint.
 */
static int check_records(char **c, const char *name, int ipfix)
{
	char *l[C_N], want[C_N][64], *got;
	const struct export_record *r;
	int i, j, bad = 0;

	for (i = 0; i < C_N; i++)
		l[i] = c[i];
	for (i = ipfix ? 2 * values(c[C_IFNAME]) : 0; i > 0; i--)
		next_value(&l[C_IN]);
	while (*l[C_SPORT]) {
		int port = atoi(next_value(&l[C_SPORT]));

		for (j = 0; j < n_added && ntohs(added[j].key.sport) != port; j++)
			;
		if (j == n_added) {
			tap_diag("%s: a record with source port %d was never added", name, port);
			bad++;
			continue;
		}
		seen[j]++;
		r = &added[j];
		want_record(want, r, ipfix);
		for (i = C_DPORT; i < C_N; i++) {
			if (want[i][0] == '-')
				continue;
			got = next_value(&l[i]);
			if (strcmp(got, want[i])) {
				tap_diag("%s: source port %d: %s is '%s', want '%s'",
					 name, port, fields[i], got, want[i]);
				bad++;
			}
		}
	}
	for (i = C_SPORT; i < C_N; i++)
		if (*l[i]) {
			tap_diag("%s: %s has values left over: '%s'", name, fields[i], l[i]);
			bad++;
		}
	return bad;
}

/* Is tok one of the comma-separated values of list? */
static int has_value(const char *list, const char *tok)
{
	size_t n = strlen(tok);

	for (; list; list = strchr(list, ',') ? strchr(list, ',') + 1 : NULL)
		if (!strncmp(list, tok, n) && (list[n] == ',' || !list[n]))
			return 1;
	return 0;
}

/* The records run() sends: 39 of every kind the templates carry. */
static void add_records(struct exporter *e)
{
	struct export_record r;
	int i;

	for (i = 0; i < 20; i++) {
		r = rec(0, 17, (uint16_t)(1000 + i), 53, 2, "eth0");
		if (i == 0)
			r.packets = 10000000000ull;	/* past 32 bits */
		add(e, &r);
	}
	for (i = 0; i < 10; i++) {
		r = rec(1, 6, (uint16_t)(2000 + i), 443, 3, "eth1");
		add(e, &r);
	}
	r = rec(0, 1, 0, 0x0800, 2, "eth0");
	add(e, &r);
	r = rec(0, 17, 999, 53, 2, "eth0");
	r.key.vlan_id = 3001;
	add(e, &r);
	for (i = 0; i < 5; i++) {		/* sampling changes */
		r = rec(0, 17, (uint16_t)(3000 + i), 53, 2, "eth0");
		r.sampling_interval = 10;
		add(e, &r);
	}
	/* two records with their route: a next hop and prefix lengths */
	r = rec(0, 6, 4000, 80, 2, "eth0");
	r.route = EXPORT_ROUTE_DST | EXPORT_ROUTE_SRC;
	r.has_next_hop = 1;
	rec_addr(r.next_hop, "203.0.113.254");
	r.src_prefix_len = 24;
	r.dst_prefix_len = 16;
	add(e, &r);
	r = rec(1, 6, 4001, 80, 3, "eth1");
	r.route = EXPORT_ROUTE_DST | EXPORT_ROUTE_SRC;
	r.has_next_hop = 1;
	rec_addr(r.next_hop, "fe80::1");
	r.src_prefix_len = 64;
	r.dst_prefix_len = 48;
	add(e, &r);
}

/* What the decoded messages of one run showed. */
struct tally {
	int msgs, with_tmpl, malformed, bad, seq_ok, times_ok, max_gap;
	int eth0, eth1, descr, samp10, big;
};

/* Go through tshark's lines of the captured messages, one a message. */
static void scan(struct tally *t, char *text, int protocol, const char *name,
		 const char *version)
{
	long now = (long)time(NULL), prev_seq = -1, want_seq = 0;
	char *rest = text, *line;
	int gap = 0;

	memset(t, 0, sizeof(*t));
	t->seq_ok = t->times_ok = 1;
	while ((line = strsep(&rest, "\n"))) {
		char *c[C_N];
		long ts;

		if (capture_split(line, '\t', c, C_N) < C_N)
			continue;
		ts = atol(*c[C_UNIXSECS] ? c[C_UNIXSECS] : c[C_EXPORTTIME]); /* v9 : IPFIX */
		t->times_ok &= ts >= now - 60 && ts <= now + 60;
		t->malformed += strstr(c[C_PROTOS], "malformed") != NULL;
		if (strcmp(c[C_VERSION], version))
			continue;
		/* v9 counts export packets; IPFIX counts data records */
		if (protocol == PROTO_NETFLOW9)
			t->seq_ok &= atol(c[C_SEQ]) == want_seq++;
		else	/* a templates-only message carries no data records */
			t->seq_ok &= atol(c[C_SEQ]) >= prev_seq;
		prev_seq = atol(c[C_SEQ]);
		/* the templates may take more than one message */
		if (*c[C_TID]) {
			t->with_tmpl++;
			gap = 0;
		} else if (++gap > t->max_gap) {
			t->max_gap = gap;
		}
		t->eth0 += has_value(c[C_IFNAME], "eth0");
		t->eth1 += has_value(c[C_IFNAME], "eth1");
		t->descr += has_value(c[C_IFDESCR], "uplink to AS64500");
		t->samp10 += has_value(c[C_SAMPLING], "10");
		t->big += has_value(c[C_PACKETS], "10000000000");
		t->bad += check_records(c, name, protocol == PROTO_IPFIX);
		t->msgs++;
	}
}

static void report(const struct tally *t, int n, const char *name,
		   const char *version)
{
	int i, once = 0, over = 0;

	for (i = 0; i < n_added; i++)
		once += seen[i] == 1;
	tap_is((uint64_t)t->msgs, (uint64_t)n, "%s: tshark decoded every message (version %s)", name, version);
	tap_is((uint64_t)t->malformed, 0, "%s: tshark found nothing malformed", name);
	for (i = 0; i < n; i++)
		over += cap.len[i] > 600;
	tap_ok(n >= 4 && over == 0, "%s: %d messages, %d of them over 600 bytes", name, n, over);
	tap_ok(t->seq_ok, "%s: sequence numbers (v9: export packets from 0; IPFIX: data records, never falling)", name);
	tap_is((uint64_t)once, 39, "%s: every one of the 39 records decoded exactly once", name);
	tap_is((uint64_t)t->bad, 0, "%s: every field of every record as it was added "
	       "(ports, protocol, counters, interfaces, direction, VLAN, ToS, TCP "
	       "flags, TTLs, end reason, MACs, addresses, ICMP type/code, next hop, "
	       "prefix lengths, TCP SYN/FIN/RST counts, ntop retransmissions "
	       "and latencies)", name);
	tap_is((uint64_t)t->big, 1, "%s: a 64-bit packet count (10^10) decoded", name);
	tap_ok(t->descr >= 1, "%s: the interface description (ifAlias) in the "
	       "interface options", name);
	tap_ok(t->with_tmpl >= 2 && t->max_gap <= 3, "%s: templates refreshed: never more "
	       "than 3 messages without them (%d of %d carry them)", name, t->with_tmpl, n);
	tap_ok(t->eth0 && t->eth1, "%s: interface names in options records (eth0, eth1)", name);
	tap_ok(t->samp10 > 0, "%s: the new sampling interval (10) announced", name);
	tap_ok(t->times_ok, "%s: every message's export time within a minute of now", name);
}

/* An exporter to a new capture socket on 127.0.0.1; bails out if none. */
static struct exporter *open_captured(struct collector_config *cc,
				      const struct exporter_env *env,
				      const char *name)
{
	struct exporter *e;

	capture_open(&cap);
	strcpy(cc->address, "127.0.0.1");
	cc->port = cap.port;
	e = exporter_open(cc, env);
	if (!e)
		tap_bail("open the %s exporter", name);
	return e;
}

static void run(int protocol, const char *name, const char *version)
{
	struct collector_config cc = { .name = "t", .protocol = protocol,
				       .transport = TRANSPORT_UDP,
				       .message_size = 600,
				       .template_refresh_s = 3600,
				       .template_refresh_messages = 3 };
	struct exporter_env env = { .observation_domain = 42 };
	struct exporter *e;
	struct tally t;
	char *text;
	int n;

	n_added = 0;
	memset(seen, 0, sizeof(seen));
	e = open_captured(&cc, &env, name);
	exporter_note_iface(e, 2, "eth0", "uplink to AS64500");	/* as the daemon does at start */
	add_records(e);
	exporter_flush(e);
	tap_is(e->counters.errors, 0, "%s: no send errors", name);
	tap_is(e->counters.records, 39, "%s: 39 flow records sent", name);
	n = capture_collect(&cap);
	tap_is((uint64_t)n, e->counters.messages, "%s: every message arrived (%d)", name, n);

	text = capture_decode(&cap, fields, C_N);
	scan(&t, text, protocol, name, version);
	free(text);
	report(&t, n, name, version);
	exporter_close(e);
	capture_close(&cap);
}

/* A router with more interfaces than one message holds (and than the
 * table once held): every one of them is announced, in as many messages
 * as it takes. */
static void many_interfaces(int protocol, const char *name)
{
	static const char *const if_fields[] = { "cflow.if_name" };
	struct collector_config cc = { .name = "t", .protocol = protocol,
				       .transport = TRANSPORT_UDP,
				       .message_size = 600 };
	struct exporter_env env = { .observation_domain = 7 };
	char named[300] = { 0 }, *text, *rest, *line, *tok;
	struct export_record r;
	struct exporter *e;
	int i, n = 0;

	e = open_captured(&cc, &env, name);
	for (i = 0; i < 300; i++) {
		char ifname[16];

		snprintf(ifname, sizeof(ifname), "port%d", i);
		exporter_note_iface(e, (uint32_t)(100 + i), ifname, NULL);
	}
	r = rec(0, 17, 1000, 53, 100, "port0");
	exporter_add(e, &r);
	exporter_flush(e);
	capture_collect(&cap);
	text = capture_decode(&cap, if_fields, 1);
	rest = text;
	while ((line = strsep(&rest, "\n")))
		while ((tok = strsep(&line, ",")))
			if (!strncmp(tok, "port", 4) && atoi(tok + 4) < 300 &&
			    !named[atoi(tok + 4)]++)
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
