/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats.h - the daemon's counters, in one table: the periodic stats line
 * (SIGUSR1 and every stats_interval_s) and the Prometheus text
 * (metrics.c: the endpoint and the textfile) are both generated from it.
 * Every counter is read through its module's accessor (flowcache_stats(),
 * fetcher_stats(), enrich_stats(), exporter_get_counters(),
 * attach_count()).
 */
#ifndef TCFLOWD_STATS_H
#define TCFLOWD_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "exporter.h"
#include "flow.h"

struct daemon;

/* What a row counts: one value, or one per collector or interface. */
enum stats_per { STATS_ONE, STATS_COLLECTOR, STATS_INTERFACE };
/* Its Prometheus type. */
enum stats_type { STATS_COUNTER, STATS_GAUGE, STATS_HISTOGRAM };

struct stats_counter {
	const char	*name;		/* key in the stats line; NULL: none */
	/* i: the collector (d->exp[i]) or interface (attach_ifindex(i)) */
	uint64_t	(*get)(const struct daemon *d, int arg, int i);
	int		arg;		/* e.g. the STAT_* index */
	int		micro;		/* value in millionths: shown as x.yyyyyy */
	int		per;		/* enum stats_per */
	/* Prometheus: the metric (NULL: the line only), its own labels
	 * (NULL: none), type and help.  Rows of one metric are adjacent; the
	 * first one's help and type stand for all. */
	const char	*metric;
	const char	*labels;
	int		type;		/* enum stats_type */
	const char	*help;
};

/* The fetch durations: a histogram (tcflowd_fetch_duration_seconds). */
#define STATS_FETCH_BUCKETS	6
extern const double stats_fetch_bounds[STATS_FETCH_BUCKETS];	/* seconds */
struct stats_hist {
	uint64_t	count[STATS_FETCH_BUCKETS];	/* le bound, not cumulative */
	uint64_t	n;
	uint64_t	sum_ns;
};
void stats_hist_observe(struct stats_hist *h, uint64_t ns);

/* The counters, in the order of the stats line; stats_n of them. */
extern const struct stats_counter stats_counters[];
extern const size_t stats_n;

/* Packets and bytes of the records exported for each interface, by
 * ifindex: open addressing, grown as interfaces appear (a few dozen bytes
 * each).  stats_iface_add() returns 0 or -ENOMEM (then not counted). */
struct stats_iface {
	uint32_t	ifindex;	/* 0: free slot */
	uint64_t	packets, bytes;
};
struct stats_ifaces {
	struct stats_iface	*v;
	uint32_t		cap, n;	/* cap: 0 or a power of 2 */
};
int stats_iface_add(struct stats_ifaces *t, uint32_t ifindex,
		    uint64_t packets, uint64_t bytes);
const struct stats_iface *stats_iface_get(const struct stats_ifaces *t,
					  uint32_t ifindex);
void stats_ifaces_free(struct stats_ifaces *t);

/* Every collector's counters summed, those a reload closed included. */
struct exporter_counters stats_export_totals(const struct daemon *d);

/* Packets the kernel saw but put in no flow: parse errors, and lost
 * (ring full, no map).  IPFIX reports them as ignoredPacketTotalCount. */
uint64_t stats_ignored_packets(const struct flow_stats *s);

/* Interfaces the config selects that could not be attached (yet). */
uint64_t stats_unattached(const struct daemon *d);

/* The collector d->exp[i] accepts what it is sent (TCP connected, UDP
 * not refused since its last message); 0 or 1. */
uint64_t stats_collector_up(const struct daemon *d, int i);

/* The longest stats line: every counter's name, "=", 20 digits (and
 * ".yyyyyy"), a space; test_metrics checks that it fits. */
#define STATS_LINE_MAX 4096

/* "name=value name=value ..." of every counter counted once (the
 * totals) into buf (cut to len). */
void stats_format(const struct daemon *d, char *buf, size_t len);
/* "collector=NAME protocol=P sent=... up=..." of collector d->exp[j]: its
 * keys never read like a total's (records_sent= is the total's only). */
void stats_format_collector(const struct daemon *d, int j, char *buf,
			    size_t len);

#endif /* TCFLOWD_STATS_H */
