// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_poll.c - collector sockets belong in the caller's event loop:
 *  - an IPFIX/TCP exporter connects, notices a reset and reconnects
 *    through exporter_fd()/exporter_poll() alone, without a record to send;
 *  - closing a TCP transport whose collector stopped reading returns at
 *    once (it used to wait two seconds), and every record it held is
 *    counted as sent or not sent.
 * Everything over 127.0.0.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exporter.h"
#include "listen.h"
#include "tap.h"
#include "transport.h"

#define MSG_LEN		1000
#define MSG_RECS	5

/* Wait on e's socket as an event loop would (or 50 ms when it has none),
 * then let it make progress; until want(events) or 5 s.  Returns the
 * events of the socket it ends with (0: none). */
static uint32_t loop_until(struct exporter *e, int (*want)(int fd, uint32_t ev))
{
	uint64_t deadline = export_mono_ms() + 5000;
	uint32_t ev = 0;
	int fd;

	for (;;) {
		fd = exporter_fd(e, &ev);
		if (want(fd, fd >= 0 ? ev : 0) || export_mono_ms() >= deadline)
			return fd >= 0 ? ev : 0;
		if (fd >= 0) {
			struct pollfd p = { .fd = fd, .events =
				(short)((ev & EPOLLOUT ? POLLOUT : 0) |
					(ev & EPOLLIN ? POLLIN : 0)) };

			poll(&p, 1, 50);
		} else {
			poll(NULL, 0, 50);
		}
		exporter_poll(e);
	}
}

/* up: watched for the collector closing, nothing to write */
static int up(int fd, uint32_t ev)
{
	return fd >= 0 && (ev & EPOLLIN) && !(ev & EPOLLOUT);
}

static int down(int fd, uint32_t ev)
{
	return fd < 0;
}

static void reconnects(void)
{
	struct collector_config cc = { .name = "tcp", .protocol = PROTO_IPFIX,
				       .transport = TRANSPORT_TCP,
				       .address = "127.0.0.1" };
	struct exporter_env env = { .observation_domain = 3 };
	struct linger rst = { .l_onoff = 1, .l_linger = 0 };
	struct exporter *e;
	int lfd, cfd;

	lfd = test_tcp_listener(&cc.port);
	e = exporter_open(&cc, &env);
	if (!e)
		tap_bail("open the IPFIX/TCP exporter");
	tap_ok(up(0, loop_until(e, up)), "connected by exporter_poll(), no record sent");
	cfd = accept(lfd, NULL, NULL);
	tap_ok(cfd >= 0, "the collector has the connection");

	setsockopt(cfd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	close(cfd);
	tap_is(loop_until(e, down), 0, "the reset is noticed in the loop");
	tap_is(exporter_get_counters(e)->errors, 1, "and counted as an error");

	/* after the 1 s backoff, again without a record */
	tap_ok(up(0, loop_until(e, up)), "reconnected by exporter_poll()");
	cfd = accept(lfd, NULL, NULL);
	tap_ok(cfd >= 0, "the collector has the new connection");
	tap_is(exporter_get_counters(e)->records, 0, "no record was involved");
	exporter_close(e);
	close(cfd);
	close(lfd);
}

static void close_at_once(void)
{
	static uint8_t msg[MSG_LEN];
	struct exporter_counters c = { 0 };
	struct transport t = { .fd = -1 };
	uint64_t deadline, queued = 0, t0, took;
	int lfd, cfd, i;
	uint16_t port;

	lfd = test_tcp_listener(&port);
	if (transport_open_tcp(&t, "127.0.0.1", port, &c))
		tap_bail("open the TCP transport");
	deadline = export_mono_ms() + 5000;
	while (!transport_poll(&t) && export_mono_ms() < deadline)
		poll(NULL, 0, 10);
	cfd = accept(lfd, NULL, NULL);
	tap_ok(cfd >= 0 && t.state == 2, "connected to a collector that never reads");
	for (i = 0; i < 100000; i++)
		if (transport_send(&t, msg, sizeof(msg), MSG_RECS) == -ENOBUFS)
			break;
		else
			queued++;
	tap_ok(transport_pending(&t), "messages wait for the collector (%llu taken)",
	       (unsigned long long)queued);
	t0 = export_mono_ms();
	transport_close(&t);
	took = export_mono_ms() - t0;
	tap_ok(took < 500, "close returns at once (%llu ms)",
	       (unsigned long long)took);
	tap_is(c.records + c.not_sent, (queued + 1) * MSG_RECS,
	       "every record counted as sent or not sent (%llu + %llu)",
	       (unsigned long long)c.records, (unsigned long long)c.not_sent);
	close(cfd);
	close(lfd);
}

int main(void)
{
	reconnects();
	close_at_once();
	return tap_done();
}
