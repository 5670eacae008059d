/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * records.h - struct export_record builders the exporter tests share, so a
 * test names only the fields it is about.
 */
#ifndef TCFLOWD_TESTS_RECORDS_H
#define TCFLOWD_TESTS_RECORDS_H

#include <stdint.h>

#include "exporter.h"

/* An address from text: IPv4 ("192.0.2.1") IPv4-mapped, IPv6 as it is. */
void rec_addr(uint8_t a[16], const char *s);

/*
 * A record of the flow src:sport -> dst:dport (ports in host order), its
 * ether type from src's family, sampling interval 1, everything else 0.
 */
struct export_record rec_flow(const char *src, const char *dst,
			      uint8_t proto, uint16_t sport, uint16_t dport);

/* The flow most tests use: UDP 192.0.2.1:sport -> 198.51.100.2:53. */
struct export_record rec_udp4(uint16_t sport);

#endif /* TCFLOWD_TESTS_RECORDS_H */
