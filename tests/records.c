// SPDX-License-Identifier: GPL-2.0-or-later
/* records.c - struct export_record builders for the exporter tests */

#include <arpa/inet.h>
#include <string.h>

#include "records.h"

void rec_addr(uint8_t a[16], const char *s)
{
	memset(a, 0, 16);
	if (inet_pton(AF_INET, s, a + 12) == 1)
		export_addr_map4(a, a + 12);
	else
		inet_pton(AF_INET6, s, a);
}

struct export_record rec_flow(const char *src, const char *dst,
			      uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct export_record r = { .sampling_interval = 1 };

	rec_addr(r.key.src, src);
	rec_addr(r.key.dst, dst);
	r.key.eth_type = htons(export_addr_is_v4(r.key.src) ? 0x0800 : 0x86dd);
	r.key.proto = proto;
	r.key.sport = htons(sport);
	r.key.dport = htons(dport);
	return r;
}

struct export_record rec_udp4(uint16_t sport)
{
	return rec_flow("192.0.2.1", "198.51.100.2", 17, sport, 53);
}
