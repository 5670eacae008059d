/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * transport.h - how encoded messages reach a collector.
 *
 * UDP: a connected, non-blocking socket.  A send that fails (collector
 * gone: ICMP unreachable, or a full buffer) is counted, with the records
 * it carried, as not sent; the next message simply tries again, so a dead
 * or slow collector never blocks the fetch loop.
 *
 * TCP: a non-blocking connection, made again with backoff (1 s doubling to
 * 30 s) whenever it fails or breaks.  Whole messages are queued in a
 * bounded buffer and written as the socket takes them; a message counts as
 * sent when the collector acknowledged all of it (SIOCOUTQ: what the
 * kernel still holds unacknowledged), so what a broken connection loses
 * (queued, partly written, or written but never acknowledged) and what
 * arrives while there is none is counted as not sent.  The socket buffer
 * is bounded (TRANSPORT_TCP_SNDBUF) so little waits there.  A new
 * connection sets peer_lost: the exporter must begin it with its templates.
 *
 * Pacing (UDP, max_rate set): messages wait in a bounded queue and go at
 * the pacer's rate (pacer.h) from transport_pace(), which the daemon's
 * loop calls when it is due; they count as sent when they go.  What the
 * full queue refuses is counted as not sent and as not queued; what is
 * still queued at close, as not sent.
 *
 * Complaints (a collector refusing, a full queue, a connection lost) are
 * logged at most once a minute for each kind and reason, with how many
 * were not logged since.
 */
#ifndef TCFLOWD_TRANSPORT_H
#define TCFLOWD_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <netdb.h>

#include "exporter.h"
#include "pacer.h"

#define TRANSPORT_TCP_QUEUE	(4u << 20)	/* bytes queued at most */
#define TRANSPORT_TCP_MSGS	4096		/* messages not yet acknowledged */
#define TRANSPORT_TCP_SNDBUF	(128u << 10)	/* SO_SNDBUF (the kernel doubles) */

/* What can go wrong, each rate-limited on its own. */
enum transport_complaint {
	TRANSPORT_LOG_SEND,		/* a send failed */
	TRANSPORT_LOG_CONN,		/* a connection failed or broke */
	TRANSPORT_LOG_QUEUE,		/* the TCP or pacing queue is full */
	TRANSPORT_LOG_KINDS
};

struct transport_log {
	uint64_t	at;		/* CLOCK_MONOTONIC s, 0: never */
	uint64_t	quiet;		/* not logged since */
	char		why[64];	/* the reason logged last */
};

struct transport {
	int			fd;
	int			tcp;		/* else UDP */
	int			state;		/* TCP: 0 down, 1 connecting, 2 up */
	uint64_t		retry_at;	/* TCP: CLOCK_MONOTONIC ms */
	uint32_t		backoff_ms;
	struct addrinfo		*ai;		/* TCP: resolved once */
	uint8_t			*q;		/* TCP: queued bytes */
	size_t			qhead, qlen;	/* unwritten part: q[qhead..qlen) */
	/* TCP: bytes of this connection given to the kernel; q[qhead] is
	 * the next, at that offset */
	uint64_t		written;
	/* TCP: the messages not acknowledged yet, oldest first: records,
	 * where each ends in the connection's byte stream, its length */
	uint32_t		mrec[TRANSPORT_TCP_MSGS];
	uint64_t		mend[TRANSPORT_TCP_MSGS];
	size_t			mlen[TRANSPORT_TCP_MSGS];
	int			mfirst, mcount;
	struct exporter_counters *c;	/* the exporter's counters */
	char			peer[380];	/* "name (address:port)", for
						 * messages */
	struct transport_log	log[TRANSPORT_LOG_KINDS];
	int			peer_lost;	/* the collector was unreachable:
						 * it may have lost our templates */
	uint32_t		last_records;	/* records of the last message */
	/* UDP: messages sent since the last refusal, when the last went out
	 * (CLOCK_MONOTONIC ms), whether going down was logged */
	uint32_t		delivered;
	uint64_t		sent_at;
	int			down_logged;
	char			name[64];	/* the collector section, if set */
	char			src_addr[64];	/* bind to this, if set */
	uint16_t		src_port;
	/* UDP: no route to the collector yet (a router still coming up):
	 * the socket is connected at a later send */
	int			unconnected;
	struct sockaddr_storage	udp_peer;
	socklen_t		udp_peer_len;
	struct pacer		*pace;		/* UDP: NULL, not paced */
};

/* Open what e's collector section says: source, UDP or TCP.  0 or -errno
 * (SCTP: -EPROTONOSUPPORT, with a message). */
int transport_open(struct transport *t, struct exporter *e);
/* Resolve address:port and connect a UDP socket.  0 or -errno. */
int transport_open_udp(struct transport *t, const char *address,
		       uint16_t port, struct exporter_counters *c);
/* Name the transport's collector in its messages (before the first open):
 * "collector NAME (address:port)"; without it, "collector address:port". */
void transport_set_name(struct transport *t, const char *name);
/* Export from this address and/or port (before the first open).
 * Empty address and port 0 leave the choice to the kernel. */
void transport_set_source(struct transport *t, const char *address,
			  uint16_t port);
/* Resolve address:port and start connecting over TCP.  0 or -errno
 * (only if the address cannot be resolved: a collector that is not up yet
 * is tried again, with backoff). */
int transport_open_tcp(struct transport *t, const char *address,
		       uint16_t port, struct exporter_counters *c);
/* TCP: make progress (connect, write the queue).  Sets peer_lost when a
 * new connection comes up.  Returns 1 when the connection is up. */
int transport_poll(struct transport *t);
/* The fd to watch for progress, and for what (EPOLLIN, EPOLLOUT; UDP:
 * nothing, so only EPOLLERR: an ICMP error for a message); -1 when nothing
 * is to be waited for (TCP down until its retry). */
int transport_fd(const struct transport *t, uint32_t *events);
/* TCP: messages not yet acknowledged on a connection that is up. */
int transport_pending(const struct transport *t);
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
/* Pace the UDP messages (max_rate 0: not paced; what waited goes now):
 * at open, and with new limits on reload.  0 or -ENOMEM. */
int transport_set_pace(struct transport *t, const struct collector_config *cc,
		       uint32_t spread_ms);
/* Send the paced messages due now; ms until the next (-1: none waits).
 * hurry_ms: see exporter_pace(). */
int transport_pace(struct transport *t, uint32_t hurry_ms);
/* Log "WHAT collector PEER: WHY" at most once a minute for each kind
 * (at once when WHY changes).  The file outputs use it too. */
void transport_complain(struct transport *t, enum transport_complaint kind,
			const char *what, const char *why);

#endif /* TCFLOWD_TRANSPORT_H */
