/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exporter.h - one interface for every output: JSON lines, IPFIX, NetFlow
 * v9 and v5 are siblings behind struct exporter_ops (open, add, flush,
 * close).  The daemon hands each finished flow record to every exporter.
 */
#ifndef TCFLOWD_EXPORTER_H
#define TCFLOWD_EXPORTER_H

#include <stdint.h>

#include "config.h"
#include "flow.h"

/* A flow record as exporters see it: times in wall-clock ms since 1970. */
struct export_record {
	struct flow_key	key;
	uint64_t	packets;
	uint64_t	bytes;
	uint64_t	start_ms;
	uint64_t	end_ms;
	uint32_t	ingress_ifindex;	/* 0: unknown */
	uint32_t	egress_ifindex;		/* 0: unknown */
	uint16_t	tcp_flags;
	uint8_t		tos;
	uint8_t		min_ttl;
	uint8_t		max_ttl;
	uint8_t		end_reason;		/* flowEndReason, IANA IE 136 */
	uint8_t		flags;			/* FLOW_F_* */
	uint8_t		src_mac[6];
	uint8_t		dst_mac[6];
	uint32_t	sampling_interval;	/* 1-in-N in force */
	const char	*ifname;		/* the observation interface */
};

/* What every exporter may need beyond its own section. */
struct exporter_env {
	uint32_t	observation_domain;
	/* the kernel counters since start (the daemon keeps them current),
	 * for reliability statistics; may be NULL */
	const struct flow_stats	*kstats;
};

struct exporter_counters {
	uint64_t	records;	/* records accepted and sent/written */
	uint64_t	messages;	/* messages or lines written */
	uint64_t	bytes;
	uint64_t	errors;		/* failed writes/sends */
	uint64_t	not_sent;	/* records lost to those errors */
	uint64_t	unexportable;	/* flows the format cannot carry
					 * (IPv6 in NetFlow v5) */
};

struct exporter;

struct exporter_ops {
	const char	*name;
	/* 0 or -errno; may fill e->priv */
	int	(*open)(struct exporter *e, const struct exporter_env *env);
	/* 0 or -errno; failures are also counted in e->counters */
	int	(*add)(struct exporter *e, const struct export_record *r);
	int	(*flush)(struct exporter *e);
	void	(*close)(struct exporter *e);
};

struct exporter {
	const struct exporter_ops	*ops;
	struct collector_config		cfg;
	struct exporter_counters	counters;
	void				*priv;
};

/* The exporter for cc->protocol, opened.  NULL and errno on failure. */
struct exporter *exporter_open(const struct collector_config *cc,
			       const struct exporter_env *env);
int exporter_add(struct exporter *e, const struct export_record *r);
int exporter_flush(struct exporter *e);
void exporter_close(struct exporter *e);

/* Render key addresses: "192.0.2.1" for IPv4-mapped, else IPv6. */
void export_addr_str(const uint8_t addr[16], char *buf, size_t len);
int export_is_ipv4(const struct flow_key *k);

extern const struct exporter_ops json_exporter_ops;
extern const struct exporter_ops netflow5_exporter_ops;
extern const struct exporter_ops netflow9_exporter_ops;
extern const struct exporter_ops ipfix_exporter_ops;

/* Interface names the template exporters announce in options records.
 * The layout is also IPFIX's ingressInterface + interfaceName record. */
#define EXPORT_IFNAME_LEN	16
#define EXPORT_MAX_IFS		256
struct export_ifname {
	uint32_t	ifindex;
	char		name[EXPORT_IFNAME_LEN];
};
/* Remember ifindex's name in tab (*n entries); 1 if new or changed. */
int export_note_ifname(struct export_ifname *tab, int *n, uint32_t ifindex,
		       const char *name);

/* Wall-clock and "system uptime" (CLOCK_MONOTONIC) now, in ms. */
void export_clock_ms(uint64_t *real_ms, uint64_t *uptime_ms);

#endif /* TCFLOWD_EXPORTER_H */
