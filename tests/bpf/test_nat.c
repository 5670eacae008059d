// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_nat.c - the tc_*_nat programs (bpf/ct.h) through BPF_PROG_TEST_RUN.
 * test_run's skb is on this namespace's loopback device, where conntrack
 * has no entry for the frames: each lookup fails, is counted, and the flow
 * is the same as the plain program's but for the FLOW_F_NAT_DONE bit.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dptest.h"

static struct datapath ndp;	/* the TC programs with NAT */

static const char *const nstat_names[NSTAT_MAX] = {
	"lookups", "translated", "plain", "not_found", "map_full",
};

static void reset_nat(void)
{
	struct nat_stats *zero = calloc(ndp.ncpus, sizeof(*zero));
	__u32 k = 0;

	reset(&ndp);
	if (!zero || bpf_map_update_elem(ndp.nat_stats_fd, &k, zero, BPF_ANY))
		tap_bail("reset nat stats: %s", strerror(errno));
	free(zero);
}

/* Every NAT counter: lookups and not_found as given, the others 0. */
static void expect_nat(const char *name, __u64 lookups, __u64 not_found)
{
	__u64 want[NSTAT_MAX] = { [NSTAT_LOOKUPS] = lookups,
				  [NSTAT_NOT_FOUND] = not_found };
	struct nat_stats s;
	int i, bad = 0;

	if (datapath_read_nat_stats(&ndp, &s))
		tap_bail("read nat stats");
	for (i = 0; i < NSTAT_MAX; i++) {
		if (s.c[i] != want[i]) {
			tap_diag("%s: nat %s = %llu, want %llu", name,
				 nstat_names[i], (unsigned long long)s.c[i],
				 (unsigned long long)want[i]);
			bad++;
		}
	}
	tap_ok(!bad, "%s: nat counters", name);
	tap_is(map_entries(ndp.nat_fd), 0, "%s: nothing in the nat map", name);
}

/* The same frame n times through prog; the flow and the stats. */
static void run_n(const char *name, int prog_fd, struct frame *f, int n,
		  const struct run_opts *o)
{
	int i;

	for (i = 0; i < n; i++)
		tap_is(run(prog_fd, f, o), TC_VERDICT, "%s: verdict %d", name, i);
}

/* UDP, n packets on ingress: two lookups (tuple, reverse) per packet for
 * the first NAT_TRIES packets, then one failure counted and no more. */
static void case_udp(const char *name, int family, const char *src,
		     const char *dst, int n)
{
	struct flow_key k;
	struct frame f;
	int tries = n < NAT_TRIES ? n : NAT_TRIES;

	reset_nat();
	frame_eth(&f, 0);
	if (family == AF_INET)
		frame_ipv4(&f, src, dst, IPPROTO_UDP);
	else
		frame_ipv6(&f, src, dst, IPPROTO_UDP, 0, 64);
	frame_udp(&f, 40000, 53);
	frame_payload(&f, 20);
	frame_finish(&f);
	run_n(name, datapath_ingress_fd(&ndp), &f, n, NULL);
	k = key_of(family, IPPROTO_UDP, src, dst, 40000, 53, FLOW_DIR_INGRESS);
	expect_flow(name, &ndp, &k, &(struct want){
		    .packets = (__u64)n, .bytes = (__u64)n * frame_ip_len(&f),
		    .flags = n >= NAT_TRIES ? FLOW_F_NAT_DONE : 0,
		    .min_ttl = 64, .max_ttl = 64 });
	expect_stats(name, &ndp, S(STAT_PACKETS, n), S(STAT_COUNTED, n),
		     S(STAT_SEGMENTS, n), S(STAT_INSERTS, 1), END);
	expect_nat(name, 2 * (__u64)tries, n >= NAT_TRIES);
}

/* The plain and the NAT program count a TCP flow on egress alike. */
static void case_same(void)
{
	struct run_opts o = { .ingress_ifindex = 7 };
	struct flow_metrics a, b;
	struct flow_key k;
	struct frame f;

	frame_eth(&f, 0);
	frame_ipv4(&f, "192.0.2.1", "198.51.100.9", IPPROTO_TCP);
	frame_tcp(&f, 41000, 443, 0x18, 0);
	frame_payload(&f, 100);
	frame_finish(&f);
	k = key_of(AF_INET, IPPROTO_TCP, "192.0.2.1", "198.51.100.9", 41000,
		   443, FLOW_DIR_EGRESS);
	reset(&dp);
	reset_nat();
	run_n("egress plain", datapath_egress_fd(&dp), &f, 5, &o);
	run_n("egress nat", datapath_egress_fd(&ndp), &f, 5, &o);
	if (datapath_lookup(&dp, dp.flows_fd[0], &k, &a) ||
	    datapath_lookup(&ndp, ndp.flows_fd[0], &k, &b))
		tap_bail("look up the egress flows");
	tap_is(b.flags, a.flags | FLOW_F_NAT_DONE,
	       "egress: the flags differ by FLOW_F_NAT_DONE only");
	b.flags = a.flags;
	b.first_seen = a.first_seen;
	b.last_seen = a.last_seen;
	tap_ok(!memcmp(&a, &b, sizeof(a)),
	       "egress: the flow is the plain program's (packets %llu, bytes %llu)",
	       (unsigned long long)b.packets, (unsigned long long)b.bytes);
	expect_nat("egress", 2 * NAT_TRIES, 1);
}

/* One GSO skb of 4 segments is NAT_TRIES packets: one try only. */
static void case_gso(void)
{
	struct run_opts o = { .gso_segs = NAT_TRIES, .gso_size = 100 };
	struct frame f;

	reset_nat();
	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", IPPROTO_TCP, 0, 64);
	frame_tcp(&f, 41000, 80, 0x10, 0);
	frame_payload(&f, 400);
	frame_finish(&f);
	run_n("gso", datapath_ingress_fd(&ndp), &f, 2, &o);
	expect_nat("gso: one try for 4 segments", 2, 1);
}

/* ICMP and later fragments: no lookup at all (the kfunc has no ICMP). */
static void case_none(void)
{
	struct frame f;

	reset_nat();
	frame_eth(&f, 0);
	frame_ipv4(&f, "192.0.2.1", "198.51.100.9", IPPROTO_ICMP);
	frame_icmp(&f, 8, 0);
	frame_finish(&f);
	run_n("icmp", datapath_ingress_fd(&ndp), &f, 3, NULL);
	expect_nat("icmp: no lookup", 0, 0);

	reset_nat();
	frame_eth(&f, 0);
	frame_ipv4_ex(&f, "192.0.2.1", "198.51.100.9", IPPROTO_UDP, 0, 64, 0,
		      100);
	frame_payload(&f, 64);
	frame_finish(&f);
	run_n("later fragment", datapath_ingress_fd(&ndp), &f, 2, NULL);
	expect_nat("later fragment: no lookup", 0, 0);
}

int main(void)
{
	struct datapath_opts o = { .nat = true };
	int err;

	dptest_open();
	err = datapath_open(&ndp, &o);
	if (err)
		tap_bail("load the NAT programs: %s", strerror(-err));
	case_udp("udp4, 1 packet", AF_INET, "192.0.2.1", "198.51.100.9", 1);
	case_udp("udp4, 6 packets", AF_INET, "192.0.2.1", "198.51.100.9", 6);
	case_udp("udp6, 4 packets", AF_INET6, "2001:db8::1", "2001:db8:1::9", 4);
	/* counting through the ring: the NAT programs keep to the map (a
	 * ring record would ask conntrack again for every packet) */
	datapath_set_ring_first(&ndp, true);
	case_udp("ring first, udp4, 6 packets", AF_INET, "192.0.2.1",
		 "198.51.100.9", 6);
	datapath_set_ring_first(&ndp, false);
	case_same();
	case_gso();
	case_none();
	datapath_close(&ndp);
	dptest_close();
	return tap_done();
}
