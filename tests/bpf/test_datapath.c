// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_datapath.c - the real kernel programs, fed crafted frames through
 * BPF_PROG_TEST_RUN.  Every case checks the verdict, the exact map entry
 * and the stats counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "frames.h"
#include "tap.h"
#include "vlan_push.skel.h"

#define LO_IFINDEX	1	/* test_run's skb->dev is the loopback device */
#define TC_VERDICT	((__u32)TC_ACT_UNSPEC)

static struct datapath dp;	/* TC programs */
static struct datapath sdp;	/* socket filter */

/* ---------------------------------------------------------------------- */

struct run_opts {
	__u32	gso_segs;
	__u32	gso_size;
	__u32	ingress_ifindex;
	__u32	repeat;
};

/* Run prog on frame; returns the program's verdict, or bails out. */
static __u32 run(int prog_fd, const struct frame *f, const struct run_opts *o)
{
	struct __sk_buff ctx = { 0 };
	LIBBPF_OPTS(bpf_test_run_opts, topts,
		.data_in = f->buf,
		.data_size_in = (__u32)f->len,
		.ctx_in = &ctx,
		.ctx_size_in = sizeof(ctx),
	);

	if (o) {
		ctx.gso_segs = o->gso_segs;
		ctx.gso_size = o->gso_size;
		ctx.ingress_ifindex = o->ingress_ifindex;
		topts.repeat = o->repeat;
	}
	if (bpf_prog_test_run_opts(prog_fd, &topts))
		tap_bail("BPF_PROG_TEST_RUN: %s", strerror(errno));
	return topts.retval;
}

static void clear_map(int fd)
{
	struct flow_key key;

	while (bpf_map_get_next_key(fd, NULL, &key) == 0)
		if (bpf_map_delete_elem(fd, &key))
			tap_bail("clear map: %s", strerror(errno));
}

static void reset(struct datapath *d)
{
	struct flow_stats *zero = calloc(d->ncpus, sizeof(*zero));
	__u32 k = 0;

	if (!zero || bpf_map_update_elem(d->stats_fd, &k, zero, BPF_ANY))
		tap_bail("reset stats: %s", strerror(errno));
	free(zero);
	clear_map(d->flows_fd[0]);
	clear_map(d->flows_fd[1]);
	datapath_set_sampling(d, 1);
	if (d->active != 0 && datapath_swap(d) < 0)
		tap_bail("swap back to flows_a");
}

static unsigned int map_entries(int fd)
{
	struct flow_key key, next;
	unsigned int n = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		key = next;
		prev = &key;
		n++;
	}
	return n;
}

static struct flow_key key_of(int family, __u8 proto, const char *src,
			      const char *dst, __u16 sport, __u16 dport,
			      __u8 dir)
{
	struct flow_key k = { 0 };

	k.ifindex = LO_IFINDEX;
	k.direction = dir;
	k.proto = proto;
	if (family == AF_INET) {
		k.eth_type = htons(ETH_P_IP);
		k.src[10] = k.src[11] = k.dst[10] = k.dst[11] = 0xff;
		inet_pton(AF_INET, src, k.src + 12);
		inet_pton(AF_INET, dst, k.dst + 12);
	} else {
		k.eth_type = htons(ETH_P_IPV6);
		inet_pton(AF_INET6, src, k.src);
		inet_pton(AF_INET6, dst, k.dst);
	}
	k.sport = htons(sport);
	k.dport = htons(dport);
	return k;
}

/* What a case expects of the one flow it creates. */
struct want {
	__u64	packets;
	__u64	bytes;
	__u16	tcp_flags;
	__u8	flags;
	__u8	tos;
	__u8	min_ttl, max_ttl;
	__u32	peer_ifindex;
};

static void expect_flow(const char *name, struct datapath *d,
			const struct flow_key *key, const struct want *w)
{
	struct flow_metrics m;
	int err;

	tap_is(map_entries(d->flows_fd[d->active]), 1,
	       "%s: exactly one flow in the map", name);
	err = datapath_lookup(d, d->flows_fd[d->active], key, &m);
	if (!tap_ok(err == 0, "%s: flow key found (addresses, ports, proto, "
		    "direction, VLAN)", name))
		return;
	tap_is(m.packets, w->packets, "%s: packets", name);
	tap_is(m.bytes, w->bytes, "%s: bytes", name);
	tap_is(m.tcp_flags, w->tcp_flags, "%s: TCP flags", name);
	tap_is(m.flags & ~FLOW_F_OVERFLOW, w->flags, "%s: flow flags", name);
	tap_is(m.tos, w->tos, "%s: ToS", name);
	tap_is(m.min_ttl, w->min_ttl, "%s: min TTL", name);
	tap_is(m.max_ttl, w->max_ttl, "%s: max TTL", name);
	tap_is(m.peer_ifindex, w->peer_ifindex, "%s: peer ifindex", name);
	tap_ok(!memcmp(m.src_mac, frame_src_mac, 6) &&
	       !memcmp(m.dst_mac, frame_dst_mac, 6), "%s: MAC addresses", name);
	{
		struct timespec ts;
		__u64 now, first = datapath_mono_ns(d, m.first_seen),
		      last = datapath_mono_ns(d, m.last_seen);

		clock_gettime(CLOCK_MONOTONIC, &ts);
		now = (__u64)ts.tv_sec * 1000000000ull + (__u64)ts.tv_nsec;
		/* in order, and within a second of now (the jiffies clock
		 * maps to up to a tick after the real instant) */
		tap_ok(m.first_seen && last >= first &&
		       first <= now + 2 * d->tick_ns &&
		       first + 1000000000ull > now,
		       "%s: timestamps (CLOCK_MONOTONIC, within a second of now)",
		       name);
	}
}

static const char *const stat_names[STAT_MAX] = {
	"packets", "sampled_out", "non_ip", "trunc_l2", "trunc_l3",
	"trunc_l4", "bad_ihl", "bad_l3", "bad_l4", "bad_ipv6_chain",
	"counted", "map_full", "ring_records", "ring_full", "no_map",
	"fragments", "segments",
};

/*
 * Check every counter: those named in want[] (index, value pairs ending
 * with -1) must have that value, all others must be 0.
 */
static void expect_stats(const char *name, struct datapath *d, ...)
{
	__u64 want[STAT_MAX] = { 0 };
	struct flow_stats s;
	va_list ap;
	int i, bad = 0;

	va_start(ap, d);
	for (i = va_arg(ap, int); i >= 0; i = va_arg(ap, int))
		want[i] = va_arg(ap, __u64);
	va_end(ap);
	if (datapath_read_stats(d, &s))
		tap_bail("read stats");
	for (i = 0; i < STAT_MAX; i++) {
		if (s.c[i] != want[i]) {
			tap_diag("%s: stats %s = %llu, want %llu", name,
				 stat_names[i], (unsigned long long)s.c[i],
				 (unsigned long long)want[i]);
			bad++;
		}
	}
	tap_ok(!bad, "%s: stats counters", name);
}

#define S(i, v)	(i), (__u64)(v)
#define END	-1

/* ---- one flow per frame ------------------------------------------------ */

/* Run f once through TC ingress; expect one flow and a "counted" packet. */
static void case_one(const char *name, struct frame *f,
		     const struct flow_key *key, struct want w)
{
	reset(&dp);
	frame_finish(f);
	tap_is(run(datapath_ingress_fd(&dp), f, NULL), TC_VERDICT,
	       "%s: verdict TC_ACT_UNSPEC", name);
	if (!w.packets)
		w.packets = 1;
	if (!w.bytes)
		w.bytes = frame_ip_len(f);
	if (!w.min_ttl)
		w.min_ttl = w.max_ttl = 64;
	expect_flow(name, &dp, key, &w);
	expect_stats(name, &dp, S(STAT_PACKETS, 1), S(STAT_COUNTED, 1),
		     S(STAT_SEGMENTS, w.packets),
		     S(STAT_FRAGMENTS, (w.flags & FLOW_F_FRAGMENT) ? 1 : 0),
		     END);
}

/* Run f once; expect no flow and exactly one error counter. */
static void case_error(const char *name, struct frame *f, int stat,
		       int finish)
{
	reset(&dp);
	if (finish)
		frame_finish(f);
	tap_is(run(datapath_ingress_fd(&dp), f, NULL), TC_VERDICT,
	       "%s: verdict TC_ACT_UNSPEC", name);
	tap_is(map_entries(dp.flows_fd[0]), 0, "%s: no flow", name);
	expect_stats(name, &dp, S(STAT_PACKETS, 1), S(stat, 1), END);
}

static void test_ipv4(void)
{
	struct frame f;
	struct flow_key k;

	frame_eth(&f, 0);
	frame_ipv4_ex(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 0xb8, 61, 0, 0);
	frame_tcp(&f, 40000, 80, 0x12 /* SYN|ACK */, 12);
	frame_payload(&f, 100);
	k = key_of(AF_INET, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 40000, 80, 0);
	case_one("ipv4 tcp", &f, &k, (struct want){ .tcp_flags = 0x12,
		 .tos = 0xb8, .min_ttl = 61, .max_ttl = 61 });

	frame_eth(&f, 0);
	frame_ipv4(&f, "192.0.2.1", "198.51.100.7", IPPROTO_UDP);
	frame_udp(&f, 5353, 53);
	frame_payload(&f, 33);
	k = key_of(AF_INET, IPPROTO_UDP, "192.0.2.1", "198.51.100.7", 5353, 53, 0);
	case_one("ipv4 udp", &f, &k, (struct want){ 0 });

	/* a UDP frame padded to the Ethernet minimum: bytes are IP bytes */
	frame_eth(&f, 0);
	frame_ipv4(&f, "192.0.2.1", "198.51.100.7", IPPROTO_UDP);
	frame_udp(&f, 5353, 53);
	frame_payload(&f, 1);
	frame_pad(&f, 60);
	k = key_of(AF_INET, IPPROTO_UDP, "192.0.2.1", "198.51.100.7", 5353, 53, 0);
	case_one("ipv4 udp padded frame", &f, &k, (struct want){ .bytes = 29 });

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.1.1.1", "10.2.2.2", IPPROTO_ICMP);
	frame_icmp(&f, 8, 0);
	frame_payload(&f, 56);
	k = key_of(AF_INET, IPPROTO_ICMP, "10.1.1.1", "10.2.2.2", 0, 8 << 8, 0);
	case_one("ipv4 icmp echo (type<<8|code in dport)", &f, &k,
		 (struct want){ 0 });

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.1.1.1", "10.2.2.2", IPPROTO_ICMP);
	frame_icmp(&f, 3, 4);
	k = key_of(AF_INET, IPPROTO_ICMP, "10.1.1.1", "10.2.2.2", 0, 3 << 8 | 4, 0);
	case_one("ipv4 icmp unreachable", &f, &k, (struct want){ 0 });

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.1.1.1", "10.2.2.2", 132);
	frame_sctp(&f, 2905, 3868);
	frame_payload(&f, 16);
	k = key_of(AF_INET, 132, "10.1.1.1", "10.2.2.2", 2905, 3868, 0);
	case_one("ipv4 sctp", &f, &k, (struct want){ 0 });

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.1.1.1", "10.2.2.2", 136);
	frame_udp(&f, 7000, 7001);
	f.buf[f.ip_off + 9] = 136;	/* UDP-Lite: same port layout */
	k = key_of(AF_INET, 136, "10.1.1.1", "10.2.2.2", 7000, 7001, 0);
	case_one("ipv4 udp-lite", &f, &k, (struct want){ 0 });

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.1.1.1", "10.2.2.2", 47 /* GRE */);
	frame_payload(&f, 40);
	k = key_of(AF_INET, 47, "10.1.1.1", "10.2.2.2", 0, 0, 0);
	case_one("ipv4 other protocol (GRE): ports 0", &f, &k,
		 (struct want){ 0 });

	/* options: IHL 8, the ports must come from behind them */
	frame_eth(&f, 0);
	frame_ipv4_ex(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 0, 64, 12, 0);
	frame_udp(&f, 1111, 2222);
	frame_payload(&f, 10);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1111, 2222, 0);
	case_one("ipv4 with options (IHL 8)", &f, &k, (struct want){ 0 });

	/* first fragment: MF, offset 0, ports present */
	frame_eth(&f, 0);
	frame_ipv4_ex(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 0, 64, 0, 0x2000);
	frame_udp(&f, 3000, 4000);
	frame_payload(&f, 200);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 3000, 4000, 0);
	case_one("ipv4 first fragment", &f, &k,
		 (struct want){ .flags = FLOW_F_FRAGMENT });

	/* a later fragment: offset 26 (208 bytes), no ports, said so */
	frame_eth(&f, 0);
	frame_ipv4_ex(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 0, 64, 0, 26);
	frame_payload(&f, 300);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 0, 0, 0);
	case_one("ipv4 non-first fragment", &f, &k,
		 (struct want){ .flags = FLOW_F_FRAGMENT | FLOW_F_LATER_FRAG });

	/* TCP FIN and RST are flagged for the flow cache */
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP);
	frame_tcp(&f, 1, 2, 0x11 /* FIN|ACK */, 0);
	k = key_of(AF_INET, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	case_one("ipv4 tcp fin", &f, &k,
		 (struct want){ .tcp_flags = 0x11, .flags = FLOW_F_FIN });

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP);
	frame_tcp(&f, 1, 2, 0x04 /* RST */, 0);
	f.buf[f.len - 20 + 12] |= 1;	/* and the NS bit */
	k = key_of(AF_INET, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	case_one("ipv4 tcp rst with NS", &f, &k,
		 (struct want){ .tcp_flags = 0x104, .flags = FLOW_F_RST });
}

static void test_ipv6(void)
{
	struct frame f;
	struct flow_key k;

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0x28, 64);
	frame_tcp(&f, 50000, 443, 0x02, 20);
	k = key_of(AF_INET6, IPPROTO_TCP, "2001:db8::1", "2001:db8::2", 50000, 443, 0);
	case_one("ipv6 tcp", &f, &k, (struct want){ .tcp_flags = 0x02,
		 .tos = 0x28 });

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_udp(&f, 9999, 53);
	frame_payload(&f, 64);
	k = key_of(AF_INET6, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 9999, 53, 0);
	case_one("ipv6 udp", &f, &k, (struct want){ 0 });

	frame_eth(&f, 0);
	frame_ipv6(&f, "fe80::1", "ff02::1", 0, 0, 255);
	frame_icmp(&f, 135, 0);
	frame_payload(&f, 24);
	k = key_of(AF_INET6, 58, "fe80::1", "ff02::1", 0, 135 << 8, 0);
	case_one("ipv6 icmpv6 neighbour solicitation", &f, &k,
		 (struct want){ .min_ttl = 255, .max_ttl = 255 });

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_ext6(&f, 0, 8);			/* hop-by-hop */
	frame_udp(&f, 1000, 2000);
	k = key_of(AF_INET6, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 1000, 2000, 0);
	case_one("ipv6 one extension header (hop-by-hop)", &f, &k,
		 (struct want){ 0 });

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_ext6(&f, 0, 8);			/* hop-by-hop */
	frame_ext6(&f, 60, 16);			/* destination options */
	frame_ext6(&f, 43, 24);			/* routing */
	frame_ext6(&f, 51, 24);			/* AH */
	frame_ext6(&f, 60, 8);			/* destination options */
	frame_tcp(&f, 179, 40001, 0x18, 0);
	k = key_of(AF_INET6, IPPROTO_TCP, "2001:db8::1", "2001:db8::2", 179, 40001, 0);
	case_one("ipv6 several extension headers (HBH, DST, RT, AH, DST)",
		 &f, &k, (struct want){ .tcp_flags = 0x18 });

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_frag6(&f, 0, 1);
	frame_udp(&f, 1000, 2000);
	frame_payload(&f, 100);
	k = key_of(AF_INET6, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 1000, 2000, 0);
	case_one("ipv6 first fragment", &f, &k,
		 (struct want){ .flags = FLOW_F_FRAGMENT });

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_frag6(&f, 14, 0);
	f.buf[f.len - 8] = IPPROTO_UDP;		/* the fragment's next header */
	frame_payload(&f, 100);
	k = key_of(AF_INET6, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 0, 0, 0);
	case_one("ipv6 non-first fragment", &f, &k,
		 (struct want){ .flags = FLOW_F_FRAGMENT | FLOW_F_LATER_FRAG });

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 59, 0, 64);
	k = key_of(AF_INET6, 59, "2001:db8::1", "2001:db8::2", 0, 0, 0);
	case_one("ipv6 no next header", &f, &k, (struct want){ 0 });
}

static void test_vlan(void)
{
	struct vlan_push_bpf *vp;
	struct frame f;
	struct flow_key k;
	__u32 zero = 0;
	int fd;

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 100);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	k.vlan_id = 100;
	case_one("802.1Q", &f, &k, (struct want){ 0 });

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021AD, 200);
	frame_vlan(&f, ETH_P_8021Q, 300);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_udp(&f, 1, 2);
	k = key_of(AF_INET6, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 1, 2, 0);
	k.vlan_id = 200;
	k.inner_vlan_id = 300;
	case_one("QinQ 802.1ad + 802.1Q, IPv6", &f, &k, (struct want){ 0 });

	frame_eth(&f, 0);
	frame_vlan(&f, 0x9100, 5);
	frame_vlan(&f, ETH_P_8021Q, 6);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	k.vlan_id = 5;
	k.inner_vlan_id = 6;
	case_one("QinQ with the old 0x9100 outer tag", &f, &k,
		 (struct want){ 0 });

	/* the offloaded tag: a wrapper puts it in skb->vlan_tci, then
	 * tail-calls the real tc_ingress */
	vp = vlan_push_bpf__open_and_load();
	if (!vp)
		tap_bail("load vlan_push test program: %s", strerror(errno));
	fd = datapath_ingress_fd(&dp);
	if (bpf_map_update_elem(bpf_map__fd(vp->maps.target), &zero, &fd, 0))
		tap_bail("prog array: %s", strerror(errno));

	reset(&dp);
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	tap_is(run(bpf_program__fd(vp->progs.push_tag), &f, NULL), TC_VERDICT,
	       "offloaded tag: verdict (tail call reached tc_ingress)");
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	k.vlan_id = 42;
	expect_flow("offloaded tag", &dp, &k, &(struct want){ .packets = 1,
		    .bytes = frame_ip_len(&f), .min_ttl = 64, .max_ttl = 64 });

	/* offloaded outer tag plus a tag in the frame: QinQ */
	reset(&dp);
	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 100);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	tap_is(run(bpf_program__fd(vp->progs.push_tag), &f, NULL), TC_VERDICT,
	       "offloaded outer + in-frame inner tag: verdict");
	k.vlan_id = 42;
	k.inner_vlan_id = 100;
	expect_flow("offloaded outer + in-frame inner tag", &dp, &k,
		    &(struct want){ .packets = 1, .bytes = frame_ip_len(&f),
		    .min_ttl = 64, .max_ttl = 64 });
	vlan_push_bpf__destroy(vp);
}

static void put_ethertype(struct frame *f, uint16_t type)
{
	f->buf[f->ethertype_off] = (uint8_t)(type >> 8);
	f->buf[f->ethertype_off + 1] = (uint8_t)type;
}

static void test_errors(void)
{
	struct frame f;

	frame_eth(&f, ETH_P_ARP);
	frame_payload(&f, 28);
	case_error("ARP is not a flow", &f, STAT_NON_IP, 0);

	frame_eth(&f, 0x88cc);	/* LLDP */
	frame_payload(&f, 40);
	case_error("LLDP is not a flow", &f, STAT_NON_IP, 0);

	/*
	 * test_run refuses frames shorter than the Ethernet header, and, on
	 * recent kernels, frames with an IP ethertype too short for the IP
	 * header (the kernel would not hand them to a program either).  So
	 * the frames that end at or inside the IP header reach the program
	 * behind an 802.1Q tag, which test_run does not look into.
	 */
	{
		struct __sk_buff ctx = { 0 };
		LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = f.buf,
			    .data_size_in = 13, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx));
		int err = bpf_prog_test_run_opts(datapath_ingress_fd(&dp), &topts);

		tap_ok(err && errno == EINVAL,
		       "a 13-byte frame never reaches the program (EINVAL)");
	}
	frame_eth(&f, ETH_P_8021Q);
	case_error("zero-length payload (VLAN ethertype, no tag)", &f,
		   STAT_TRUNC_L2, 0);
	frame_eth(&f, ETH_P_8021Q);
	frame_payload(&f, 1);
	case_error("1-byte payload (VLAN ethertype)", &f, STAT_TRUNC_L2, 0);

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 7);
	f.len -= 2;		/* the tag ends early */
	case_error("truncated in the VLAN tag", &f, STAT_TRUNC_L2, 0);

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 7);
	put_ethertype(&f, ETH_P_IP);
	case_error("zero-length IPv4 behind a tag", &f, STAT_TRUNC_L3, 0);

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 7);
	put_ethertype(&f, ETH_P_IPV6);
	frame_payload(&f, 1);
	case_error("1-byte IPv6 behind a tag", &f, STAT_TRUNC_L3, 0);

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 7);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_finish(&f);
	f.len -= 5;		/* the IPv4 header ends early */
	case_error("truncated in the IPv4 header", &f, STAT_TRUNC_L3, 0);

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 7);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 59, 0, 64);
	frame_finish(&f);
	f.len -= 1;
	case_error("truncated in the IPv6 header", &f, STAT_TRUNC_L3, 0);

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_payload(&f, 100);
	frame_finish(&f);
	f.len -= 50;		/* total length says more than the frame has */
	case_error("IPv4 total length beyond the frame", &f, STAT_TRUNC_L3, 0);


	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP);
	frame_tcp(&f, 1, 2, 0x10, 0);
	frame_finish(&f);
	f.len -= 10;	/* frame and total length both end inside TCP */
	f.buf[f.ip_off + 3] = (__u8)(frame_ip_len(&f));
	f.buf[f.ip_off + 2] = 0;
	case_error("truncated in the TCP header", &f, STAT_TRUNC_L4, 0);

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_payload(&f, 4);	/* half a UDP header */
	case_error("truncated in the UDP header", &f, STAT_TRUNC_L4, 1);

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 58, 0, 64);
	frame_payload(&f, 2);	/* half an ICMPv6 header */
	case_error("truncated in the ICMPv6 header", &f, STAT_TRUNC_L4, 1);

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	f.buf[f.ip_off] = 0x43;	/* IHL 3: 12 bytes */
	case_error("bad IHL", &f, STAT_BAD_IHL, 0);

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	f.buf[f.ip_off] = 0x65;	/* version 6 behind an IPv4 ethertype */
	case_error("IPv4 ethertype, version 6", &f, STAT_BAD_L3, 0);

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP);
	frame_tcp(&f, 1, 2, 0x10, 0);
	frame_finish(&f);
	f.buf[f.len - 20 + 12] = 0x30;	/* data offset 3 */
	case_error("TCP data offset < 5", &f, STAT_BAD_L4, 0);

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	{
		int i;

		for (i = 0; i < 9; i++)		/* one more than the bound */
			frame_ext6(&f, 60, 8);
	}
	frame_udp(&f, 1, 2);
	case_error("IPv6: 9 extension headers", &f, STAT_BAD_IPV6_CHAIN, 1);

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_ext6(&f, 0, 8);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	f.buf[f.ip_off + 41] = 200;	/* hop-by-hop length runs past the end */
	case_error("IPv6 extension header longer than the packet", &f,
		   STAT_BAD_IPV6_CHAIN, 0);
}

/* ---- several packets, GSO, direction ----------------------------------- */

static void test_accumulate(void)
{
	struct flow_key k;
	struct frame f;
	__u64 bytes = 0;
	int i;

	reset(&dp);
	for (i = 0; i < 3; i++) {
		static const __u8 flags[3] = { 0x02, 0x10, 0x19 };
		static const __u8 ttls[3] = { 64, 30, 100 };

		frame_eth(&f, 0);
		frame_ipv4_ex(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 0,
			      ttls[i], 0, 0);
		frame_tcp(&f, 5000, 6000, flags[i], 0);
		frame_payload(&f, (size_t)i * 100);
		frame_finish(&f);
		bytes += frame_ip_len(&f);
		run(datapath_ingress_fd(&dp), &f, NULL);
	}
	k = key_of(AF_INET, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 5000, 6000, 0);
	expect_flow("3 packets, one flow", &dp, &k, &(struct want){
		    .packets = 3, .bytes = bytes, .tcp_flags = 0x1b,
		    .flags = FLOW_F_FIN, .min_ttl = 30, .max_ttl = 100 });
	expect_stats("3 packets, one flow", &dp, S(STAT_PACKETS, 3),
		     S(STAT_COUNTED, 3), S(STAT_SEGMENTS, 3), END);
}

static void test_egress(void)
{
	struct run_opts o = { .ingress_ifindex = 7 };
	struct flow_key k;
	struct frame f;

	reset(&dp);
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	tap_is(run(datapath_egress_fd(&dp), &f, &o), TC_VERDICT,
	       "egress: verdict TC_ACT_UNSPEC");
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1, 2,
		   FLOW_DIR_EGRESS);
	expect_flow("egress (forwarded from ifindex 7)", &dp, &k,
		    &(struct want){ .packets = 1, .bytes = frame_ip_len(&f),
		    .min_ttl = 64, .max_ttl = 64, .peer_ifindex = 7 });
}

static void test_gso(void)
{
	struct run_opts o = { .gso_segs = 3, .gso_size = 1000 };
	struct flow_key k;
	struct frame f;
	size_t ip;

	/* a TSO/GRO super-frame of 3 segments, 20 + 32 header bytes each */
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP);
	frame_tcp(&f, 1, 2, 0x10, 12);
	frame_payload(&f, 2500);
	frame_finish(&f);
	ip = frame_ip_len(&f);
	reset(&dp);
	run(datapath_ingress_fd(&dp), &f, &o);
	k = key_of(AF_INET, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	expect_flow("GSO ipv4 tcp, 3 segments", &dp, &k, &(struct want){
		    .packets = 3, .bytes = ip + 2 * (20 + 32),
		    .tcp_flags = 0x10, .min_ttl = 64, .max_ttl = 64 });
	expect_stats("GSO ipv4 tcp, 3 segments", &dp, S(STAT_PACKETS, 1),
		     S(STAT_COUNTED, 1), S(STAT_SEGMENTS, 3), END);

	/* IPv6 with an extension header: it repeats in every segment too */
	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_ext6(&f, 60, 8);
	frame_tcp(&f, 1, 2, 0x10, 0);
	frame_payload(&f, 2900);
	frame_finish(&f);
	ip = frame_ip_len(&f);
	o = (struct run_opts){ .gso_segs = 2, .gso_size = 1500 };
	reset(&dp);
	run(datapath_ingress_fd(&dp), &f, &o);
	k = key_of(AF_INET6, IPPROTO_TCP, "2001:db8::1", "2001:db8::2", 1, 2, 0);
	expect_flow("GSO ipv6 tcp + ext header, 2 segments", &dp, &k,
		    &(struct want){ .packets = 2, .bytes = ip + (40 + 8 + 20),
		    .tcp_flags = 0x10, .min_ttl = 64, .max_ttl = 64 });

	/* UDP GSO (UDP_SEGMENT): 8 header bytes per segment */
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_payload(&f, 2800);
	frame_finish(&f);
	ip = frame_ip_len(&f);
	o = (struct run_opts){ .gso_segs = 4, .gso_size = 700 };
	reset(&dp);
	run(datapath_ingress_fd(&dp), &f, &o);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	expect_flow("GSO ipv4 udp, 4 segments", &dp, &k, &(struct want){
		    .packets = 4, .bytes = ip + 3 * (20 + 8),
		    .min_ttl = 64, .max_ttl = 64 });
}

/* ---- the A/B swap ------------------------------------------------------ */

static void test_swap(void)
{
	struct flow_metrics m;
	struct flow_key k;
	struct frame f;
	int old;

	reset(&dp);
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1, 2, 0);

	run(datapath_ingress_fd(&dp), &f, NULL);
	old = datapath_swap(&dp);
	tap_ok(old == dp.flows_fd[0] && dp.active == 1,
	       "swap: flows_b active, flows_a returned for draining");
	run(datapath_ingress_fd(&dp), &f, NULL);
	run(datapath_ingress_fd(&dp), &f, NULL);
	tap_ok(datapath_lookup(&dp, dp.flows_fd[0], &k, &m) == 0 &&
	       m.packets == 1, "swap: the old map kept its 1 packet, no more");
	tap_ok(datapath_lookup(&dp, dp.flows_fd[1], &k, &m) == 0 &&
	       m.packets == 2, "swap: the new map got the 2 later packets");
	old = datapath_swap(&dp);
	tap_ok(old == dp.flows_fd[1] && dp.active == 0, "swap back");
	run(datapath_ingress_fd(&dp), &f, NULL);
	tap_ok(datapath_lookup(&dp, dp.flows_fd[1], &k, &m) == 0 &&
	       m.packets == 2, "swap back: flows_b unchanged");
	tap_ok(datapath_lookup(&dp, dp.flows_fd[0], &k, &m) == 0 &&
	       m.packets == 2, "swap back: flows_a counts again");
}

/* ---- sampling ---------------------------------------------------------- */

static void test_sampling(void)
{
	struct run_opts o = { .repeat = 100000 };
	const double n = 100000, p = 0.1;
	struct flow_metrics m;
	struct flow_stats s;
	struct flow_key k;
	struct frame f;
	double sd = sqrt(n * p * (1 - p));

	reset(&dp);
	datapath_set_sampling(&dp, 10);
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	run(datapath_ingress_fd(&dp), &f, &o);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	if (datapath_lookup(&dp, dp.flows_fd[0], &k, &m))
		m.packets = 0;
	datapath_read_stats(&dp, &s);
	tap_diag("sampling 1-in-10 of 100000: %llu selected (sd %.1f)",
		 (unsigned long long)m.packets, sd);
	tap_ok(fabs((double)m.packets - n * p) <= 5 * sd,
	       "sampling 1-in-10: selected within 5 sd of 10000");
	tap_is(s.c[STAT_COUNTED], m.packets, "sampling: counted == flow packets");
	tap_is(s.c[STAT_SAMPLED_OUT] + s.c[STAT_COUNTED], 100000,
	       "sampling: sampled_out + counted == packets");

	/* back to 1 at run time: every packet counts again */
	reset(&dp);
	o.repeat = 1000;
	run(datapath_ingress_fd(&dp), &f, &o);
	datapath_lookup(&dp, dp.flows_fd[0], &k, &m);
	tap_is(m.packets, 1000, "sampling 1 after 10: every packet counted");
}

/* ---- map full: the overflow ring --------------------------------------- */

struct ring_seen {
	unsigned int	records;
	__u64		packets, bytes;
	unsigned int	bad;
};

static int on_ring(void *ctx, void *data, size_t len)
{
	const struct flow_record *r = data;
	struct ring_seen *rs = ctx;

	if (len < sizeof(*r) || !(r->metrics.flags & FLOW_F_OVERFLOW) ||
	    r->key.proto != IPPROTO_UDP || r->metrics.packets != 1)
		rs->bad++;
	rs->records++;
	rs->packets += r->metrics.packets;
	rs->bytes += r->metrics.bytes;
	return 0;
}

static void test_map_full(void)
{
	struct datapath_opts o = { .map_entries = 4, .ring_bytes = 4096 };
	struct ring_seen rs = { 0 };
	struct datapath small;
	struct ring_buffer *rb;
	struct frame f;
	int err, i, rep;

	err = datapath_open(&small, &o);
	if (err)
		tap_bail("open a 4-entry datapath: %s", strerror(-err));
	rb = ring_buffer__new(small.ring_fd, on_ring, &rs, NULL);
	if (!rb)
		tap_bail("ring_buffer__new: %s", strerror(errno));

	/* 10 flows into a 4-entry map, twice each: 4 fit, the other 6 go
	 * to the ring, one record per packet */
	for (rep = 0; rep < 2; rep++) {
		for (i = 0; i < 10; i++) {
			frame_eth(&f, 0);
			frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
			frame_udp(&f, (uint16_t)(1000 + i), 53);
			frame_payload(&f, 10);
			frame_finish(&f);
			run(datapath_ingress_fd(&small), &f, NULL);
		}
	}
	ring_buffer__consume(rb);
	tap_is(map_entries(small.flows_fd[0]), 4, "map full: 4 flows in the map");
	tap_is(rs.records, 12, "map full: exactly one ring record per "
	       "overflowed packet (6 flows x 2)");
	tap_is(rs.bytes, 12 * frame_ip_len(&f), "map full: ring bytes");
	tap_is(rs.bad, 0, "map full: ring records well formed");
	expect_stats("map full", &small, S(STAT_PACKETS, 20),
		     S(STAT_COUNTED, 8), S(STAT_MAP_FULL, 12),
		     S(STAT_RING_RECORDS, 12), S(STAT_SEGMENTS, 20), END);

	/* a ring of 4096 bytes holds fewer than 40 records: the rest is
	 * counted as lost, never silently */
	for (i = 0; i < 40; i++) {
		frame_eth(&f, 0);
		frame_ipv4(&f, "10.0.0.9", "10.0.0.2", IPPROTO_UDP);
		frame_udp(&f, (uint16_t)(2000 + i), 53);
		frame_finish(&f);
		run(datapath_ingress_fd(&small), &f, NULL);
	}
	{
		struct flow_stats s;

		datapath_read_stats(&small, &s);
		tap_ok(s.c[STAT_RING_FULL] > 0, "ring full: counted (%llu)",
		       (unsigned long long)s.c[STAT_RING_FULL]);
		tap_is(s.c[STAT_RING_RECORDS] + s.c[STAT_RING_FULL],
		       s.c[STAT_MAP_FULL], "ring full: map_full == ring "
		       "records + ring full");
	}
	ring_buffer__free(rb);
	datapath_close(&small);
}

/* ---- the socket filter ------------------------------------------------- */

static void test_socket(void)
{
	struct flow_metrics m;
	struct flow_key k;
	struct frame f;

	reset(&sdp);
	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 10);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_ext6(&f, 0, 8);
	frame_tcp(&f, 22, 50000, 0x18, 12);
	frame_payload(&f, 77);
	frame_finish(&f);
	tap_is(run(datapath_socket_fd(&sdp), &f, NULL), 0,
	       "socket filter returns 0 (nothing copied to user space)");
	k = key_of(AF_INET6, IPPROTO_TCP, "2001:db8::1", "2001:db8::2", 22, 50000, 0);
	k.vlan_id = 10;
	expect_flow("socket filter ipv6 tcp + vlan + ext", &sdp, &k,
		    &(struct want){ .packets = 1, .bytes = frame_ip_len(&f),
		    .tcp_flags = 0x18, .min_ttl = 64, .max_ttl = 64 });

	reset(&sdp);
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_ICMP);
	frame_icmp(&f, 0, 0);
	frame_payload(&f, 56);
	frame_finish(&f);
	tap_is(run(datapath_socket_fd(&sdp), &f, NULL), 0,
	       "socket filter icmp: returns 0");
	k = key_of(AF_INET, IPPROTO_ICMP, "10.0.0.1", "10.0.0.2", 0, 0, 0);
	tap_ok(datapath_lookup(&sdp, sdp.flows_fd[0], &k, &m) == 0 &&
	       m.packets == 1 && m.bytes == 84, "socket filter icmp: flow");

	reset(&sdp);
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP);
	frame_payload(&f, 6);
	frame_finish(&f);
	tap_is(run(datapath_socket_fd(&sdp), &f, NULL), 0,
	       "socket filter truncated tcp: returns 0");
	expect_stats("socket filter truncated tcp", &sdp, S(STAT_PACKETS, 1),
		     S(STAT_TRUNC_L4, 1), END);

	reset(&sdp);
	frame_eth(&f, ETH_P_ARP);
	frame_payload(&f, 28);
	tap_is(run(datapath_socket_fd(&sdp), &f, NULL), 0,
	       "socket filter ARP: returns 0");
	expect_stats("socket filter ARP", &sdp, S(STAT_PACKETS, 1),
		     S(STAT_NON_IP, 1), END);
}

/* clock = precise: CLOCK_MONOTONIC ns straight from the kernel */
static void test_precise_clock(void)
{
	struct datapath_opts o = { .map_entries = 16, .precise_clock = true };
	struct timespec a, b;
	struct flow_metrics m;
	struct datapath pdp;
	struct flow_key k;
	struct frame f;
	__u64 before, after;
	int err;

	err = datapath_open(&pdp, &o);
	if (err)
		tap_bail("open with the precise clock: %s", strerror(-err));
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	clock_gettime(CLOCK_MONOTONIC, &a);
	run(datapath_ingress_fd(&pdp), &f, NULL);
	clock_gettime(CLOCK_MONOTONIC, &b);
	before = (__u64)a.tv_sec * 1000000000ull + (__u64)a.tv_nsec;
	after = (__u64)b.tv_sec * 1000000000ull + (__u64)b.tv_nsec;
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	err = datapath_lookup(&pdp, pdp.flows_fd[0], &k, &m);
	tap_ok(!err && datapath_mono_ns(&pdp, m.first_seen) >= before &&
	       datapath_mono_ns(&pdp, m.last_seen) <= after,
	       "precise clock: the packet's time lies between the two "
	       "clock_gettime calls around it");
	datapath_close(&pdp);
}

int main(void)
{
	struct datapath_opts tc = { 0 }, sock = { .socket = true };
	int err;

	if (geteuid() != 0)
		tap_need_privilege("not root");
	libbpf_set_print(NULL);
	err = datapath_open(&dp, &tc);
	if (err == -EPERM)
		tap_need_privilege("loading BPF programs is not permitted");
	if (err)
		tap_bail("load the TC programs: %s", strerror(-err));
	err = datapath_open(&sdp, &sock);
	if (err)
		tap_bail("load the socket filter: %s", strerror(-err));

	test_ipv4();
	test_ipv6();
	test_vlan();
	test_errors();
	test_accumulate();
	test_egress();
	test_gso();
	test_swap();
	test_sampling();
	test_map_full();
	test_socket();
	test_precise_clock();

	datapath_close(&sdp);
	datapath_close(&dp);
	return tap_done();
}
