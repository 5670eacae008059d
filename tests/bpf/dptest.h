/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * dptest.h - what the BPF_PROG_TEST_RUN tests share: the loaded programs,
 * running a frame, resetting the maps, and checking a flow and the stats
 * counters exactly.
 */
#ifndef TCFLOWD_DPTEST_H
#define TCFLOWD_DPTEST_H

#include <linux/pkt_cls.h>

#include "datapath.h"
#include "frames.h"
#include "tap.h"

#define LO_IFINDEX	1	/* test_run's skb->dev is the loopback device */
#define TC_VERDICT	((__u32)TC_ACT_UNSPEC)

extern struct datapath dp;	/* TC programs */
extern struct datapath sdp;	/* socket filter */

struct run_opts {
	__u32	gso_segs;
	__u32	gso_size;
	__u32	ingress_ifindex;
	__u32	repeat;
};

/* Run prog on frame; returns the program's verdict, or bails out. */
__u32 run(int prog_fd, const struct frame *f, const struct run_opts *o);
/* Zero the stats, empty both maps, sampling 1, flows_a active. */
void reset(struct datapath *d);
unsigned int map_entries(int fd);
/* datapath_open and datapath_close, sharing a load between the cases with
 * the same options (each gets it reset); dp_unload_all closes them. */
int dp_load(struct datapath *d, const struct datapath_opts *o);
void dp_unload(struct datapath *d);
void dp_unload_all(void);
/* The handshake map (bpf/tcp.h) of d. */
int tcp_conns_fd(const struct datapath *d);
extern const char *const stat_names[STAT_MAX];	/* STAT_* as in the log */
struct flow_key key_of(int family, __u8 proto, const char *src,
		       const char *dst, __u16 sport, __u16 dport, __u8 dir);

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

void expect_flow(const char *name, struct datapath *d,
		 const struct flow_key *key, const struct want *w);
/*
 * Check every counter: those named (index, value pairs: S(i, v), ending
 * with END) must have that value, all others must be 0.
 */
void expect_stats(const char *name, struct datapath *d, ...);
#define S(i, v)	(i), (__u64)(v)
#define END	-1

/* Run f once through TC ingress; expect one flow and a "counted" packet. */
void case_one(const char *name, struct frame *f, const struct flow_key *key,
	      struct want w);
/* Run f once; expect no flow and exactly one error counter. */
void case_error(const char *name, struct frame *f, int stat, int finish);

/* Open the TC programs (dp) and the socket filter (sdp), or bail out. */
void dptest_open(void);
void dptest_close(void);

/* the groups of cases, one file each */
void test_ipv4(void);
void test_ipv6(void);
void test_vlan(void);
void test_errors(void);
void test_accumulate(void);
void test_egress(void);
void test_gso(void);
void test_swap(void);
void test_sampling(void);
void test_ring_first(void);
void test_map_full(void);
void test_precise_clock(void);
void test_socket(void);
void test_socket_lengths(void);
void test_socket_size(void);
void test_tcp_handshake(void);
void test_tcp_refused(void);
void test_tcp_seq(void);
void test_tcp_seq_cpus(void);

#endif /* TCFLOWD_DPTEST_H */
