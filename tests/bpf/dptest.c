// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dptest.c - the helpers of the BPF_PROG_TEST_RUN tests (dptest.h).
 */
#include <stdarg.h>
#include <time.h>
#include <unistd.h>
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
#include "exporter.h"
#include "flow.skel.h"
#include "sock.skel.h"

struct datapath dp;
struct datapath sdp;

/* Run prog on frame; returns the program's verdict, or bails out. */
__u32 run(int prog_fd, const struct frame *f, const struct run_opts *o)
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

int tcp_conns_fd(const struct datapath *d)
{
	return bpf_map__fd(d->tc ? d->tc->maps.tcp_conns :
			   d->sock->maps.tcp_conns);
}

void reset(struct datapath *d)
{
	struct flow_stats *zero = calloc(d->ncpus, sizeof(*zero));
	__u32 k = 0;

	if (!zero || bpf_map_update_elem(d->stats_fd, &k, zero, BPF_ANY))
		tap_bail("reset stats: %s", strerror(errno));
	free(zero);
	clear_map(d->flows_fd[0]);
	clear_map(d->flows_fd[1]);
	clear_map(tcp_conns_fd(d));
	datapath_set_sampling(d, 1);
	if (d->active != 0 && datapath_swap(d) < 0)
		tap_bail("swap back to flows_a");
}

/*
 * A load costs the verifier's time: a tenth of a second here, ten seconds
 * on Debian's 6.1 under qemu.  So the cases that load the same options
 * share one load, handed to each with reset() and an empty ring, as a
 * fresh load would be (dp_load and dp_unload instead of datapath_open and
 * datapath_close; dp_unload_all at the end).
 */
#define DP_SHARED_MAX	16
static struct {
	struct datapath_opts	o;
	struct datapath		d;
	bool			lent;
} shared[DP_SHARED_MAX];
static int n_shared;

/* every field of struct datapath_opts: a new one must be compared here */
_Static_assert(sizeof(struct datapath_opts) == 20, "compare the new option");

static bool same_opts(const struct datapath_opts *a, const struct datapath_opts *b)
{
	return a->map_entries == b->map_entries && a->ring_bytes == b->ring_bytes &&
	       a->sample_rate == b->sample_rate && a->socket == b->socket &&
	       a->precise_clock == b->precise_clock &&
	       a->directions == b->directions && a->nat == b->nat &&
	       a->seq_peers_off == b->seq_peers_off &&
	       a->seq_peers_max == b->seq_peers_max;
}

static int discard(void *ctx, void *data, size_t len)
{
	(void)ctx, (void)data, (void)len;
	return 0;
}

/* What an earlier case left: records in the ring, counting through it. */
static void reset_shared(struct datapath *d)
{
	struct ring_buffer *rb = ring_buffer__new(d->ring_fd, discard, NULL, NULL);

	if (!rb || ring_buffer__consume(rb) < 0)
		tap_bail("empty the ring: %s", strerror(errno));
	ring_buffer__free(rb);
	reset(d);
	*d->ring_first = *d->ring_wake = 0;	/* as loaded */
}

int dp_load(struct datapath *d, const struct datapath_opts *o)
{
	int i, err;

	for (i = 0; i < n_shared; i++) {
		if (shared[i].lent || !same_opts(&shared[i].o, o))
			continue;
		reset_shared(&shared[i].d);
		shared[i].lent = true;
		*d = shared[i].d;
		return 0;
	}
	err = datapath_open(d, o);
	if (err || n_shared == DP_SHARED_MAX)
		return err;
	shared[n_shared].o = *o;
	shared[n_shared].d = *d;
	shared[n_shared++].lent = true;
	return 0;
}

void dp_unload(struct datapath *d)
{
	int i;

	for (i = 0; i < n_shared; i++) {
		if (shared[i].lent && shared[i].d.tc == d->tc &&
		    shared[i].d.sock == d->sock) {
			shared[i].d = *d;	/* which map is active */
			shared[i].lent = false;
			return;
		}
	}
	datapath_close(d);
}

void dp_unload_all(void)
{
	while (n_shared > 0)
		datapath_close(&shared[--n_shared].d);
}

unsigned int map_entries(int fd)
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

struct flow_key key_of(int family, __u8 proto, const char *src,
			      const char *dst, __u16 sport, __u16 dport,
			      __u8 dir)
{
	struct flow_key k = { 0 };

	k.ifindex = LO_IFINDEX;
	k.direction = dir;
	k.proto = proto;
	if (family == AF_INET) {
		k.eth_type = htons(ETH_P_IP);
		inet_pton(AF_INET, src, k.src + 12);
		inet_pton(AF_INET, dst, k.dst + 12);
		export_addr_map4(k.src, k.src + 12);
		export_addr_map4(k.dst, k.dst + 12);
	} else {
		k.eth_type = htons(ETH_P_IPV6);
		inet_pton(AF_INET6, src, k.src);
		inet_pton(AF_INET6, dst, k.dst);
	}
	k.sport = htons(sport);
	k.dport = htons(dport);
	return k;
}


void expect_flow(const char *name, struct datapath *d,
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

const char *const stat_names[STAT_MAX] = {
	"packets", "sampled_out", "non_ip", "trunc_l2", "trunc_l3",
	"trunc_l4", "bad_ihl", "bad_l3", "bad_l4", "bad_ipv6_chain",
	"counted", "map_full", "ring_records", "ring_full", "no_map",
	"fragments", "segments", "ring_busy", "tcp_outcomes_lost",
	"inserts",
};

/*
 * Check every counter: those named in want[] (index, value pairs ending
 * with -1) must have that value, all others must be 0.
 */
void expect_stats(const char *name, struct datapath *d, ...)
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



/* Run f once through TC ingress; expect one flow and a "counted" packet. */
void case_one(const char *name, struct frame *f,
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
		     S(STAT_INSERTS, 1), END);
}

/* Run f once; expect no flow and exactly one error counter. */
void case_error(const char *name, struct frame *f, int stat,
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

void dptest_open(void)
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
	/* test_run hands a socket filter the frame with the Ethernet
	 * header pulled (parse.h) */
	sdp.sock->bss->sock_data_off = ETH_HLEN;
}

void dptest_close(void)
{
	datapath_close(&sdp);
	datapath_close(&dp);
}
