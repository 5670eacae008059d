// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_progress.c - the template exporters (NetFlow v9, IPFIX) always make
 * progress: 2,000 interfaces announced in 512-byte messages with templates
 * refreshed after every message (template_refresh_messages = 1), to a
 * collector that refuses and to one that listens.  Every add returns, the
 * number of messages is bounded, and every record is delivered or counted.
 * A watchdog (alarm) turns a hang into a failure.  The listening
 * collector's messages are decoded here: every data set through a
 * template sent before it, every flow record and interface name counted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "exporter.h"
#include "records.h"
#include "tap.h"

#define NIFS		2000
#define MSG_SIZE	512
#define MAX_MSGS	60000

static const char *watched = "";

static void watchdog(int sig)
{
	static const char msg[] = "Bail out! an exporter made no progress "
				  "(hang): ";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0 ||
	    write(1, watched, strlen(watched)) < 0 || write(1, "\n", 1) < 0)
		_exit(2);
	_exit(1);
}

static struct export_record rec(int i)
{
	uint16_t sport = (uint16_t)(1000 + i);
	struct export_record r = rec_udp4(sport);

	if (i % 2) {		/* the largest record: IPv6 with the route */
		r = rec_flow("2001:db8::1", "2001:db8::2", 17, sport, 53);
		r.route = EXPORT_ROUTE_DST;
		r.has_next_hop = 1;
		rec_addr(r.next_hop, "2001:db8::fe");
	}
	r.packets = 1;
	r.bytes = (uint64_t)(100 + i);
	r.end_reason = 1;
	r.ingress_ifindex = 100;
	r.ifname = "if0";
	r.key.ifindex = 100;
	return r;
}

/* A UDP socket on 127.0.0.1; its port in *port. */
static int udp_socket(uint16_t *port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM, 0), big = 64 << 20;

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    getsockname(fd, (struct sockaddr *)&sin, &sl))
		tap_bail("receiver socket: %s", strerror(errno));
	/* a round of options is hundreds of messages in one burst */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof(big)))
		tap_need_privilege("a 64 MB receive buffer (SO_RCVBUFFORCE)");
	*port = ntohs(sin.sin_port);
	return fd;
}

static struct exporter *open_exporter(int protocol, uint16_t port,
				      uint32_t size)
{
	struct collector_config cc = { .name = "t", .protocol = protocol,
				       .transport = TRANSPORT_UDP,
				       .message_size = size,
				       .template_refresh_s = 3600,
				       .template_refresh_messages = 1 };
	struct exporter_env env = { .observation_domain = 9 };
	struct exporter *e;
	int i;

	strcpy(cc.address, "127.0.0.1");
	cc.port = port;
	e = exporter_open(&cc, &env);
	if (!e)
		return NULL;
	for (i = 0; i < NIFS; i++) {
		char name[16];

		snprintf(name, sizeof(name), "if%d", i);
		exporter_note_iface(e, (uint32_t)(100 + i), name, NULL);
	}
	return e;
}

/* ---- a decoder for both formats: enough to count ----------------------- */

struct decoded {
	int	msgs, too_big, data_msgs, tmpl_msgs;
	/* messages with flows and no refresh since the one before, that do
	 * not go on with half-sent interface options either (a refresh
	 * then would start the options again: they would never end) */
	int	unrefreshed, refreshed;	/* refreshed: templates since flows */
	size_t	tmpl_len;	/* message header and template sets */
	int	flows, unknown_sets, names, names_here;
	char	seen[NIFS];
	/* per template id: record length, options?, interfaceName offset */
	uint16_t reclen[65536];
	uint8_t	is_opt[65536];
	int16_t	name_off[65536];
};

static unsigned int be(const uint8_t *p, int n)
{
	unsigned int v = 0;

	while (n--)
		v = v << 8 | *p++;
	return v;
}

/* A template record at p (fields after the header at f); returns its
 * length on the wire. */
static size_t learn(struct decoded *d, int v9, const uint8_t *p, int opt,
		    size_t avail)
{
	unsigned int tid = be(p, 2), n, i, len = 0, at;
	size_t hdr = opt ? 6 : 4;

	if (v9 && opt)
		n = (be(p + 2, 2) + be(p + 4, 2)) / 4;
	else
		n = be(p + 2, 2);
	d->name_off[tid] = -1;
	for (i = 0, at = (unsigned int)hdr; i < n && at + 4 <= avail; i++) {
		unsigned int ie = be(p + at, 2), l = be(p + at + 2, 2);

		if (ie == 82)
			d->name_off[tid] = (int16_t)len;
		len += l;
		at += 4 + (!v9 && (ie & 0x8000) ? 4 : 0);
	}
	d->reclen[tid] = (uint16_t)len;
	d->is_opt[tid] = (uint8_t)opt;
	return at;
}

static void data_set(struct decoded *d, unsigned int id, const uint8_t *p,
		     size_t len, int *flows)
{
	size_t at, rl = d->reclen[id];

	if (!rl) {
		d->unknown_sets++;
		return;
	}
	for (at = 0; at + rl <= len; at += rl) {
		if (!d->is_opt[id]) {
			(*flows)++;
		} else if (d->name_off[id] >= 0) {
			const char *nm = (const char *)p + at + d->name_off[id];
			int k = atoi(nm + 2);

			d->names_here++;
			if (!strncmp(nm, "if", 2) && k >= 0 && k < NIFS &&
			    !d->seen[k]++)
				d->names++;
		}
	}
}

static void decode(struct decoded *d, int v9, const uint8_t *m, size_t len)
{
	size_t at = v9 ? 20 : 16, t, tmpl_len = at;
	int flows = 0, tmpl = 0;

	d->msgs++;
	d->too_big += len > MSG_SIZE;
	d->names_here = 0;
	while (at + 4 <= len) {
		unsigned int id = be(m + at, 2), sl = be(m + at + 2, 2);

		if (sl < 4 || at + sl > len)
			break;
		if (id == (v9 ? 0u : 2u) || id == (v9 ? 1u : 3u)) {
			tmpl = 1;
			tmpl_len += sl;
			for (t = 4; t + 4 < sl;)
				t += learn(d, v9, m + at + t, id == (v9 ? 1u : 3u),
					   sl - t);
		} else if (id >= 256) {
			data_set(d, id, m + at + 4, sl - 4, &flows);
		}
		at += sl;
	}
	if (flows && d->data_msgs && !tmpl && !d->refreshed && !d->names_here)
		d->unrefreshed++;
	if (flows)
		d->refreshed = 0;
	if (tmpl)
		d->refreshed = 1;
	d->flows += flows;
	d->data_msgs += flows > 0;
	d->tmpl_msgs += tmpl;
	if (tmpl && tmpl_len > d->tmpl_len)
		d->tmpl_len = tmpl_len;
}

/* ---- the scenarios ----------------------------------------------------- */

static void drain(int fd, struct decoded *d, int v9);

/* Open, add n records under the watchdog (decoding what arrives at fd
 * into d, if d), flush.  Returns the exporter. */
static struct exporter *export_n(int protocol, const char *name,
				 uint16_t port, int n, int fd,
				 struct decoded *d, int v9)
{
	struct export_record r;
	struct exporter *e;
	int i;

	watched = name;
	alarm(60);
	e = open_exporter(protocol, port, MSG_SIZE);
	if (!e)
		tap_bail("open the %s exporter", name);
	for (i = 0; i < n; i++) {
		r = rec(i);
		exporter_add(e, &r);
		if (d)
			drain(fd, d, v9);
	}
	exporter_flush(e);
	alarm(0);
	return e;
}

/* Nothing listens: every message is refused (ICMP port unreachable). */
static void refused(int protocol, const char *name)
{
	int fd, n = 200;
	uint16_t port;
	struct exporter *e;

	fd = udp_socket(&port);
	close(fd);			/* now nothing listens there */
	e = export_n(protocol, name, port, n, -1, NULL, 0);
	tap_ok(1, "%s, refusing collector: %d adds with %d interfaces in "
	       "%d-byte messages returned", name, n, NIFS, MSG_SIZE);
	tap_is(e->counters.records + e->counters.not_sent, (uint64_t)n,
	       "%s, refusing collector: every record sent or counted as not "
	       "sent (%llu + %llu)", name,
	       (unsigned long long)e->counters.records,
	       (unsigned long long)e->counters.not_sent);
	tap_ok(e->counters.not_sent >= (uint64_t)n - 5,
	       "%s, refusing collector: the refused ones counted as not sent "
	       "(%llu)", name, (unsigned long long)e->counters.not_sent);
	/* 5 records a message at least, each followed by one refresh: the
	 * templates and 2,000 names at 5 a message (400) */
	tap_ok(e->counters.messages <= (uint64_t)(n / 4 + 1) * 402,
	       "%s, refusing collector: bounded: %llu messages for %d records",
	       name, (unsigned long long)(e->counters.messages), n);
	exporter_close(e);
}

/* Decode every message waiting at fd. */
static void drain(int fd, struct decoded *d, int v9)
{
	static uint8_t buf[65536];
	ssize_t got;

	while ((got = recv(fd, buf, sizeof(buf), MSG_DONTWAIT)) > 0)
		decode(d, v9, buf, (size_t)got);
}

/* A collector listens: all of it arrives, decodable.  Returns the size
 * of the templates as sent, with a message header. */
static size_t listening(int protocol, const char *name, int v9)
{
	static struct decoded d;
	int fd, n = 40;
	uint16_t port;
	struct exporter *e;

	memset(&d, 0, sizeof(d));
	fd = udp_socket(&port);
	e = export_n(protocol, name, port, n, fd, &d, v9);
	drain(fd, &d, v9);
	tap_is(e->counters.records, (uint64_t)n, "%s: %d records counted as sent",
	       name, n);
	tap_is(e->counters.not_sent + e->counters.errors, 0,
	       "%s: no errors, nothing counted as not sent", name);
	tap_is((uint64_t)d.msgs, e->counters.messages,
	       "%s: every message arrived (%d)", name, d.msgs);
	tap_is((uint64_t)d.too_big, 0, "%s: none over %d bytes", name, MSG_SIZE);
	tap_is((uint64_t)d.flows, (uint64_t)n, "%s: %d flow records decoded",
	       name, n);
	tap_is((uint64_t)d.unknown_sets, 0, "%s: every data set after its "
	       "template", name);
	tap_is((uint64_t)d.names, NIFS, "%s: all %d interface names announced",
	       name, NIFS);
	tap_ok(d.unrefreshed == 0 && d.tmpl_msgs >= d.data_msgs / 2,
	       "%s: templates refreshed after every message with flows, but "
	       "while options are half sent (%d with templates, %d with flows, "
	       "%d not refreshed)", name, d.tmpl_msgs, d.data_msgs,
	       d.unrefreshed);
	tap_ok(d.msgs <= (d.data_msgs + 1) * 402, "%s: bounded: %d messages, "
	       "%d with flows", name, d.msgs, d.data_msgs);
	exporter_close(e);
	close(fd);
	return d.tmpl_len;
}

/* Too small to hold the templates (want bytes as sent, more than any
 * record needs): refused.  IPFIX spreads its templates over as many
 * messages as it takes: it needs the longest one, at most what one
 * message of them took. */
static void too_small(int protocol, const char *name, size_t want)
{
	size_t need = exporter_min_message_size(protocol);
	struct exporter *e;
	uint16_t port;
	int fd = udp_socket(&port);

	if (protocol == PROTO_IPFIX)
		tap_ok(need <= want, "%s: message_size must be at least %zu, "
		       "at most the templates one message took (%zu)", name,
		       need, want);
	else
		tap_is(need, want, "%s: message_size must be at least %zu, the "
		       "templates as sent", name, want);
	e = open_exporter(protocol, port, (uint32_t)need - 1);
	tap_ok(!e && errno == EMSGSIZE, "%s: message_size %zu refused at open",
	       name, need - 1);
	exporter_close(e);
	e = open_exporter(protocol, port, (uint32_t)need);
	tap_ok(e != NULL, "%s: message_size %zu accepted", name, need);
	exporter_close(e);
	close(fd);
}

int main(void)
{
	signal(SIGALRM, watchdog);
	refused(PROTO_NETFLOW9, "netflow9");
	refused(PROTO_IPFIX, "ipfix");
	too_small(PROTO_NETFLOW9, "netflow9",
		  listening(PROTO_NETFLOW9, "netflow9", 1));
	too_small(PROTO_IPFIX, "ipfix", listening(PROTO_IPFIX, "ipfix", 0));
	return tap_done();
}
