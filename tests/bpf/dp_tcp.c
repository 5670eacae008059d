// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dp_tcp.c - TCP health (bpf/tcp.h): SYN/FIN/RST counts, the handshake's
 * delays and outcome across the two direction flows, retransmissions from
 * sequence numbers (wrap-around, GSO).
 *
 * Per-CPU values: every case runs pinned to one CPU, as a flow on a
 * router's RSS queue is.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <time.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <linux/in.h>
#include <bpf/bpf.h>

#include "dptest.h"

#define CLI	"192.0.2.1"
#define SRV	"192.0.2.2"
#define CPORT	40000
#define SPORT	80

static __u64 now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000ull + (__u64)ts.tv_nsec / 1000;
}

static void pin(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(sched_getcpu(), &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		tap_bail("pin to one CPU");
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* One IPv4 TCP segment; cli: client -> server, else back. */
static void tcp_frame(struct frame *f, int cli, __u8 flags, __u32 seq,
		      size_t payload)
{
	frame_tcp4_seg(f, cli ? CLI : SRV, cli ? SRV : CLI, cli ? CPORT : SPORT,
		       cli ? SPORT : CPORT, flags, seq, payload);
}

/* The client is beyond the interface: its packets come in (ingress), the
 * server's go out (egress). */
static void send_seg(int cli, __u8 flags, __u32 seq, size_t payload,
		     const struct run_opts *o)
{
	struct frame f;

	tcp_frame(&f, cli, flags, seq, payload);
	run(cli ? datapath_ingress_fd(&dp) : datapath_egress_fd(&dp), &f, o);
}

static struct flow_metrics get(int cli)
{
	struct flow_key k = cli ?
		key_of(AF_INET, IPPROTO_TCP, CLI, SRV, CPORT, SPORT,
		       FLOW_DIR_INGRESS) :
		key_of(AF_INET, IPPROTO_TCP, SRV, CLI, SPORT, CPORT,
		       FLOW_DIR_EGRESS);
	struct flow_metrics m;

	if (datapath_lookup(&dp, dp.flows_fd[dp.active], &k, &m))
		memset(&m, 0xff, sizeof(m));	/* fails every check */
	return m;
}

/* SYN, SYN-ACK 20 ms later, ACK 10 ms after that. */
void test_tcp_handshake(void)
{
	__u64 t0, t1, t2, t3, t4, t5;
	struct flow_metrics c, s;

	pin();
	reset(&dp);
	t0 = now_us();
	send_seg(1, 0x02, 1000, 0, NULL);		/* SYN */
	t1 = now_us();
	tap_is(map_entries(tcp_conns_fd(&dp)), 1, "handshake: SYN noted");
	sleep_ms(20);
	t2 = now_us();
	send_seg(0, 0x12, 5000, 0, NULL);		/* SYN-ACK */
	t3 = now_us();
	sleep_ms(10);
	t4 = now_us();
	send_seg(1, 0x10, 1001, 0, NULL);		/* ACK */
	t5 = now_us();
	send_seg(1, 0x18, 1001, 100, NULL);		/* data */
	send_seg(0, 0x10, 5001, 0, NULL);		/* its ACK */

	c = get(1);
	s = get(0);
	tap_is(c.syn_count, 1, "handshake: client flow: 1 SYN");
	tap_is(s.syn_count, 1, "handshake: server flow: 1 SYN");
	tap_is(c.fin_count + c.rst_count + s.fin_count + s.rst_count, 0,
	       "handshake: no FIN, no RST");
	tap_is(c.tcp_hs, TCP_HS_COMPLETED, "handshake: client flow completed");
	tap_is(s.tcp_hs, TCP_HS_COMPLETED, "handshake: server flow completed");
	tap_is(c.tcp_bits & (TCP_B_SDELAY | TCP_B_CDELAY),
	       TCP_B_SDELAY | TCP_B_CDELAY, "handshake: client flow: delays");
	tap_is(s.tcp_bits & (TCP_B_SDELAY | TCP_B_CDELAY),
	       TCP_B_SDELAY | TCP_B_CDELAY, "handshake: server flow: delays");
	tap_ok(c.server_delay_us >= t2 - t1 && c.server_delay_us <= t3 - t0,
	       "handshake: server delay %u us in [%llu, %llu]",
	       c.server_delay_us, t2 - t1, t3 - t0);
	tap_ok(c.client_delay_us >= t4 - t3 && c.client_delay_us <= t5 - t2,
	       "handshake: client delay %u us in [%llu, %llu]",
	       c.client_delay_us, t4 - t3, t5 - t2);
	tap_is(s.server_delay_us, c.server_delay_us,
	       "handshake: both flows: the same server delay");
	tap_is(s.client_delay_us, c.client_delay_us,
	       "handshake: both flows: the same client delay");
	tap_is(c.retrans + s.retrans, 0, "handshake: no retransmission");
	tap_is(map_entries(tcp_conns_fd(&dp)), 0,
	       "handshake: completed, forgotten");
}

/* SYN answered by RST-ACK; another SYN never answered. */
void test_tcp_refused(void)
{
	struct flow_metrics c, s;

	pin();
	reset(&dp);
	send_seg(1, 0x02, 1000, 0, NULL);		/* SYN */
	send_seg(0, 0x14, 0, 0, NULL);			/* RST-ACK */
	c = get(1);
	s = get(0);
	tap_is(c.tcp_hs, TCP_HS_REFUSED, "refused: client flow");
	tap_is(s.tcp_hs, TCP_HS_REFUSED, "refused: server flow");
	tap_is(s.rst_count, 1, "refused: 1 RST");
	tap_is(c.syn_count, 1, "refused: 1 SYN");
	tap_is((c.tcp_bits | s.tcp_bits) & (TCP_B_SDELAY | TCP_B_CDELAY), 0,
	       "refused: no delays");
	tap_is(map_entries(tcp_conns_fd(&dp)), 0, "refused: forgotten");

	reset(&dp);
	send_seg(1, 0x02, 1000, 0, NULL);		/* SYN */
	send_seg(1, 0x02, 1000, 0, NULL);		/* its retry */
	c = get(1);
	tap_is(c.syn_count, 2, "unanswered: 2 SYNs");
	tap_is(c.tcp_hs, TCP_HS_SYN, "unanswered: SYN only");
	tap_is(c.tcp_bits & (TCP_B_SDELAY | TCP_B_CDELAY), 0,
	       "unanswered: no delays");
	/* a RST from the client side answers nothing */
	send_seg(1, 0x04, 1001, 0, NULL);
	c = get(1);
	tap_is(c.rst_count, 1, "unanswered: the client's RST counted");
	tap_is(c.tcp_hs, TCP_HS_SYN, "unanswered: the client's RST refuses "
	       "nothing");
	/* FIN counts; an ACK-only packet after the RST completes nothing */
	send_seg(1, 0x11, 1001, 0, NULL);
	c = get(1);
	tap_is(c.fin_count, 1, "unanswered: FIN counted");
	tap_is(c.tcp_hs, TCP_HS_SYN, "unanswered: still unanswered");
}

/* Sequence numbers across the 2^32 wrap; retransmissions, GSO. */
void test_tcp_seq(void)
{
	struct run_opts gso = { .gso_segs = 3, .gso_size = 1000 };
	const __u32 s0 = 0xfffffe00u;	/* + 1000 wraps to 0x1e8 */
	struct flow_metrics c;
	struct frame f;

	pin();
	reset(&dp);
	send_seg(1, 0x10, s0, 1000, NULL);		/* new: sets the mark */
	send_seg(1, 0x10, s0 + 1000, 1000, NULL);	/* new, after the wrap */
	c = get(1);
	tap_is(c.retrans, 0, "seq: new data across the wrap: 0");
	send_seg(1, 0x10, s0, 1000, NULL);		/* again: retransmitted */
	send_seg(1, 0x10, s0 + 1000, 1000, NULL);	/* again */
	c = get(1);
	tap_is(c.retrans, 2, "seq: two retransmissions across the wrap");
	send_seg(1, 0x10, s0 + 2000, 1000, NULL);	/* new */
	send_seg(1, 0x10, s0 + 500, 0, NULL);		/* a pure ACK: no data */
	send_seg(1, 0x18, s0 + 2500, 1000, NULL);	/* overlaps, ends beyond */
	c = get(1);
	tap_is(c.retrans, 2, "seq: new data, pure ACK, overlap: still 2");
	/* a GSO skb of 3 old segments counts 3 */
	tcp_frame(&f, 1, 0x10, s0 + 500, 3000);
	run(datapath_ingress_fd(&dp), &f, &gso);
	c = get(1);
	tap_is(c.retrans, 5, "seq: a GSO skb of 3 old segments: 3 more");
	tap_is(c.packets, 10, "seq: 10 wire packets");
	tap_is(c.syn_count + c.fin_count + c.rst_count, 0, "seq: no SYN/FIN/RST");
	tap_is(map_entries(tcp_conns_fd(&dp)), 0, "seq: no handshake noted");

	/* UDP carries no TCP health */
	reset(&dp);
	frame_eth(&f, 0);
	frame_ipv4(&f, CLI, SRV, IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_payload(&f, 100);
	frame_finish(&f);
	run(datapath_ingress_fd(&dp), &f, NULL);
	run(datapath_ingress_fd(&dp), &f, NULL);
	{
		struct flow_key k = key_of(AF_INET, IPPROTO_UDP, CLI, SRV, 1, 2,
					   FLOW_DIR_INGRESS);
		struct flow_metrics u;

		datapath_lookup(&dp, dp.flows_fd[dp.active], &k, &u);
		tap_ok(u.packets == 2 && !u.retrans && !u.tcp_hs &&
		       !u.tcp_bits && !u.syn_count,
		       "udp: 2 packets, no TCP health");
	}
}
