/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exporter.h - one interface for every output: JSON lines, IPFIX, NetFlow
 * v9 and v5 are siblings behind struct exporter_ops (open, add, flush,
 * close).  The daemon hands each finished flow record to every exporter.
 */
#ifndef TCFLOWD_EXPORTER_H
#define TCFLOWD_EXPORTER_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "enrich.h"
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
	/* the interfaces, as netlink knows them (NULL: unknown) */
	const struct link_info	*in_link;
	const struct link_info	*out_link;
	/* the route (EXPORT_ROUTE_*: what is known) */
	uint8_t		route;
	uint8_t		has_next_hop;		/* else directly connected */
	uint8_t		src_prefix_len;
	uint8_t		dst_prefix_len;
	uint8_t		next_hop[16];		/* IPv4 as IPv4-mapped */
};
#define EXPORT_ROUTE_DST	0x1	/* next hop, dst prefix, egress */
#define EXPORT_ROUTE_SRC	0x2	/* src prefix (the route back) */

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

/* Interface names and descriptions the template exporters announce in
 * options records.  The layout is also IPFIX's record: ingressInterface,
 * interfaceName, interfaceDescription (fixed width, NUL padded). */
#define EXPORT_IFNAME_LEN	16
#define EXPORT_IFDESCR_LEN	LINK_ALIAS_LEN
struct export_ifname {
	uint32_t	ifindex;
	char		name[EXPORT_IFNAME_LEN];
	char		descr[EXPORT_IFDESCR_LEN];
};

struct exporter;

struct exporter_ops {
	const char	*name;
	/* announces interface names in options records (IPFIX, v9): only
	 * these keep the table of interfaces below */
	bool		interface_options;
	/* 0 or -errno; may fill e->priv */
	int	(*open)(struct exporter *e, const struct exporter_env *env);
	/* 0 or -errno; failures are also counted in e->counters */
	int	(*add)(struct exporter *e, const struct export_record *r);
	int	(*flush)(struct exporter *e);
	/* optional: reopen the file by its name (SIGHUP, logrotate) */
	int	(*reopen)(struct exporter *e);
	void	(*close)(struct exporter *e);
	/* the least message_size the encoder works with (NULL: it has no
	 * use for message_size) */
	size_t	(*min_message_size)(void);
	/* optional: a descriptor for the daemon's epoll loop (-1: none), and
	 * what to do when it is readable */
	int	(*fd)(struct exporter *e);
	void	(*poll)(struct exporter *e);
};

struct exporter {
	const struct exporter_ops	*ops;
	struct collector_config		cfg;
	struct exporter_counters	counters;
	void				*priv;
	/* not open (exporter_open_kept()): retried at retry_at (CLOCK_MONOTONIC
	 * ms); every record meanwhile is counted as not sent */
	int				down;
	uint64_t			retry_at, retry_ms;
	struct exporter_env		env;
	/* interfaces seen in records or told by the daemon; ifs_changed
	 * until the exporter has announced them */
	struct export_ifname		*ifs;
	int				nifs, ifs_cap;
	int				ifs_changed;
};

/* The exporter for cc->protocol, opened.  NULL and errno on failure. */
struct exporter *exporter_open(const struct collector_config *cc,
			       const struct exporter_env *env);
/* The least message_size protocol works with: one message holds its
 * templates, and one its largest record.  0: it has no use for it. */
size_t exporter_min_message_size(int protocol);
/*
 * The same, but a collector that cannot be opened now is kept as
 * configured, not open, and retried (with backoff, from exporter_add() and
 * exporter_flush()); what it misses is counted as not sent.  NULL and
 * errno only when out of memory or for an unknown protocol.
 */
struct exporter *exporter_open_kept(const struct collector_config *cc,
				    const struct exporter_env *env);
/* 1 if a and b are the same collector: everything but name and line. */
int exporter_same_collector(const struct collector_config *a,
			    const struct collector_config *b);
/* Notes the record's interfaces, then hands it to the encoder. */
int exporter_add(struct exporter *e, const struct export_record *r);
/* An interface to announce (at start), or one that changed. */
void exporter_note_iface(struct exporter *e, const struct link_info *li);
int exporter_flush(struct exporter *e);
/* SIGHUP: a file output is reopened by its name (logrotate); 0 or -errno */
int exporter_reopen(struct exporter *e);
void exporter_close(struct exporter *e);
/* The descriptor the daemon's loop watches for e (-1: none), and what it
 * calls when that descriptor is readable. */
int exporter_fd(struct exporter *e);
void exporter_poll(struct exporter *e);

/* Render key addresses: "192.0.2.1" for IPv4-mapped, else IPv6. */
void export_addr_str(const uint8_t addr[16], char *buf, size_t len);
int export_is_ipv4(const struct flow_key *k);

extern const struct exporter_ops json_exporter_ops;
extern const struct exporter_ops netflow5_exporter_ops;
extern const struct exporter_ops netflow9_exporter_ops;
extern const struct exporter_ops ipfix_exporter_ops;
extern const struct exporter_ops kafka_exporter_ops;


/* CLOCK_MONOTONIC now, in ms: template refresh, retry timers. */
uint64_t export_mono_ms(void);
/* Wall-clock and "system uptime" (CLOCK_MONOTONIC) now, in ms. */
void export_clock_ms(uint64_t *real_ms, uint64_t *uptime_ms);

#endif /* TCFLOWD_EXPORTER_H */
