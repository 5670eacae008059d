/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon.h - tcflowd's modules wired together, and its event loop.
 */
#ifndef TCFLOWD_DAEMON_H
#define TCFLOWD_DAEMON_H

#include <net/if.h>
#include <stdbool.h>

#include "attach.h"
#include "config.h"
#include "datapath.h"
#include "enrich.h"
#include "exporter.h"
#include "fetcher.h"
#include "flowcache.h"
#include "iface.h"
#include "nat.h"
#include "outputs.h"
#include "record.h"
#include "statedir.h"
#include "stats.h"

struct daemon {
	struct config		cfg;
	struct statedir		sd;		/* locked for our life */
	struct datapath		dp;
	bool			dp_open;
	struct attach		at;
	bool			at_open;
	struct iface_watch	*watch;		/* link hotplug, route changes */
	struct enrich		*enrich;	/* links and routes */
	struct nat_table	*nat;		/* NULL: nat is off */
	struct fetcher		*fetcher;
	struct flowcache	*cache;
	struct exporter		*exp[CONFIG_MAX_COLLECTORS];
	int			n_exp;
	/* their sockets in the loop; the ones a reload retired */
	struct outputs		out;
	int			epfd, sigfd, fetch_tfd, stats_tfd;
	struct record_ctx	rc;		/* what records are built from */
	struct flow_stats	kstats;		/* kernel counters, totals */
	uint64_t		ignored_packets; /* of those, in no flow */
	uint64_t		fetch_errors;
	struct stats_hist	fetch_hist;	/* how long fetches take */
	uint64_t		map_entries;	/* drained by the last fetch */
	bool			ring_first;	/* counting through the ring now */
	/* counting = auto, in the maps: STAT_INSERTS at the fetch after
	 * the last swap or at the last early fetch, and when the kernel's
	 * counters were last looked at between fetches
	 * (daemon_watch_inserts) */
	uint64_t		inserts_mark;
	uint64_t		inserts_checked_ns;
	struct metrics_http	*http;		/* [metrics] listen; NULL: off */
	struct stats_ifaces	ifstats;	/* records exported per interface */
	/* interfaces to forget once the link notifications read in one go
	 * are handled: one kernel read for all of them (daemon_links.c) */
	struct daemon_forget {
		int	ifindex;
		bool	gone;		/* else: out of the patterns */
	}			*forget_q;
	int			forget_n, forget_cap;
	char			status[256];	/* daemon_status() */
};

/*
 * Block the signals the event loop takes (SIGTERM, SIGINT, SIGHUP,
 * SIGUSR1): first thing in main(), so one that arrives during start-up
 * waits for the loop instead of killing the daemon.  Returns 0 or -errno.
 */
int daemon_block_signals(void);

/*
 * Clean up what a killed run left, load the programs, build the cache,
 * the fetcher and the exporters, then attach.  Returns 0 or -errno; call
 * daemon_fini() either way.
 */
int daemon_init(struct daemon *d, const struct config *cfg);

/* The event loop, until SIGTERM or SIGINT.  Returns 0 or -errno. */
int daemon_run(struct daemon *d);

/* A one-line summary (systemd's STATUS=): interfaces, collectors, counts. */
const char *daemon_status(struct daemon *d);

/* Detach, fetch a last time, flush every flow (forced end), close. */
void daemon_fini(struct daemon *d);

/* The counters line (SIGUSR1 and every stats_interval_s). */
void daemon_log_stats(struct daemon *d);

#endif /* TCFLOWD_DAEMON_H */
