/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * transport.h - how encoded messages reach a collector.
 *
 * UDP: a connected, non-blocking socket.  A send that fails (collector
 * gone: ICMP unreachable, or a full buffer) is counted, with the records
 * it carried, as not sent; the next message simply tries again, so a dead
 * or slow collector never blocks the fetch loop.
 */
#ifndef TCFLOWD_TRANSPORT_H
#define TCFLOWD_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>

#include "exporter.h"

struct transport {
	int			fd;
	struct exporter_counters *c;	/* the exporter's counters */
	char			peer[300];	/* "address:port", for messages */
	uint64_t		last_error_log;	/* rate limit, CLOCK_MONOTONIC s */
	int			peer_lost;	/* the collector was unreachable:
						 * it may have lost our templates */
	uint32_t		last_records;	/* records of the last message */
};

/* Resolve address:port and connect a UDP socket.  0 or -errno. */
int transport_open_udp(struct transport *t, const char *address,
		       uint16_t port, struct exporter_counters *c);
/*
 * Send one message that carries records flow records.  0 or -errno.
 * ECONNREFUSED reports an earlier datagram that found no collector (an
 * ICMP error), not this one: the previous message's records move from
 * sent to not sent (the ones before it, if any, cannot be known), the
 * error is counted, peer_lost is set, and this message is sent again.
 */
int transport_send(struct transport *t, const void *msg, size_t len,
		   uint32_t records);
void transport_close(struct transport *t);

#endif /* TCFLOWD_TRANSPORT_H */
