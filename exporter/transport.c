// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "transport.h"

int transport_open_udp(struct transport *t, const char *address,
		       uint16_t port, struct exporter_counters *c)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	char service[8];
	int rc, err = -EHOSTUNREACH;

	memset(t, 0, sizeof(*t));
	t->fd = -1;
	t->c = c;
	snprintf(t->peer, sizeof(t->peer), "%s:%u", address, port);
	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(address, service, &hints, &res);
	if (rc) {
		log_err("resolve collector %s: %s", t->peer, gai_strerror(rc));
		return -EINVAL;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		t->fd = socket(ai->ai_family, SOCK_DGRAM | SOCK_NONBLOCK |
			       SOCK_CLOEXEC, 0);
		if (t->fd < 0) {
			err = -errno;
			continue;
		}
		if (connect(t->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			err = 0;
			break;
		}
		err = -errno;
		close(t->fd);
		t->fd = -1;
	}
	freeaddrinfo(res);
	if (err)
		log_err("connect to collector %s: %s", t->peer, strerror(-err));
	return err;
}

int transport_send(struct transport *t, const void *msg, size_t len,
		   uint32_t records)
{
	ssize_t n = send(t->fd, msg, len, MSG_DONTWAIT);
	struct timespec now;

	if (n < 0 && errno == ECONNREFUSED) {
		/* the previous message found no collector */
		t->c->errors++;
		t->c->records -= t->last_records;
		t->c->not_sent += t->last_records;
		t->last_records = 0;
		t->peer_lost = 1;
		n = send(t->fd, msg, len, MSG_DONTWAIT);
	}
	if (n == (ssize_t)len) {
		t->c->messages++;
		t->c->bytes += len;
		t->c->records += records;
		t->last_records = records;
		return 0;
	}
	t->c->errors++;
	t->c->not_sent += records;
	t->last_records = 0;
	/* the collector may be gone for a while: say so once a minute */
	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((uint64_t)now.tv_sec >= t->last_error_log + 60) {
		t->last_error_log = (uint64_t)now.tv_sec;
		log_warn("send to collector %s: %s (%u records not sent; "
			 "counted, retrying with the next message)", t->peer,
			 n < 0 ? strerror(errno) : "short send", records);
	}
	return n < 0 ? -errno : -EIO;
}

void transport_close(struct transport *t)
{
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
