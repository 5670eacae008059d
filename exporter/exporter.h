/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * exporter.h - one interface for every output: JSON lines, IPFIX, NetFlow
 * v9, v5 and Kafka are siblings behind struct exporter_ops (open, add, flush,
 * close).  The daemon hands each finished flow record to every exporter.
 */
#ifndef TCFLOWD_EXPORTER_H
#define TCFLOWD_EXPORTER_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A leaf library: this header is its whole API.  It includes nothing from
 * src/ or bpf/; the daemon hands it plain values (struct collector_config,
 * struct export_record) and reads its counters.
 */

/* [collector] protocol */
enum export_protocol {
	PROTO_JSON,
	PROTO_IPFIX,
	PROTO_NETFLOW9,
	PROTO_NETFLOW5,
	PROTO_KAFKA,
};

/* [collector] transport */
enum export_transport {
	TRANSPORT_UDP,
	TRANSPORT_TCP,
	TRANSPORT_SCTP,
	TRANSPORT_FILE,
};

/* [collector] defaults */
#define COLLECTOR_NAME_LEN		64
#define COLLECTOR_MESSAGE_SIZE		1400	/* no fragments on a 1500-byte path */
#define COLLECTOR_REFRESH_S		60
#define COLLECTOR_REFRESH_MESSAGES	100
/* pacing (UDP): max_rate auto, records queued at most */
#define COLLECTOR_RATE_AUTO		UINT32_MAX
#define COLLECTOR_RATE_MAX		100000000u
#define COLLECTOR_QUEUE_RECORDS		1048576u

/* [collector] format and key (protocol = kafka) */
#define KAFKA_FORMAT_JSON	0
#define KAFKA_FORMAT_PROTOBUF	1
#define KAFKA_KEY_EXPORTER	0	/* all of a router's records: one partition */
#define KAFKA_KEY_FLOW		1	/* the flow's addresses, ports, protocol */
#define KAFKA_KEY_NONE		2	/* librdkafka spreads them */

/* One [collector NAME] section; the config parser fills it. */
struct collector_config {
	char		name[COLLECTOR_NAME_LEN];
	int		line;		/* of the section header, for messages */
	int		protocol;	/* enum export_protocol */
	int		transport;	/* enum export_transport */
	char		address[256];
	uint16_t	port;
	char		path[PATH_MAX];	/* json or file transport; "-" = stdout */
	uint32_t	template_refresh_s;	   /* resend templates this often */
	uint32_t	template_refresh_messages; /* ... and every N messages */
	uint32_t	message_size;		   /* bytes a message at most */
	char		source_address[64];	   /* export from; "" = any */
	uint16_t	source_port;		   /* 0 = any */
	/* pacing of UDP messages: records/s (0: not paced, as a section
	 * built by hand; COLLECTOR_RATE_AUTO: spread each fetch's records
	 * over the fetch interval), bits/s (0: no limit), and the records
	 * that may wait (0: COLLECTOR_QUEUE_RECORDS) */
	uint32_t	max_rate;
	uint64_t	max_bitrate;
	uint32_t	queue_records;
	/* protocol = kafka */
	char		brokers[512];		   /* host:port,... */
	char		topic[256];
	int		format;			   /* KAFKA_FORMAT_* */
	int		key;			   /* KAFKA_KEY_* */
	char		kafka_config[PATH_MAX];	   /* librdkafka properties; "" = none */
	char		exporter_id[256];	   /* "" = the host name */
};

/* flowDirection (IANA IE 61) */
#define EXPORT_DIR_INGRESS	0
#define EXPORT_DIR_EGRESS	1

/* export_record.flags */
#define EXPORT_F_FRAGMENT	0x01	/* a fragment (first or later) was seen */
#define EXPORT_F_SDELAY		0x02	/* server_delay_us is known */
#define EXPORT_F_CDELAY		0x04	/* client_delay_us is known */

/* export_record.tcp_handshake (JSON "tcp_handshake") */
#define EXPORT_HS_UNKNOWN	0	/* not TCP, or not seen here */
#define EXPORT_HS_COMPLETED	1	/* SYN, SYN-ACK, ACK */
#define EXPORT_HS_REFUSED	2	/* RST answered the SYN */
#define EXPORT_HS_UNANSWERED	3	/* SYN without SYN-ACK when the flow ended */

/*
 * The flow's key, as plain values.  Not the kernel's struct flow_key
 * (bpf/flow.h is the kernel ABI, and may grow fields no encoder knows):
 * the daemon copies it field by field.  The field names are the same, and
 * what is in network order on the wire stays so here, because every
 * encoder copies those bytes as they are.  Addresses are 16 bytes; IPv4 is
 * IPv4-mapped (::ffff:a.b.c.d).  ICMP: sport 0, dport type << 8 | code.
 */
struct export_key {
	uint32_t	ifindex;	/* observation interface */
	uint8_t		direction;	/* EXPORT_DIR_* */
	uint8_t		proto;		/* protocolIdentifier */
	uint16_t	eth_type;	/* network order: 0x0800 or 0x86dd */
	uint16_t	vlan_id;	/* outer VLAN id, 0 if untagged */
	uint16_t	inner_vlan_id;	/* inner (customer) VLAN id of QinQ */
	uint8_t		src[16];
	uint8_t		dst[16];
	uint16_t	sport;		/* network order */
	uint16_t	dport;		/* network order */
};

/* A flow record as exporters see it: times in wall-clock ms since 1970. */
struct export_record {
	struct export_key key;
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
	uint8_t		flags;			/* EXPORT_F_* */
	uint8_t		src_mac[6];
	uint8_t		dst_mac[6];
	uint32_t	sampling_interval;	/* 1-in-N in force */
	/* TCP health; 0 for other protocols */
	uint32_t	syn_count, fin_count, rst_count; /* IANA 218-220 */
	uint32_t	retrans;		/* retransmitted data segments */
	uint32_t	server_delay_us;	/* SYN -> SYN-ACK (EXPORT_F_SDELAY) */
	uint32_t	client_delay_us;	/* SYN-ACK -> ACK (EXPORT_F_CDELAY) */
	uint8_t		tcp_handshake;		/* EXPORT_HS_* */
	const char	*ifname;		/* the observation interface */
	/* the input and output interfaces' names and descriptions (ifAlias),
	 * as netlink knows them; NULL: unknown */
	const char	*in_name, *in_alias;
	const char	*out_name, *out_alias;
	/* the route (EXPORT_ROUTE_*: what is known) */
	uint8_t		route;
	uint8_t		has_next_hop;		/* else directly connected */
	uint8_t		src_prefix_len;
	uint8_t		dst_prefix_len;
	uint8_t		next_hop[16];		/* IPv4 as IPv4-mapped */
	/* NAT: the flow on the other side of the router's translation (the
	 * key's family; network order as the key), if nat is set */
	uint8_t		nat;
	uint8_t		nat_src[16];		/* postNATSource*Address */
	uint8_t		nat_dst[16];		/* postNATDestination*Address */
	uint16_t	nat_sport;		/* postNAPTSourceTransportPort */
	uint16_t	nat_dport;		/* postNAPTDestinationTransportPort */
};
#define EXPORT_ROUTE_DST	0x1	/* next hop, dst prefix, egress */
#define EXPORT_ROUTE_SRC	0x2	/* src prefix (the route back) */

/* What every exporter may need beyond its own section. */
struct exporter_env {
	uint32_t	observation_domain;
	/* packets the capture could not account to a flow since start
	 * (parse errors, lost in the kernel; the daemon keeps it current),
	 * for reliability statistics; may be NULL */
	const uint64_t	*ignored_packets;
	/* the daemon's fetch interval: max_rate auto spreads a fetch's
	 * records over 0.8 of it (0: 1000 ms) */
	uint32_t	fetch_interval_ms;
	/* records may carry the NAT translation: announce its templates */
	bool		nat;
};

struct exporter_counters {
	uint64_t	records;	/* records accepted and sent/written */
	uint64_t	messages;	/* messages or lines written */
	uint64_t	bytes;
	uint64_t	errors;		/* failed writes/sends */
	uint64_t	not_sent;	/* records lost to those errors */
	uint64_t	unexportable;	/* flows the format cannot carry
					 * (IPv6 in NetFlow v5) */
	uint64_t	not_queued;	/* of not_sent: the pacing queue was
					 * full (queue_records) */
	uint64_t	queued;		/* records waiting for their pace now */
	/* of errors: the collector refused (UDP: ICMP port unreachable), a
	 * queue was full (TCP, Kafka: the record or message was dropped), a
	 * connection failed or broke (TCP) */
	uint64_t	refused;
	uint64_t	queue_full;
	uint64_t	conn_failures;
	/* 1 while the collector does not accept what it is sent (TCP not
	 * connected, UDP refused since the last message); summed: how many */
	uint64_t	down;
};

/* Interface names and descriptions the template exporters announce in
 * options records.  The layout is also IPFIX's record: ingressInterface,
 * interfaceName, interfaceDescription (fixed width, NUL padded). */
#define EXPORT_IFNAME_LEN	16
#define EXPORT_IFDESCR_LEN	64
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
	/* optional: the socket to watch for transport progress (-1: none)
	 * and for what (EPOLLIN/EPOLLOUT); make that progress; whether
	 * messages are still on their way */
	int	(*fd)(const struct exporter *e, uint32_t *events);
	void	(*poll)(struct exporter *e);
	bool	(*pending)(const struct exporter *e);
	/* optional: reopen the file by its name (SIGHUP, logrotate) */
	int	(*reopen)(struct exporter *e);
	void	(*close)(struct exporter *e);
	/* optional: send the paced messages that are due; ms until the
	 * next is (-1: none waits).  hurry_ms > 0: go faster if need be, so
	 * every one has gone within that time (stop, retired collector) */
	int	(*pace)(struct exporter *e, uint32_t hurry_ms);
	/* optional: new pacing limits (reload keeps the queue) */
	void	(*set_pace)(struct exporter *e);
	/* the least message_size the encoder works with (NULL: it has no
	 * use for message_size) */
	size_t	(*min_message_size)(void);
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
/* Whether e's collector accepts what it is sent now: open, and not down
 * (see exporter_counters.down). */
bool exporter_up(const struct exporter *e);
/* What e counted so far. */
const struct exporter_counters *exporter_get_counters(const struct exporter *e);
/* Add c into sum. */
void exporter_counters_add(struct exporter_counters *sum,
			   const struct exporter_counters *c);
/* The collector section e was opened with. */
const struct collector_config *exporter_get_config(const struct exporter *e);
/* A kept collector's section was renamed or moved (reload). */
void exporter_rename(struct exporter *e, const char *name, int line);
/* Whether e has heard of ifindex (told, or seen in a record). */
bool exporter_has_iface(const struct exporter *e, uint32_t ifindex);
/* Notes the record's interfaces, then hands it to the encoder. */
int exporter_add(struct exporter *e, const struct export_record *r);
/* An interface to announce (at start), or one that changed; alias may
 * be NULL. */
void exporter_note_iface(struct exporter *e, uint32_t ifindex,
			 const char *name, const char *alias);
int exporter_flush(struct exporter *e);
/*
 * The collector socket, for the caller's event loop: the fd to watch and
 * for what (EPOLLIN, EPOLLOUT), or -1 when there is nothing to wait for.
 * It may change after any call into e.  exporter_poll() makes progress
 * (TCP connect, reconnect, queued writes) without a record to send.
 */
int exporter_fd(const struct exporter *e, uint32_t *events);
void exporter_poll(struct exporter *e);
/* Messages still on their way (TCP: queued or not acknowledged). */
bool exporter_pending(const struct exporter *e);
/*
 * Send the paced messages that are due now; returns the ms until the next
 * one is (-1: nothing waits, as for every unpaced collector).  With
 * hurry_ms, what waits goes faster if need be to be gone within that
 * time (stop).  Paced messages count as pending (exporter_pending()).
 */
int exporter_pace(struct exporter *e, uint32_t hurry_ms);
/* Reload: a kept collector takes the pacing keys of cc and the fetch
 * interval; what waits stays queued. */
void exporter_set_pacing(struct exporter *e, const struct collector_config *cc,
			 uint32_t fetch_interval_ms);
/* SIGHUP: a file output is reopened by its name (logrotate); 0 or -errno */
int exporter_reopen(struct exporter *e);
void exporter_close(struct exporter *e);
/* The same, adding e's counters as they are after the close (what it
 * still held is counted as not sent by then) into sum. */
void exporter_close_counted(struct exporter *e, struct exporter_counters *sum);

/* Render key addresses: "192.0.2.1" for IPv4-mapped, else IPv6. */
void export_addr_str(const uint8_t addr[16], char *buf, size_t len);
/* a = ::ffff:v4, the IPv4-mapped form of v4 (4 bytes, network order). */
void export_addr_map4(uint8_t a[16], const void *v4);
/* An IPv4-mapped address (::ffff:a.b.c.d)? */
int export_addr_is_v4(const uint8_t a[16]);
int export_is_ipv4(const struct export_key *k);
/* ICMP or ICMPv6: dport carries type << 8 | code. */
int export_is_icmp(const struct export_key *k);

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
