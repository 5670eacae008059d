// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bench/enrich - what route enrichment costs per new flow, at 10,000 new
 * flows a second.  In a network namespace of its own (root), with 1,000
 * static routes, each round feeds 10,000 new flows in one second, paced,
 * in batches of 100 every 10 ms, to the IPFIX exporter (UDP to a local
 * socket), as the daemon does when a record goes out, and measures the
 * process's CPU time:
 *
 *   export    the record alone (the baseline: every flow costs this)
 *   uncached  + both route lookups (the destination's, with the input
 *             interface and source; the source's, backwards) asked of the
 *             kernel every time (the cache emptied before each flow)
 *   cached    + both lookups answered by the cache (1,000 flows' worth of
 *             questions, warmed before the round)
 *
 * Rounds are interleaved; medians.  Prints CPU per flow, the share of one
 * core at 10k flows/s, and ratios to the baseline.
 *
 *	sudo bench/enrich [-r rounds] [-f flows-per-second]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "enrich.h"
#include "exporter.h"
#include "median.h"

#define MAX_ROUNDS	15
#define ROUTES		1000
#define KEYS		1000	/* distinct questions in the cached mode */

enum { M_EXPORT, M_UNCACHED, M_CACHED, N_MODES };
static const char *const mode_name[N_MODES] = { "export", "uncached", "cached" };

static double cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sh(const char *cmd)
{
	if (system(cmd) != 0) {
		fprintf(stderr, "bench/enrich: failed: %s\n", cmd);
		exit(1);
	}
}

/* A namespace with v0 (192.0.2.1/24, peer .2) and ROUTES routes via .2. */
static uint32_t setup(void)
{
	FILE *f;
	int i;

	if (unshare(CLONE_NEWNET)) {
		perror("bench/enrich: unshare(CLONE_NEWNET) (needs root)");
		exit(1);
	}
	sh("ip link set lo up && ip link add v0 type veth peer name v1 && "
	   "ip link set v0 up && ip link set v1 up && "
	   "ip addr add 192.0.2.1/24 dev v0 && "
	   "sysctl -qw net.ipv4.ip_forward=1");
	f = popen("ip -batch -", "w");
	if (!f)
		exit(1);
	for (i = 0; i < ROUTES; i++)
		fprintf(f, "route add 10.%d.%d.0/24 via 192.0.2.2\n", i / 256, i % 256);
	if (pclose(f) != 0) {
		fprintf(stderr, "bench/enrich: adding routes failed\n");
		exit(1);
	}
	return if_nametoindex("v0");
}

static struct export_record make(unsigned int i, uint32_t ifindex)
{
	struct export_record r = { .packets = 10, .bytes = 1000,
				   .start_ms = 1800000000000ull, .end_ms = 1800000001000ull,
				   .ingress_ifindex = ifindex, .sampling_interval = 1,
				   .end_reason = 1, .min_ttl = 64, .max_ttl = 64,
				   .ifname = "v0" };
	unsigned int d = i % ROUTES;
	const uint8_t src[4] = { 192, 0, 2, (uint8_t)(10 + i % 200) };
	const uint8_t dst[4] = { 10, (uint8_t)(d / 256), (uint8_t)(d % 256), 1 };

	r.key.ifindex = ifindex;
	r.key.proto = 17;
	r.key.eth_type = htons(0x0800);
	export_addr_map4(r.key.src, src);
	export_addr_map4(r.key.dst, dst);
	r.key.sport = htons((uint16_t)(1024 + i));
	r.key.dport = htons(53);
	return r;
}

/* What the daemon's add_route does for a record seen on ingress. */
static int enrich_record(struct enrich *en, struct export_record *r)
{
	static const uint8_t none[16];
	struct route_info ri;
	int ok = 0;

	if (enrich_route(en, r->key.dst, r->key.src, r->key.ifindex, &ri)) {
		r->route |= EXPORT_ROUTE_DST;
		r->dst_prefix_len = ri.prefix_len;
		r->has_next_hop = ri.has_gateway;
		memcpy(r->next_hop, ri.gateway, 16);
		r->egress_ifindex = ri.oif;
		ok++;
	}
	if (enrich_route(en, r->key.src, none, 0, &ri)) {
		r->route |= EXPORT_ROUTE_SRC;
		r->src_prefix_len = ri.prefix_len;
		ok++;
	}
	return ok;
}

static uint64_t queries_before;	/* when the measured part began */

static void warm(struct enrich *en, uint32_t ifindex)
{
	unsigned int i;

	for (i = 0; i < KEYS; i++) {
		struct export_record w = make(i, ifindex);

		if (enrich_record(en, &w) != 2) {
			fprintf(stderr, "bench/enrich: lookups fail in the "
				"bench namespace\n");
			exit(1);
		}
	}
}

/* One round: flows new flows in one second, paced in batches of 1/100 s
 * (the daemon, too, handles the records of a fetch together).  CPU
 * seconds used. */
static double round_run(int mode, struct exporter *e, struct enrich *en,
			uint32_t ifindex, unsigned int flows, unsigned int *seq,
			unsigned long *routed)
{
	unsigned int i, batch = flows / 100;
	double t0, c0;

	if (mode == M_CACHED)
		warm(en, ifindex);	/* not measured */
	queries_before = enrich_stats(en)->kernel_queries;
	t0 = wall_s();
	c0 = cpu_s();
	for (i = 0; i < flows; i++) {
		struct export_record r;
		double due = t0 + (double)(i / batch) / 100, now = wall_s();

		if (i % batch == 0 && due > now) {
			struct timespec ts = { 0, (long)((due - now) * 1e9) };

			nanosleep(&ts, NULL);
		}
		r = make(mode == M_CACHED ? i % KEYS : (*seq)++, ifindex);
		if (mode == M_UNCACHED)
			enrich_routes_changed(en);
		if (mode != M_EXPORT)
			*routed += enrich_record(en, &r) == 2;
		exporter_add(e, &r);
		if (i % 64 == 63)
			exporter_flush(e);
	}
	exporter_flush(e);
	return cpu_s() - c0;
}

int main(int argc, char **argv)
{
	struct collector_config cc = { .name = "bench", .protocol = PROTO_IPFIX,
				       .transport = TRANSPORT_UDP };
	struct exporter_env env = { .observation_domain = 1 };
	double cpu[N_MODES][MAX_ROUNDS], med[N_MODES];
	unsigned long routed[N_MODES] = { 0 };
	unsigned int rate = 10000, seq = 0;
	int rounds = 5, c, r, m, sink;
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t alen = sizeof(a);
	struct exporter *e;
	struct enrich *en;
	uint32_t ifindex;

	while ((c = getopt(argc, argv, "r:f:")) != -1) {
		if (c == 'r')
			rounds = atoi(optarg);
		else if (c == 'f')
			rate = (unsigned int)atoi(optarg);
		else
			return 2;
	}
	if (rounds < 1 || rounds > MAX_ROUNDS || rate < 100)
		return 2;
	ifindex = setup();
	/* the collector: a socket nobody reads (what overflows, drops) */
	sink = socket(AF_INET, SOCK_DGRAM, 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (sink < 0 || bind(sink, (struct sockaddr *)&a, sizeof(a)) ||
	    getsockname(sink, (struct sockaddr *)&a, &alen))
		return 1;
	strcpy(cc.address, "127.0.0.1");
	cc.port = ntohs(a.sin_port);
	e = exporter_open(&cc, &env);
	en = enrich_new(16384);
	if (!e || !en) {
		fprintf(stderr, "bench/enrich: open the exporter or netlink\n");
		return 1;
	}
	printf("bench/enrich: %u new flows/s, 1 s a round, %d interleaved "
	       "rounds, %d routes; CPU of this process (user + system)\n",
	       rate, rounds, ROUTES);
	for (r = 0; r < rounds; r++)
		for (m = 0; m < N_MODES; m++) {
			uint64_t q;

			cpu[m][r] = round_run(m, e, en, ifindex, rate, &seq,
					      &routed[m]);
			q = enrich_stats(en)->kernel_queries - queries_before;
			if ((m == M_CACHED && q) ||
			    (m == M_UNCACHED && q != 2ull * rate))
				fprintf(stderr, "bench/enrich: the %s round asked "
					"the kernel %llu times\n", mode_name[m],
					(unsigned long long)q);
		}
	for (m = 0; m < N_MODES; m++)
		med[m] = median(cpu[m], rounds);
	printf("\n| per new flow | CPU µs | share of one core at %u/s | vs export alone |\n"
	       "|---|---|---|---|\n", rate);
	for (m = 0; m < N_MODES; m++)
		printf("| %s | %.2f | %.1f%% | %.2f× |\n", mode_name[m],
		       med[m] * 1e6 / rate, med[m] * 100.0, med[m] / med[M_EXPORT]);
	printf("\nenrichment alone: uncached %.2f µs a flow (two kernel "
	       "queries), cached %.2f µs a flow\n",
	       (med[M_UNCACHED] - med[M_EXPORT]) * 1e6 / rate,
	       (med[M_CACHED] - med[M_EXPORT]) * 1e6 / rate);
	printf("flows with both routes found: uncached %lu, cached %lu of %lu each\n",
	       routed[M_UNCACHED], routed[M_CACHED], (unsigned long)rate * (unsigned long)rounds);
	printf("exporter: %llu records, %llu not sent (by the socket buffer)\n",
	       (unsigned long long)e->counters.records,
	       (unsigned long long)e->counters.not_sent);
	exporter_close(e);
	enrich_free(en);
	close(sink);
	return 0;
}
