// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * exporter.c - the table of exporters by protocol, and what they share.
 */
#include <arpa/inet.h>
#include <errno.h>
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
};

struct exporter *exporter_open(const struct collector_config *cc,
			       const struct exporter_env *env)
{
	const struct exporter_ops *ops = NULL;
	struct exporter *e;
	int err;

	if (cc->protocol >= 0 &&
	    (size_t)cc->protocol < sizeof(by_protocol) / sizeof(by_protocol[0]))
		ops = by_protocol[cc->protocol];
	if (!ops) {
		log_err("open collector %s: protocol %s is not available yet",
			cc->name, config_protocol_name(cc->protocol));
		errno = EPROTONOSUPPORT;
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	e->ops = ops;
	e->cfg = *cc;
	err = ops->open(e, env);
	if (err) {
		free(e);
		errno = -err;
		return NULL;
	}
	return e;
}

int exporter_add(struct exporter *e, const struct export_record *r)
{
	return e->ops->add(e, r);
}

int exporter_flush(struct exporter *e)
{
	return e->ops->flush(e);
}

void exporter_close(struct exporter *e)
{
	if (!e)
		return;
	e->ops->flush(e);
	e->ops->close(e);
	free(e);
}

int export_is_ipv4(const struct flow_key *k)
{
	return k->eth_type == htons(0x0800);
}

void export_addr_str(const uint8_t addr[16], char *buf, size_t len)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (!memcmp(addr, mapped, sizeof(mapped)))
		inet_ntop(AF_INET, addr + 12, buf, (socklen_t)len);
	else
		inet_ntop(AF_INET6, addr, buf, (socklen_t)len);
}

void export_clock_ms(uint64_t *real_ms, uint64_t *uptime_ms)
{
	struct timespec r, m;

	clock_gettime(CLOCK_REALTIME, &r);
	clock_gettime(CLOCK_MONOTONIC, &m);
	*real_ms = (uint64_t)r.tv_sec * 1000 + (uint64_t)r.tv_nsec / 1000000;
	*uptime_ms = (uint64_t)m.tv_sec * 1000 + (uint64_t)m.tv_nsec / 1000000;
}

int export_note_ifname(struct export_ifname *tab, int *n, uint32_t ifindex,
		       const char *name)
{
	int i;

	if (!ifindex || !name || !*name)
		return 0;
	for (i = 0; i < *n; i++)
		if (tab[i].ifindex == ifindex)
			break;
	if (i < *n && !strncmp(tab[i].name, name, EXPORT_IFNAME_LEN))
		return 0;
	if (i == *n) {
		if (*n == EXPORT_MAX_IFS)
			return 0;
		(*n)++;
	}
	tab[i].ifindex = ifindex;
	/* a fixed-width field: no terminating NUL when the name fills it */
	memset(tab[i].name, 0, EXPORT_IFNAME_LEN);
	memcpy(tab[i].name, name, strnlen(name, EXPORT_IFNAME_LEN));
	return 1;
}
