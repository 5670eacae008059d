// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dp_account.c - accounting: several packets, direction, GSO, the A/B
 * swap, sampling, the overflow ring, counting through the ring, the
 * precise clock.
 */
#include <math.h>
#include <time.h>
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dptest.h"

/* ---- several packets, GSO, direction ----------------------------------- */

void test_accumulate(void)
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
		     S(STAT_COUNTED, 3), S(STAT_SEGMENTS, 3),
		     S(STAT_INSERTS, 1), END);
}

void test_egress(void)
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

void test_gso(void)
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
		     S(STAT_COUNTED, 1), S(STAT_SEGMENTS, 3),
		     S(STAT_INSERTS, 1), END);

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

void test_swap(void)
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

void test_sampling(void)
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
	const struct flow_overflow *r = data;
	struct ring_seen *rs = ctx;

	if (len < sizeof(*r) || !(r->metrics.flags & FLOW_F_OVERFLOW) ||
	    r->key.proto != IPPROTO_UDP || r->metrics.packets != 1)
		rs->bad++;
	rs->records++;
	rs->packets += r->metrics.packets;
	rs->bytes += r->metrics.bytes;
	return 0;
}

void test_map_full(void)
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
		     S(STAT_RING_RECORDS, 12), S(STAT_SEGMENTS, 20),
		     S(STAT_INSERTS, 4), END);

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

/* ---- counting = ring ---------------------------------------------------- */

struct ring_first_seen {
	unsigned int	records, bad;
	__u64		packets, bytes;
};

static int on_ring_first(void *ctx, void *data, size_t len)
{
	const struct flow_overflow *r = data;
	struct ring_first_seen *rs = ctx;

	/* a record of one packet, not marked as an overflow */
	if (len < sizeof(*r) || (r->metrics.flags & FLOW_F_OVERFLOW) ||
	    r->key.proto != IPPROTO_UDP || r->metrics.packets != 1 ||
	    r->key.ifindex != LO_IFINDEX || !r->metrics.first_seen ||
	    r->metrics.last_seen != r->metrics.first_seen)
		rs->bad++;
	rs->records++;
	rs->packets += r->metrics.packets;
	rs->bytes += r->metrics.bytes;
	return 0;
}

static void udp_frame(struct frame *f, uint16_t sport)
{
	frame_eth(f, 0);
	frame_ipv4(f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(f, sport, 53);
	frame_payload(f, 10);
	frame_finish(f);
}

/*
 * Every packet a ring record, nothing in the map; a full ring leaves the
 * rest to the map (counted as ring_busy), so nothing is lost; a record
 * wakes the reader only once an eighth of the ring waits.
 */
void test_ring_first(void)
{
	struct datapath_opts o = { .map_entries = 64, .ring_bytes = 4096 };
	struct ring_first_seen rs = { 0 };
	struct epoll_event ev;
	struct datapath rd;
	struct ring_buffer *rb;
	struct flow_stats s;
	struct flow_key k;
	struct flow_metrics m;
	struct frame f;
	int err, i, ep, fit, n;

	err = datapath_open(&rd, &o);
	if (err)
		tap_bail("open a datapath with a 4 KiB ring: %s", strerror(-err));
	rb = ring_buffer__new(rd.ring_fd, on_ring_first, &rs, NULL);
	ep = epoll_create1(EPOLL_CLOEXEC);
	ev.events = EPOLLIN;
	ev.data.fd = rd.ring_fd;
	if (!rb || ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, rd.ring_fd, &ev))
		tap_bail("ring reader: %s", strerror(errno));
	datapath_set_ring_first(&rd, true);

	for (i = 0; i < 3; i++) {
		udp_frame(&f, 1000);
		run(datapath_ingress_fd(&rd), &f, NULL);
	}
	/* 3 x 152 bytes wait, under 4096 / 8: nobody was woken */
	tap_is(epoll_wait(ep, &ev, 1, 200), 0,
	       "ring first: 3 records wait without a wakeup");
	udp_frame(&f, 1000);
	run(datapath_ingress_fd(&rd), &f, NULL);
	tap_is(epoll_wait(ep, &ev, 1, 2000), 1,
	       "ring first: the 4th record (608 bytes waiting) wakes the reader");
	ring_buffer__consume(rb);
	tap_is(rs.records, 4, "ring first: one record per packet");
	tap_is(rs.bytes, 4 * frame_ip_len(&f), "ring first: bytes");
	tap_is(rs.bad, 0, "ring first: records of one packet, well formed");
	tap_is(map_entries(rd.flows_fd[0]), 0, "ring first: the map stays empty");
	expect_stats("ring first", &rd, S(STAT_PACKETS, 4),
		     S(STAT_RING_RECORDS, 4), S(STAT_SEGMENTS, 4), END);

	/* nobody reads: the ring fills, and the map takes the rest */
	for (i = 0; i < 40; i++) {
		udp_frame(&f, 2000);
		run(datapath_ingress_fd(&rd), &f, NULL);
	}
	datapath_read_stats(&rd, &s);
	fit = (int)s.c[STAT_RING_RECORDS] - 4;
	tap_ok(fit > 10 && fit < 27, "ring full: %d records fit in 4 KiB", fit);
	tap_is(s.c[STAT_RING_BUSY], 40 - fit, "ring full: the rest counted as "
	       "ring_busy");
	tap_is(s.c[STAT_COUNTED], 40 - fit, "ring full: ... and in the map");
	tap_is(s.c[STAT_RING_FULL], 0, "ring full: nothing lost");
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 2000, 53,
		   FLOW_DIR_INGRESS);
	memset(&m, 0, sizeof(m));
	datapath_lookup(&rd, rd.flows_fd[0], &k, &m);
	tap_is(m.packets, 40 - fit, "ring full: the map's flow has the rest");
	n = ring_buffer__consume(rb);
	tap_is(n, fit, "ring full: the ring had the others");
	tap_is(rs.packets + m.packets, 44, "ring full: ring + map = every packet");

	/* off again: the map counts, the ring stays empty */
	datapath_set_ring_first(&rd, false);
	udp_frame(&f, 2000);
	run(datapath_ingress_fd(&rd), &f, NULL);
	datapath_lookup(&rd, rd.flows_fd[0], &k, &m);
	tap_is(m.packets, 41 - fit, "ring first off: the map counts again");
	tap_is(ring_buffer__consume(rb), 0, "ring first off: no record");

	/*
	 * A refusal whose SYN went through the ring, answered while the ring
	 * is full: the RST takes the map, but the SYN's flow is in neither
	 * the map nor the ring, and its outcome is counted as lost.
	 */
	datapath_set_ring_first(&rd, true);
	ring_buffer__consume(rb);
	reset(&rd);
	frame_tcp4_seg(&f, "10.0.0.1", "10.0.0.2", 40000, 80, 0x02, 1000, 0);
	run(datapath_ingress_fd(&rd), &f, NULL);
	for (i = 0; i < 40; i++) {
		udp_frame(&f, 3000);
		run(datapath_ingress_fd(&rd), &f, NULL);
	}
	frame_tcp4_seg(&f, "10.0.0.2", "10.0.0.1", 80, 40000, 0x14, 0, 0);
	run(datapath_egress_fd(&rd), &f, NULL);
	datapath_read_stats(&rd, &s);
	tap_is(s.c[STAT_TCP_LOST], 1, "ring full: the refusal's outcome for "
	       "the SYN's flow counted as lost");
	k = key_of(AF_INET, IPPROTO_TCP, "10.0.0.2", "10.0.0.1", 80, 40000,
		   FLOW_DIR_EGRESS);
	memset(&m, 0, sizeof(m));
	datapath_lookup(&rd, rd.flows_fd[0], &k, &m);
	tap_ok(m.packets == 1 && m.tcp_hs == TCP_HS_REFUSED,
	       "ring full: the RST's own flow, in the map, is refused");
	tap_is(s.c[STAT_RING_FULL] + s.c[STAT_NO_MAP], 0,
	       "ring full: no packet lost");
	datapath_set_ring_first(&rd, false);

	close(ep);
	ring_buffer__free(rb);
	datapath_close(&rd);
}

/* ---- the clock --------------------------------------------------------- */

/* clock = precise: CLOCK_MONOTONIC ns straight from the kernel */
void test_precise_clock(void)
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
