// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_fetcher.c - the fetcher against the real programs: packets counted
 * by BPF_PROG_TEST_RUN come out of a fetch exactly once, through the batch
 * drain, the per-key drain, and the overflow ring alike.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "fetcher.h"
#include "frames.h"
#include "tap.h"

#define FLOWS	3000

static uint64_t got_packets[FLOWS], got_flows, got_bytes;

static void on_flow(void *ctx, const struct flow_key *k,
		    const struct flow_delta *m)
{
	uint16_t port = (uint16_t)((k->sport >> 8) | (k->sport << 8));

	(void)ctx;
	if (port >= 10000 && port < 10000 + FLOWS)
		got_packets[port - 10000] += m->packets;
	got_flows++;
	got_bytes += m->bytes;
}

static void send_flows(struct datapath *dp, int per_flow)
{
	struct frame f;
	int i;

	for (i = 0; i < FLOWS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, t, .repeat = (__u32)per_flow);

		frame_eth(&f, 0);
		frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
		frame_udp(&f, (uint16_t)(10000 + i), 53);
		frame_payload(&f, 12);
		frame_finish(&f);
		t.data_in = f.buf;
		t.data_size_in = (__u32)f.len;
		if (bpf_prog_test_run_opts(datapath_ingress_fd(dp), &t))
			tap_bail("test run: %s", strerror(errno));
	}
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

static void run(const char *name, uint32_t map_entries, bool batch)
{
	/* a ring that holds a whole round's overflow: ring-full loss is
	 * test_datapath's subject, delivery is this test's */
	struct datapath_opts o = { .map_entries = map_entries,
				   .ring_bytes = 4 << 20 };
	struct flow_stats delta, total = { 0 };
	struct datapath dp;
	struct fetcher *f;
	int err;

	err = datapath_open(&dp, &o);
	if (err)
		tap_bail("load: %s", strerror(-err));
	f = fetcher_new(&dp, map_entries, on_flow, NULL);
	if (!f)
		tap_bail("fetcher_new: %s", strerror(errno));
	fetcher_use_batch(f, batch);

	got_flows = 0;
	send_flows(&dp, 3);
	tap_ok(fetcher_run(f) == 0, "%s: fetch", name);
	check(name, 3);
	tap_is(fetcher_stats(f)->flows + fetcher_stats(f)->ring_records,
	       got_flows, "%s: map entries + ring records = deliveries", name);

	/* the same again: nothing from the first round comes back */
	send_flows(&dp, 2);
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
	send_flows(&dp, 4);
	tap_ok(fetcher_run(f) == 0, "%s: a fetch after the idle one", name);
	check(name, 4);
	tap_is(fetcher_stats(f)->skipped, 1, "%s: ... drained", name);
	fetcher_free(f);
	datapath_close(&dp);
}

int main(void)
{
	if (geteuid() != 0)
		tap_need_privilege("not root");
	libbpf_set_print(NULL);
	run("batch drain", 8192, true);
	run("per-key drain", 8192, false);
	/* 3000 flows into a 512-entry map: most go through the ring */
	run("overflow ring", 512, true);
	return tap_done();
}
