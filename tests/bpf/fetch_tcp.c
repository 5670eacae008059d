// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fetch_tcp.c - TCP health from the real programs through the fetcher
 * into the flow cache, with kernel entries read in place between epochs
 * (tcp_since() in src/fetcher.c): the SYN/FIN/RST counts and
 * retransmissions of the deltas add up to the kernel's totals, never
 * re-counted by a re-read; a handshake's outcome the kernel writes into
 * the other direction's flow reaches that flow's record without a packet
 * of its own; a fetch's first data segment (a mark only, in the kernel)
 * is handed on once an epoch, so a retransmitted one after an epoch
 * counts once.
 *
 * Like tests/bpf/dp_tcp.c: the client is beyond the interface (its
 * segments come in, the server's go out), and every case runs pinned to
 * one CPU, as a flow on a router's RSS queue is.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/in.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "dptest.h"
#include "fetch_tcp.h"
#include "fetcher.h"
#include "flowcache.h"
#include "frames.h"
#include "tap.h"

#define CLI	"192.0.2.1"
#define SRV	"192.0.2.2"
#define CPORT	40000
#define SPORT	80
#define HDRS	40		/* IPv4 + TCP header bytes */
#define HOUR	(3600ull * 1000000000ull)

enum { SRV_SIDE, CLI_SIDE };	/* server -> client (egress), and back */

/* What the deltas of one direction's flow added up to. */
struct side {
	uint64_t	packets, bytes;
	uint32_t	syn, fin, rst, retrans, first_segs;
	uint32_t	deltas, tcp_only;	/* deltas; of which no packet */
	uint8_t		last_hs;		/* tcp_hs of the latest delta */
};

/* The real programs, a fetcher whose epoch outlasts the case, and a flow
 * cache fed by it: the sums of the deltas and the records, per side. */
struct pipe {
	struct datapath		d;
	struct fetcher		*f;
	struct flowcache	*fc;
	struct side		sum[2];
	struct flow_delta	rec[2];
	int			nrec[2];
	const char		*name;
};

static int side_of(const struct flow_key *k)
{
	return k->direction == FLOW_DIR_INGRESS ? CLI_SIDE : SRV_SIDE;
}

static void on_delta(void *ctx, const struct flow_key *k,
		     const struct flow_delta *d)
{
	struct pipe *p = ctx;
	struct side *s = &p->sum[side_of(k)];

	s->packets += d->packets;
	s->bytes += d->bytes;
	s->syn += d->syn_count;
	s->fin += d->fin_count;
	s->rst += d->rst_count;
	s->retrans += d->retrans;
	s->first_segs += d->seq_first_segs;
	s->deltas++;
	s->tcp_only += d->packets == 0;
	s->last_hs = d->tcp_hs;
	flowcache_update(p->fc, k, d);
}

static void on_record(void *ctx, const struct flow_key *k,
		      const struct flow_delta *m, int reason)
{
	struct pipe *p = ctx;
	int i = side_of(k);

	(void)reason;
	p->rec[i] = *m;
	p->nrec[i]++;
}

static void pipe_open_ring(struct pipe *p, const char *name, bool batch,
			   uint32_t ring_bytes)
{
	static const struct flowcache_timeouts tmo = {
		.active_ns = HOUR, .idle_ns = HOUR, .tcp_end_ns = HOUR,
	};
	struct datapath_opts o = { .map_entries = 1024,
				   .ring_bytes = ring_bytes };
	int err;

	memset(p, 0, sizeof(*p));
	p->name = name;
	err = dp_load(&p->d, &o);
	if (err)
		tap_bail("load: %s", strerror(-err));
	p->f = fetcher_new(&p->d, o.map_entries, on_delta, p);
	p->fc = flowcache_new(64, &tmo, on_record, p);
	if (!p->f || !p->fc)
		tap_bail("fetcher_new, flowcache_new: %s", strerror(errno));
	fetcher_set_epoch(p->f, HOUR);
	fetcher_set_read_spacing(p->f, 0, 0);	/* every fetch reads */
	fetcher_use_batch(p->f, batch);
}

static void pipe_open(struct pipe *p, const char *name, bool batch)
{
	pipe_open_ring(p, name, batch, 0);
}

static void pipe_close(struct pipe *p)
{
	flowcache_free(p->fc);
	fetcher_free(p->f);
	dp_unload(&p->d);
}

static void fetch(struct pipe *p)
{
	int err = fetcher_run(p->f);

	if (err)
		tap_bail("%s: fetch: %s", p->name, strerror(-err));
}

/* One segment; cli: client -> server (ingress), else back (egress). */
static void seg(struct pipe *p, int cli, __u8 flags, __u32 seq, size_t len)
{
	struct frame fr;

	frame_tcp4_seg(&fr, cli ? CLI : SRV, cli ? SRV : CLI, cli ? CPORT : SPORT,
		       cli ? SPORT : CPORT, flags, seq, len);
	run(cli ? datapath_ingress_fd(&p->d) : datapath_egress_fd(&p->d),
	    &fr, NULL);
}

/* The kernel's cumulative value of one side in the active map. */
static struct flow_metrics kernel(struct pipe *p, int side)
{
	struct flow_key k = side == CLI_SIDE ?
		key_of(AF_INET, IPPROTO_TCP, CLI, SRV, CPORT, SPORT,
		       FLOW_DIR_INGRESS) :
		key_of(AF_INET, IPPROTO_TCP, SRV, CLI, SPORT, CPORT,
		       FLOW_DIR_EGRESS);
	struct flow_metrics m;

	if (datapath_lookup(&p->d, p->d.flows_fd[p->d.active], &k, &m))
		memset(&m, 0xff, sizeof(m));	/* fails every check */
	return m;
}

/* The deltas' counts so far are the kernel's cumulative ones. */
static void expect_kernel(struct pipe *p, int side, const char *when)
{
	struct flow_metrics k = kernel(p, side);
	const struct side *s = &p->sum[side];
	const char *who = side == CLI_SIDE ? "client" : "server";

	tap_ok(s->syn == k.syn_count && s->fin == k.fin_count &&
	       s->rst == k.rst_count && s->retrans == k.retrans &&
	       s->packets == k.packets,
	       "%s: %s: %s deltas = the kernel's totals (SYN %u/%u, FIN %u/%u, "
	       "RST %u/%u, retrans %u/%u, packets %llu/%llu)", p->name, when,
	       who, s->syn, k.syn_count, s->fin, k.fin_count, s->rst,
	       k.rst_count, s->retrans, k.retrans,
	       (unsigned long long)s->packets, (unsigned long long)k.packets);
}

/* The counts of one side's deltas over the whole case are w's. */
static void expect_sums(struct pipe *p, int side, const struct side *w)
{
	const struct side *s = &p->sum[side];

	tap_ok(s->syn == w->syn && s->fin == w->fin && s->rst == w->rst &&
	       s->retrans == w->retrans && s->packets == w->packets &&
	       s->deltas == w->deltas && s->tcp_only == w->tcp_only,
	       "%s: %s deltas: SYN %u, FIN %u, RST %u, retrans %u, %llu packets "
	       "in %u deltas, %u without packets (%u, %u, %u, %u, %llu, %u, %u)",
	       p->name, side == CLI_SIDE ? "client" : "server", w->syn, w->fin,
	       w->rst, w->retrans, (unsigned long long)w->packets, w->deltas,
	       w->tcp_only, s->syn, s->fin, s->rst, s->retrans,
	       (unsigned long long)s->packets, s->deltas, s->tcp_only);
}

/*
 * A connection over four reads in place, an epoch, and a read of the new
 * map: the counts of every delta add up to what was sent, and up to the
 * epoch to the kernel's totals.
 */
static void counts(const char *name, bool batch)
{
	struct pipe p;
	const struct flow_delta *c = &p.rec[CLI_SIDE], *s = &p.rec[SRV_SIDE];

	pipe_open(&p, name, batch);
	seg(&p, 1, 0x02, 1000, 0);			/* SYN */
	seg(&p, 0, 0x12, 5000, 0);			/* SYN-ACK */
	fetch(&p);
	expect_kernel(&p, CLI_SIDE, "read 1");
	seg(&p, 1, 0x10, 1001, 0);			/* ACK */
	seg(&p, 1, 0x18, 1001, 100);			/* data */
	seg(&p, 1, 0x18, 1101, 100);			/* data */
	seg(&p, 1, 0x18, 1001, 100);			/* retransmitted */
	fetch(&p);
	expect_kernel(&p, CLI_SIDE, "read 2");
	seg(&p, 1, 0x18, 1101, 100);			/* retransmitted */
	seg(&p, 1, 0x11, 1201, 0);			/* FIN */
	seg(&p, 0, 0x11, 5001, 0);			/* FIN */
	seg(&p, 1, 0x10, 1202, 0);			/* ACK */
	fetch(&p);
	expect_kernel(&p, CLI_SIDE, "read 3");
	expect_kernel(&p, SRV_SIDE, "read 3");
	seg(&p, 1, 0x18, 1101, 100);			/* retransmitted */
	fetch(&p);
	expect_kernel(&p, CLI_SIDE, "read 4");
	fetcher_end_epoch(p.f);
	seg(&p, 1, 0x18, 1101, 100);			/* retransmitted */
	fetch(&p);					/* the epoch */
	seg(&p, 1, 0x04, 1202, 0);			/* RST, new map */
	seg(&p, 0, 0x04, 5002, 0);			/* RST */
	fetch(&p);
	fetch(&p);					/* idle */
	tap_ok(fetcher_stats(p.f)->reads == 5 && fetcher_stats(p.f)->epochs == 1,
	       "%s: 5 reads in place and 1 epoch (%llu, %llu)", name,
	       (unsigned long long)fetcher_stats(p.f)->reads,
	       (unsigned long long)fetcher_stats(p.f)->epochs);
	/* a delta at every fetch with packets of the flow; the server's
	 * at read 2 without: the client's ACK completed its handshake */
	expect_sums(&p, CLI_SIDE, &(struct side){ .syn = 1, .fin = 1, .rst = 1,
						  .retrans = 4, .packets = 11,
						  .deltas = 6 });
	expect_sums(&p, SRV_SIDE, &(struct side){ .syn = 1, .fin = 1, .rst = 1,
						  .packets = 3, .deltas = 4,
						  .tcp_only = 1 });
	flowcache_flush(p.fc);				/* every record */
	tap_ok(p.nrec[CLI_SIDE] == 1 && c->packets == 11 &&
	       c->bytes == 11 * HDRS + 6 * 100 && c->syn_count == 1 &&
	       c->fin_count == 1 && c->rst_count == 1 && c->retrans == 4 &&
	       c->tcp_hs == TCP_HS_COMPLETED,
	       "%s: the client record: 11 packets, %d bytes, SYN 1, FIN 1, "
	       "RST 1, retrans 4, completed (%llu, %llu, %u, %u, %u, %u, %u)",
	       name, 11 * HDRS + 6 * 100, (unsigned long long)c->packets,
	       (unsigned long long)c->bytes, c->syn_count, c->fin_count,
	       c->rst_count, c->retrans, c->tcp_hs);
	tap_ok(p.nrec[SRV_SIDE] == 1 && s->packets == 3 && s->syn_count == 1 &&
	       s->fin_count == 1 && s->rst_count == 1 && s->retrans == 0,
	       "%s: the server record: 3 packets, SYN 1, FIN 1, RST 1 (%llu, "
	       "%u, %u, %u)", name, (unsigned long long)s->packets,
	       s->syn_count, s->fin_count, s->rst_count);
	pipe_close(&p);
}

/*
 * The client's SYN read in place, then the server's RST: the kernel writes
 * "refused" into the client flow, which has no new packet; at a read in
 * place, or at the epoch's drain.
 */
static void refused(const char *name, bool batch, bool at_epoch)
{
	struct pipe p;
	const struct flow_delta *c = &p.rec[CLI_SIDE];
	struct flow_metrics k;

	pipe_open(&p, name, batch);
	seg(&p, 1, 0x02, 1000, 0);			/* SYN */
	fetch(&p);
	tap_ok(p.sum[CLI_SIDE].deltas == 1 && p.sum[CLI_SIDE].last_hs == TCP_HS_SYN,
	       "%s: the SYN handed on", name);
	seg(&p, 0, 0x14, 0, 0);				/* RST-ACK */
	k = kernel(&p, CLI_SIDE);
	tap_ok(k.packets == 1 && k.tcp_hs == TCP_HS_REFUSED,
	       "%s: the kernel's client flow: 1 packet, refused", name);
	if (at_epoch)
		fetcher_end_epoch(p.f);
	fetch(&p);
	fetch(&p);					/* idle */
	tap_ok(p.sum[CLI_SIDE].deltas == 2 && p.sum[CLI_SIDE].tcp_only == 1 &&
	       p.sum[CLI_SIDE].last_hs == TCP_HS_REFUSED,
	       "%s: the client flow's outcome handed on without a packet "
	       "(deltas %u, of which without packets %u, state %u)", name,
	       p.sum[CLI_SIDE].deltas, p.sum[CLI_SIDE].tcp_only,
	       p.sum[CLI_SIDE].last_hs);
	tap_is(fetcher_stats(p.f)->epochs, at_epoch, "%s: epochs", name);
	flowcache_flush(p.fc);				/* every record */
	tap_ok(p.nrec[CLI_SIDE] == 1 && c->packets == 1 && c->bytes == HDRS &&
	       c->syn_count == 1 && c->rst_count == 0 &&
	       c->tcp_hs == TCP_HS_REFUSED,
	       "%s: the client record: 1 packet, SYN 1, refused (%llu, %u, %u)",
	       name, (unsigned long long)c->packets, c->syn_count, c->tcp_hs);
	tap_ok(p.nrec[SRV_SIDE] == 1 && p.rec[SRV_SIDE].packets == 1 &&
	       p.rec[SRV_SIDE].rst_count == 1 &&
	       p.rec[SRV_SIDE].tcp_hs == TCP_HS_REFUSED,
	       "%s: the server record: 1 packet, RST 1, refused", name);
	pipe_close(&p);
}

/*
 * SYN and SYN-ACK read in place, then the client's ACK: the kernel writes
 * "completed" and the client delay into the server flow, which has no new
 * packet.
 */
static void completed(const char *name, bool batch)
{
	struct pipe p;
	const struct flow_delta *s = &p.rec[SRV_SIDE];
	struct flow_metrics k;

	pipe_open(&p, name, batch);
	seg(&p, 1, 0x02, 1000, 0);			/* SYN */
	seg(&p, 0, 0x12, 5000, 0);			/* SYN-ACK */
	fetch(&p);
	seg(&p, 1, 0x10, 1001, 0);			/* ACK */
	k = kernel(&p, SRV_SIDE);
	tap_ok(k.tcp_hs == TCP_HS_COMPLETED && (k.tcp_bits & TCP_B_CDELAY),
	       "%s: the kernel's server flow: completed, client delay %u us",
	       name, k.client_delay_us);
	fetch(&p);
	fetch(&p);					/* idle */
	tap_ok(p.sum[SRV_SIDE].deltas == 2 && p.sum[SRV_SIDE].tcp_only == 1 &&
	       p.sum[SRV_SIDE].last_hs == TCP_HS_COMPLETED,
	       "%s: the server flow's outcome handed on without a packet "
	       "(deltas %u, of which without packets %u, state %u)", name,
	       p.sum[SRV_SIDE].deltas, p.sum[SRV_SIDE].tcp_only,
	       p.sum[SRV_SIDE].last_hs);
	flowcache_flush(p.fc);				/* every record */
	tap_ok(p.nrec[SRV_SIDE] == 1 && s->packets == 1 && s->syn_count == 1 &&
	       s->tcp_hs == TCP_HS_COMPLETED &&
	       (s->tcp_bits & (TCP_B_SDELAY | TCP_B_CDELAY)) ==
	       (TCP_B_SDELAY | TCP_B_CDELAY) &&
	       s->server_delay_us == k.server_delay_us &&
	       s->client_delay_us == k.client_delay_us,
	       "%s: the server record: 1 packet, completed, the kernel's delays "
	       "(state %u, bits %#x, %u/%u us, %u/%u us)", name, s->tcp_hs,
	       s->tcp_bits, s->server_delay_us, k.server_delay_us,
	       s->client_delay_us, k.client_delay_us);
	pipe_close(&p);
}

/*
 * Data with retransmissions over reads in place, an epoch, and in the
 * new map a retransmitted segment as its first data segment (only a mark
 * there): the record counts the kernel's retransmissions and that one,
 * each once.
 */
static void seq(const char *name, bool batch)
{
	struct pipe p;
	const struct side *d = &p.sum[CLI_SIDE];
	const struct flow_delta *c = &p.rec[CLI_SIDE];

	pipe_open(&p, name, batch);
	seg(&p, 1, 0x10, 1000, 100);			/* new: the mark */
	seg(&p, 1, 0x10, 1100, 100);			/* new */
	fetch(&p);
	tap_ok(d->first_segs == 1 && d->retrans == 0,
	       "%s: read 1: the first segment handed on (%u), no retrans (%u)",
	       name, d->first_segs, d->retrans);
	seg(&p, 1, 0x10, 1000, 100);			/* retransmitted */
	fetch(&p);
	seg(&p, 1, 0x10, 1200, 100);			/* new */
	fetch(&p);
	tap_ok(d->first_segs == 1 && d->retrans == 1,
	       "%s: reads 2, 3: the first segment not again (%u), retrans 1 (%u)",
	       name, d->first_segs, d->retrans);
	fetcher_end_epoch(p.f);
	fetch(&p);					/* the epoch */
	seg(&p, 1, 0x10, 1100, 100);			/* retransmitted: the
							 * new map's mark */
	fetch(&p);
	tap_ok(d->first_segs == 2 && kernel(&p, CLI_SIDE).retrans == 0,
	       "%s: after the epoch: the first segment handed on (%u), the "
	       "kernel counted no retransmission", name, d->first_segs);
	seg(&p, 1, 0x10, 1300, 100);			/* new */
	fetch(&p);
	seg(&p, 1, 0x10, 1300, 100);			/* retransmitted */
	fetch(&p);
	tap_ok(d->first_segs == 2 && d->retrans == 2,
	       "%s: reads in the new map: the first segment not again (%u), "
	       "the kernel's retrans 2 (%u)", name, d->first_segs, d->retrans);
	tap_ok(fetcher_stats(p.f)->reads == 6 && fetcher_stats(p.f)->epochs == 1,
	       "%s: 6 reads in place and 1 epoch", name);
	flowcache_flush(p.fc);				/* every record */
	tap_ok(p.nrec[CLI_SIDE] == 1 && c->packets == 7 &&
	       c->bytes == 7 * (HDRS + 100) && c->retrans == 3 &&
	       c->seq_end == 1400,
	       "%s: the record: 7 packets, retrans 3 (2 by the kernel, 1 first "
	       "segment), mark 1400 (%llu, %u, %u)", name,
	       (unsigned long long)c->packets, c->retrans, c->seq_end);
	pipe_close(&p);
}

/* UDP packets of another flow, out (the server side, unchecked here),
 * until the ring is full */
static void fill_ring(struct pipe *p)
{
	struct frame fr;
	int i;

	for (i = 0; i < 40; i++) {
		frame_eth(&fr, 0);
		frame_ipv4(&fr, SRV, "192.0.2.9", IPPROTO_UDP);
		frame_udp(&fr, 5000, 53);
		frame_payload(&fr, 10);
		frame_finish(&fr);
		run(datapath_egress_fd(&p->d), &fr, NULL);
	}
}

/*
 * Counting through the ring, a segment the full ring leaves to the map is
 * read out of order with the ring's records: the map's marks are not
 * compared with the ring's, so neither order makes a retransmission of a
 * new segment.  A real one through the ring still counts, and so, once
 * the maps count again and the last map beside the ring is drained, does
 * one a map's first segment shows.
 */
static void ring_spill(const char *name, bool batch)
{
	struct pipe p;
	const struct flow_delta *c = &p.rec[CLI_SIDE];
	struct flow_stats st;

	pipe_open_ring(&p, name, batch, 4096);
	datapath_set_ring_first(&p.d, true);
	seg(&p, 1, 0x10, 1000, 100);			/* the ring */
	fill_ring(&p);
	seg(&p, 1, 0x10, 1100, 100);			/* the map: ring full */
	fetch(&p);					/* map, then ring */
	tap_is(p.sum[CLI_SIDE].packets, 2, "%s: both segments handed on", name);
	tap_is(p.sum[CLI_SIDE].retrans, 0, "%s: no retransmission in the "
	       "kernel", name);
	fetcher_end_epoch(p.f);
	fetch(&p);					/* a new, empty map */
	fill_ring(&p);
	seg(&p, 1, 0x10, 1200, 100);			/* the map: ring full,
							 * a new entry's mark */
	fetcher_poll_ring(p.f);				/* the ring's timer */
	seg(&p, 1, 0x10, 1300, 100);			/* the ring */
	fetcher_poll_ring(p.f);				/* before the map */
	fetch(&p);
	datapath_read_stats(&p.d, &st);
	tap_ok(st.c[STAT_RING_BUSY] >= 2 && st.c[STAT_RING_FULL] == 0,
	       "%s: the map took what the full ring left (ring_busy %llu), "
	       "nothing lost", name, (unsigned long long)st.c[STAT_RING_BUSY]);
	seg(&p, 1, 0x10, 1300, 100);			/* retransmitted: ring */
	fetch(&p);
	/* back to the maps: once the last map the ring counted beside is
	 * drained, a map's first segment is compared again */
	datapath_set_ring_first(&p.d, false);
	fetcher_end_epoch(p.f);
	fetch(&p);
	seg(&p, 1, 0x10, 1400, 100);			/* new */
	fetch(&p);
	fetcher_end_epoch(p.f);
	fetch(&p);
	seg(&p, 1, 0x10, 1400, 100);			/* retransmitted: the
							 * new map's first */
	fetch(&p);
	flowcache_flush(p.fc);
	tap_ok(p.nrec[CLI_SIDE] == 1 && c->packets == 7 && c->retrans == 2 &&
	       c->seq_end == 1500,
	       "%s: the record: 7 packets, retrans 2 (the real ones: through "
	       "the ring, and a map's first segment after it), mark 1500 "
	       "(%llu, %u, %u)", name, (unsigned long long)c->packets,
	       c->retrans, c->seq_end);
	pipe_close(&p);
}

void run_fetch_tcp(void)
{
	cpu_set_t one, all;
	int batch;

	sched_getaffinity(0, sizeof(all), &all);
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu(), &one);
	if (sched_setaffinity(0, sizeof(one), &one))
		tap_bail("pin to one CPU: %s", strerror(errno));
	for (batch = 1; batch >= 0; batch--) {
		const char *how = batch ? "batch" : "per key";
		char name[64];

		snprintf(name, sizeof(name), "tcp counts, %s", how);
		counts(name, batch);
		snprintf(name, sizeof(name), "tcp refused, %s", how);
		refused(name, batch, false);
		snprintf(name, sizeof(name), "tcp refused at the epoch, %s", how);
		refused(name, batch, true);
		snprintf(name, sizeof(name), "tcp completed, %s", how);
		completed(name, batch);
		snprintf(name, sizeof(name), "tcp first segment, %s", how);
		seq(name, batch);
		snprintf(name, sizeof(name), "tcp ring spill, %s", how);
		ring_spill(name, batch);
	}
	sched_setaffinity(0, sizeof(all), &all);
}
