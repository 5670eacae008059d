// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * stats.c - the table of the daemon's counters, and the line made of it.
 */
#include <net/if.h>
#include <stdio.h>
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

static uint64_t kstat(const struct daemon *d, int i)
{
	return d->kstats.c[i];
}

static uint64_t parse_errors(const struct daemon *d, int arg)
{
	uint64_t n = 0;
	int i;

	for (i = STAT_PARSE_FIRST; i <= STAT_PARSE_LAST; i++)
		n += d->kstats.c[i];
	return n;
}

static uint64_t flows_active(const struct daemon *d, int arg)
{
	return flowcache_stats(d->cache)->active;
}

static uint64_t exported(const struct daemon *d, int reason)
{
	return flowcache_stats(d->cache)->exported[reason];
}

static uint64_t evicted(const struct daemon *d, int arg)
{
	return flowcache_stats(d->cache)->evicted;
}

enum { X_SENT, X_NOT_SENT, X_UNEXPORTABLE };

static uint64_t records(const struct daemon *d, int which)
{
	struct exporter_counters t = stats_export_totals(d);

	return which == X_SENT ? t.records :
	       which == X_NOT_SENT ? t.not_sent : t.unexportable;
}

static uint64_t fetch_errors(const struct daemon *d, int arg)
{
	return d->fetch_errors;
}

static uint64_t ring_bad(const struct daemon *d, int arg)
{
	return fetcher_stats(d->fetcher)->ring_bad;
}

enum { R_LOOKUPS, R_QUERIES, R_FAILURES, R_INVALIDATIONS };

static uint64_t route(const struct daemon *d, int which)
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
static uint64_t cpu_us(const struct daemon *d, int arg)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru))
		return 0;
	return (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000u +
	       (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static uint64_t attached(const struct daemon *d, int arg)
{
	return (uint64_t)attach_count(&d->at);
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

static uint64_t unattached(const struct daemon *d, int arg)
{
	return stats_unattached(d);
}

enum { N_ENTRIES = NSTAT_MAX, N_TABLE_FULL, N_FOUND };

/* NAT: the programs' lookups, then the user-space table (0: nat off) */
static uint64_t nat(const struct daemon *d, int which)
{
	const struct nat_counters *c;

	if (!d->nat)
		return 0;
	c = nat_counters(d->nat);
	return which < NSTAT_MAX ? c->kernel.c[which] :
	       which == N_ENTRIES ? c->entries :
	       which == N_TABLE_FULL ? c->table_full : c->found;
}

const struct stats_counter stats_counters[] = {
	{ "packets",		kstat, STAT_PACKETS, 0 },
	{ "counted",		kstat, STAT_COUNTED, 0 },
	{ "segments",		kstat, STAT_SEGMENTS, 0 },
	{ "sampled_out",	kstat, STAT_SAMPLED_OUT, 0 },
	{ "non_ip",		kstat, STAT_NON_IP, 0 },
	{ "parse_errors",	parse_errors, 0, 0 },
	{ "trunc_l2",		kstat, STAT_TRUNC_L2, 0 },
	{ "trunc_l3",		kstat, STAT_TRUNC_L3, 0 },
	{ "trunc_l4",		kstat, STAT_TRUNC_L4, 0 },
	{ "bad_ihl",		kstat, STAT_BAD_IHL, 0 },
	{ "bad_l3",		kstat, STAT_BAD_L3, 0 },
	{ "bad_l4",		kstat, STAT_BAD_L4, 0 },
	{ "bad_ipv6_chain",	kstat, STAT_BAD_IPV6_CHAIN, 0 },
	{ "map_full",		kstat, STAT_MAP_FULL, 0 },
	{ "ring_records",	kstat, STAT_RING_RECORDS, 0 },
	{ "ring_full",		kstat, STAT_RING_FULL, 0 },
	{ "no_map",		kstat, STAT_NO_MAP, 0 },
	{ "flows_active",	flows_active, 0, 0 },
	{ "exported_idle",	exported, END_IDLE, 0 },
	{ "exported_active",	exported, END_ACTIVE, 0 },
	{ "exported_end",	exported, END_DETECTED, 0 },
	{ "exported_forced",	exported, END_FORCED, 0 },
	{ "exported_resources",	exported, END_RESOURCES, 0 },
	{ "evicted",		evicted, 0, 0 },
	{ "records_sent",	records, X_SENT, 0 },
	{ "records_not_sent",	records, X_NOT_SENT, 0 },
	{ "records_unexportable", records, X_UNEXPORTABLE, 0 },
	{ "fetch_errors",	fetch_errors, 0, 0 },
	{ "ring_bad",		ring_bad, 0, 0 },
	{ "route_lookups",	route, R_LOOKUPS, 0 },
	{ "route_queries",	route, R_QUERIES, 0 },
	{ "route_failures",	route, R_FAILURES, 0 },
	{ "route_invalidations", route, R_INVALIDATIONS, 0 },
	{ "cpu_s",		cpu_us, 0, 1 },
	{ "ifaces_attached",	attached, 0, 0 },
	{ "ifaces_unattached",	unattached, 0, 0 },
	{ "nat_lookups",	nat, NSTAT_LOOKUPS, 0 },
	{ "nat_translated",	nat, NSTAT_TRANSLATED, 0 },
	{ "nat_plain",		nat, NSTAT_PLAIN, 0 },
	{ "nat_not_found",	nat, NSTAT_NOT_FOUND, 0 },
	{ "nat_map_full",	nat, NSTAT_MAP_FULL, 0 },
	{ "nat_entries",	nat, N_ENTRIES, 0 },
	{ "nat_table_full",	nat, N_TABLE_FULL, 0 },
	{ "nat_records",	nat, N_FOUND, 0 },
};
const size_t stats_n = sizeof(stats_counters) / sizeof(stats_counters[0]);

void stats_format(const struct daemon *d, char *buf, size_t len)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < stats_n && n < len; i++) {
		const struct stats_counter *c = &stats_counters[i];
		unsigned long long v = c->get(d, c->arg);
		int w;

		if (c->micro)
			w = snprintf(buf + n, len - n, "%s%s=%llu.%06llu",
				     i ? " " : "", c->name, v / 1000000,
				     v % 1000000);
		else
			w = snprintf(buf + n, len - n, "%s%s=%llu",
				     i ? " " : "", c->name, v);
		if (w < 0)
			break;
		n += (size_t)w;
	}
}
