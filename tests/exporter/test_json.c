// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_json.c - the JSON exporter: a record's line, and records counted
 * as sent only when they reached the file (a full disk counts them as not
 * sent).
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "exporter.h"
#include "records.h"
#include "tap.h"

static struct export_record rec(void)
{
	struct export_record r = rec_udp4(1000);

	r.packets = 3;
	r.bytes = 300;
	r.end_reason = 2;
	r.ingress_ifindex = 4;
	r.ifname = "eth\"0";
	return r;
}

int main(void)
{
	struct collector_config cc = { .name = "j", .protocol = PROTO_JSON,
				       .transport = TRANSPORT_FILE };
	struct exporter_env env = { 0 };
	struct export_record r = rec(), rr = rec();
	char path[] = "/tmp/tcflowd-json-XXXXXX", line[2048] = "", line2[2048] = "";
	struct exporter *e;
	FILE *f;
	int fd, i;

	fd = mkstemp(path);
	close(fd);
	strcpy(cc.path, path);
	e = exporter_open(&cc, &env);
	if (!e)
		tap_bail("open the JSON exporter");
	exporter_add(e, &r);
	tap_is(e->counters.records, 0, "not counted as sent before the flush");
	exporter_flush(e);
	tap_is(e->counters.records, 1, "counted as sent once flushed");
	/* a routed record: names, next hop, prefix lengths */
	rr.egress_ifindex = 7;
	rr.in_name = "eth0";
	rr.out_name = "eth1";
	rr.route = EXPORT_ROUTE_DST | EXPORT_ROUTE_SRC;
	rr.has_next_hop = 1;
	rec_addr(rr.next_hop, "198.51.100.254");
	rr.dst_prefix_len = 16;
	rr.src_prefix_len = 25;
	exporter_add(e, &rr);
	exporter_close(e);
	f = fopen(path, "r");
	if (!f || !fgets(line, sizeof(line), f) || !fgets(line2, sizeof(line2), f))
		tap_bail("read back %s", path);
	fclose(f);
	tap_ok(strstr(line2, "\"ingress_interface_name\":\"eth0\"") &&
	       strstr(line2, "\"egress_interface_name\":\"eth1\"") &&
	       strstr(line2, "\"egress_interface\":7") &&
	       strstr(line2, "\"ip_next_hop_ipv4_address\":\"198.51.100.254\"") &&
	       strstr(line2, "\"destination_ipv4_prefix_length\":16") &&
	       strstr(line2, "\"source_ipv4_prefix_length\":25"),
	       "a routed record: interface names, next hop, prefix lengths");
	tap_ok(!strstr(line, "prefix_length") && !strstr(line, "next_hop"),
	       "a record without a route has no route fields");
	unlink(path);
	tap_ok(strstr(line, "\"source_ipv4_address\":\"192.0.2.1\"") &&
	       strstr(line, "\"destination_transport_port\":53") &&
	       strstr(line, "\"packet_delta_count\":3") &&
	       strstr(line, "\"octet_delta_count\":300") &&
	       strstr(line, "\"flow_end_reason\":2") &&
	       strstr(line, "\"ingress_interface\":4"), "the record's fields");
	tap_ok(strstr(line, "\"interface_name\":\"eth\\\"0\"") != NULL,
	       "strings are escaped");

	strcpy(cc.path, "/dev/full");		/* every write fails: ENOSPC */
	e = exporter_open(&cc, &env);
	if (!e)
		tap_bail("open /dev/full");
	for (i = 0; i < 3; i++)
		exporter_add(e, &r);
	exporter_flush(e);
	tap_is(e->counters.records, 0, "a full disk: nothing counted as sent");
	tap_is(e->counters.not_sent, 3, "a full disk: all 3 records counted as not sent");
	exporter_close(e);
	return tap_done();
}
