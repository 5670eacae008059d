// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dp_socket.c - the socket filter: the same parser on the other hook.
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

/* ---- the socket filter ------------------------------------------------- */

void test_socket(void)
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

/* ---- lengths: the same fate on both hooks -------------------------------- */

/*
 * Linux charges a socket filter to the socket's option memory: attaching
 * fails with ENOMEM when offsetof(struct bpf_prog, insns[len]) is not
 * below net.core.optmem_max, whose default was 20480 bytes before 6.9
 * (Debian 12's 6.1).  The program must fit there with room to spare; the
 * header is under 128 bytes on every kernel since 5.8.
 */
#define OPTMEM_OLD_DEFAULT 20480
#define PROG_HEADER_MAX 128

void test_socket_size(void)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	int err;

	err = bpf_obj_get_info_by_fd(datapath_socket_fd(&sdp), &info, &len);
	tap_is(err, 0, "socket filter: program info");
	tap_diag("socket filter: %u bytes translated", info.xlated_prog_len);
	tap_ok(info.xlated_prog_len > 0 &&
	       info.xlated_prog_len + PROG_HEADER_MAX < OPTMEM_OLD_DEFAULT,
	       "socket filter fits the old optmem_max default "
	       "(%u + %d < %d bytes)", info.xlated_prog_len, PROG_HEADER_MAX,
	       OPTMEM_OLD_DEFAULT);
}

/* Run f through the socket filter and through TC ingress; on both, expect
 * the flow w (w->packets > 0) or no flow and the one counter stat. */
static void both(const char *name, const struct frame *f,
		 const struct run_opts *o, const struct flow_key *k,
		 const struct want *w, int stat)
{
	struct datapath *ds[2] = { &sdp, &dp };
	static const char *const hook[2] = { "socket", "tc" };
	char what[160];
	int i;

	for (i = 0; i < 2; i++) {
		int fd = i ? datapath_ingress_fd(&dp) : datapath_socket_fd(&sdp);

		snprintf(what, sizeof(what), "%s (%s)", name, hook[i]);
		reset(ds[i]);
		tap_is(run(fd, f, o), i ? TC_VERDICT : 0, "%s: verdict", what);
		if (!w) {
			tap_is(map_entries(ds[i]->flows_fd[0]), 0, "%s: no flow", what);
			expect_stats(what, ds[i], S(STAT_PACKETS, 1), S(stat, 1), END);
			continue;
		}
		expect_flow(what, ds[i], k, w);
		expect_stats(what, ds[i], S(STAT_PACKETS, 1), S(STAT_COUNTED, 1),
			     S(STAT_SEGMENTS, w->packets), S(STAT_INSERTS, 1), END);
	}
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void test_big_tcp(void);

void test_socket_lengths(void)
{
	struct flow_key k;
	struct frame f;
	struct want w;

	/* 100 such frames were once exported as 6,553,500 bytes */
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_payload(&f, 18);
	frame_finish(&f);
	put16(f.buf + f.ip_off + 2, 65535);
	both("60-byte frame, IPv4 tot_len 65535", &f, NULL, NULL, NULL,
	     STAT_TRUNC_L3);

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_payload(&f, 100);
	frame_finish(&f);
	put16(f.buf + f.ip_off + 2, (uint16_t)(frame_ip_len(&f) + 1));
	both("IPv4 tot_len one byte beyond the frame", &f, NULL, NULL, NULL,
	     STAT_TRUNC_L3);

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_udp(&f, 1, 2);
	frame_payload(&f, 100);
	frame_finish(&f);
	put16(f.buf + f.ip_off + 4, (uint16_t)(frame_ip_len(&f) - 40 + 1));
	both("IPv6 payload_len one byte beyond the frame", &f, NULL, NULL,
	     NULL, STAT_TRUNC_L3);

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	put16(f.buf + f.ip_off + 2, 0);
	both("IPv4 tot_len 0 without GSO", &f, NULL, NULL, NULL, STAT_BAD_L3);

	/* the Ethernet minimum: the trailer is not IP bytes */
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_payload(&f, 1);
	frame_pad(&f, 60);
	frame_finish(&f);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	w = (struct want){ .packets = 1, .bytes = 29, .min_ttl = 64,
			   .max_ttl = 64 };
	both("padded 60-byte frame", &f, NULL, &k, &w, 0);
	test_big_tcp();
}

/* BIG TCP super-frames: the length fields are 0, the frame is the datagram */
static void test_big_tcp(void)
{
	struct run_opts gso = { .gso_segs = 3, .gso_size = 1000 };
	struct flow_key k;
	struct frame f;
	struct want w;
	size_t ip;

	/* BIG TCP, IPv4: tot_len 0, the frame is the datagram */
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP);
	frame_tcp(&f, 1, 2, 0x10, 0);
	frame_payload(&f, 3000);
	frame_finish(&f);
	ip = frame_ip_len(&f);
	put16(f.buf + f.ip_off + 2, 0);
	k = key_of(AF_INET, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	w = (struct want){ .packets = 3, .bytes = ip + 2 * (20 + 20),
			   .tcp_flags = 0x10, .min_ttl = 64, .max_ttl = 64 };
	both("BIG TCP IPv4 (tot_len 0), 3 segments", &f, &gso, &k, &w, 0);

	/* BIG TCP, IPv6: payload_len 0 and a hop-by-hop header with the
	 * jumbo payload option, which the wire segments do not carry */
	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_ext6(&f, 0, 8);
	frame_tcp(&f, 1, 2, 0x10, 0);
	frame_payload(&f, 3000);
	frame_finish(&f);
	ip = frame_ip_len(&f);
	put16(f.buf + f.ip_off + 4, 0);
	f.buf[f.ip_off + 42] = 0xc2;		/* jumbo payload option */
	f.buf[f.ip_off + 43] = 4;
	put16(f.buf + f.ip_off + 46, (uint16_t)(ip - 40));
	gso.gso_segs = 2;
	gso.gso_size = 1500;
	k = key_of(AF_INET6, IPPROTO_TCP, "2001:db8::1", "2001:db8::2", 1, 2, 0);
	w = (struct want){ .packets = 2, .bytes = ip - 8 + (40 + 20),
			   .tcp_flags = 0x10, .min_ttl = 64, .max_ttl = 64 };
	both("BIG TCP IPv6 (jumbo hop-by-hop), 2 segments", &f, &gso, &k, &w, 0);
}
