/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * stats.h - the daemon's counters, in one table: the periodic stats line
 * (SIGUSR1 and every stats_interval_s) is generated from it, and so can a
 * metrics endpoint be.  Every counter is read through its module's
 * accessor (flowcache_stats(), fetcher_stats(), enrich_stats(),
 * exporter_get_counters(), attach_count()).
 */
#ifndef TCFLOWD_STATS_H
#define TCFLOWD_STATS_H

#include <stddef.h>
#include <stdint.h>

#include "exporter.h"
#include "flow.h"

struct daemon;

struct stats_counter {
	const char	*name;		/* key in the stats line */
	uint64_t	(*get)(const struct daemon *d, int arg);
	int		arg;		/* e.g. the STAT_* index */
	int		micro;		/* value in millionths: shown as x.yyyyyy */
};

/* The counters, in the order of the stats line; stats_n of them. */
extern const struct stats_counter stats_counters[];
extern const size_t stats_n;

/* Every collector's counters summed, those a reload closed included. */
struct exporter_counters stats_export_totals(const struct daemon *d);

/* Packets the kernel saw but put in no flow: parse errors, and lost
 * (ring full, no map).  IPFIX reports them as ignoredPacketTotalCount. */
uint64_t stats_ignored_packets(const struct flow_stats *s);

/* Interfaces the config selects that could not be attached (yet). */
uint64_t stats_unattached(const struct daemon *d);

/* "name=value name=value ..." of every counter into buf (cut to len). */
void stats_format(const struct daemon *d, char *buf, size_t len);

#endif /* TCFLOWD_STATS_H */
