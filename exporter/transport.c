// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <linux/sockios.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "transport.h"

void transport_set_source(struct transport *t, const char *address,
			  uint16_t port)
{
	snprintf(t->src_addr, sizeof(t->src_addr), "%s", address ? address : "");
	t->src_port = port;
}

void transport_set_name(struct transport *t, const char *name)
{
	snprintf(t->name, sizeof(t->name), "%s", name ? name : "");
}

/* A clean transport that keeps the configured source and name. */
static void reset(struct transport *t, struct exporter_counters *c)
{
	char src[64], name[64];
	uint16_t sport = t->src_port;

	snprintf(src, sizeof(src), "%s", t->src_addr);
	snprintf(name, sizeof(name), "%s", t->name);
	memset(t, 0, sizeof(*t));
	transport_set_source(t, src, sport);
	transport_set_name(t, name);
	t->fd = -1;
	t->c = c;
}

int transport_open(struct transport *t, struct exporter *e)
{
	const struct collector_config *cc = &e->cfg;

	int err;

	transport_set_source(t, cc->source_address, cc->source_port);
	transport_set_name(t, cc->name);
	if (cc->transport == TRANSPORT_UDP) {
		err = transport_open_udp(t, cc->address, cc->port, &e->counters);
		if (!err)
			err = transport_set_pace(t, cc, e->env.fetch_interval_ms);
		if (err)
			transport_close(t);
		return err;
	}
	if (cc->transport == TRANSPORT_TCP)
		return transport_open_tcp(t, cc->address, cc->port, &e->counters);
	log_err("open collector %s: %s over %s is not available (udp%s are; "
		"this kernel has no SCTP)", cc->name,
		e->ops->name,
		cc->transport == TRANSPORT_SCTP ? "sctp" : "this transport",
		cc->protocol == PROTO_IPFIX ? ", tcp and file" : "");
	return -EPROTONOSUPPORT;
}

/* Bind fd to the configured source, for a socket of family. */
static int bind_source(const struct transport *t, int fd, int family)
{
	struct addrinfo hints = { .ai_family = family, .ai_flags = AI_PASSIVE |
				  AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *res;
	char service[8];
	int rc, one = 1;

	if (!*t->src_addr && !t->src_port)
		return 0;
	snprintf(service, sizeof(service), "%u", t->src_port);
	rc = getaddrinfo(*t->src_addr ? t->src_addr : NULL, service, &hints, &res);
	if (rc)
		return -EINVAL;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	rc = bind(fd, res->ai_addr, res->ai_addrlen) ? -errno : 0;
	freeaddrinfo(res);
	return rc;
}

/* What messages call the collector: "NAME (address:port)" with a name,
 * else "address:port"; IPv6 addresses in brackets; TCP says so. */
static void set_peer(struct transport *t, const char *address,
		     uint16_t port, int tcp)
{
	const char *l = strchr(address, ':') ? "[" : "";
	const char *r = *l ? "]" : "";

	if (*t->name)
		snprintf(t->peer, sizeof(t->peer), "%s (%s%s%s:%u%s)", t->name,
			 l, address, r, port, tcp ? ", tcp" : "");
	else
		snprintf(t->peer, sizeof(t->peer), "%s%s%s:%u%s", l, address,
			 r, port, tcp ? " (tcp)" : "");
}

int transport_open_udp(struct transport *t, const char *address,
		       uint16_t port, struct exporter_counters *c)
{
	struct addrinfo hints = { .ai_socktype = SOCK_DGRAM,
				  .ai_flags = AI_NUMERICSERV };
	struct addrinfo *res, *ai;
	char service[8];
	int rc, err = -EHOSTUNREACH;

	reset(t, c);
	set_peer(t, address, port, 0);
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
		err = bind_source(t, t->fd, ai->ai_family);
		if (!err && connect(t->fd, ai->ai_addr, ai->ai_addrlen) == 0) {
			err = 0;
			break;
		}
		err = err ? err : -errno;
		if (err == -ENETUNREACH || err == -EHOSTUNREACH) {
			/* no route yet: keep the socket, connect later */
			memcpy(&t->udp_peer, ai->ai_addr, ai->ai_addrlen);
			t->udp_peer_len = ai->ai_addrlen;
			t->unconnected = 1;
			log_warn("collector %s: %s for now; exports are counted "
				 "as not sent until it can be reached", t->peer,
				 strerror(-err));
			err = 0;
			break;
		}
		close(t->fd);
		t->fd = -1;
	}
	freeaddrinfo(res);
	if (err)
		log_err("connect to collector %s%s%s: %s", t->peer,
			*t->src_addr || t->src_port ? " from " : "",
			*t->src_addr ? t->src_addr : "", strerror(-err));
	return err;
}

/*
 * Say it, at most once a minute for each kind of trouble (a collector may
 * stay away for long), and at once when its reason changes: a connection
 * reset after a full queue is news.
 */
void transport_complain(struct transport *t, enum transport_complaint kind,
			const char *what, const char *why)
{
	struct transport_log *l = &t->log[kind];
	uint64_t now = export_mono_ms() / 1000;

	if (l->why[0] && now < l->at + 60 &&
	    !strncmp(l->why, why, sizeof(l->why) - 1)) {
		l->quiet++;
		return;
	}
	if (l->quiet)
		log_warn("%s collector %s: %s (counted; retrying; %llu like it "
			 "not logged)", what, t->peer, why,
			 (unsigned long long)l->quiet);
	else
		log_warn("%s collector %s: %s (counted; retrying)", what,
			 t->peer, why);
	l->at = now;
	l->quiet = 0;
	snprintf(l->why, sizeof(l->why), "%s", why);
}

/* ---- TCP ---------------------------------------------------------------- */

/*
 * The messages the collector acknowledged count as sent.  The kernel
 * keeps the sequence numbers after the connection broke, so this also
 * tells, then, how much it never acknowledged.
 */
static void tcp_settle(struct transport *t)
{
	uint64_t acked;
	int outq = 0;

	if (t->fd < 0 || ioctl(t->fd, SIOCOUTQ, &outq) || outq < 0)
		return;
	acked = t->written - (uint64_t)outq;
	while (t->mcount && t->mend[t->mfirst] <= acked) {
		t->c->messages++;
		t->c->bytes += t->mlen[t->mfirst];
		t->c->records += t->mrec[t->mfirst];
		t->mfirst = (t->mfirst + 1) % TRANSPORT_TCP_MSGS;
		t->mcount--;
	}
}

/* Every message not acknowledged yet is lost, and counted. */
static void tcp_drop_all(struct transport *t)
{
	int i;

	for (i = 0; i < t->mcount; i++)
		t->c->not_sent += t->mrec[(t->mfirst + i) % TRANSPORT_TCP_MSGS];
	t->mcount = 0;
	t->qhead = t->qlen = 0;
}

/* The connection is gone: what it still held, or never had acknowledged,
 * is lost, and counted. */
static void tcp_down(struct transport *t, const char *why)
{
	tcp_settle(t);
	tcp_drop_all(t);
	t->c->errors++;
	t->c->conn_failures++;
	t->c->down = 1;
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
	t->state = 0;
	t->retry_at = export_mono_ms() + t->backoff_ms;
	log_debug("collector %s: down (%s), next try in %u ms", t->peer, why,
		  t->backoff_ms);
	t->backoff_ms = t->backoff_ms >= 15000 ? 30000 : t->backoff_ms * 2;
	transport_complain(t, TRANSPORT_LOG_CONN, "connection to", why);
}

static void tcp_connect(struct transport *t)
{
	int sndbuf = TRANSPORT_TCP_SNDBUF;
	struct addrinfo *ai;

	log_debug("collector %s: connecting", t->peer);
	t->written = 0;
	for (ai = t->ai; ai; ai = ai->ai_next) {
		t->fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK |
			       SOCK_CLOEXEC, 0);
		if (t->fd < 0)
			continue;
		/* little unacknowledged data: little in doubt, little lost */
		setsockopt(t->fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof(sndbuf));
		if (bind_source(t, t->fd, ai->ai_family) == 0 &&
		    (connect(t->fd, ai->ai_addr, ai->ai_addrlen) == 0 ||
		     errno == EINPROGRESS)) {
			t->state = 1;
			return;
		}
		close(t->fd);
		t->fd = -1;
	}
	tcp_down(t, strerror(errno));
}

/* Write what the socket takes (counted when acknowledged). */
static void tcp_write(struct transport *t)
{
	while (t->qhead < t->qlen) {
		ssize_t n = send(t->fd, t->q + t->qhead, t->qlen - t->qhead,
				 MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return;
		if (n <= 0) {
			tcp_down(t, n < 0 ? strerror(errno) : "closed");
			return;
		}
		t->qhead += (size_t)n;
		t->written += (uint64_t)n;
	}
	t->qhead = t->qlen = 0;		/* all written: start over */
}

/*
 * A collector never sends anything back over an IPFIX export connection:
 * if the socket is readable, the collector closed it (or it broke).
 * Without this, the first write after the collector went away would still
 * "succeed", and be lost.
 */
static void tcp_check_peer(struct transport *t)
{
	struct pollfd p = { .fd = t->fd, .events = POLLIN | POLLRDHUP };
	char junk[256];
	ssize_t n;

	if (poll(&p, 1, 0) != 1)
		return;
	n = recv(t->fd, junk, sizeof(junk), MSG_DONTWAIT);
	if (n == 0)
		tcp_down(t, "closed by the collector");
	else if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
		tcp_down(t, strerror(errno));
}

/*
 * The previous datagram found no collector (ECONNREFUSED, from an ICMP
 * port unreachable): its records move from sent to not sent, and the
 * collector is down until a message gets through.  Said when it goes down
 * (at most once a minute) and, if that was said, when it is back.
 */
static void udp_refused(struct transport *t)
{
	const struct transport_log *l = &t->log[TRANSPORT_LOG_SEND];
	const char *why = strerror(ECONNREFUSED);

	t->c->errors++;
	t->c->refused++;
	t->c->records -= t->last_records;
	t->c->not_sent += t->last_records;
	t->last_records = 0;
	t->delivered = 0;
	t->peer_lost = 1;
	if (t->c->down)
		return;
	t->c->down = 1;
	t->down_logged = !l->why[0] || strcmp(l->why, why) ||
			 export_mono_ms() / 1000 >= l->at + 60;
	transport_complain(t, TRANSPORT_LOG_SEND, "send to", why);
}

/* A UDP message went out and none was refused since the one before it
 * (or for a second): the collector takes them again. */
static void udp_delivered(struct transport *t)
{
	if (!t->c->down)
		return;
	t->c->down = 0;
	if (t->down_logged)
		log_info("collector %s: up again (%llu records not sent so far)",
			 t->peer, (unsigned long long)t->c->not_sent);
	t->down_logged = 0;
}

/* UDP: an ICMP error that came back for our last message (epoll says
 * EPOLLERR), or quiet for a second since it went out. */
static void udp_check(struct transport *t)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (t->fd < 0 || t->unconnected)
		return;
	if (getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 &&
	    err == ECONNREFUSED)
		udp_refused(t);
	else if (t->delivered && export_mono_ms() >= t->sent_at + 1000)
		udp_delivered(t);
}

/* A UDP collector that had no route at start: try again.  0 when the
 * socket is connected; the exporter resends its templates first. */
static int udp_reconnect(struct transport *t)
{
	if (!t->unconnected)
		return 0;
	if (connect(t->fd, (struct sockaddr *)&t->udp_peer, t->udp_peer_len))
		return -1;
	t->unconnected = 0;
	t->peer_lost = 1;
	log_info("collector %s: reachable now", t->peer);
	return 0;
}

int transport_poll(struct transport *t)
{
	struct pollfd p;
	int err = 0;
	socklen_t len = sizeof(err);

	if (!t->tcp) {
		udp_reconnect(t);
		udp_check(t);
		return !t->unconnected;
	}
	if (t->state == 0 && export_mono_ms() >= t->retry_at)
		tcp_connect(t);
	if (t->state == 1) {
		p = (struct pollfd){ .fd = t->fd, .events = POLLOUT };
		if (poll(&p, 1, 0) == 1) {
			getsockopt(t->fd, SOL_SOCKET, SO_ERROR, &err, &len);
			if (err) {
				tcp_down(t, strerror(err));
			} else {
				t->state = 2;
				t->c->down = 0;
				t->backoff_ms = 1000;
				t->peer_lost = 1;	/* a new session */
				log_info("connected to collector %s", t->peer);
			}
		}
	}
	if (t->state == 2)
		tcp_check_peer(t);
	if (t->state == 2)
		tcp_write(t);
	if (t->state == 2)
		tcp_settle(t);
	return t->state == 2;
}

static int tcp_send(struct transport *t, const void *msg, size_t len,
		    uint32_t records)
{
	int slot;

	/* connections come up only in transport_poll(), which the exporter
	 * calls before it builds a message: a message built while there was
	 * none may lack the templates a new session needs */
	if (t->state != 2) {
		t->c->not_sent += records;
		return -ENOTCONN;
	}
	if (t->qlen + len > TRANSPORT_TCP_QUEUE && t->qhead) {
		/* make room: move the unwritten part to the front (q[qhead]
		 * stays at offset written of the stream) */
		memmove(t->q, t->q + t->qhead, t->qlen - t->qhead);
		t->qlen -= t->qhead;
		t->qhead = 0;
	}
	if (t->qlen + len > TRANSPORT_TCP_QUEUE || t->mcount == TRANSPORT_TCP_MSGS) {
		/* the collector does not keep up: this message is dropped */
		t->c->errors++;
		t->c->queue_full++;
		t->c->not_sent += records;
		transport_complain(t, TRANSPORT_LOG_QUEUE, "slow", "queue full");
		return -ENOBUFS;
	}
	memcpy(t->q + t->qlen, msg, len);
	t->qlen += len;
	slot = (t->mfirst + t->mcount++) % TRANSPORT_TCP_MSGS;
	t->mend[slot] = t->written + (t->qlen - t->qhead);
	t->mlen[slot] = len;
	t->mrec[slot] = records;
	tcp_write(t);
	if (t->state == 2)
		tcp_settle(t);
	return 0;
}

int transport_open_tcp(struct transport *t, const char *address,
		       uint16_t port, struct exporter_counters *c)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICSERV };
	char service[8];
	int rc;

	reset(t, c);
	t->tcp = 1;
	t->c->down = 1;		/* until connected */
	t->backoff_ms = 1000;
	set_peer(t, address, port, 1);
	snprintf(service, sizeof(service), "%u", port);
	rc = getaddrinfo(address, service, &hints, &t->ai);
	if (rc) {
		log_err("resolve collector %s: %s", t->peer, gai_strerror(rc));
		return -EINVAL;
	}
	t->q = malloc(TRANSPORT_TCP_QUEUE);
	if (!t->q) {
		freeaddrinfo(t->ai);
		return -ENOMEM;
	}
	transport_poll(t);	/* start connecting */
	return 0;
}

/* ---- both --------------------------------------------------------------- */

/* One UDP datagram, now. */
static int udp_send(struct transport *t, const void *msg, size_t len,
		    uint32_t records)
{
	ssize_t n;

	if (t->unconnected && udp_reconnect(t)) {
		t->c->errors++;
		t->c->not_sent += records;
		transport_complain(t, TRANSPORT_LOG_SEND, "send to", strerror(errno));
		return -EHOSTUNREACH;
	}
	n = send(t->fd, msg, len, MSG_DONTWAIT);
	if (n < 0 && errno == ECONNREFUSED) {
		/* the previous message found no collector */
		udp_refused(t);
		n = send(t->fd, msg, len, MSG_DONTWAIT);
	}
	if (n == (ssize_t)len) {
		t->c->messages++;
		t->c->bytes += len;
		t->c->records += records;
		t->last_records = records;
		if (t->delivered++)	/* the one before was not refused */
			udp_delivered(t);
		t->sent_at = export_mono_ms();
		return 0;
	}
	t->c->errors++;
	t->c->not_sent += records;
	t->last_records = 0;
	transport_complain(t, TRANSPORT_LOG_SEND, "send to",
		 n < 0 ? strerror(errno) : "short send");
	return n < 0 ? -errno : -EIO;
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int transport_pace(struct transport *t, uint32_t hurry_ms)
{
	const struct pacer_msg *m;
	uint64_t now = mono_ns();
	int64_t wait;

	if (!t->pace)
		return -1;
	if (hurry_ms)
		pacer_hurry(t->pace, hurry_ms);
	while ((m = pacer_due(t->pace, now))) {
		udp_send(t, m->buf, m->len, m->records);
		pacer_pop(t->pace);
	}
	t->c->queued = t->pace->records;
	wait = pacer_wait_ns(t->pace, now);
	return wait < 0 ? -1 : (int)((wait + 999999) / 1000000);
}

/* Queue the message for its pace; send what is due. */
static int udp_queue(struct transport *t, const void *msg, size_t len,
		     uint32_t records)
{
	int err = pacer_push(t->pace, msg, len, records, mono_ns());

	if (err) {
		t->c->errors++;
		t->c->not_sent += records;
		if (err == -ENOBUFS)
			t->c->not_queued += records;
		transport_complain(t, TRANSPORT_LOG_QUEUE, "pace to",
				   err == -ENOBUFS ? "queue full (queue_records)" :
				   "out of memory");
		return err;
	}
	transport_pace(t, 0);
	return 0;
}

int transport_set_pace(struct transport *t, const struct collector_config *cc,
		       uint32_t spread_ms)
{
	if (t->tcp)
		return 0;	/* TCP's own flow control paces it */
	if (!cc->max_rate) {
		if (t->pace) {
			transport_pace(t, 1);	/* what waited goes now */
			t->c->not_sent += pacer_fini(t->pace);
			free(t->pace);
			t->pace = NULL;
			t->c->queued = 0;
		}
		return 0;
	}
	if (t->pace) {
		pacer_set(t->pace, cc->max_rate, cc->max_bitrate,
			  cc->queue_records, spread_ms);
		return 0;
	}
	t->pace = malloc(sizeof(*t->pace));
	if (!t->pace)
		return -ENOMEM;
	pacer_init(t->pace, cc->max_rate, cc->max_bitrate, cc->queue_records,
		   spread_ms, mono_ns());
	return 0;
}

int transport_send(struct transport *t, const void *msg, size_t len,
		   uint32_t records)
{
	if (t->tcp)
		return tcp_send(t, msg, len, records);
	if (t->pace)
		return udp_queue(t, msg, len, records);
	return udp_send(t, msg, len, records);
}

int transport_fd(const struct transport *t, uint32_t *events)
{
	if (!t->tcp && t->fd >= 0 && !t->unconnected) {
		*events = 0;	/* EPOLLERR: an ICMP error came back */
		return t->fd;
	}
	if (!t->tcp || t->fd < 0 || t->state == 0)
		return -1;
	if (t->state == 1)
		*events = EPOLLOUT;
	else
		*events = EPOLLIN | EPOLLRDHUP |
			  (t->qlen > t->qhead ? EPOLLOUT : 0);
	return t->fd;
}

int transport_pending(const struct transport *t)
{
	if (!t->tcp)
		return t->pace && t->pace->n > 0;
	return t->state == 2 && t->mcount > 0;
}

/* Never waits: what is not acknowledged now is counted as not sent (the
 * daemon's loop gives the queues their time before it closes). */
void transport_close(struct transport *t)
{
	if (t->tcp) {
		tcp_settle(t);
		tcp_drop_all(t);
		free(t->q);
		t->q = NULL;
		if (t->ai)
			freeaddrinfo(t->ai);
		t->ai = NULL;
	}
	if (t->pace) {
		t->c->not_sent += pacer_fini(t->pace);
		t->c->queued = 0;
		free(t->pace);
		t->pace = NULL;
	}
	if (t->fd >= 0)
		close(t->fd);
	t->fd = -1;
}
