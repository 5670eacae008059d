// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * json.c - one JSON object per flow record, one record per line, for
 * people and tests.  Field names are IANA IPFIX names in snake_case.
 *
 * jansson builds and escapes each object; strings that are not valid
 * UTF-8 (an interface name is whatever bytes the kernel was given) have
 * each bad byte replaced by U+FFFD, so every line is valid JSON.  Lines
 * wait in a buffer and go out with the flush (or when it is full) in one
 * write: a record counts as sent once its whole line is in the file.  A
 * write cut short (a full disk) is cut back to its last whole line, the
 * rest counted as not sent, and the error logged at most once a minute.
 * exporter_reopen() (SIGHUP) reopens the file, for logrotate.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "exporter.h"
#include "json.h"
#include "log.h"

#define JSON_BUF_SIZE	(64 * 1024)
#define COMPLAIN_MS	60000

struct json {
	int	fd;
	int	own;		/* we opened it (not stdout) */
	char	*buf;
	size_t	len;		/* bytes waiting in buf */
	uint64_t pending;	/* their records (lines) */
	uint32_t observation_domain;
	uint64_t complained_at;	/* CLOCK_MONOTONIC ms; 0: never */
	uint64_t quiet_errors;	/* write errors not logged since */
};

static int open_path(struct exporter *e, struct json *j)
{
	if (!strcmp(e->cfg.path, "-")) {
		j->fd = STDOUT_FILENO;
		return 0;
	}
	j->fd = open(e->cfg.path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
	if (j->fd < 0) {
		int err = -errno;

		log_err("open collector %s: %s: %s", e->cfg.name, e->cfg.path,
			strerror(-err));
		return err;
	}
	j->own = 1;
	return 0;
}

static int json_open(struct exporter *e, const struct exporter_env *env)
{
	struct json *j = calloc(1, sizeof(*j));
	int err;

	if (!j)
		return -ENOMEM;
	j->buf = malloc(JSON_BUF_SIZE);
	err = j->buf ? open_path(e, j) : -ENOMEM;
	if (err) {
		free(j->buf);
		free(j);
		return err;
	}
	j->observation_domain = env->observation_domain;
	e->priv = j;
	return 0;
}

/* The length of the valid UTF-8 sequence at s (RFC 3629: no overlong
 * forms, no surrogates, nothing past U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s)
{
	size_t n, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
	    (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
		return 0;
	return n;
}

/* A JSON string of v, every byte that is not valid UTF-8 as U+FFFD. */
static json_t *str(const char *v)
{
	const unsigned char *s = (const unsigned char *)v;
	size_t len = strlen(v), o = 0, n;
	char *clean = malloc(len * 3 + 1);
	json_t *out;

	if (!clean)
		return NULL;
	for (; *s; s += n ? n : 1) {
		n = utf8_len(s);
		if (n) {
			memcpy(clean + o, s, n);
			o += n;
		} else {
			memcpy(clean + o, "\xef\xbf\xbd", 3);
			o += 3;
		}
	}
	out = json_stringn(clean, o);
	free(clean);
	return out;
}

static void set(json_t *o, const char *key, json_t *v)
{
	json_object_set_new(o, key, v);	/* NULL v: the object is incomplete */
}

static void set_u(json_t *o, const char *key, uint64_t v)
{
	set(o, key, json_integer((json_int_t)v));
}

/* key "<pre><v><post>", v the family ("ipv4", "ipv6") */
static void set_v(json_t *o, const char *pre, const char *v, const char *post,
		  uint64_t n)
{
	char key[64];

	snprintf(key, sizeof(key), "%s%s%s", pre, v, post);
	set_u(o, key, n);
}

/* "<pre>source_<v>_address" and "<pre>destination_<v>_address" */
static void set_pair(json_t *o, const char *pre, const uint8_t *src,
		     const uint8_t *dst, const char *v)
{
	char a[64], key[64];

	export_addr_str(src, a, sizeof(a));
	snprintf(key, sizeof(key), "%ssource_%s_address", pre, v);
	set(o, key, json_string(a));
	export_addr_str(dst, a, sizeof(a));
	snprintf(key, sizeof(key), "%sdestination_%s_address", pre, v);
	set(o, key, json_string(a));
}

/* TCP health: the counts always, the delays and the handshake when known. */
static void set_tcp(json_t *o, const struct export_record *r)
{
	static const char *const hs[] = {
		[EXPORT_HS_COMPLETED] = "completed",
		[EXPORT_HS_REFUSED] = "refused",
		[EXPORT_HS_UNANSWERED] = "unanswered",
	};

	set_u(o, "tcp_syn_total_count", r->syn_count);
	set_u(o, "tcp_fin_total_count", r->fin_count);
	set_u(o, "tcp_rst_total_count", r->rst_count);
	set_u(o, "tcp_retransmitted_packets", r->retrans);
	if (r->flags & EXPORT_F_SDELAY)
		set_u(o, "server_network_delay_us", r->server_delay_us);
	if (r->flags & EXPORT_F_CDELAY)
		set_u(o, "client_network_delay_us", r->client_delay_us);
	if (r->tcp_handshake && r->tcp_handshake < sizeof(hs) / sizeof(hs[0]))
		set(o, "tcp_handshake", str(hs[r->tcp_handshake]));
}

static void set_addrs(json_t *o, const struct export_record *r, const char *v)
{
	set_pair(o, "", r->key.src, r->key.dst, v);
}

static void set_route(json_t *o, const struct export_record *r, const char *v)
{
	char nh[64];


	if (r->route & EXPORT_ROUTE_DST) {
		/* directly connected: 0.0.0.0 or ::, as IPFIX has it */
		if (r->has_next_hop)
			export_addr_str(r->next_hop, nh, sizeof(nh));
		else
			snprintf(nh, sizeof(nh), "%s", v[3] == '4' ? "0.0.0.0" : "::");
		set(o, v[3] == '4' ? "ip_next_hop_ipv4_address" :
		    "ip_next_hop_ipv6_address", json_string(nh));
		set_v(o, "destination_", v, "_prefix_length", r->dst_prefix_len);
	}
	if (r->route & EXPORT_ROUTE_SRC)
		set_v(o, "source_", v, "_prefix_length", r->src_prefix_len);
}

/* The flow on the other side of the router's translation (IE 225-228,
 * 281, 282). */
static void set_nat(json_t *o, const struct export_record *r, const char *v)
{
	if (!r->nat)
		return;
	set_pair(o, "post_nat_", r->nat_src, r->nat_dst, v);
	set_u(o, "post_napt_source_transport_port", ntohs(r->nat_sport));
	set_u(o, "post_napt_destination_transport_port", ntohs(r->nat_dport));
}

static void set_mac(json_t *o, const char *key, const uint8_t m[6])
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%02x:%02x:%02x:%02x:%02x:%02x",
		 m[0], m[1], m[2], m[3], m[4], m[5]);
	set(o, key, json_string(buf));
}

json_t *json_record_object(const struct export_record *r, uint32_t domain)
{
	const struct export_key *k = &r->key;
	const char *v = export_is_ipv4(k) ? "ipv4" : "ipv6";
	json_t *o = json_object();

	if (!o)
		return NULL;
	set_u(o, "observation_domain_id", domain);
	set_addrs(o, r, v);
	set_u(o, "protocol_identifier", k->proto);
	set_u(o, "source_transport_port", ntohs(k->sport));
	set_u(o, "destination_transport_port", ntohs(k->dport));
	if (export_is_icmp(k))
		set_v(o, "icmp_type_code_", v, "", ntohs(k->dport));
	set_u(o, "octet_delta_count", r->bytes);
	set_u(o, "packet_delta_count", r->packets);
	set_u(o, "flow_start_milliseconds", r->start_ms);
	set_u(o, "flow_end_milliseconds", r->end_ms);
	set_u(o, "ingress_interface", r->ingress_ifindex);
	set_u(o, "egress_interface", r->egress_ifindex);
	set_u(o, "flow_direction", k->direction);
	set(o, "interface_name", str(r->ifname ? r->ifname : ""));
	if (r->in_name)
		set(o, "ingress_interface_name", str(r->in_name));
	if (r->out_name)
		set(o, "egress_interface_name", str(r->out_name));
	set_route(o, r, v);
	set_nat(o, r, v);
	set_u(o, "tcp_control_bits", r->tcp_flags);
	set_u(o, "ip_class_of_service", r->tos);
	set_u(o, "minimum_ttl", r->min_ttl);
	set_u(o, "maximum_ttl", r->max_ttl);
	set_u(o, "vlan_id", k->vlan_id);
	if (k->inner_vlan_id)
		set_u(o, "dot1q_customer_vlan_id", k->inner_vlan_id);
	set_u(o, "ethernet_type", ntohs(k->eth_type));
	set_mac(o, "source_mac_address", r->src_mac);
	set_mac(o, "destination_mac_address", r->dst_mac);
	if (r->flags & EXPORT_F_FRAGMENT)
		set(o, "fragmented", json_true());
	set_u(o, "flow_end_reason", r->end_reason);
	set_u(o, "sampling_interval", r->sampling_interval);
	if (k->proto == 6)
		set_tcp(o, r);
	return o;
}

/* Log a write error now and then: the first, then once a minute. */
static void complain(struct exporter *e, struct json *j, int err)
{
	uint64_t now = export_mono_ms();

	if (j->complained_at && now < j->complained_at + COMPLAIN_MS) {
		j->quiet_errors++;
		return;
	}
	log_err("write collector %s: %s: %s (%llu more since the last message; "
		"%llu records not sent in all)", e->cfg.name, e->cfg.path,
		strerror(-err), (unsigned long long)j->quiet_errors,
		(unsigned long long)e->counters.not_sent);
	j->complained_at = now;
	j->quiet_errors = 0;
}

static uint64_t lines_in(const char *s, size_t len)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		n += s[i] == '\n';
	return n;
}

/*
 * Write the waiting lines.  What a short write left of a line is cut off
 * again (the file ends with a whole line); those records and the rest
 * are counted as not sent.  Returns 0 or -errno.
 */
static int write_out(struct exporter *e, struct json *j)
{
	off_t start = j->own ? lseek(j->fd, 0, SEEK_END) : -1;
	size_t done = 0, keep;
	uint64_t sent;
	int err = 0;

	while (done < j->len) {
		ssize_t n = write(j->fd, j->buf + done, j->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			err = n < 0 ? -errno : -ENOSPC;
			break;
		}
		done += (size_t)n;
	}
	keep = done;
	while (keep > 0 && j->buf[keep - 1] != '\n')
		keep--;
	if (keep < done && start >= 0 && ftruncate(j->fd, start + (off_t)keep))
		err = err ? err : -errno;
	sent = lines_in(j->buf, keep);
	e->counters.records += sent;
	e->counters.messages += sent;
	e->counters.bytes += keep;
	if (err) {
		e->counters.errors++;
		e->counters.not_sent += j->pending - sent;
		complain(e, j, err);
	}
	j->len = 0;
	j->pending = 0;
	return err;
}

static int json_add(struct exporter *e, const struct export_record *r)
{
	struct json *j = e->priv;
	json_t *o = json_record_object(r, j->observation_domain);
	char *line = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
	size_t len = line ? strlen(line) + 1 : 0;
	int err = 0;

	json_decref(o);
	if (!line || len > JSON_BUF_SIZE) {
		free(line);
		e->counters.not_sent++;
		return -ENOMEM;
	}
	if (j->len + len > JSON_BUF_SIZE)
		err = write_out(e, j);
	memcpy(j->buf + j->len, line, len - 1);
	j->buf[j->len + len - 1] = '\n';
	j->len += len;
	j->pending++;		/* sent once written, at the flush */
	free(line);
	return err;
}

static int json_flush(struct exporter *e)
{
	struct json *j = e->priv;

	return j->len ? write_out(e, j) : 0;
}

/* The file again by its name (logrotate moved it away). */
static int json_reopen(struct exporter *e)
{
	struct json *j = e->priv;
	int old = j->fd, err;

	if (!j->own)
		return 0;
	json_flush(e);
	err = open_path(e, j);
	if (err) {
		j->fd = old;	/* keep writing where we were */
		return err;
	}
	close(old);
	return 0;
}

static void json_close(struct exporter *e)
{
	struct json *j = e->priv;

	if (j->own)
		close(j->fd);
	free(j->buf);
	free(j);
}

const struct exporter_ops json_exporter_ops = {
	.name	= "json",
	.open	= json_open,
	.add	= json_add,
	.flush	= json_flush,
	.reopen	= json_reopen,
	.close	= json_close,
};
