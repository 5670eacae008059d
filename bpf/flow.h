/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * flow.h - the only header shared by the kernel programs and user space.
 *
 * Every struct here crosses the user/kernel boundary as raw bytes (hash keys
 * are compared byte for byte), so: fixed-width types only, explicit padding,
 * no holes, and the layout is pinned with _Static_assert.  No code.
 */
#ifndef TCFLOWD_FLOW_H
#define TCFLOWD_FLOW_H

#include <linux/types.h>

/* flowDirection (IANA IE 61) */
#define FLOW_DIR_INGRESS	0
#define FLOW_DIR_EGRESS		1

/* flow_metrics.flags */
#define FLOW_F_FRAGMENT		0x01	/* a fragment (first or later) was seen */
#define FLOW_F_LATER_FRAG	0x02	/* a non-first fragment: ports unknown (0) */
#define FLOW_F_FIN		0x04	/* TCP FIN seen */
#define FLOW_F_RST		0x08	/* TCP RST seen */
#define FLOW_F_OVERFLOW		0x10	/* set on ring-buffer records only */
#define FLOW_F_NAT_DONE		0x20	/* conntrack asked (bpf/ct.h): no more
					 * lookups for this entry on this CPU */

/* flow_metrics.tcp_hs: how far the handshake got, as this flow saw it.
 * Merged by maximum (a later state wins). */
#define TCP_HS_NONE		0
#define TCP_HS_SYN		1	/* client flow: SYN sent, not answered yet */
#define TCP_HS_SYNACK		2	/* server flow: SYN answered by SYN-ACK */
#define TCP_HS_COMPLETED	3	/* the client's ACK of the SYN-ACK */
#define TCP_HS_REFUSED		4	/* RST answered the SYN */

/* flow_metrics.tcp_bits */
#define TCP_B_SDELAY		0x01	/* server_delay_us is valid */
#define TCP_B_CDELAY		0x02	/* client_delay_us is valid */
#define TCP_B_SEQ		0x04	/* seq_end is valid */
#define TCP_B_CHECKED		0x08	/* this CPU's value looked for a
					 * handshake to complete */
#define TCP_B_FIRST		0x10	/* seq_first_end/segs are valid: the
					 * value's first data segment was not
					 * compared with another CPU's mark */
#define TCP_B_JOINED		0x20	/* the flow's mark is seq_owner's
					 * seq_end: this CPU joined an entry
					 * another CPU's mark was in (tcp.h) */

/*
 * The flow key.  Addresses are 16 bytes; IPv4 is stored IPv4-mapped
 * (::ffff:a.b.c.d).  For ICMP and ICMPv6 the source port is 0 and the
 * destination port carries type << 8 | code, as NetFlow collectors expect.
 */
struct flow_key {
	__u32	ifindex;	/* observation interface */
	__u8	direction;	/* FLOW_DIR_* */
	__u8	proto;		/* protocolIdentifier */
	__be16	eth_type;	/* ethernetType of the IP header: 0x0800 or 0x86dd */
	__u16	vlan_id;	/* outer VLAN id, 0 if untagged (host order) */
	__u16	inner_vlan_id;	/* inner (customer) VLAN id of QinQ, else 0 */
	__u8	src[16];
	__u8	dst[16];
	__be16	sport;
	__be16	dport;
};
_Static_assert(sizeof(struct flow_key) == 48, "flow_key ABI");

/*
 * Per-flow metrics, one value per CPU in the per-CPU hashes.  User space
 * merges the CPUs: sums, min/max, OR, earliest first_seen, latest last_seen.
 */
struct flow_metrics {
	__u64	packets;	/* wire packets: a GSO/GRO skb counts its segments */
	__u64	bytes;		/* IP bytes of every segment (octetDeltaCount) */
	__u64	first_seen;	/* datapath clock: jiffies, or CLOCK_MONOTONIC */
	__u64	last_seen;	/* ns with clock_precise (see account.h) */
	__u8	src_mac[6];	/* of the first packet */
	__u8	dst_mac[6];
	__u16	tcp_flags;	/* OR of all TCP flags seen, NS is 0x100 */
	__u8	tos;		/* DSCP/ECN byte of the first packet */
	__u8	min_ttl;	/* TTL or hop limit */
	__u8	max_ttl;
	__u8	flags;		/* FLOW_F_* */
	__u32	peer_ifindex;	/* egress hook: the input interface of a
				 * forwarded packet (skb->ingress_ifindex) */
	__u32	seq_end;	/* TCP: highest sequence number + payload
				 * seen on this CPU, and on the CPUs that
				 * joined it (TCP_B_SEQ; tcp.h) */
	/* TCP health (account.h, tcp.h); 0 for other protocols */
	__u32	syn_count;	/* packets with SYN (IANA 218) */
	__u32	fin_count;	/* packets with FIN (219) */
	__u32	rst_count;	/* packets with RST (220) */
	__u32	retrans;	/* data segments not beyond the mark */
	__u32	server_delay_us; /* SYN -> SYN-ACK, as this hook saw them */
	__u32	client_delay_us; /* SYN-ACK -> ACK */
	__u8	tcp_hs;		/* TCP_HS_* */
	__u8	tcp_bits;	/* TCP_B_* */
	/* the first data segment of this value only set seq_end (no other
	 * CPU had a mark: TCP_B_FIRST): user space checks it against the
	 * flow's mark from earlier fetches */
	__u16	seq_first_segs;
	__u32	seq_first_end;
	__u16	seq_owner;	/* TCP_B_JOINED: the CPU whose seq_end is
				 * the mark this CPU compares with */
	__u16	pad;
};
_Static_assert(sizeof(struct flow_metrics) == 96, "flow_metrics ABI");

/* What the programs write to the "overflow" ring buffer when the flow map
 * is full. */
struct flow_overflow {
	struct flow_key		key;
	struct flow_metrics	metrics;
};
_Static_assert(sizeof(struct flow_overflow) == 144, "flow_overflow ABI");

/*
 * The handshake of one TCP connection at one hook pair (the SYN and the
 * SYN-ACK are in different flows, and the per-CPU values of one flow do
 * not see each other): the LRU hash "tcp_conns", keyed by the flow key of
 * the SYN (client -> server).  Written on SYN, SYN-ACK and the ACK that
 * completes the handshake only.  Times: bpf_ktime_get_ns.
 */
struct tcp_conn {
	__u64	syn_ns;
	__u64	synack_ns;
	__u32	server_delay_us;
	__u8	state;		/* TCP_HS_SYN or TCP_HS_SYNACK */
	__u8	pad[3];
};
_Static_assert(sizeof(struct tcp_conn) == 24, "tcp_conn ABI");
#define TCP_CONN_DEFAULT_ENTRIES	16384
/* the CPUs a joining CPU looks across for a sequence mark (bpf/tcp.h) */
#define TCP_PEER_CPUS_MAX		4096

/*
 * Counters, one struct per CPU in the per-CPU array "stats" (one slot).
 * Every packet a program sees lands in exactly one of the "fate" counters:
 *   packets == sampled_out + non_ip + (all parse errors) + counted
 *              + ring_records + ring_full + no_map
 * and, while nothing counts through the ring (bpf/ring.h ring_first),
 * map_full == ring_records + ring_full; counting through the ring, a
 * packet the full ring leaves (ring_busy) takes the map path and may
 * then be map_full and ring_full too.
 */
#define STAT_PACKETS		0	/* every skb a program saw */
#define STAT_SAMPLED_OUT	1	/* not selected by 1-in-N sampling */
#define STAT_NON_IP		2	/* ARP, LLDP, ...: not a flow */
#define STAT_TRUNC_L2		3	/* frame ends inside Ethernet/VLAN headers */
#define STAT_TRUNC_L3		4	/* frame ends inside the IP header/datagram */
#define STAT_TRUNC_L4		5	/* datagram ends inside the L4 header */
#define STAT_BAD_IHL		6	/* IPv4 IHL < 5 */
#define STAT_BAD_L3		7	/* bad IP version or total length */
#define STAT_BAD_L4		8	/* TCP data offset < 5 */
#define STAT_BAD_IPV6_CHAIN	9	/* too many or malformed extension headers */
#define STAT_COUNTED		10	/* added to the active flow map */
#define STAT_MAP_FULL		11	/* insert failed: map full */
#define STAT_RING_RECORDS	12	/* ... and went to the ring (or: counted
					 * through it, ring_first) */
#define STAT_RING_FULL		13	/* ... and the ring was full: LOST */
#define STAT_NO_MAP		14	/* no active map in the slot: LOST */
#define STAT_FRAGMENTS		15	/* IP fragments (informational) */
#define STAT_SEGMENTS		16	/* wire packets of counted skbs (GSO) */
#define STAT_RING_BUSY		17	/* counting = ring: the ring was full,
					 * so the map took it (informational) */
#define STAT_TCP_LOST		18	/* counting = ring: a handshake outcome
					 * for the other direction's flow the
					 * full ring could not carry (not a
					 * packet; informational) */
#define STAT_INSERTS		19	/* new entries in the active map (not a
					 * packet; informational): counting =
					 * auto reads it between fetches */
#define STAT_MAX		20
/* The parse errors: STAT_PARSE_FIRST..STAT_PARSE_LAST, inclusive */
#define STAT_PARSE_FIRST	STAT_TRUNC_L2
#define STAT_PARSE_LAST		STAT_BAD_IPV6_CHAIN

struct flow_stats {
	__u64	c[STAT_MAX];
};
_Static_assert(sizeof(struct flow_stats) == 160, "flow_stats ABI");

/*
 * NAT (bpf/ct.h, the tc_*_nat programs): the conntrack entry of a TCP or
 * UDP flow, looked up when its entry is created and on its next packets
 * until found.  A translated connection's two tuples, as the kernel's
 * conntrack hash holds them (the original direction, and the reply
 * direction after translation), go to the hash "nat", each keyed by itself
 * with the other as its value.  Addresses as in struct flow_key.
 */
struct nat_tuple {
	__u8	src[16];
	__u8	dst[16];
	__be16	sport;
	__be16	dport;
	__u8	proto;
	__u8	pad[3];
};
_Static_assert(sizeof(struct nat_tuple) == 40, "nat_tuple ABI");

/* Lookups per new entry (its first packets on a CPU) before giving up */
#define NAT_TRIES		4

/* Counters of the per-CPU array "nat_stats" (one slot). */
#define NSTAT_LOOKUPS		0	/* bpf_skb_ct_lookup calls */
#define NSTAT_TRANSLATED	1	/* found, translated: tuples written */
#define NSTAT_PLAIN		2	/* found, not translated */
#define NSTAT_NOT_FOUND		3	/* no entry in NAT_TRIES lookups: the
					 * record goes without translation */
#define NSTAT_MAP_FULL		4	/* "nat" full: tuples not written */
#define NSTAT_MAX		5

struct nat_stats {
	__u64	c[NSTAT_MAX];
	__u64	pad[3];
};
_Static_assert(sizeof(struct nat_stats) == 64, "nat_stats ABI");

/* Defaults the loader may change before load. */
#define FLOW_MAP_DEFAULT_ENTRIES	65536
#define FLOW_RING_DEFAULT_BYTES		(256 * 1024)

#endif /* TCFLOWD_FLOW_H */
