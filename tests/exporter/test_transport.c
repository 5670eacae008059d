// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_transport.c - the TCP transport against a collector that stops
 * reading and then resets the connection:
 *  - a message counts as sent only when the collector acknowledged all of
 *    it: what sat unacknowledged in the socket when the connection broke
 *    is counted as not sent, exactly;
 *  - complaints are rate-limited per kind: the reset is logged although
 *    "queue full" was logged a moment before.
 * Everything over 127.0.0.1.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <time.h>
#include <unistd.h>

#include "exporter.h"
#include "listen.h"
#include "logcap.h"
#include "tap.h"
#include "transport.h"

#define MSG_LEN		1000
#define MSG_RECS	7

static uint64_t now_ms(void)
{
	return export_mono_ms();
}

/* Bytes the exporter's kernel holds that the collector did not ack. */
static uint64_t acked(const struct transport *t)
{
	int outq = 0;

	if (ioctl(t->fd, SIOCOUTQ, &outq))
		tap_bail("SIOCOUTQ: %s", strerror(errno));
	return t->written - (uint64_t)outq;
}

/*
 * The collector (cfd) reads a little, then stops: send until the queue is
 * full three times.  *sent: messages taken, *full: refused; returns what
 * the collector has (read, or waiting in its socket).
 */
static uint64_t fill(struct transport *t, int cfd, uint64_t *sent, int *full)
{
	static uint8_t msg[MSG_LEN], buf[1 << 16];
	uint64_t got = 0;
	int i, inq = 0;
	ssize_t n;

	memset(msg, 0xab, sizeof(msg));
	for (i = 0; i < 100000 && *full < 3; i++) {
		if (transport_send(t, msg, sizeof(msg), MSG_RECS) == -ENOBUFS)
			(*full)++;
		else
			(*sent)++;
		if (i < 50)
			while ((n = recv(cfd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
				got += (uint64_t)n;
	}
	if (ioctl(cfd, SIOCINQ, &inq))
		tap_bail("SIOCINQ: %s", strerror(errno));
	return got + (uint64_t)inq;
}

int main(void)
{
	struct exporter_counters c = { 0 };
	struct linger rst = { .l_onoff = 1, .l_linger = 0 };
	struct transport t = { .fd = -1 };
	uint64_t sent = 0, got, deadline, want;
	int lfd, cfd = -1, full = 0;
	uint16_t port;

	lfd = test_tcp_listener(&port);
	if (transport_open_tcp(&t, "127.0.0.1", port, &c))
		tap_bail("open the TCP transport");
	deadline = now_ms() + 5000;
	while (!transport_poll(&t) && now_ms() < deadline)
		poll(NULL, 0, 10);
	cfd = accept(lfd, NULL, NULL);
	tap_ok(cfd >= 0 && t.state == 2, "connected to the collector");

	logcap_start();
	got = fill(&t, cfd, &sent, &full);
	/* what the collector has is acknowledged, once its delayed acks
	 * are out */
	deadline = now_ms() + 3000;
	while (acked(&t) != got && now_ms() < deadline)
		poll(NULL, 0, 10);
	transport_poll(&t);		/* the exporter's next look */
	tap_is(acked(&t), got, "the collector acknowledged what it has (%llu bytes)",
	       (unsigned long long)got);
	tap_is(c.records, got / MSG_LEN * MSG_RECS, "records of the acknowledged "
	       "messages counted as sent, not of the written ones (%llu)",
	       (unsigned long long)c.records);

	/* the collector resets the connection */
	setsockopt(cfd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst));
	close(cfd);
	deadline = now_ms() + 3000;
	while (t.state == 2 && now_ms() < deadline) {
		transport_poll(&t);
		poll(NULL, 0, 10);
	}
	logcap_stop();

	want = got / MSG_LEN * MSG_RECS;
	tap_ok(t.state != 2, "the reset is noticed");
	tap_is(c.records, want, "records sent: those of the %llu whole messages "
	       "the collector acknowledged", (unsigned long long)(got / MSG_LEN));
	tap_is(c.not_sent, (sent + (uint64_t)full) * MSG_RECS - want,
	       "every other record counted as not sent (%llu: %llu messages "
	       "queued, unacknowledged or refused)", (unsigned long long)c.not_sent,
	       (unsigned long long)(sent + (uint64_t)full - got / MSG_LEN));
	tap_is(c.messages, got / MSG_LEN, "messages sent: the acknowledged ones");
	tap_is((uint64_t)logcap_count("queue full"), 1,
	       "\"queue full\" logged once for three");
	tap_is((uint64_t)logcap_count("Connection reset by peer"), 1,
	       "the reset right after it logged too (its own rate limit)");
	transport_close(&t);
	close(lfd);
	logcap_done();
	return tap_done();
}
