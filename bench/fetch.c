// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/fetch - how long a fetch takes: swap, drain N kernel flows and
 * merge them into the flow cache, with BPF_MAP_LOOKUP_AND_DELETE_BATCH and
 * with the per-key fallback; and a fetch between epochs, which reads the
 * active map in place (BPF_MAP_LOOKUP_BATCH) and hands on every entry; in
 * the same run (interleaved rounds, medians).  Also the daemon's resident
 * memory per cached flow.
 *
 *	bench/fetch [-r rounds] [-s flows,flows,...] [-m map-entries]
 *
 * -s: the flow counts (default 10000,100000,1000000; e.g. -s 1000000,4000000
 * for 1M and 4M kernel flows); -m: entries per kernel map (default the
 * largest count).  4M flows on 2 CPUs take about 2 GiB of kernel maps.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "median.h"
#include "exporter.h"
#include "fetcher.h"
#include "flowcache.h"

#define MAX_ROUNDS	15
#define MAX_SIZES	8

enum mode { DRAIN_BATCH, DRAIN_KEYS, IN_PLACE };

static uint64_t delivered;
static struct flowcache *cur_fc;	/* the cache this round feeds */

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void on_emit(void *ctx, const struct flow_key *k,
		    const struct flow_delta *m, int reason)
{
	(void)ctx; (void)k; (void)m; (void)reason;
}

static void on_flow(void *ctx, const struct flow_key *k,
		    const struct flow_delta *m)
{
	(void)ctx;
	flowcache_update(cur_fc, k, m);
	delivered++;
}

/* Put n flows (one packet each, on every CPU) into the active map. */
static void fill(struct datapath *dp, uint32_t n)
{
	const uint32_t chunk = 8192;
	struct flow_key *keys = calloc(chunk, sizeof(*keys));
	struct flow_metrics *vals = calloc((size_t)chunk * dp->ncpus, sizeof(*vals));
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	uint32_t i, done = 0;
	int c;

	if (!keys || !vals)
		exit(1);
	while (done < n) {
		__u32 count = n - done < chunk ? n - done : chunk;

		for (i = 0; i < count; i++) {
			struct flow_key *k = &keys[i];
			uint32_t id = done + i;

			memset(k, 0, sizeof(*k));
			k->ifindex = 2;
			k->proto = 17;
			k->eth_type = htobe16(0x0800);
			export_addr_map4(k->src, &id);
			export_addr_map4(k->dst, k->dst + 12);
			k->dport = htobe16(53);
			for (c = 0; c < dp->ncpus; c++) {
				struct flow_metrics *m = &vals[(size_t)i * dp->ncpus + c];

				memset(m, 0, sizeof(*m));
				m->packets = 1;
				m->bytes = 100;
				m->first_seen = m->last_seen = 1000;
				m->min_ttl = m->max_ttl = 64;
			}
		}
		if (bpf_map_update_batch(dp->flows_fd[dp->active], keys, vals,
					 &count, &opts)) {
			fprintf(stderr, "fetch: fill: %s\n", strerror(errno));
			exit(1);
		}
		done += count;
	}
	free(keys);
	free(vals);
}

/* After an in-place read: end the epoch (the drain hands on nothing new)
 * and go back to a swap at every fetch. */
static void end_in_place(struct fetcher *f)
{
	uint64_t was = delivered;

	fetcher_end_epoch(f);
	if (fetcher_run(f) || delivered != was) {
		fprintf(stderr, "fetch: the epoch after the read in place\n");
		exit(1);
	}
	fetcher_set_epoch(f, 0);
}

/* One fetch of n flows into a fresh cache; returns its duration in ns. */
static double one(struct datapath *dp, struct fetcher *f, struct flowcache **fc,
		  uint32_t n, enum mode mode)
{
	static const struct flowcache_timeouts t = { ~0ull / 4, ~0ull / 4, ~0ull / 4 };
	uint64_t t0, reads = fetcher_stats(f)->reads;

	fill(dp, n);
	flowcache_free(*fc);
	*fc = flowcache_new(n, &t, on_emit, NULL);
	cur_fc = *fc;
	fetcher_use_batch(f, mode != DRAIN_KEYS);
	fetcher_skip_idle(f, false);	/* the maps are filled from here */
	if (mode == IN_PLACE)
		fetcher_set_epoch(f, 3600ull * 1000000000ull);
	delivered = 0;
	t0 = now_ns();
	if (fetcher_run(f)) {
		fprintf(stderr, "fetch: fetcher_run failed\n");
		exit(1);
	}
	t0 = now_ns() - t0;
	if (delivered != n || fetcher_stats(f)->reads - reads != (mode == IN_PLACE)) {
		fprintf(stderr, "fetch: handed on %llu of %u flows\n",
			(unsigned long long)delivered, n);
		exit(1);
	}
	if (mode == IN_PLACE)
		end_in_place(f);
	return (double)t0;
}

static long rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
			rss = 0;
		fclose(f);
	}
	return rss * (sysconf(_SC_PAGESIZE) / 1024);
}

/* Resident bytes per flow of a cache holding n flows. */
static double cache_rss_per_flow(uint32_t n)
{
	static const struct flowcache_timeouts t = { ~0ull / 4, ~0ull / 4, ~0ull / 4 };
	struct flow_delta m = { .packets = 1, .bytes = 1, .first_seen = 1,
				.last_seen = 1 };
	long before = rss_kb();
	struct flowcache *fc = flowcache_new(n, &t, on_emit, NULL);
	struct flow_key k = { .ifindex = 1 };
	uint32_t i;
	double per;

	for (i = 0; i < n; i++) {
		memcpy(k.src, &i, 4);
		flowcache_update(fc, &k, &m);
	}
	per = (double)(rss_kb() - before) * 1024 / n;
	flowcache_free(fc);
	return per;
}

/* "10000,100000" into sizes; returns how many, 0 if malformed. */
static int parse_sizes(const char *arg, uint32_t *sizes)
{
	int n = 0;
	char *end;

	while (*arg && n < MAX_SIZES) {
		unsigned long v = strtoul(arg, &end, 10);

		if (end == arg || v < 1 || v > (1u << 24) || (*end && *end != ','))
			return 0;
		sizes[n++] = (uint32_t)v;
		arg = *end ? end + 1 : end;
	}
	return *arg ? 0 : n;
}

/* One line of the table: n flows, every mode, interleaved rounds. */
static void row(struct datapath *dp, struct fetcher *f, struct flowcache **fc,
		uint32_t n, int rounds)
{
	double b[MAX_ROUNDS], k[MAX_ROUNDS], p[MAX_ROUNDS];
	int r;

	for (r = 0; r < rounds; r++) {
		b[r] = one(dp, f, fc, n, DRAIN_BATCH);
		k[r] = one(dp, f, fc, n, DRAIN_KEYS);
		p[r] = one(dp, f, fc, n, IN_PLACE);
	}
	printf("%10u %11.1f ms %11.1f ms %7.2fx %16.0f %11.1f ms\n", n,
	       median(b, rounds) / 1e6, median(k, rounds) / 1e6,
	       median(k, rounds) / median(b, rounds), median(b, rounds) / n,
	       median(p, rounds) / 1e6);
}

int main(int argc, char **argv)
{
	uint32_t sizes[MAX_SIZES] = { 10000, 100000, 1000000 }, max = 0;
	int rounds = 5, n_sizes = 3, c, err, i;
	struct datapath_opts o = { 0 };
	struct flowcache *fc = NULL;
	struct datapath dp;
	struct fetcher *f;

	while ((c = getopt(argc, argv, "r:m:s:")) != -1) {
		if (c == 'r')
			rounds = atoi(optarg);
		else if (c == 'm')
			max = (uint32_t)atol(optarg);
		else if (c == 's' && (n_sizes = parse_sizes(optarg, sizes)))
			continue;
		else
			return 2;
	}
	if (rounds < 1 || rounds > MAX_ROUNDS)
		return 2;
	/* the map holds the largest count at least */
	for (i = 0; i < n_sizes; i++)
		max = sizes[i] > max ? sizes[i] : max;
	libbpf_set_print(NULL);
	o.map_entries = max;
	err = datapath_open(&dp, &o);
	if (err) {
		fprintf(stderr, "fetch: load: %s\n", strerror(-err));
		return 1;
	}
	f = fetcher_new(&dp, max, on_flow, NULL);
	if (!f)
		return 1;
	fetcher_set_read_spacing(f, 0, 0);	/* every timed read reads */

	printf("bench/fetch: swap + drain + merge into the flow cache, and a "
	       "read in place\n(between epochs, every entry handed on), %d "
	       "interleaved rounds, medians (%d CPUs, %u entries a map, "
	       "%llu MiB of kernel maps)\n\n", rounds, dp.ncpus, max,
	       (unsigned long long)(dp.map_bytes >> 20));
	printf("%10s %14s %14s %8s %16s %14s\n", "flows", "batch", "per key",
	       "ratio", "batch ns/flow", "in place");
	for (i = 0; i < n_sizes; i++)
		row(&dp, f, &fc, sizes[i], rounds);
	printf("\nflow cache: %zu bytes per slot allocated; resident per "
	       "cached flow at 1M flows: %.0f bytes\n",
	       flowcache_bytes_per_flow(), cache_rss_per_flow(1000000));
	flowcache_free(fc);
	fetcher_free(f);
	datapath_close(&dp);
	return 0;
}
