// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dp_tcp.c - TCP health (bpf/tcp.h): SYN/FIN/RST counts, the handshake's
 * delays and outcome across the two direction flows, retransmissions from
 * sequence numbers (wrap-around, GSO).
 *
 * Per-CPU values: every case runs pinned to one CPU, as a flow on a
 * router's RSS queue is; test_tcp_seq_cpus moves between two.
 */
#include <sched.h>
#include <time.h>
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/in.h>
#include <bpf/bpf.h>

#include "dptest.h"
#include "flow.skel.h"

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

/* the CPUs the test may run on, before pin() narrowed them to one */
static cpu_set_t allowed;

__attribute__((constructor)) static void save_allowed(void)
{
	if (sched_getaffinity(0, sizeof(allowed), &allowed))
		CPU_ZERO(&allowed);
}

static void pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) || sched_getcpu() != cpu)
		tap_bail("pin to CPU %d", cpu);
}

/* The client's (cli) or the server's flow's value on one CPU. */
static struct flow_metrics on_cpu(int cpu, int cli)
{
	struct flow_key k = cli ?
		key_of(AF_INET, IPPROTO_TCP, CLI, SRV, CPORT, SPORT,
		       FLOW_DIR_INGRESS) :
		key_of(AF_INET, IPPROTO_TCP, SRV, CLI, SPORT, CPORT,
		       FLOW_DIR_EGRESS);
	struct flow_metrics *v = calloc(dp.ncpus, sizeof(*v)), m;

	if (!v || bpf_map_lookup_elem(dp.flows_fd[dp.active], &k, v))
		memset(&m, 0xff, sizeof(m));
	else
		m = v[cpu];
	free(v);
	return m;
}

/* Segments 1000 and 2000 on c0, then on c1 a retransmission of the first
 * and new data: what c1's value counts.  cli: the client's segments, in
 * at ingress; else the server's, out at egress, sent by this host (o
 * NULL) or forwarded (o->ingress_ifindex). */
static struct flow_metrics moved(int c0, int c1, int cli,
				 const struct run_opts *o)
{
	reset(&dp);
	pin_to(c0);
	send_seg(cli, 0x10, 1000, 1000, o);	/* new: the entry's first */
	send_seg(cli, 0x10, 2000, 1000, o);
	pin_to(c1);
	send_seg(cli, 0x10, 1000, 1000, o);	/* a retransmission */
	send_seg(cli, 0x10, 3000, 1000, o);	/* new */
	send_seg(cli, 0x10, 2000, 1000, o);	/* a retransmission */
	return on_cpu(c1, cli);
}

/* After moved(): back on c0, a segment only c1 sent goes again, and so
 * on, back and forth (a timer that fires where the connection began):
 * 3 more retransmissions from c0's point of view, 2 from c1's. */
static void back_and_forth(int c0, int c1, int cli, const struct run_opts *o)
{
	pin_to(c0);
	send_seg(cli, 0x10, 3000, 1000, o);	/* c1's segment again */
	send_seg(cli, 0x10, 4000, 1000, o);	/* new */
	pin_to(c1);
	send_seg(cli, 0x10, 4000, 1000, o);	/* c0's segment again */
	send_seg(cli, 0x10, 5000, 1000, o);	/* new */
	pin_to(c0);
	send_seg(cli, 0x10, 5000, 1000, o);	/* c1's segment again */
}

/*
 * A host's TCP sends one connection from more than one CPU (timers and
 * the softirq of an ACK run anywhere): a retransmission sent from a CPU
 * that had not seen the original still counts.  Any CPU that joins an
 * entry starts from the other CPUs' mark; at egress, for what this host
 * sends, it shares the owner's mark from then on and moves it on, so the
 * first CPU sees what the joiner sent too.  Forwarded and incoming
 * segments of one flow on two CPUs are not ordered by anything: there a
 * CPU keeps its own mark after its first segment.  Without
 * bpf_map_lookup_percpu_elem (seq_peers_off: the programs as they load
 * on Linux before 5.19) the first is missed, as the documented limit says.
 */
void test_tcp_seq_cpus(void)
{
	struct datapath_opts off = { .seq_peers_off = true };
	struct datapath_opts max = { .seq_peers_max = true };
	struct datapath saved = dp;
	struct flow_metrics c, c0v;
	int cpus[2], n = 0, cpu, err;

	for (cpu = 0; cpu < CPU_SETSIZE && n < 2; cpu++)
		if (CPU_ISSET(cpu, &allowed))
			cpus[n++] = cpu;
	if (n < 2)
		tap_bail("test_tcp_seq_cpus needs 2 CPUs, this process has 1");
	tap_is(dp.tc->rodata->seq_peer_cpus, (__u64)dp.ncpus,
	       "cpus: a joining CPU looks at all %d CPUs' marks", dp.ncpus);

	c = moved(cpus[0], cpus[1], 1, NULL);
	tap_is(c.retrans, 2, "cpus: both retransmissions sent from CPU %d "
	       "(the originals from CPU %d) count", cpus[1], cpus[0]);
	tap_ok((c.tcp_bits & (TCP_B_SEQ | TCP_B_FIRST)) == TCP_B_SEQ &&
	       c.seq_end == 4000, "cpus: CPU %d's mark is 4000, its first "
	       "segment no first mark for user space (bits 0x%x, end %u)",
	       cpus[1], c.tcp_bits, c.seq_end);
	tap_ok(!(c.tcp_bits & TCP_B_JOINED), "cpus: at ingress CPU %d keeps "
	       "its own mark (bits 0x%x)", cpus[1], c.tcp_bits);
	c0v = on_cpu(cpus[0], 1);
	tap_ok((c0v.tcp_bits & TCP_B_FIRST) && c0v.seq_first_end == 2000 &&
	       c0v.retrans == 0 && c0v.seq_end == 3000, "cpus: CPU %d holds "
	       "the entry's first segment (end %u), its own mark (%u)",
	       cpus[0], c0v.seq_first_end, c0v.seq_end);
	c = get(1);
	tap_ok(c.retrans == 2 && c.packets == 5 && c.seq_first_end == 2000 &&
	       c.seq_first_segs == 1, "cpus: merged: 5 packets, 2 "
	       "retransmissions, the first segment CPU %d's", cpus[0]);
	tap_ok(!strcmp(datapath_prog_suffix(&dp), "_p"),
	       "cpus: the *_p programs are the ones loaded (tc_ingress%s)",
	       datapath_prog_suffix(&dp));

	/* what this host sends, at egress: one mark for both CPUs */
	c = moved(cpus[0], cpus[1], 0, NULL);
	c0v = on_cpu(cpus[0], 0);
	tap_ok(c.retrans == 2 && (c.tcp_bits & TCP_B_JOINED) &&
	       c.seq_owner == cpus[0] && c0v.seq_end == 4000 &&
	       !(c0v.tcp_bits & TCP_B_JOINED), "cpus: a local sender: CPU %d "
	       "counts 2, joined CPU %d's mark (bits 0x%x, owner %u) and moved "
	       "it on (%u)", cpus[1], cpus[0], c.tcp_bits, c.seq_owner,
	       c0v.seq_end);
	back_and_forth(cpus[0], cpus[1], 0, NULL);
	c0v = on_cpu(cpus[0], 0);
	c = on_cpu(cpus[1], 0);
	tap_ok(c0v.retrans == 2 && c.retrans == 3,
	       "cpus: a local sender, back and forth: each CPU counts the "
	       "other's segments sent again (CPU %d: %u of 2, CPU %d: %u of 3)",
	       cpus[0], c0v.retrans, cpus[1], c.retrans);
	c = get(0);
	tap_ok(c.retrans == 5 && c.packets == 10 && c.seq_end == 6000,
	       "cpus: merged: 10 packets, 5 retransmissions (%u), the owner's "
	       "mark (%u)", c.retrans, c.seq_end);

	/* forwarded at egress: no join, each CPU's own mark after its
	 * first segment: only the two of moved() count, the three of
	 * back_and_forth() look new to the CPU that sends them again */
	{
		struct run_opts fwd = { .ingress_ifindex = 7 };

		c = moved(cpus[0], cpus[1], 0, &fwd);
		back_and_forth(cpus[0], cpus[1], 0, &fwd);
		c0v = on_cpu(cpus[0], 0);
		c = on_cpu(cpus[1], 0);
		tap_ok(!((c.tcp_bits | c0v.tcp_bits) & TCP_B_JOINED) &&
		       c0v.retrans == 0 && c.retrans == 2, "cpus: forwarded: "
		       "no CPU joins, each keeps its mark (CPU %d: %u, CPU %d: "
		       "%u)", cpus[0], c0v.retrans, cpus[1], c.retrans);
	}

	/* CPU 1's first packet of the flow carries no data (a pure ACK, as
	 * a delayed-ACK timer sends): its first data segment still looks */
	reset(&dp);
	pin_to(cpus[0]);
	send_seg(1, 0x10, 1000, 1000, NULL);
	send_seg(1, 0x10, 2000, 1000, NULL);
	pin_to(cpus[1]);
	send_seg(1, 0x10, 3000, 0, NULL);	/* a pure ACK */
	send_seg(1, 0x10, 1000, 1000, NULL);	/* a retransmission */
	c = on_cpu(cpus[1], 1);
	tap_ok(c.retrans == 1 && !(c.tcp_bits & TCP_B_FIRST),
	       "cpus: after a pure ACK on CPU %d, its retransmission counts "
	       "(retrans %u, bits 0x%x)", cpus[1], c.retrans, c.tcp_bits);

	/* the same on a datapath without the lookups */
	err = datapath_open(&dp, &off);
	if (err)
		tap_bail("load the TC programs (seq_peers_off): %s", strerror(-err));
	tap_ok(dp.tc->rodata->seq_peer_cpus == 0 &&
	       !strcmp(datapath_prog_suffix(&dp), ""),
	       "cpus: seq_peers_off: no lookups, the plain programs");
	c = moved(cpus[0], cpus[1], 1, NULL);
	tap_is(c.retrans, 1, "cpus: per CPU only, the first retransmission "
	       "from CPU %d is missed (only the second counts)", cpus[1]);
	tap_ok(c.tcp_bits & TCP_B_FIRST, "cpus: per CPU only, CPU %d's first "
	       "segment is a first mark", cpus[1]);
	datapath_close(&dp);

	/* the verifier walks the loop as far as the largest machine's
	 * CPUs: it must take the programs then too (lookups of CPUs this
	 * machine does not have find nothing) */
	err = datapath_open(&dp, &max);
	tap_ok(err == 0, "cpus: the programs load as on %d CPUs (%s)",
	       TCP_PEER_CPUS_MAX, err ? strerror(-err) : "ok");
	if (!err) {
		c = moved(cpus[0], cpus[1], 0, NULL);
		tap_is(c.retrans, 2, "cpus: ... and count both retransmissions");
		datapath_close(&dp);
	}
	dp = saved;
	pin();
}
