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

#include "exporter.h"
#include "tap.h"

#define MAX_MSGS	256
#define MAX_RECS	4096

static uint8_t msgs[MAX_MSGS][1500];
static size_t msg_len[MAX_MSGS];
static int nmsgs;

static struct export_record rec4(const char *src, const char *dst, uint8_t proto,
				 uint16_t sport, uint16_t dport)
{
	struct export_record r = { .packets = 10, .bytes = 1000,
				   .start_ms = 0, .end_ms = 0,
				   .sampling_interval = 1 };

	r.key.eth_type = htons(0x0800);
	r.key.proto = proto;
	r.key.src[10] = r.key.src[11] = r.key.dst[10] = r.key.dst[11] = 0xff;
	inet_pton(AF_INET, src, r.key.src + 12);
	inet_pton(AF_INET, dst, r.key.dst + 12);
	r.key.sport = htons(sport);
	r.key.dport = htons(dport);
	return r;
}

/* A pcap of raw IPv4/UDP datagrams carrying the captured messages. */
static void write_pcap(const char *path, uint16_t dport)
{
	FILE *f = fopen(path, "wb");
	const uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 101 };
	int i;

	if (!f)
		tap_bail("write %s: %s", path, strerror(errno));
	fwrite(hdr, 4, 6, f);
	for (i = 0; i < nmsgs; i++) {
		uint32_t len = (uint32_t)msg_len[i] + 28;
		uint32_t ph[4] = { 1700000000u + (uint32_t)i, 0, len, len };
		uint8_t ip[28] = { 0x45, 0 };
		uint32_t sum = 0;
		int j;

		ip[2] = (uint8_t)(len >> 8);
		ip[3] = (uint8_t)len;
		ip[8] = 64;
		ip[9] = 17;
		ip[12] = 127; ip[15] = 1;
		ip[16] = 127; ip[19] = 1;
		for (j = 0; j < 20; j += 2)
			sum += (uint32_t)(ip[j] << 8 | ip[j + 1]);
		sum = (sum & 0xffff) + (sum >> 16);
		ip[10] = (uint8_t)(~sum >> 8);
		ip[11] = (uint8_t)~sum;
		ip[20] = 0x9c; ip[21] = 0x40;		/* source port 40000 */
		ip[22] = (uint8_t)(dport >> 8);
		ip[23] = (uint8_t)dport;
		ip[24] = (uint8_t)((len - 20) >> 8);
		ip[25] = (uint8_t)(len - 20);
		fwrite(ph, 4, 4, f);
		fwrite(ip, 1, 28, f);
		fwrite(msgs[i], 1, msg_len[i], f);
	}
	fclose(f);
}

/* What tshark decoded, one entry per record. */
struct dec {
	char		src[32], dst[32];
	unsigned long	packets, bytes, sport, dport, proto, flags, tos, in, out;
};
static struct dec dec[MAX_RECS];
static int ndec;
static unsigned long counts[MAX_MSGS], seqs[MAX_MSGS], sampling[MAX_MSGS];

/* Split "a,b,c" into at most n strings. */
static int split(char *s, char **out, int n)
{
	int k = 0;
	char *save, *tok;

	for (tok = strtok_r(s, ",", &save); tok && k < n;
	     tok = strtok_r(NULL, ",", &save))
		out[k++] = tok;
	return k;
}

static void decode(const char *pcap, uint16_t port)
{
	static const char *const fields[] = {
		"cflow.count", "cflow.sequence", "cflow.samplerate",
		"cflow.srcaddr", "cflow.dstaddr", "cflow.packets", "cflow.octets",
		"cflow.srcport", "cflow.dstport", "cflow.protocol",
		"cflow.tcpflags", "cflow.tos", "cflow.inputint", "cflow.outputint",
	};
	char cmd[2048], line[1 << 16];
	FILE *p;
	size_t i;
	int m = 0;

	snprintf(cmd, sizeof(cmd), "tshark -n -r %s -d udp.port==%u,cflow "
		 "-T fields -E separator=/t -E occurrence=a -E aggregator=,", pcap, port);
	for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
		snprintf(cmd + strlen(cmd), sizeof(cmd) - strlen(cmd), " -e %s", fields[i]);
	strcat(cmd, " 2>/dev/null");
	p = popen(cmd, "r");
	if (!p)
		tap_bail("run tshark: %s", strerror(errno));
	while (fgets(line, sizeof(line), p) && m < MAX_MSGS) {
		char *col[14] = { 0 }, *save, *tok, *v[14][30];
		int c = 0, nv[14], k, n;

		line[strcspn(line, "\n")] = '\0';
		/* strsep, not strtok: empty fields must keep their place */
		save = line;
		while ((tok = strsep(&save, "\t")) && c < 14)
			col[c++] = tok;
		if (c < 14)
			continue;
		counts[m] = strtoul(col[0], NULL, 0);
		seqs[m] = strtoul(col[1], NULL, 0);
		sampling[m] = strtoul(col[2], NULL, 0);
		for (k = 3; k < 14; k++)
			nv[k] = split(col[k], v[k], 30);
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
	pclose(p);
	tap_is((uint64_t)m, (uint64_t)nmsgs, "tshark decoded every message as NetFlow v5");
}

int main(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	struct collector_config cc = { .name = "v5", .protocol = PROTO_NETFLOW5,
				       .transport = TRANSPORT_UDP };
	struct exporter_env env = { .observation_domain = 7 };
	socklen_t sl = sizeof(sin);
	char pcap[] = "/tmp/tcflowd-nf5-XXXXXX";
	struct export_record r;
	struct exporter *e;
	uint64_t pk = 0, by = 0;
	int rx, i, fd, boundaries_ok = 1;
	unsigned long want_seq = 0;

	rx = socket(AF_INET, SOCK_DGRAM, 0);
	if (rx < 0 || bind(rx, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(rx, (struct sockaddr *)&sin, &sl))
		tap_bail("receiver socket: %s", strerror(errno));
	i = 1 << 22;
	setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &i, sizeof(i));
	strcpy(cc.address, "127.0.0.1");
	cc.port = ntohs(sin.sin_port);
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

	while (nmsgs < MAX_MSGS) {
		ssize_t n = recv(rx, msgs[nmsgs], sizeof(msgs[0]), MSG_DONTWAIT);

		if (n <= 0)
			break;
		msg_len[nmsgs++] = (size_t)n;
	}
	tap_is((uint64_t)nmsgs, e->counters.messages, "every message arrived (%d)", nmsgs);
	fd = mkstemp(pcap);
	close(fd);
	write_pcap(pcap, cc.port);
	decode(pcap, cc.port);
	if (!getenv("KEEP_PCAP"))
		unlink(pcap);
	else
		tap_diag("pcap kept: %s", pcap);

	for (i = 0; i < nmsgs; i++) {
		boundaries_ok &= counts[i] >= 1 && counts[i] <= 30 &&
				 msg_len[i] == 24 + 48 * counts[i] && seqs[i] == want_seq;
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
	close(rx);
	return tap_done();
}
