// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/fetch - how long a fetch takes: swap, drain N kernel flows and
 * merge them into the flow cache, with BPF_MAP_LOOKUP_AND_DELETE_BATCH and
 * with the per-key fallback, in the same run (interleaved rounds, medians).
 * Also the daemon's resident memory per cached flow.
 *
 *	bench/fetch [-r rounds] [-n flows,flows,...] [-m max-flows]
 *
 * -n: the kernel flow counts to drain (10000,100000,1000000 unless given;
 * e.g. -n 1000000,4000000); -m: the maps' size (the largest count unless
 * given).
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

/* One fetch of n flows into a fresh cache; returns its duration in ns. */
static double one(struct datapath *dp, struct fetcher *f, struct flowcache **fc,
		  uint32_t n, bool batch)
{
	static const struct flowcache_timeouts t = { ~0ull / 4, ~0ull / 4, ~0ull / 4 };
	uint64_t t0;

	fill(dp, n);
	flowcache_free(*fc);
	*fc = flowcache_new(n, &t, on_emit, NULL);
	cur_fc = *fc;
	fetcher_use_batch(f, batch);
	fetcher_skip_idle(f, false);	/* the maps are filled from here */
	delivered = 0;
	t0 = now_ns();
	if (fetcher_run(f)) {
		fprintf(stderr, "fetch: fetcher_run failed\n");
		exit(1);
	}
	t0 = now_ns() - t0;
	if (delivered != n) {
		fprintf(stderr, "fetch: drained %llu of %u flows\n",
			(unsigned long long)delivered, n);
		exit(1);
	}
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

/* "n,n,..." into sizes (at most MAX_SIZES); how many, 0 if bad. */
static size_t parse_sizes(const char *arg, uint32_t *sizes)
{
	size_t n = 0;
	char *end;

	while (*arg && n < MAX_SIZES) {
		unsigned long v = strtoul(arg, &end, 10);

		if (end == arg || v < 1 || v > (1ul << 26))
			return 0;
		sizes[n++] = (uint32_t)v;
		arg = *end == ',' ? end + 1 : end;
		if (*end && *end != ',')
			return 0;
	}
	return *arg ? 0 : n;
}

int main(int argc, char **argv)
{
	uint32_t sizes[MAX_SIZES] = { 10000, 100000, 1000000 };
	uint32_t max = 0;
	size_t nsizes = 3;
	int rounds = 5, c, r, err;
	struct datapath_opts o = { 0 };
	struct flowcache *fc = NULL;
	struct datapath dp;
	struct fetcher *f;
	size_t s;

	while ((c = getopt(argc, argv, "r:m:n:")) != -1) {
		if (c == 'r')
			rounds = atoi(optarg);
		else if (c == 'm')
			max = (uint32_t)atol(optarg);
		else if (c == 'n' && !(nsizes = parse_sizes(optarg, sizes)))
			return fprintf(stderr, "fetch: -n: flows,flows,...\n"), 2;
		else if (c != 'n')
			return 2;
	}
	if (rounds < 1 || rounds > MAX_ROUNDS)
		return 2;
	if (!max)	/* the maps hold the largest count */
		for (s = 0; s < nsizes; s++)
			max = sizes[s] > max ? sizes[s] : max;
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

	printf("bench/fetch: swap + drain + merge into the flow cache, %d "
	       "interleaved rounds, medians (%d CPUs)\n\n", rounds, dp.ncpus);
	printf("%10s %14s %14s %8s %16s\n", "flows", "batch", "per key",
	       "ratio", "batch ns/flow");
	for (s = 0; s < nsizes; s++) {
		double b[MAX_ROUNDS], k[MAX_ROUNDS];
		uint32_t n = sizes[s];

		if (n > max)
			continue;
		for (r = 0; r < rounds; r++) {
			b[r] = one(&dp, f, &fc, n, true);
			k[r] = one(&dp, f, &fc, n, false);
		}
		printf("%10u %11.1f ms %11.1f ms %7.2fx %16.0f\n", n,
		       median(b, rounds) / 1e6, median(k, rounds) / 1e6,
		       median(k, rounds) / median(b, rounds),
		       median(b, rounds) / n);
	}
	printf("\nflow cache: %zu bytes per slot allocated; resident per "
	       "cached flow at 1M flows: %.0f bytes\n",
	       flowcache_bytes_per_flow(), cache_rss_per_flow(1000000));
	flowcache_free(fc);
	fetcher_free(f);
	datapath_close(&dp);
	return 0;
}
