// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_netflow5.c - the NetFlow v5 exporter, decoded by an independent
 * decoder (tshark's cflow dissector) and compared field by field.
 *
 * Records go through the real exporter to a UDP socket on 127.0.0.1; the
 * datagrams are written to a pcap and tshark reads them back.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture.h"
#include "exporter.h"
#include "records.h"
#include "tap.h"

#define MAX_MSGS	CAPTURE_MAX_MSGS
#define MAX_RECS	4096

static struct capture cap;

static struct export_record rec4(const char *src, const char *dst, uint8_t proto,
				 uint16_t sport, uint16_t dport)
{
	struct export_record r = rec_flow(src, dst, proto, sport, dport);

	r.packets = 10;
	r.bytes = 1000;
	return r;
}

/* What tshark decoded, one entry per record. */
struct dec {
	char		src[32], dst[32];
	unsigned long	packets, bytes, sport, dport, proto, flags, tos, in, out;
};
static struct dec dec[MAX_RECS];
static int ndec;
static unsigned long counts[MAX_MSGS], seqs[MAX_MSGS], sampling[MAX_MSGS];

static int decode(struct capture *c)
{
	static const char *const fields[] = {
		"cflow.count", "cflow.sequence", "cflow.samplerate",
		"cflow.srcaddr", "cflow.dstaddr", "cflow.packets", "cflow.octets",
		"cflow.srcport", "cflow.dstport", "cflow.protocol",
		"cflow.tcpflags", "cflow.tos", "cflow.inputint", "cflow.outputint",
	};
	char *text = capture_decode(c, fields, 14), *rest = text, *line;
	int m = 0;

	while ((line = strsep(&rest, "\n")) && m < MAX_MSGS) {
		char *col[14], *v[14][30];
		int nv[14], k, n;

		if (capture_split(line, '\t', col, 14) < 14)
			continue;
		counts[m] = strtoul(col[0], NULL, 0);
		seqs[m] = strtoul(col[1], NULL, 0);
		sampling[m] = strtoul(col[2], NULL, 0);
		for (k = 3; k < 14; k++)
			nv[k] = capture_split(col[k], ',', v[k], 30);
		n = nv[3];
		for (k = 0; k < n && ndec < MAX_RECS; k++) {
			struct dec *d = &dec[ndec++];

			snprintf(d->src, sizeof(d->src), "%s", v[3][k]);
			snprintf(d->dst, sizeof(d->dst), "%s", k < nv[4] ? v[4][k] : "");
			d->packets = strtoul(v[5][k], NULL, 0);
			d->bytes = strtoul(v[6][k], NULL, 0);
			d->sport = strtoul(v[7][k], NULL, 0);
			d->dport = strtoul(v[8][k], NULL, 0);
			d->proto = strtoul(v[9][k], NULL, 0);
			d->flags = strtoul(v[10][k], NULL, 0);
			d->tos = strtoul(v[11][k], NULL, 0);
			d->in = strtoul(v[12][k], NULL, 0);
			d->out = strtoul(v[13][k], NULL, 0);
		}
		m++;
	}
	free(text);
	return m;
}

int main(void)
{
	struct collector_config cc = { .name = "v5", .protocol = PROTO_NETFLOW5,
				       .transport = TRANSPORT_UDP };
	struct exporter_env env = { .observation_domain = 7 };
	struct export_record r;
	struct exporter *e;
	uint64_t pk = 0, by = 0;
	int i, nmsgs, boundaries_ok = 1;
	unsigned long want_seq = 0;

	capture_open(&cap);
	strcpy(cc.address, "127.0.0.1");
	cc.port = cap.port;
	strcpy(cc.source_address, "127.0.0.1");
	cc.source_port = (uint16_t)(cap.port ^ 0x2a);	/* one near, likely free */
	e = exporter_open(&cc, &env);
	if (!e)
		tap_bail("open the v5 exporter: %s", strerror(errno));

	r = rec4("192.0.2.1", "198.51.100.2", 17, 1000, 53);
	r.tos = 0x10;
	r.ingress_ifindex = 2;
	r.egress_ifindex = 3;
	exporter_add(e, &r);
	r = rec4("192.0.2.1", "198.51.100.2", 1, 0, 0x0800);	/* ICMP echo */
	exporter_add(e, &r);
	r = rec4("192.0.2.1", "198.51.100.2", 6, 2000, 80);
	r.tcp_flags = 0x1b;
	exporter_add(e, &r);
	r = rec4("192.0.2.1", "198.51.100.2", 17, 1, 2);	/* IPv6: not v5 */
	r.key.eth_type = htons(0x86dd);
	exporter_add(e, &r);
	/* a flow past 2^32 packets and bytes */
	r = rec4("192.0.2.9", "198.51.100.9", 17, 3000, 3000);
	r.packets = 5000000000ull;
	r.bytes = 700000000000ull;
	exporter_add(e, &r);
	/* 40 small flows: more than one message */
	for (i = 0; i < 40; i++) {
		r = rec4("192.0.2.2", "198.51.100.3", 17, (uint16_t)(4000 + i), 9);
		r.sampling_interval = i < 20 ? 1 : 100;
		exporter_add(e, &r);
	}
	exporter_flush(e);
	tap_is(e->counters.unexportable, 1, "IPv6 flow counted as unexportable");
	tap_is(e->counters.errors, 0, "no send errors");

	nmsgs = capture_collect(&cap);
	tap_is(cap.src_port, cc.source_port, "sent from the configured source "
	       "address and port");
	tap_is((uint64_t)nmsgs, e->counters.messages, "every message arrived (%d)", nmsgs);
	tap_is((uint64_t)decode(&cap), (uint64_t)nmsgs,
	       "tshark decoded every message as NetFlow v5");

	for (i = 0; i < nmsgs; i++) {
		boundaries_ok &= counts[i] >= 1 && counts[i] <= 30 &&
				 cap.len[i] == 24 + 48 * counts[i] && seqs[i] == want_seq;
		want_seq += counts[i];
	}
	tap_ok(boundaries_ok, "messages: 1..30 records, length 24 + 48n, "
	       "flow_sequence counts the records before");
	tap_is((uint64_t)ndec, e->counters.records, "records decoded == records sent");

	tap_ok(!strcmp(dec[0].src, "192.0.2.1") && !strcmp(dec[0].dst, "198.51.100.2") &&
	       dec[0].sport == 1000 && dec[0].dport == 53 && dec[0].proto == 17 &&
	       dec[0].packets == 10 && dec[0].bytes == 1000 && dec[0].tos == 0x10 &&
	       dec[0].in == 2 && dec[0].out == 3,
	       "UDP record: addresses, ports, protocol, counts, ToS, interfaces");
	tap_ok(dec[1].proto == 1 && dec[1].dport == 0x0800,
	       "ICMP record: type 8 code 0 in the destination port");
	tap_is(dec[2].flags, 0x1b, "TCP record: flags");
	for (i = 0; i < ndec; i++)
		if (dec[i].sport == 3000) {
			pk += dec[i].packets;
			by += dec[i].bytes;
		}
	tap_is(pk, 5000000000ull, "a 5e9-packet flow: split, packets sum exactly");
	tap_is(by, 700000000000ull, "a 7e11-byte flow: split, bytes sum exactly");
	tap_is(sampling[nmsgs - 1], 100, "sampling interval 100 in the header");
	tap_is(sampling[0], 0, "no sampling: 0 in the header");
	exporter_close(e);
	capture_close(&cap);
	return tap_done();
}
