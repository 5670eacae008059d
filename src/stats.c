// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stats.c - the table of the daemon's counters, and the line made of it.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "daemon.h"
#include "stats.h"

struct exporter_counters stats_export_totals(const struct daemon *d)
{
	return outputs_totals(&d->out, d->exp, d->n_exp);
}

uint64_t stats_ignored_packets(const struct flow_stats *s)
{
	uint64_t n = s->c[STAT_RING_FULL] + s->c[STAT_NO_MAP];
	int i;

	for (i = STAT_PARSE_FIRST; i <= STAT_PARSE_LAST; i++)
		n += s->c[i];
	return n;
}

static uint64_t kstat(const struct daemon *d, int i, int unused)
{
	return d->kstats.c[i];
}

static uint64_t parse_errors(const struct daemon *d, int arg, int unused)
{
	uint64_t n = 0;
	int i;

	for (i = STAT_PARSE_FIRST; i <= STAT_PARSE_LAST; i++)
		n += d->kstats.c[i];
	return n;
}

static uint64_t flows_active(const struct daemon *d, int arg, int unused)
{
	return d->cache ? flowcache_stats(d->cache)->active : 0;
}

static uint64_t exported(const struct daemon *d, int reason, int unused)
{
	return d->cache ? flowcache_stats(d->cache)->exported[reason] : 0;
}

static uint64_t evicted(const struct daemon *d, int arg, int unused)
{
	return d->cache ? flowcache_stats(d->cache)->evicted : 0;
}

static uint64_t tcp_unreported(const struct daemon *d, int arg, int unused)
{
	return d->cache ? flowcache_stats(d->cache)->tcp_states_unreported : 0;
}

enum { X_SENT, X_NOT_SENT, X_UNEXPORTABLE, X_MESSAGES, X_BYTES, X_ERRORS,
       X_REFUSED, X_QUEUE_FULL, X_CONN, X_NOT_QUEUED, X_QUEUED, X_OTHER };

static uint64_t of(const struct exporter_counters *t, int which)
{
	switch (which) {
	case X_SENT:		return t->records;
	case X_NOT_SENT:	return t->not_sent;
	case X_UNEXPORTABLE:	return t->unexportable;
	case X_MESSAGES:	return t->messages;
	case X_BYTES:		return t->bytes;
	case X_ERRORS:		return t->errors;
	case X_REFUSED:		return t->refused;
	case X_QUEUE_FULL:	return t->queue_full;
	case X_CONN:		return t->conn_failures;
	case X_NOT_QUEUED:	return t->not_queued;
	case X_QUEUED:		return t->queued;
	}
	return t->errors - t->refused - t->queue_full - t->conn_failures;
}

static uint64_t records(const struct daemon *d, int which, int unused)
{
	struct exporter_counters t = stats_export_totals(d);

	return of(&t, which);
}

/* Collector d->exp[i]'s own. */
static uint64_t collector(const struct daemon *d, int which, int i)
{
	return of(exporter_get_counters(d->exp[i]), which);
}

uint64_t stats_collector_up(const struct daemon *d, int i)
{
	return exporter_up(d->exp[i]);
}

static uint64_t up(const struct daemon *d, int arg, int i)
{
	return stats_collector_up(d, i);
}

static uint64_t fetch_errors(const struct daemon *d, int arg, int unused)
{
	return d->fetch_errors;
}

enum { F_FETCHES, F_RING_BAD, F_MAP_LAST };

static uint64_t fetcher(const struct daemon *d, int which, int unused)
{
	const struct fetcher_stats *s;

	if (which == F_MAP_LAST)
		return d->map_entries;
	if (!d->fetcher)
		return 0;
	s = fetcher_stats(d->fetcher);
	return which == F_FETCHES ? s->fetches : s->ring_bad;
}

static uint64_t fetch_seconds(const struct daemon *d, int arg, int unused)
{
	return d->fetch_hist.sum_ns / 1000;
}

/* The capacity of each flow map (A and B alike). */
static uint64_t kmap(const struct daemon *d, int which, int unused)
{
	return d->dp.map_entries ? d->dp.map_entries : d->cfg.kernel_flows;
}

enum { K_MAP_BYTES, K_EPOCHS, K_READS, K_DEFERRED };

/* The kernel maps: their memory, epochs (swaps), reads in place. */
static uint64_t kernel(const struct daemon *d, int which, int unused)
{
	const struct fetcher_stats *s;

	if (which == K_MAP_BYTES)
		return d->dp.map_bytes;
	if (!d->fetcher)
		return 0;
	s = fetcher_stats(d->fetcher);
	return which == K_EPOCHS ? s->epochs :
	       which == K_READS ? s->reads : s->deferred;
}

enum { R_LOOKUPS, R_QUERIES, R_FAILURES, R_INVALIDATIONS };

static uint64_t route(const struct daemon *d, int which, int unused)
{
	const struct enrich_stats *s;

	if (!d->enrich)
		return 0;
	s = enrich_stats(d->enrich);
	return which == R_LOOKUPS ? s->lookups :
	       which == R_QUERIES ? s->kernel_queries :
	       which == R_FAILURES ? s->failures : s->invalidations;
}

/* The daemon's own CPU so far, user + system, in µs. */
static uint64_t cpu_us(const struct daemon *d, int arg, int unused)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static uint64_t attached(const struct daemon *d, int arg, int unused)
{
	return d->at_open ? (uint64_t)attach_count(&d->at) : 0;
}

/* Interface attach_ifindex(i) is attached: always, while it is listed. */
static uint64_t iface_attached(const struct daemon *d, int arg, int i)
{
	return 1;
}

enum { I_PACKETS, I_BYTES };

/* The records exported for interface attach_ifindex(i). */
static uint64_t iface_records(const struct daemon *d, int which, int i)
{
	const struct stats_iface *f =
		stats_iface_get(&d->ifstats, (uint32_t)d->at.v[i].ifindex);

	return !f ? 0 : which == I_PACKETS ? f->packets : f->bytes;
}

static struct stats_iface *slot(const struct stats_ifaces *t, uint32_t ifindex)
{
	uint32_t i = (ifindex * 2654435761u) & (t->cap - 1);

	while (t->v[i].ifindex && t->v[i].ifindex != ifindex)
		i = (i + 1) & (t->cap - 1);
	return &t->v[i];
}

const struct stats_iface *stats_iface_get(const struct stats_ifaces *t,
					  uint32_t ifindex)
{
	const struct stats_iface *f;

	if (!t->cap || !ifindex)
		return NULL;
	f = slot(t, ifindex);
	return f->ifindex ? f : NULL;
}

/* Twice the slots (16 at first), every entry moved over. */
static int grow(struct stats_ifaces *t)
{
	struct stats_ifaces next = { .cap = t->cap ? t->cap * 2 : 16, .n = t->n };
	uint32_t i;

	next.v = calloc(next.cap, sizeof(*next.v));
	if (!next.v)
		return -ENOMEM;
	for (i = 0; i < t->cap; i++)
		if (t->v[i].ifindex)
			*slot(&next, t->v[i].ifindex) = t->v[i];
	free(t->v);
	*t = next;
	return 0;
}

int stats_iface_add(struct stats_ifaces *t, uint32_t ifindex,
		    uint64_t packets, uint64_t bytes)
{
	struct stats_iface *f;

	if (!ifindex)
		return 0;
	if ((t->n + 1) * 2 > t->cap && grow(t))
		return -ENOMEM;
	f = slot(t, ifindex);
	if (!f->ifindex) {
		f->ifindex = ifindex;
		t->n++;
	}
	f->packets += packets;
	f->bytes += bytes;
	return 0;
}

void stats_ifaces_free(struct stats_ifaces *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

uint64_t stats_unattached(const struct daemon *d)
{
	struct if_nameindex *ifs, *i;
	uint64_t n = 0;

	if (!d->at_open)
		return 0;
	ifs = if_nameindex();
	for (i = ifs; i && i->if_index; i++)
		if (iface_selected(&d->cfg, i->if_name) &&
		    !attach_has(&d->at, (int)i->if_index))
			n++;
	if (ifs)
		if_freenameindex(ifs);
	return n;
}

static uint64_t unattached(const struct daemon *d, int arg, int unused)
{
	return stats_unattached(d);
}

enum { N_ENTRIES = NSTAT_MAX, N_TABLE_FULL, N_FOUND };

/* NAT: the programs' lookups, then the user-space table (0: nat off) */
static uint64_t nat(const struct daemon *d, int which, int unused)
{
	const struct nat_counters *c;

	if (!d->nat)
		return 0;
	c = nat_counters(d->nat);
	return which < NSTAT_MAX ? c->kernel.c[which] :
	       which == N_ENTRIES ? c->entries :
	       which == N_TABLE_FULL ? c->table_full : c->found;
}

#define C STATS_COUNTER
#define G STATS_GAUGE
#define ONE STATS_ONE
#define COLL STATS_COLLECTOR
#define KP "tcflowd_kernel_packets_total"
#define KP_HELP "Packets the kernel programs saw, by what became of each " \
	"(the fates sum to every packet seen)"
#define EXP "tcflowd_flow_records_total"
#define CERR "tcflowd_collector_errors_total"
#define NAT_R "tcflowd_nat_lookup_results_total"

const struct stats_counter stats_counters[] = {
	{ "packets", kstat, STAT_PACKETS, 0, ONE, NULL, NULL, C, NULL },
	{ "counted", kstat, STAT_COUNTED, 0, ONE, KP, "fate=\"counted\"", C, KP_HELP },
	{ "sampled_out", kstat, STAT_SAMPLED_OUT, 0, ONE, KP, "fate=\"sampled_out\"", C, NULL },
	{ "non_ip", kstat, STAT_NON_IP, 0, ONE, KP, "fate=\"non_ip\"", C, NULL },
	{ "parse_errors", parse_errors, 0, 0, ONE, NULL, NULL, C, NULL },
	{ "trunc_l2", kstat, STAT_TRUNC_L2, 0, ONE, KP, "fate=\"trunc_l2\"", C, NULL },
	{ "trunc_l3", kstat, STAT_TRUNC_L3, 0, ONE, KP, "fate=\"trunc_l3\"", C, NULL },
	{ "trunc_l4", kstat, STAT_TRUNC_L4, 0, ONE, KP, "fate=\"trunc_l4\"", C, NULL },
	{ "bad_ihl", kstat, STAT_BAD_IHL, 0, ONE, KP, "fate=\"bad_ihl\"", C, NULL },
	{ "bad_l3", kstat, STAT_BAD_L3, 0, ONE, KP, "fate=\"bad_l3\"", C, NULL },
	{ "bad_l4", kstat, STAT_BAD_L4, 0, ONE, KP, "fate=\"bad_l4\"", C, NULL },
	{ "bad_ipv6_chain", kstat, STAT_BAD_IPV6_CHAIN, 0, ONE, KP,
	  "fate=\"bad_ipv6_chain\"", C, NULL },
	{ "ring_records", kstat, STAT_RING_RECORDS, 0, ONE, KP, "fate=\"ring\"", C, NULL },
	{ "ring_full", kstat, STAT_RING_FULL, 0, ONE, KP, "fate=\"ring_full\"", C, NULL },
	{ "no_map", kstat, STAT_NO_MAP, 0, ONE, KP, "fate=\"no_map\"", C, NULL },
	{ "segments", kstat, STAT_SEGMENTS, 0, ONE, "tcflowd_kernel_segments_total",
	  NULL, C, "Wire packets (GSO segments) of the packets put in flows" },
	{ "ring_busy", kstat, STAT_RING_BUSY, 0, ONE, "tcflowd_kernel_ring_busy_total",
	  NULL, C, "counting = ring: packets the full ring left to the map" },
	{ "tcp_outcomes_lost", kstat, STAT_TCP_LOST, 0, ONE,
	  "tcflowd_kernel_tcp_outcomes_lost_total", NULL, C,
	  "counting = ring: handshake outcomes the full ring could not carry "
	  "to the other direction's flow" },
	{ "inserts", kstat, STAT_INSERTS, 0, ONE, "tcflowd_kernel_map_inserts_total",
	  NULL, C, "New entries the programs made in the active flow map" },
	{ "map_full", kstat, STAT_MAP_FULL, 0, ONE, "tcflowd_kernel_map_full_total",
	  NULL, C, "Packets that found the flow map full (then ring or ring_full)" },
	{ "map_entries", fetcher, F_MAP_LAST, 0, ONE, "tcflowd_kernel_map_entries",
	  "map=\"active\"", G, "Flows in the kernel map at the last read or swap, and its capacity" },
	{ NULL, kmap, 0, 0, ONE, "tcflowd_kernel_map_entries",
	  "map=\"capacity\"", G, NULL },
	{ "kernel_map_bytes", kernel, K_MAP_BYTES, 0, ONE, "tcflowd_kernel_map_bytes",
	  NULL, G, "Memory of the kernel flow maps (both, per-CPU values) and the ring" },
	{ "kernel_epochs", kernel, K_EPOCHS, 0, ONE, "tcflowd_kernel_epochs_total",
	  NULL, C, "Swaps of the kernel flow maps (each ends an epoch)" },
	{ "kernel_reads", kernel, K_READS, 0, ONE, "tcflowd_kernel_reads_total",
	  NULL, C, "Fetches that read the active kernel map in place" },
	{ "kernel_reads_deferred", kernel, K_DEFERRED, 0, ONE,
	  "tcflowd_kernel_reads_deferred_total", NULL, C,
	  "Fetches that left the read in place for later (kernel_read_spacing)" },
	{ "fetches", fetcher, F_FETCHES, 0, ONE, "tcflowd_fetches_total", NULL, C,
	  "Fetches of the kernel maps" },
	{ "fetch_s", fetch_seconds, 0, 1, ONE, "tcflowd_fetch_duration_seconds",
	  NULL, STATS_HISTOGRAM, "How long each fetch took" },
	{ "flows_active", flows_active, 0, 0, ONE, "tcflowd_flows_active", NULL, G,
	  "Flows in the daemon's cache" },
	{ "exported_idle", exported, END_IDLE, 0, ONE, EXP, "reason=\"idle\"", C,
	  "Flow records by end reason (IPFIX flowEndReason)" },
	{ "exported_active", exported, END_ACTIVE, 0, ONE, EXP, "reason=\"active\"", C, NULL },
	{ "exported_end", exported, END_DETECTED, 0, ONE, EXP, "reason=\"end\"", C, NULL },
	{ "exported_forced", exported, END_FORCED, 0, ONE, EXP, "reason=\"forced\"", C, NULL },
	{ "exported_resources", exported, END_RESOURCES, 0, ONE, EXP,
	  "reason=\"resources\"", C, NULL },
	{ "evicted", evicted, 0, 0, ONE, "tcflowd_flows_evicted_total", NULL, C,
	  "Flows ended early because the cache was full" },
	{ "tcp_states_unreported", tcp_unreported, 0, 0, ONE,
	  "tcflowd_tcp_states_unreported_total", NULL, C,
	  "TCP handshake changes with no packet whose flow had no open record "
	  "to carry them" },
	{ "records_sent", records, X_SENT, 0, ONE, NULL, NULL, C, NULL },
	{ "records_not_sent", records, X_NOT_SENT, 0, ONE, NULL, NULL, C, NULL },
	{ "records_unexportable", records, X_UNEXPORTABLE, 0, ONE, NULL, NULL, C, NULL },
	{ "records_not_queued", records, X_NOT_QUEUED, 0, ONE, NULL, NULL, C, NULL },
	{ "records_queued", records, X_QUEUED, 0, ONE, NULL, NULL, G, NULL },
	{ "fetch_errors", fetch_errors, 0, 0, ONE, "tcflowd_fetch_errors_total",
	  NULL, C, "Fetches that failed" },
	{ "ring_bad", fetcher, F_RING_BAD, 0, ONE, "tcflowd_kernel_ring_bad_total",
	  NULL, C, "Overflow ring records too short to use (lost)" },
	{ "route_lookups", route, R_LOOKUPS, 0, ONE, "tcflowd_route_lookups_total",
	  NULL, C, "Route lookups for flow records" },
	{ "route_queries", route, R_QUERIES, 0, ONE, "tcflowd_route_kernel_queries_total",
	  NULL, C, "Route lookups the cache could not answer: asked the kernel" },
	{ "route_failures", route, R_FAILURES, 0, ONE, "tcflowd_route_failures_total",
	  NULL, C, "Route lookups that failed (records went without a route)" },
	{ "route_invalidations", route, R_INVALIDATIONS, 0, ONE,
	  "tcflowd_route_invalidations_total", NULL, C,
	  "Route cache flushes (a route, rule, address or link changed)" },
	{ "cpu_s", cpu_us, 0, 1, ONE, "tcflowd_cpu_seconds_total", NULL, C,
	  "The daemon's CPU time, user and system" },
	{ "ifaces_attached", attached, 0, 0, ONE, NULL, NULL, G, NULL },
	{ "ifaces_unattached", unattached, 0, 0, ONE, "tcflowd_interfaces_unattached",
	  NULL, G, "Interfaces the config selects that could not be attached (yet)" },
	{ "nat_lookups", nat, NSTAT_LOOKUPS, 0, ONE, "tcflowd_nat_lookups_total", NULL,
	  C, "Conntrack lookups by the programs (nat on)" },
	{ "nat_translated", nat, NSTAT_TRANSLATED, 0, ONE, NAT_R, "result=\"translated\"",
	  C, "Flows whose conntrack entry the programs looked up, by result" },
	{ "nat_plain", nat, NSTAT_PLAIN, 0, ONE, NAT_R, "result=\"plain\"", C, NULL },
	{ "nat_not_found", nat, NSTAT_NOT_FOUND, 0, ONE, NAT_R, "result=\"not_found\"",
	  C, NULL },
	{ "nat_map_full", nat, NSTAT_MAP_FULL, 0, ONE, "tcflowd_nat_map_full_total",
	  NULL, C, "Translations the kernel's nat map had no room for (not exported)" },
	{ "nat_entries", nat, N_ENTRIES, 0, ONE, "tcflowd_nat_entries", NULL, G,
	  "Translated tuples the daemon keeps" },
	{ "nat_table_full", nat, N_TABLE_FULL, 0, ONE, "tcflowd_nat_table_full_total",
	  NULL, C, "Tuples the daemon's table had no room for (not exported)" },
	{ "nat_records", nat, N_FOUND, 0, ONE, "tcflowd_nat_records_total", NULL, C,
	  "Flow records that carried a translation" },
	{ NULL, iface_attached, 0, 0, STATS_INTERFACE, "tcflowd_interface_attached",
	  NULL, G, "1 for each interface the programs are attached to" },
	{ NULL, iface_records, I_PACKETS, 0, STATS_INTERFACE,
	  "tcflowd_interface_packets_total", NULL, C,
	  "Packets of the flow records exported for the interface" },
	{ NULL, iface_records, I_BYTES, 0, STATS_INTERFACE,
	  "tcflowd_interface_bytes_total", NULL, C,
	  "Bytes of the flow records exported for the interface" },
	{ "sent", collector, X_SENT, 0, COLL,
	  "tcflowd_collector_records_sent_total", NULL, C,
	  "Flow records sent (TCP: acknowledged; Kafka: delivered)" },
	{ "not_sent", collector, X_NOT_SENT, 0, COLL,
	  "tcflowd_collector_records_not_sent_total", NULL, C,
	  "Flow records lost to collector errors (refused, queue full, down)" },
	{ "unexportable", collector, X_UNEXPORTABLE, 0, COLL,
	  "tcflowd_collector_records_unexportable_total", NULL, C,
	  "Flows the protocol cannot carry (IPv6 in NetFlow v5)" },
	{ "messages", collector, X_MESSAGES, 0, COLL,
	  "tcflowd_collector_messages_sent_total", NULL, C,
	  "Messages (datagrams, TCP messages, lines, Kafka messages) sent" },
	{ "bytes", collector, X_BYTES, 0, COLL,
	  "tcflowd_collector_bytes_sent_total", NULL, C, "Bytes of those messages" },
	{ "up", up, 0, 0, COLL, "tcflowd_collector_up", NULL, G,
	  "1 while the collector accepts (TCP connected, UDP not refused)" },
	{ "errors_refused", collector, X_REFUSED, 0, COLL, CERR, "error=\"refused\"", C,
	  "Collector errors by kind" },
	{ "errors_queue_full", collector, X_QUEUE_FULL, 0, COLL, CERR,
	  "error=\"queue_full\"", C, NULL },
	{ "errors_connection", collector, X_CONN, 0, COLL, CERR,
	  "error=\"connection\"", C, NULL },
	{ "errors_other", collector, X_OTHER, 0, COLL, CERR, "error=\"other\"", C, NULL },
	{ "not_queued", collector, X_NOT_QUEUED, 0, COLL,
	  "tcflowd_collector_records_not_queued_total", NULL, C,
	  "Flow records the pacing queue was too full to take (also not sent)" },
	{ "queued", collector, X_QUEUED, 0, COLL,
	  "tcflowd_collector_records_queued", NULL, G,
	  "Flow records waiting in the pacing queue" },
};
const size_t stats_n = sizeof(stats_counters) / sizeof(stats_counters[0]);

const double stats_fetch_bounds[STATS_FETCH_BUCKETS] = {
	0.0001, 0.001, 0.01, 0.1, 1, 10
};

void stats_hist_observe(struct stats_hist *h, uint64_t ns)
{
	int i;

	for (i = 0; i < STATS_FETCH_BUCKETS; i++)
		if ((double)ns <= stats_fetch_bounds[i] * 1e9) {
			h->count[i]++;
			break;
		}
	h->n++;
	h->sum_ns += ns;
}

/* A collector's name as a key: what would end or split it becomes _. */
static void key_name(char *out, size_t len, const char *name)
{
	size_t i;

	for (i = 0; name[i] && i + 1 < len; i++)
		out[i] = strchr(" =\"\t", name[i]) ? '_' : name[i];
	out[i] = '\0';
}

/* The rows of kind per (collector j's, or those counted once). */
static size_t format_rows(const struct daemon *d, char *buf, size_t len,
			  size_t n, int per, int j)
{
	size_t i;
	int w;

	for (i = 0; i < stats_n && n < len; i++) {
		const struct stats_counter *c = &stats_counters[i];
		unsigned long long v;

		if (!c->name || c->per != per)
			continue;
		v = c->get(d, c->arg, j);
		if (c->micro)
			w = snprintf(buf + n, len - n, "%s%s=%llu.%06llu",
				     n ? " " : "", c->name, v / 1000000,
				     v % 1000000);
		else
			w = snprintf(buf + n, len - n, "%s%s=%llu",
				     n ? " " : "", c->name, v);
		if (w < 0)
			break;
		n += (size_t)w;
	}
	return n;
}

void stats_format(const struct daemon *d, char *buf, size_t len)
{
	buf[0] = '\0';
	format_rows(d, buf, len, 0, STATS_ONE, 0);
}

void stats_format_collector(const struct daemon *d, int j, char *buf,
			    size_t len)
{
	const struct collector_config *cc = exporter_get_config(d->exp[j]);
	char name[COLLECTOR_NAME_LEN];
	int n;

	key_name(name, sizeof(name), cc->name);
	n = snprintf(buf, len, "collector=%s protocol=%s", name,
		     config_protocol_name(cc->protocol));
	if (n > 0 && (size_t)n < len)
		format_rows(d, buf, len, (size_t)n, STATS_COLLECTOR, j);
}
