// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nat.c - records with a NAT translation, IPFIX and NetFlow v9, over
 * UDP to a capture, decoded by tshark: the post-NAT fields (IEs 225-228,
 * 281, 282) of translated records, none in the others; the templates with
 * nat on in messages of message_size.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture.h"
#include "exporter.h"
#include "records.h"
#include "tap.h"

static struct capture cap;

static const char *const fields[] = {
	"cflow.srcport", "cflow.post_natsource_ipv4_address",
	"cflow.post_natdestination_ipv4_address",
	"cflow.post_nat_source_ipv6_address",
	"cflow.post_nat_destination_ipv6_address",
	"cflow.post_naptsource_transport_port",
	"cflow.post_naptdestination_transport_port",
};
#define NF	(sizeof(fields) / sizeof(fields[0]))

static struct exporter *open_nat(int protocol, uint32_t size, bool nat)
{
	struct collector_config cc = { .name = "t", .protocol = protocol,
				       .transport = TRANSPORT_UDP,
				       .message_size = size,
				       .template_refresh_s = 3600,
				       .template_refresh_messages = 100 };
	struct exporter_env env = { .observation_domain = 3, .nat = nat };

	strcpy(cc.address, "127.0.0.1");
	cc.port = cap.port;
	return exporter_open(&cc, &env);
}

static struct export_record translated(const char *src, const char *dst,
				       uint16_t sport, const char *nsrc,
				       const char *ndst, uint16_t nsport)
{
	struct export_record r = rec_flow(src, dst, 17, sport, 53);

	r.packets = 1;
	r.bytes = 100;
	r.nat = 1;
	rec_addr(r.nat_src, nsrc);
	rec_addr(r.nat_dst, ndst);
	r.nat_sport = htons(nsport);
	r.nat_dport = htons(5353);
	return r;
}

/* Every decoded record (one a message), "sport v4src v4dst v6src v6dst
 * nsport ndport" ("-" where absent), one line each. */
static char *decoded(void)
{
	char *text = capture_decode(&cap, fields, (int)NF), *line, *save;
	char out[4096] = "";
	int j;

	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char *col[NF];

		if (capture_split(line, '\t', col, (int)NF) != (int)NF || !*col[0])
			continue;
		for (j = 0; j < (int)NF; j++)
			snprintf(out + strlen(out), sizeof(out) - strlen(out),
				 "%s%s", j ? " " : "", *col[j] ? col[j] : "-");
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "\n");
	}
	free(text);
	return strdup(out);
}

static void run(int protocol, const char *name, uint32_t size, bool nat,
		const char *want)
{
	struct export_record a = translated("192.0.2.1", "198.51.100.2", 40000,
					    "203.0.113.7", "198.51.100.2", 41000);
	struct export_record b = translated("2001:db8:1::1", "2001:db8:2::2", 40001,
					    "2001:db8:2::fe", "2001:db8:2::3", 41001);
	struct export_record c = rec_udp4(40002);
	struct exporter *e;
	char *got;
	int i, big = 0;

	capture_open(&cap);
	e = open_nat(protocol, size, nat);
	if (!e)
		tap_bail("open the %s exporter: %s", name, strerror(errno));
	/* one record a message: tshark's fields are then one record's */
	exporter_add(e, &a);
	exporter_flush(e);
	exporter_add(e, &b);
	exporter_flush(e);
	exporter_add(e, &c);
	exporter_flush(e);
	tap_is(e->counters.records, 3, "%s: 3 records sent", name);
	capture_collect(&cap);
	for (i = 0; i < cap.n; i++)
		big += cap.len[i] > size;
	tap_is(big, 0, "%s: none of its %d messages over %u bytes", name, cap.n, size);
	got = decoded();
	if (!tap_ok(!strcmp(got, want), "%s: the records as tshark decodes them", name))
		tap_diag("got:\n%swant:\n%s", got, want);
	free(got);
	exporter_close(e);
	capture_close(&cap);
}

/* NetFlow v9 sends its templates in one message: with nat on, 600 bytes
 * cannot hold them. */
static void v9_too_small(void)
{
	struct exporter *e;

	capture_open(&cap);
	e = open_nat(PROTO_NETFLOW9, 600, true);
	tap_ok(!e && errno == EMSGSIZE, "netflow9, nat: message_size 600 refused at open");
	exporter_close(e);
	e = open_nat(PROTO_NETFLOW9, 600, false);
	tap_ok(e != NULL, "netflow9 without nat: message_size 600 accepted");
	exporter_close(e);
	capture_close(&cap);
}

int main(void)
{
	static const char with[] =
		"40000 203.0.113.7 198.51.100.2 - - 41000 5353\n"
		"40001 - - 2001:db8:2::fe 2001:db8:2::3 41001 5353\n"
		"40002 - - - - - -\n";
	static const char without[] =
		"40000 - - - - - -\n40001 - - - - - -\n40002 - - - - - -\n";

	run(PROTO_IPFIX, "ipfix, nat, 600-byte messages", 600, true, with);
	run(PROTO_IPFIX, "ipfix without nat", 1400, false, without);
	run(PROTO_NETFLOW9, "netflow9, nat", 1400, true, with);
	run(PROTO_NETFLOW9, "netflow9 without nat", 1400, false, without);
	v9_too_small();
	return tap_done();
}
