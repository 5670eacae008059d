// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_fetcher.c - the fetcher against the real programs: packets counted
 * by BPF_PROG_TEST_RUN come out of a fetch exactly once, through the batch
 * drain, the per-key drain, and the overflow ring alike; and with kernel
 * entries that persist between epochs: read in place, never re-inserted,
 * the deltas exact across fetches, a swap mid-stream and a writer on
 * another CPU; TCP health across reads in place (fetch_tcp.c).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "dptest.h"
#include "fetch_tcp.h"
#include "fetcher.h"
#include "frames.h"
#include "tap.h"

#define FLOWS	3000

static uint64_t got_packets[FLOWS], got_flows, got_bytes;
/* times: a delta's first_seen lies in [not_before, its last_seen], its
 * last_seen before now; one packet is at its last_seen.  A persistent
 * entry's new packets came after the previous fetch began (not_before):
 * first_seen is exact for a new entry or a single packet, else that bound */
static uint64_t not_before, fetch_start, bad_times;

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_flow(void *ctx, const struct flow_key *k,
		    const struct flow_delta *m)
{
	uint16_t port = (uint16_t)((k->sport >> 8) | (k->sport << 8));

	(void)ctx;
	if (port >= 10000 && port < 10000 + FLOWS)
		got_packets[port - 10000] += m->packets;
	got_flows++;
	got_bytes += m->bytes;
	if (m->first_seen > m->last_seen || m->first_seen < not_before ||
	    m->last_seen > now_ns() || (m->packets == 1 &&
					m->first_seen != m->last_seen))
		bad_times++;
}

/* per_flow packets of each of n flows (source ports 10000...) */
static void send_n(struct datapath *d, int n, int per_flow)
{
	struct frame f;
	int i;

	for (i = 0; i < n; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, t, .repeat = (__u32)per_flow);

		frame_eth(&f, 0);
		frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
		frame_udp(&f, (uint16_t)(10000 + i), 53);
		frame_payload(&f, 12);
		frame_finish(&f);
		t.data_in = f.buf;
		t.data_size_in = (__u32)f.len;
		if (bpf_prog_test_run_opts(datapath_ingress_fd(d), &t))
			tap_bail("test run: %s", strerror(errno));
	}
}

static void send_flows(struct datapath *d, int per_flow)
{
	send_n(d, FLOWS, per_flow);
}

static int check(const char *name, int per_flow)
{
	int i, bad = 0;

	for (i = 0; i < FLOWS; i++)
		bad += got_packets[i] != (uint64_t)per_flow;
	tap_is(bad, 0, "%s: every flow has exactly its %d packets", name, per_flow);
	tap_is(got_bytes, (uint64_t)FLOWS * per_flow * (20 + 8 + 12),
	       "%s: bytes", name);
	memset(got_packets, 0, sizeof(got_packets));
	got_bytes = 0;
	return bad;
}

static void run_drain(const char *name, uint32_t map_entries, bool batch,
		      uint64_t epoch_ns)
{
	/* a ring that holds a whole round's overflow: ring-full loss is
	 * test_datapath's subject, delivery is this test's */
	struct datapath_opts o = { .map_entries = map_entries,
				   .ring_bytes = 4 << 20 };
	struct flow_stats delta, total = { 0 };
	struct datapath d;
	struct fetcher *f;
	int err;

	err = dp_load(&d, &o);
	if (err)
		tap_bail("load: %s", strerror(-err));
	f = fetcher_new(&d, map_entries, on_flow, NULL);
	if (!f)
		tap_bail("fetcher_new: %s", strerror(errno));
	fetcher_use_batch(f, batch);
	fetcher_set_epoch(f, epoch_ns);

	got_flows = 0;
	send_flows(&d, 3);
	tap_ok(fetcher_run(f) == 0, "%s: fetch", name);
	check(name, 3);
	tap_is(fetcher_stats(f)->flows + fetcher_stats(f)->ring_records,
	       got_flows, "%s: map entries + ring records = deliveries", name);

	/* the same again: nothing from the first round comes back */
	send_flows(&d, 2);
	tap_ok(fetcher_run(f) == 0, "%s: second fetch", name);
	check(name, 2);
	tap_ok(fetcher_run(f) == 0 && got_bytes == 0, "%s: an idle fetch "
	       "delivers nothing", name);

	fetcher_stats_delta(f, &delta, &total);
	tap_is(delta.c[STAT_PACKETS], (uint64_t)FLOWS * 5, "%s: stats delta: packets", name);
	tap_is(delta.c[STAT_COUNTED] + delta.c[STAT_RING_RECORDS],
	       (uint64_t)FLOWS * 5, "%s: stats delta: counted + ring", name);
	tap_is(delta.c[STAT_RING_FULL], 0, "%s: nothing lost", name);
	fetcher_stats_delta(f, &delta, &total);
	tap_is(delta.c[STAT_PACKETS], 0, "%s: stats delta again: 0", name);
	/* the idle fetch found the packet counter still: no drain at all;
	 * the next packets are drained again, every one */
	tap_is(fetcher_stats(f)->skipped, 1, "%s: the idle fetch skipped the "
	       "drain", name);
	send_flows(&d, 4);
	tap_ok(fetcher_run(f) == 0, "%s: a fetch after the idle one", name);
	check(name, 4);
	tap_is(fetcher_stats(f)->skipped, 1, "%s: ... drained", name);
	/* persistent: a failed insert (map full) ends the epoch at once */
	if (epoch_ns)
		tap_is(fetcher_stats(f)->epochs, 3, "%s: an epoch at each fetch "
		       "after the map was full", name);
	fetcher_free(f);
	dp_unload(&d);
}

/* Load the programs and a fetcher whose epoch outlasts the test. */
static struct fetcher *open_persistent(struct datapath *d,
				       const struct datapath_opts *o)
{
	struct fetcher *f;
	int err = dp_load(d, o);

	if (err)
		tap_bail("load: %s", strerror(-err));
	f = fetcher_new(d, o->map_entries, on_flow, NULL);
	if (!f)
		tap_bail("fetcher_new: %s", strerror(errno));
	fetcher_set_epoch(f, 3600ull * 1000000000ull);
	fetcher_set_read_spacing(f, 0, 0);	/* every fetch reads (run_spacing) */
	return f;
}

/* A fetch; deltas of the next one must not start before this one. */
static int timed_fetch(struct fetcher *f)
{
	not_before = fetch_start;
	fetch_start = now_ns();
	return fetcher_run(f);
}

/* One persistent round: per_flow packets each, a fetch, exact deltas, and
 * the entries still in the active map with their cumulative counts. */
static void persist_round(const char *name, struct datapath *d,
			  struct fetcher *f, int per_flow, uint64_t cumulative)
{
	struct flow_key k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2",
				   10000 + FLOWS - 1, 53, FLOW_DIR_INGRESS);
	struct flow_metrics m;

	send_flows(d, per_flow);
	tap_ok(timed_fetch(f) == 0, "%s: fetch", name);
	check(name, per_flow);
	tap_is(map_entries(d->flows_fd[d->active]), FLOWS,
	       "%s: the active map keeps every entry", name);
	/* a re-inserted entry would hold this round's packets only */
	tap_ok(datapath_lookup(d, d->flows_fd[d->active], &k, &m) == 0 &&
	       m.packets == cumulative, "%s: the entry counts all %llu packets "
	       "since its insert", name, (unsigned long long)cumulative);
}

/* A swap mid-stream: packets read in place, more after that read, then
 * the epoch ends: its drain hands on exactly the rest. */
static void persist_swap(const char *name, struct datapath *d, struct fetcher *f)
{
	char what[96];

	send_flows(d, 2);
	tap_ok(timed_fetch(f) == 0, "%s: read before the swap", name);
	check(name, 2);
	send_flows(d, 5);
	fetcher_end_epoch(f);
	tap_ok(timed_fetch(f) == 0, "%s: the epoch's fetch", name);
	snprintf(what, sizeof(what), "%s, swap", name);
	check(what, 5);
	tap_is(fetcher_stats(f)->epochs, 1, "%s: one swap", name);
	tap_is(map_entries(d->flows_fd[!d->active]), 0,
	       "%s: the old map drained", name);
	tap_is(map_entries(d->flows_fd[d->active]), 0,
	       "%s: the new map starts empty", name);
	send_flows(d, 1);
	tap_ok(timed_fetch(f) == 0, "%s: a read of the new map", name);
	snprintf(what, sizeof(what), "%s, after the swap", name);
	check(what, 1);
}

static void run_persist(const char *name, bool batch)
{
	struct datapath_opts o = { .map_entries = 8192, .ring_bytes = 1 << 20,
				   .precise_clock = true };
	struct flow_stats delta, total = { 0 };
	struct datapath d;
	struct fetcher *f;
	char what[96];
	int i, active;

	f = open_persistent(&d, &o);
	fetcher_use_batch(f, batch);
	fetcher_stats_delta(f, &delta, &total);
	active = d.active;
	bad_times = 0;
	fetch_start = now_ns();
	for (i = 1; i <= 4; i++) {
		snprintf(what, sizeof(what), "%s, fetch %d", name, i);
		persist_round(what, &d, f, i, (uint64_t)i * (i + 1) / 2);
	}
	tap_is(fetcher_stats(f)->epochs, 0, "%s: no swap in the epoch", name);
	tap_is(fetcher_stats(f)->reads, 4, "%s: four reads in place", name);
	tap_is((uint64_t)d.active, (uint64_t)active, "%s: the same map active", name);
	fetcher_stats_delta(f, &delta, &total);
	tap_is(delta.c[STAT_COUNTED], (uint64_t)FLOWS * 10,
	       "%s: every packet counted into an existing entry", name);
	tap_is(delta.c[STAT_MAP_FULL], 0, "%s: nothing overflowed", name);
	tap_ok(timed_fetch(f) == 0 && got_bytes == 0,
	       "%s: an idle fetch hands on nothing", name);
	tap_is(fetcher_stats(f)->skipped, 1, "%s: ... and skipped the read", name);

	persist_swap(name, &d, f);
	tap_is(bad_times, 0, "%s: every delta's times are in its interval, a "
	       "single packet's first = last", name);
	fetcher_free(f);
	dp_unload(&d);
}

/* A map seven eighths full at a read: the next fetch is an epoch. */
static void run_fill(void)
{
	struct datapath_opts o = { .map_entries = 64 };
	struct datapath d;
	struct fetcher *f = open_persistent(&d, &o);

	got_bytes = 0;
	memset(got_packets, 0, sizeof(got_packets));
	send_n(&d, 55, 1);
	tap_ok(fetcher_run(f) == 0 && got_packets[54] == 1, "fill: 55 of 64");
	tap_is(fetcher_stats(f)->epochs, 0, "fill: 55 of 64 keeps the epoch");
	send_n(&d, 56, 1);
	tap_ok(fetcher_run(f) == 0 && got_packets[55] == 1 &&
	       got_packets[0] == 2, "fill: 56 of 64, read in place");
	tap_is(fetcher_stats(f)->epochs, 0, "fill: ... no swap yet");
	tap_ok(fetcher_run(f) == 0, "fill: the next fetch");
	tap_is(fetcher_stats(f)->epochs, 1, "fill: seven eighths full at the "
	       "last read: an epoch");
	tap_is(map_entries(d.flows_fd[!d.active]), 0, "fill: the full map drained");
	tap_is(got_bytes, (55 + 56) * (20 + 8 + 12), "fill: every byte once");
	memset(got_packets, 0, sizeof(got_packets));
	got_bytes = 0;
	fetcher_free(f);
	dp_unload(&d);
}

/*
 * Read spacing: a read in place waits factor times the last read's length
 * from that read's start.  The fetches in between hand on nothing and
 * hold the horizon (the flow cache times flows out against it); the
 * epoch's drain then hands on all they left, exactly.
 */
static void run_spacing(void)
{
	struct datapath_opts o = { .map_entries = 8192 };
	struct datapath d;
	struct fetcher *f = open_persistent(&d, &o);
	uint64_t h, t;

	/* any read takes 1 ns or more: the next one waits 1 s or more */
	fetcher_set_read_spacing(f, 1000000000u, 0);
	memset(got_packets, 0, sizeof(got_packets));
	got_bytes = 0;
	send_flows(&d, 1);
	t = now_ns();
	tap_ok(fetcher_run(f) == 0, "spacing: the first read");
	check("spacing: the first read", 1);
	h = fetcher_horizon(f);
	tap_ok(h >= t && h <= now_ns(), "spacing: the horizon is that read's start");
	send_flows(&d, 2);
	tap_ok(fetcher_run(f) == 0 && got_bytes == 0,
	       "spacing: a fetch inside the wait hands on nothing");
	tap_is(fetcher_stats(f)->reads, 1, "spacing: ... reads nothing");
	tap_is(fetcher_stats(f)->deferred, 1, "spacing: ... counts a deferred read");
	tap_is(fetcher_horizon(f), h, "spacing: ... and holds the horizon");
	/* a caller that needs the counts now (an interface forgotten) */
	fetcher_read_now(f);
	t = now_ns();
	tap_ok(fetcher_run(f) == 0, "spacing: fetcher_read_now: the next fetch reads");
	check("spacing: fetcher_read_now", 2);
	tap_ok(fetcher_stats(f)->reads == 2 && fetcher_horizon(f) >= t,
	       "spacing: ... a read, and the horizon moves to its start");
	h = fetcher_horizon(f);
	send_flows(&d, 1);
	tap_ok(fetcher_run(f) == 0 && got_bytes == 0 &&
	       fetcher_stats(f)->deferred == 2,
	       "spacing: ... for that fetch only: the next waits again");
	/* the wait's bound: a wait of 1 ns at most is over */
	fetcher_set_read_spacing(f, 1000000000u, 1);
	send_flows(&d, 1);
	tap_ok(fetcher_run(f) == 0 && fetcher_stats(f)->reads == 3,
	       "spacing: a wait bounded by max_wait_ns reads once that is over");
	check("spacing: the bounded wait's read", 2);
	tap_ok(fetcher_horizon(f) > h, "spacing: ... and moves the horizon");
	send_flows(&d, 2);
	fetcher_end_epoch(f);
	t = now_ns();
	tap_ok(fetcher_run(f) == 0, "spacing: the epoch");
	check("spacing: the epoch's drain", 2);
	tap_ok(fetcher_horizon(f) >= t, "spacing: the epoch moves the horizon");
	/* 0: every fetch between epochs reads */
	fetcher_set_read_spacing(f, 0, 0);
	send_flows(&d, 1);
	tap_ok(fetcher_run(f) == 0, "spacing 0: a read");
	check("spacing 0: a read", 1);
	send_flows(&d, 3);
	tap_ok(fetcher_run(f) == 0, "spacing 0: the next fetch reads too");
	check("spacing 0: the next fetch", 3);
	tap_is(fetcher_stats(f)->reads, 5, "spacing 0: five reads in all");
	tap_is(fetcher_stats(f)->deferred, 2, "spacing 0: no more deferred");
	fetcher_free(f);
	dp_unload(&d);
}

/* ---- a writer on another CPU while the map is read in place ---------- */

#define RACE_ROUNDS	256
#define RACE_REPEAT	2000

static volatile int race_done;

static void *race_writer(void *arg)
{
	struct datapath *d = arg;
	struct frame fr;
	cpu_set_t set;
	int i;

	CPU_ZERO(&set);
	CPU_SET(1, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	frame_eth(&fr, 0);
	frame_ipv4(&fr, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&fr, 10000, 53);
	frame_payload(&fr, 12);
	frame_finish(&fr);
	for (i = 0; i < RACE_ROUNDS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, t, .repeat = RACE_REPEAT,
			    .data_in = fr.buf, .data_size_in = (__u32)fr.len);

		if (bpf_prog_test_run_opts(datapath_ingress_fd(d), &t))
			break;
	}
	race_done = 1;
	return NULL;
}

static void run_race(void)
{
	struct datapath_opts o = { .map_entries = 64 };
	struct datapath d;
	struct fetcher *f;
	pthread_t th;
	cpu_set_t set, all;
	int reads = 0;

	f = open_persistent(&d, &o);
	sched_getaffinity(0, sizeof(all), &all);
	CPU_ZERO(&set);
	CPU_SET(0, &set);
	sched_setaffinity(0, sizeof(set), &set);
	memset(got_packets, 0, sizeof(got_packets));
	got_bytes = 0;
	race_done = 0;
	if (pthread_create(&th, NULL, race_writer, &d))
		tap_bail("pthread_create");
	while (!race_done) {
		if (fetcher_run(f))
			break;
		reads++;
	}
	pthread_join(th, NULL);
	fetcher_end_epoch(f);
	tap_ok(fetcher_run(f) == 0, "race: the final fetch");
	tap_diag("race: %d fetches while a writer ran", reads);
	tap_is(got_packets[0], (uint64_t)RACE_ROUNDS * RACE_REPEAT,
	       "race: every packet handed on exactly once");
	tap_is(got_bytes, (uint64_t)RACE_ROUNDS * RACE_REPEAT * (20 + 8 + 12),
	       "race: every byte handed on exactly once");
	tap_is(fetcher_stats(f)->epochs, 1, "race: one swap, at the end");
	sched_setaffinity(0, sizeof(all), &all);
	fetcher_free(f);
	dp_unload(&d);
}

/* A poll of the ring stops at its bound, having handed on exactly the
 * records it took; the next polls take the rest. */
static void run_ring_bound(void)
{
	struct datapath_opts o = { .map_entries = 64, .ring_bytes = 64 << 10 };
	struct datapath d;
	struct fetcher *f = open_persistent(&d, &o);
	int polls = 0, rc;

	memset(got_packets, 0, sizeof(got_packets));
	got_bytes = 0;
	datapath_set_ring_first(&d, true);
	fetcher_set_ring_bound(f, 30);
	send_n(&d, 1, 100);
	rc = fetcher_poll_ring(f);
	tap_ok(rc == 1 && fetcher_ring_more(f), "ring bound: the first poll stops "
	       "at 30 records, more waiting (%d)", rc);
	tap_is(got_packets[0], 30, "ring bound: ... having handed on those 30");
	do
		rc = fetcher_poll_ring(f);
	while (++polls < 10 && rc == 1);
	tap_ok(rc == 0 && !fetcher_ring_more(f) && polls == 3,
	       "ring bound: three more polls take the rest (%d, rc %d)",
	       polls, rc);
	tap_is(got_packets[0], 100, "ring bound: every packet once");
	tap_is(got_bytes, 100 * (20 + 8 + 12), "ring bound: bytes");
	tap_is(fetcher_stats(f)->ring_records, 100, "ring bound: 100 records");
	fetcher_free(f);
	dp_unload(&d);
}

/* more flows than a batch (BATCH_DEFAULT, 4096, in src/fetcher.c) */
#define BETWEEN_FLOWS	6000

/* the order of the deltas: map ones before the ring's record, and when */
static int seen_map, ring_after;

static void on_order(void *ctx, const struct flow_key *k,
		     const struct flow_delta *m)
{
	uint16_t port = (uint16_t)((k->sport >> 8) | (k->sport << 8));

	(void)ctx;
	(void)m;
	if (port == 20000)
		ring_after = seen_map;
	else
		seen_map++;
}

/*
 * Counting through the ring, a long read of a map does not hold the ring
 * back: it is read between the map's batches (else, at a million flows,
 * it fills during the read and leaves the packets to the maps).
 */
static void run_ring_between(void)
{
	struct datapath_opts o = { .map_entries = 8192 };
	struct datapath d;
	struct fetcher *f;
	struct frame fr;
	int err = dp_load(&d, &o);

	if (err)
		tap_bail("load: %s", strerror(-err));
	f = fetcher_new(&d, o.map_entries, on_order, NULL);
	if (!f)
		tap_bail("fetcher_new: %s", strerror(errno));
	fetcher_set_epoch(f, 3600ull * 1000000000ull);
	fetcher_set_read_spacing(f, 0, 0);
	send_n(&d, BETWEEN_FLOWS, 1);		/* in the map: two batches */
	datapath_set_ring_first(&d, true);
	frame_eth(&fr, 0);
	frame_ipv4(&fr, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&fr, 20000, 53);
	frame_payload(&fr, 12);
	frame_finish(&fr);
	run(datapath_ingress_fd(&d), &fr, NULL);	/* in the ring */
	seen_map = 0;
	ring_after = -1;
	tap_is(fetcher_run(f), 0, "ring between batches: a fetch");
	tap_is(seen_map, BETWEEN_FLOWS, "ring between batches: the map's %d "
	       "flows", BETWEEN_FLOWS);
	tap_ok(ring_after > 0 && ring_after < BETWEEN_FLOWS,
	       "ring between batches: the ring's record came during the "
	       "map's read, after %d of its %d flows", ring_after,
	       BETWEEN_FLOWS);
	fetcher_free(f);
	dp_unload(&d);
}

int main(void)
{
	if (geteuid() != 0)
		tap_need_privilege("not root");
	libbpf_set_print(NULL);
	run_drain("batch drain", 8192, true, 0);
	run_drain("per-key drain", 8192, false, 0);
	/* 3000 flows into a 512-entry map: most go through the ring */
	run_drain("overflow ring", 512, true, 0);
	run_drain("overflow ring, persistent", 512, true, 3600ull * 1000000000ull);
	run_fill();
	run_spacing();
	run_persist("persistent, batch", true);
	run_persist("persistent, per key", false);
	if (libbpf_num_possible_cpus() >= 2)
		run_race();
	else
		tap_ok(false, "race: needs 2 CPUs");
	run_fetch_tcp();
	run_ring_bound();
	run_ring_between();
	dp_unload_all();
	return tap_done();
}
