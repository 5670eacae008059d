// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exporter.c - the table of exporters by protocol, and what they share.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exporter.h"
#include "log.h"

static const struct exporter_ops *const by_protocol[] = {
	[PROTO_JSON] = &json_exporter_ops,
	[PROTO_IPFIX] = &ipfix_exporter_ops,
	[PROTO_NETFLOW9] = &netflow9_exporter_ops,
	[PROTO_NETFLOW5] = &netflow5_exporter_ops,
	[PROTO_KAFKA] = &kafka_exporter_ops,
};

/* The defaults the config parser gives, for a section built by hand
 * (tests, benchmarks). */
static void collector_defaults(struct collector_config *c)
{
	if (!c->message_size)
		c->message_size = COLLECTOR_MESSAGE_SIZE;
	if (!c->template_refresh_s)
		c->template_refresh_s = COLLECTOR_REFRESH_S;
	if (!c->template_refresh_messages)
		c->template_refresh_messages = COLLECTOR_REFRESH_MESSAGES;
}

static const struct exporter_ops *ops_of(int protocol)
{
	if (protocol >= 0 &&
	    (size_t)protocol < sizeof(by_protocol) / sizeof(by_protocol[0]))
		return by_protocol[protocol];
	return NULL;
}

size_t exporter_min_message_size(int protocol)
{
	const struct exporter_ops *ops = ops_of(protocol);

	return ops && ops->min_message_size ? ops->min_message_size() : 0;
}

static struct exporter *exporter_new(const struct collector_config *cc,
				     const struct exporter_env *env)
{
	const struct exporter_ops *ops = ops_of(cc->protocol);
	struct exporter *e;
	size_t need;

	if (!ops) {
		log_err("open collector %s: protocol %d is not available yet",
			cc->name, cc->protocol);
		errno = EPROTONOSUPPORT;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->ops = ops;
	e->cfg = *cc;
	e->env = *env;
	collector_defaults(&e->cfg);
	need = exporter_min_message_size(cc->protocol);
	if (e->cfg.message_size < need) {
		/* the config parser refuses these; a section built by hand */
		log_err("open collector %s: message_size %u cannot hold the %s "
			"templates or largest record (%zu bytes)", cc->name,
			e->cfg.message_size, ops->name, need);
		free(e);
		errno = EMSGSIZE;
		return NULL;
	}
	return e;
}

struct exporter *exporter_open(const struct collector_config *cc,
			       const struct exporter_env *env)
{
	struct exporter *e = exporter_new(cc, env);
	int err;

	if (!e)
		return NULL;
	err = e->ops->open(e, &e->env);
	if (err) {
		free(e);
		errno = -err;
		return NULL;
	}
	return e;
}

#define RETRY_FIRST_MS	1000
#define RETRY_MAX_MS	30000

/* Try to open a kept collector that is down, when its retry is due. */
static void retry_open(struct exporter *e)
{
	uint64_t now = export_mono_ms();
	int err;

	if (now < e->retry_at)
		return;
	e->priv = NULL;
	err = e->ops->open(e, &e->env);
	if (!err) {
		if (e->retry_ms)
			log_info("open collector %s: open now, after %llu records "
				 "not sent", e->cfg.name,
				 (unsigned long long)e->counters.not_sent);
		e->down = 0;
		e->ifs_changed = e->nifs > 0;	/* announce them again */
		return;
	}
	if (!e->retry_ms)	/* the encoder logged why, the first time */
		log_warn("open collector %s: %s; kept, retried, what it misses is "
			 "counted as not sent", e->cfg.name, strerror(-err));
	e->retry_ms = e->retry_ms ? e->retry_ms * 2 : RETRY_FIRST_MS;
	if (e->retry_ms > RETRY_MAX_MS)
		e->retry_ms = RETRY_MAX_MS;
	e->retry_at = now + e->retry_ms;
}

struct exporter *exporter_open_kept(const struct collector_config *cc,
				    const struct exporter_env *env)
{
	struct exporter *e = exporter_new(cc, env);

	if (!e)
		return NULL;
	e->down = 1;
	retry_open(e);
	return e;
}

int exporter_same_collector(const struct collector_config *a,
			    const struct collector_config *b)
{
	struct collector_config x = *a, y = *b;

	collector_defaults(&x);
	collector_defaults(&y);
	return x.protocol == y.protocol && x.transport == y.transport &&
	       !strcmp(x.address, y.address) && x.port == y.port &&
	       !strcmp(x.path, y.path) &&
	       x.template_refresh_s == y.template_refresh_s &&
	       x.template_refresh_messages == y.template_refresh_messages &&
	       x.message_size == y.message_size &&
	       !strcmp(x.source_address, y.source_address) &&
	       x.source_port == y.source_port &&
	       !strcmp(x.brokers, y.brokers) && !strcmp(x.topic, y.topic) &&
	       x.format == y.format && x.key == y.key &&
	       !strcmp(x.kafka_config, y.kafka_config) &&
	       !strcmp(x.exporter_id, y.exporter_id);
}

static int note_ifname(struct exporter *e, uint32_t ifindex, const char *name,
		       const char *descr);

/* name and alias as netlink knows them (NULL: unknown), else fallback */
static void note(struct exporter *e, uint32_t ifindex, const char *fallback,
		 const char *name, const char *alias)
{
	if (!e->ops->interface_options)
		return;
	/* a known interface without an alias has an empty description */
	if (note_ifname(e, ifindex, name ? name : fallback,
			name ? (alias ? alias : "") : NULL))
		e->ifs_changed = 1;
}

int exporter_add(struct exporter *e, const struct export_record *r)
{
	bool in = r->key.ifindex == r->ingress_ifindex;

	note(e, r->key.ifindex, r->ifname, in ? r->in_name : r->out_name,
	     in ? r->in_alias : r->out_alias);
	if (r->ingress_ifindex != r->key.ifindex && r->in_name)
		note(e, r->ingress_ifindex, NULL, r->in_name, r->in_alias);
	if (r->egress_ifindex != r->key.ifindex && r->out_name)
		note(e, r->egress_ifindex, NULL, r->out_name, r->out_alias);
	if (e->down)
		retry_open(e);
	if (e->down) {
		e->counters.not_sent++;
		return -ENOTCONN;
	}
	return e->ops->add(e, r);
}

void exporter_note_iface(struct exporter *e, uint32_t ifindex,
			 const char *name, const char *alias)
{
	note(e, ifindex, NULL, name, alias);
}

int exporter_flush(struct exporter *e)
{
	if (e->down)
		retry_open(e);
	return e->down ? 0 : e->ops->flush(e);
}

int exporter_fd(const struct exporter *e, uint32_t *events)
{
	if (e->down || !e->ops->fd)
		return -1;
	return e->ops->fd(e, events);
}

void exporter_poll(struct exporter *e)
{
	if (e->down)
		retry_open(e);
	if (!e->down && e->ops->poll)
		e->ops->poll(e);
}

bool exporter_pending(const struct exporter *e)
{
	return !e->down && e->ops->pending && e->ops->pending(e);
}

int exporter_pace(struct exporter *e, uint32_t hurry_ms)
{
	if (e->down || !e->ops->pace)
		return -1;
	return e->ops->pace(e, hurry_ms);
}

void exporter_set_pacing(struct exporter *e, const struct collector_config *cc,
			 uint32_t fetch_interval_ms)
{
	e->cfg.max_rate = cc->max_rate;
	e->cfg.max_bitrate = cc->max_bitrate;
	e->cfg.queue_records = cc->queue_records;
	e->env.fetch_interval_ms = fetch_interval_ms;
	if (!e->down && e->ops->set_pace)
		e->ops->set_pace(e);
}

int exporter_reopen(struct exporter *e)
{
	if (e->down || !e->ops->reopen)
		return 0;
	return e->ops->reopen(e);
}

void exporter_close_counted(struct exporter *e, struct exporter_counters *sum)
{
	if (!e)
		return;
	if (!e->down) {
		e->ops->flush(e);
		e->ops->close(e);
	}
	if (sum)
		exporter_counters_add(sum, &e->counters);
	free(e->ifs);
	free(e);
}

void exporter_close(struct exporter *e)
{
	exporter_close_counted(e, NULL);
}

bool exporter_up(const struct exporter *e)
{
	return !e->down && !e->counters.down;
}

const struct exporter_counters *exporter_get_counters(const struct exporter *e)
{
	return &e->counters;
}

void exporter_counters_add(struct exporter_counters *sum,
			   const struct exporter_counters *c)
{
	sum->records += c->records;
	sum->messages += c->messages;
	sum->bytes += c->bytes;
	sum->errors += c->errors;
	sum->not_sent += c->not_sent;
	sum->unexportable += c->unexportable;
	sum->not_queued += c->not_queued;
	sum->queued += c->queued;
	sum->refused += c->refused;
	sum->queue_full += c->queue_full;
	sum->conn_failures += c->conn_failures;
	sum->down += c->down;
}

const struct collector_config *exporter_get_config(const struct exporter *e)
{
	return &e->cfg;
}

void exporter_rename(struct exporter *e, const char *name, int line)
{
	snprintf(e->cfg.name, sizeof(e->cfg.name), "%s", name);
	e->cfg.line = line;
}

bool exporter_has_iface(const struct exporter *e, uint32_t ifindex)
{
	int i;

	for (i = 0; i < e->nifs; i++)
		if (e->ifs[i].ifindex == ifindex)
			return true;
	return false;
}

int export_is_ipv4(const struct export_key *k)
{
	return k->eth_type == htons(0x0800);
}

int export_is_icmp(const struct export_key *k)
{
	return k->proto == IPPROTO_ICMP || k->proto == IPPROTO_ICMPV6;
}

static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };

void export_addr_map4(uint8_t a[16], const void *v4)
{
	memmove(a + 12, v4, 4);
	memcpy(a, v4_mapped, sizeof(v4_mapped));
}

int export_addr_is_v4(const uint8_t a[16])
{
	return !memcmp(a, v4_mapped, sizeof(v4_mapped));
}

void export_addr_str(const uint8_t addr[16], char *buf, size_t len)
{
	if (export_addr_is_v4(addr))
		inet_ntop(AF_INET, addr + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, addr, buf, (socklen_t)len);
}

uint64_t export_mono_ms(void)
{
	struct timespec m;

	clock_gettime(CLOCK_MONOTONIC, &m);
	return (uint64_t)m.tv_sec * 1000 + (uint64_t)m.tv_nsec / 1000000;
}

void export_clock_ms(uint64_t *real_ms, uint64_t *uptime_ms)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	*real_ms = (uint64_t)r.tv_sec * 1000 + (uint64_t)r.tv_nsec / 1000000;
	*uptime_ms = (uint64_t)m.tv_sec * 1000 + (uint64_t)m.tv_nsec / 1000000;
}

/* a fixed-width field: no terminating NUL when the text fills it */
static void put_fixed(char *field, size_t len, const char *s)
{
	memset(field, 0, len);
	memcpy(field, s, strnlen(s, len));
}

static int same_fixed(const char *field, size_t len, const char *s)
{
	return strnlen(s, len) == strnlen(field, len) &&
	       !strncmp(field, s, len);
}

/*
 * Remember ifindex's name and description (descr NULL: unknown, kept as
 * it was); 1 if new or changed.  The table grows with the interfaces: a
 * router with thousands of VLAN interfaces announces them all.
 */
static int note_ifname(struct exporter *e, uint32_t ifindex, const char *name,
		       const char *descr)
{
	struct export_ifname *f;
	int i;

	if (!ifindex || !name || !*name)
		return 0;
	for (i = 0; i < e->nifs; i++)
		if (e->ifs[i].ifindex == ifindex)
			break;
	if (i < e->nifs && same_fixed(e->ifs[i].name, EXPORT_IFNAME_LEN, name) &&
	    (!descr || same_fixed(e->ifs[i].descr, EXPORT_IFDESCR_LEN, descr)))
		return 0;
	if (i == e->nifs) {
		if (e->nifs == e->ifs_cap) {
			int cap = e->ifs_cap ? e->ifs_cap * 2 : 16;

			f = realloc(e->ifs, (size_t)cap * sizeof(*f));
			if (!f) {
				log_warn("collector %s: out of memory: interface "
					 "%s is not announced", e->cfg.name, name);
				return 0;
			}
			e->ifs = f;
			e->ifs_cap = cap;
		}
		e->nifs++;
		memset(e->ifs[i].descr, 0, EXPORT_IFDESCR_LEN);
	}
	f = &e->ifs[i];
	f->ifindex = ifindex;
	put_fixed(f->name, EXPORT_IFNAME_LEN, name);
	if (descr)
		put_fixed(f->descr, EXPORT_IFDESCR_LEN, descr);
	return 1;
}
