// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daemon.c - the event loop and the flow of records through it.
 *
 *   timerfd (fetch)  -> fetcher -> flow cache -> expiry -> exporters
 *   ring buffer fd   -> fetcher -> flow cache
 *   signalfd         -> TERM/INT: stop; HUP: reload; USR1: counters
 *   timerfd (stats)  -> the counters line
 */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "daemon.h"
#include "daemon_links.h"
#include "iface.h"
#include "kmem.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "notify.h"
#include "record.h"
#include "stats.h"

#define NS_PER_S	1000000000ull
#define RING_POLL_MS	10	/* counting = ring: the ring read at least this often */
#define INSERTS_POLL_MS	100	/* counting = auto, in the maps: new entries
				 * looked at this often between fetches */

static uint64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * NS_PER_S + (uint64_t)ts.tv_nsec;
}

/* ---- records ------------------------------------------------------------ */

/* The flow cache emits a record: build it once, give it to everyone. */
static void on_record(void *ctx, const struct flow_key *k,
		      const struct flow_delta *m, int reason)
{
	struct daemon *d = ctx;
	struct export_record r;
	int i;

	d->rc.enrich = d->enrich;
	d->rc.at = &d->at;
	d->rc.routes = d->cfg.routes;
	d->rc.sampling = d->cfg.sampling;
	record_build(&d->rc, k, m, reason, &r);
	stats_iface_add(&d->ifstats, r.key.ifindex, r.packets, r.bytes);
	for (i = 0; i < d->n_exp; i++)
		exporter_add(d->exp[i], &r);
}

static void on_flow(void *ctx, const struct flow_key *k,
		    const struct flow_delta *delta)
{
	struct daemon *d = ctx;

	flowcache_update(d->cache, k, delta);
}

static void on_flows(void *ctx, const struct flow_key *k,
		     const struct flow_delta *deltas, size_t n)
{
	struct daemon *d = ctx;

	flowcache_update_batch(d->cache, k, deltas, n);
}

/*
 * Count in the maps or through the ring (bpf/account.h ring_first).
 * auto: the ring once the cache holds ring_from_flows flows (a per-CPU
 * hash that large misses the caches on every packet, and the receiving
 * CPU pays for it; a ring record is a sequential write, merged here on
 * another core), the maps again below half of it (their cost is per flow
 * per fetch, not per packet).  Either way nothing is lost: the kernel
 * entries of the other way are read and drained as before.
 */
static void choose_counting(struct daemon *d)
{
	uint64_t n = d->cache ? flowcache_stats(d->cache)->active : 0;
	uint64_t from = d->cfg.ring_from_flows;
	bool ring = d->cfg.counting == COUNT_RING ||
		    (d->cfg.counting == COUNT_AUTO &&
		     (d->ring_first ? 2 * n >= from : n >= from));

	/* to the ring: what the maps hold is drained at the next fetch, not
	 * read in place at every one (at a million flows a read takes a
	 * second, and the ring waits for it), and the new map takes only
	 * what a full ring leaves.  Not before the first fetch (the maps
	 * are empty), nor for the NAT programs (they keep to the maps). */
	bool drain = ring && !d->ring_first && d->fetcher && !d->dp.nat &&
		     fetcher_stats(d->fetcher)->fetches;

	if (ring != d->ring_first)
		log_info("counting %s: %llu flows in the cache%s",
			 ring ? "through the ring" : "in the maps",
			 (unsigned long long)n,
			 drain ? "; the maps are drained" : "");
	if (drain)
		fetcher_end_epoch(d->fetcher);
	datapath_set_ring_first(&d->dp, ring);
	d->ring_first = ring;
}

/*
 * counting = auto, in the maps: a burst of new flows would fill the maps
 * with hundreds of thousands of entries before the next fetch saw them in
 * the cache, all to be read in place at that fetch and drained again at
 * the switch to the ring (at 100,000 flows, two passes of 0.1 s each).
 * So between fetches the kernel's count of new entries is looked at
 * every INSERTS_POLL_MS (one read of the per-CPU stats): once the active
 * map has taken ring_from_flows entries since its swap, it holds at least
 * that many flows, and a fetch at once (a read in place, or the epoch's
 * drain) takes them into the cache and switches, with a few thousand
 * entries to read instead.
 */
static void daemon_watch_inserts(struct daemon *d)
{
	struct flow_stats st;
	uint64_t now, n;

	if (d->cfg.counting != COUNT_AUTO || d->ring_first || d->dp.nat ||
	    !d->fetcher || !d->cache)
		return;
	now = clock_ns(CLOCK_MONOTONIC);
	if (now - d->inserts_checked_ns < INSERTS_POLL_MS * 1000000ull)
		return;
	d->inserts_checked_ns = now;
	if (datapath_read_stats(&d->dp, &st))
		return;		/* the next fetch reports it */
	n = st.c[STAT_INSERTS] - d->inserts_mark;
	if (n < d->cfg.ring_from_flows)
		return;
	log_debug("%llu new kernel entries: fetching now", (unsigned long long)n);
	/* once per ring_from_flows new entries, whatever the fetch finds
	 * (a cache smaller than ring_from_flows never reaches it) */
	d->inserts_mark = st.c[STAT_INSERTS];
	fetcher_read_now(d->fetcher);	/* not deferred by read spacing */
	daemon_fetch(d);
}

/* One fetch: drain the kernel, expire, push the records out. */
void daemon_fetch(struct daemon *d)
{
	struct flow_stats delta;
	uint64_t t0, drained = fetcher_stats(d->fetcher)->flows;
	uint64_t reads = fetcher_stats(d->fetcher)->reads;
	uint64_t epochs = fetcher_stats(d->fetcher)->epochs;
	int err, i;

	/* realtime - monotonic, once a fetch, for every record's times */
	d->rc.wall_offset_ns = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
	t0 = clock_ns(CLOCK_MONOTONIC);
	err = fetcher_run(d->fetcher);
	stats_hist_observe(&d->fetch_hist, clock_ns(CLOCK_MONOTONIC) - t0);
	/* entries of the active map: read in place, or (a swap) drained;
	 * a fetch that did neither leaves the last figure */
	if (fetcher_stats(d->fetcher)->reads != reads)
		d->map_entries = fetcher_stats(d->fetcher)->live_entries;
	else if (fetcher_stats(d->fetcher)->epochs != epochs)
		d->map_entries = fetcher_stats(d->fetcher)->flows - drained;
	if (err) {
		d->fetch_errors++;
		log_err("fetch flows: %s", strerror(-err));
	}
	/* the translations, before any record of this fetch is built */
	if (d->nat && (err = nat_fetch(d->nat, &d->dp, clock_ns(CLOCK_MONOTONIC)))) {
		d->fetch_errors++;
		log_err("fetch NAT translations: %s", strerror(-err));
	}
	log_debug("fetch: %llu us; %llu flows drained, %llu of %llu fetches "
		  "found the idle map empty",
		  (unsigned long long)fetcher_stats(d->fetcher)->last_fetch_ns / 1000,
		  (unsigned long long)fetcher_stats(d->fetcher)->flows,
		  (unsigned long long)fetcher_stats(d->fetcher)->skipped,
		  (unsigned long long)fetcher_stats(d->fetcher)->fetches);
	err = fetcher_stats_delta(d->fetcher, &delta, &d->kstats);
	if (!err)
		d->ignored_packets = stats_ignored_packets(&d->kstats);
	/* the new active map got at most these of the inserts so far */
	if (!err && fetcher_stats(d->fetcher)->epochs != epochs)
		d->inserts_mark = d->kstats.c[STAT_INSERTS];
	if (!err && (delta.c[STAT_RING_FULL] || delta.c[STAT_NO_MAP]))
		log_warn("lost %llu packets: overflow ring full (raise "
			 "kernel_flows or overflow_ring_kb)",
			 (unsigned long long)(delta.c[STAT_RING_FULL] +
					      delta.c[STAT_NO_MAP]));
	/* quiet as far as the kernel maps were read, not as far as now */
	flowcache_expire(d->cache, fetcher_horizon(d->fetcher));
	if (d->cfg.counting == COUNT_AUTO)
		choose_counting(d);
	for (i = 0; i < d->n_exp; i++)
		exporter_flush(d->exp[i]);
	/* what went out meanwhile: refused, acknowledged, or through */
	outputs_poll(&d->out, d->exp, d->n_exp);
	notify_watchdog();	/* the loop is alive and fetching */
}

/* ---- telemetry ---------------------------------------------------------- */

const char *daemon_status(struct daemon *d)
{
	struct exporter_counters t = stats_export_totals(d);
	uint64_t sent = t.records, not_sent = t.not_sent;

	snprintf(d->status, sizeof(d->status), "counting on %d interface%s, "
		 "exporting to %d collector%s; packets=%llu records_sent=%llu "
		 "records_not_sent=%llu", attach_count(&d->at),
		 attach_count(&d->at) == 1 ? "" : "s",
		 d->n_exp, d->n_exp == 1 ? "" : "s",
		 (unsigned long long)d->kstats.c[STAT_PACKETS],
		 (unsigned long long)sent, (unsigned long long)not_sent);
	return d->status;
}

void daemon_log_stats(struct daemon *d)
{
	char line[STATS_LINE_MAX];
	int i;

	stats_format(d, line, sizeof(line));
	log_info("stats: %s", line);
	/* a line each, so none is cut; not "stats:", which stays the
	 * totals' (scripts take the last such line) */
	for (i = 0; i < d->n_exp; i++) {
		stats_format_collector(d, i, line, sizeof(line));
		log_info("collector stats: %s", line);
	}
	notify_status("%s", daemon_status(d));
	metrics_tick(d);
}

/* ---- interfaces, exporters, timers -------------------------------------- */

/* (Re)load the link table and start an empty route cache. */
static void open_enrich(struct daemon *d)
{
	enrich_free(d->enrich);
	d->enrich = enrich_new(d->cfg.routes ? d->cfg.route_cache : 0);
	if (!d->enrich)
		log_warn("load the link table: %s; records go out without "
			 "interface details and routes", strerror(errno));
}

/* A route, rule or address changed: the cached answers may be wrong. */
static void on_route_event(void *ctx, const struct nlmsghdr *nlh)
{
	struct daemon *d = ctx;

	enrich_route_message(d->enrich, nlh);
}

static int open_exporters(struct daemon *d)
{
	struct exporter_env env = { .observation_domain = d->cfg.observation_domain,
				    .ignored_packets = &d->ignored_packets,
				    .fetch_interval_ms = d->cfg.fetch_interval_ms,
				    .nat = d->nat != NULL };
	int i;

	for (i = 0; i < d->cfg.n_collectors; i++) {
		d->exp[i] = exporter_open(&d->cfg.collectors[i], &env);
		if (!d->exp[i]) {
			int err = -errno;

			while (i-- > 0)
				exporter_close(d->exp[i]);
			d->n_exp = 0;
			return err;
		}
		d->n_exp = i + 1;
	}
	return 0;
}

static void close_exporters(struct daemon *d)
{
	outputs_fini(&d->out, d->exp, d->n_exp);
	d->n_exp = 0;
}

/*
 * Reload: the collectors of d->cfg, keeping those that did not change
 * open (sequence numbers, sessions, counters go on).  The new ones open
 * first (one that cannot is kept and retried, see exporter_open_kept());
 * then what was due goes to the old set, the sets swap, and what is no
 * longer configured closes.  Returns 0, or -errno (out of memory) with
 * the old set still in place.
 */
static int swap_exporters(struct daemon *d, uint32_t old_domain)
{
	struct exporter_env env = { .observation_domain = d->cfg.observation_domain,
				    .ignored_packets = &d->ignored_packets,
				    .fetch_interval_ms = d->cfg.fetch_interval_ms,
				    .nat = d->nat != NULL };
	struct exporter *next[CONFIG_MAX_COLLECTORS] = { 0 };
	int kept[CONFIG_MAX_COLLECTORS] = { 0 }, fresh[CONFIG_MAX_COLLECTORS] = { 0 };
	int i, j, n = d->cfg.n_collectors, reopened = 0;

	for (i = 0; i < n; i++) {
		const struct collector_config *cc = &d->cfg.collectors[i];

		for (j = 0; j < d->n_exp && old_domain == env.observation_domain; j++)
			if (!kept[j] &&
			    exporter_same_collector(exporter_get_config(d->exp[j]), cc))
				break;
		if (j < d->n_exp && old_domain == env.observation_domain) {
			kept[j] = 1;
			next[i] = d->exp[j];
			exporter_reopen(next[i]);	/* logrotate */
			exporter_rename(next[i], cc->name, cc->line);
			exporter_set_pacing(next[i], cc, d->cfg.fetch_interval_ms);
			continue;
		}
		next[i] = exporter_open_kept(cc, &env);
		if (!next[i]) {
			int err = -errno;

			while (i-- > 0)
				if (fresh[i])
					exporter_close(next[i]);
			return err;
		}
		fresh[i] = 1;
		reopened++;
	}
	fetcher_read_now(d->fetcher);
	daemon_fetch(d);	/* what was due goes to the old set */
	for (j = 0; j < d->n_exp; j++)
		if (!kept[j])
			outputs_retire(&d->out, d->exp[j]);
	memcpy(d->exp, next, sizeof(next));
	d->n_exp = n;
	outputs_watch(&d->out, d->exp, d->n_exp);
	if (reopened)
		log_info("reload: %d collectors opened, %d kept open", reopened,
			 n - reopened);
	return 0;
}

static int set_timer(int fd, uint64_t interval_ms)
{
	struct itimerspec it = { 0 };

	it.it_interval.tv_sec = (time_t)(interval_ms / 1000);
	it.it_interval.tv_nsec = (long)(interval_ms % 1000) * 1000000L;
	it.it_value = it.it_interval;
	return timerfd_settime(fd, 0, &it, NULL) ? -errno : 0;
}

static struct flowcache_timeouts timeouts_of(const struct config *c)
{
	return (struct flowcache_timeouts){
		.active_ns = c->active_timeout_s * NS_PER_S,
		.idle_ns = c->idle_timeout_s * NS_PER_S,
		.tcp_end_ns = c->tcp_end_timeout_s * NS_PER_S,
	};
}

/* ---- reload ------------------------------------------------------------- */

/* How long a translation is kept after the programs last wrote it or a
 * record used it: until the flow's next record is due (active timeout,
 * or the idle timeout, which is not longer), and two fetches more. */
static uint64_t nat_ttl_ns(const struct config *cfg)
{
	return (uint64_t)cfg->active_timeout_s * 1000000000ull +
	       2ull * cfg->fetch_interval_ms * 1000000ull;
}

static void reload(struct daemon *d)
{
	char err[CONFIG_ERR_LEN];
	struct flowcache_timeouts t;
	struct config next;
	struct config old = d->cfg;
	int e;

	if (config_load(d->cfg.file, &next, err, sizeof(err))) {
		log_err("reload: %s; keeping the running configuration", err);
		return;
	}
	/* what needs the programs reloaded stays as it was */
	if (next.hook != old.hook || next.direction != old.direction ||
	    next.kernel_flows != old.kernel_flows ||
	    next.overflow_ring_kb != old.overflow_ring_kb ||
	    next.precise_clock != old.precise_clock || next.nat != old.nat)
		log_warn("reload: hook, direction, kernel_flows, overflow_ring_kb, "
			 "clock and nat change only on restart");
	next.hook = old.hook;
	next.direction = old.direction;
	next.kernel_flows = old.kernel_flows;
	next.overflow_ring_kb = old.overflow_ring_kb;
	next.precise_clock = old.precise_clock;
	next.nat = old.nat;
	d->cfg = next;
	if (d->nat)
		nat_set_ttl(d->nat, nat_ttl_ns(&next));

	log_set_level(next.log_level);
	metrics_update(d, old.metrics_listen);
	datapath_set_sampling(&d->dp, next.sampling);
	choose_counting(d);
	t = timeouts_of(&next);
	flowcache_set_timeouts(d->cache, &t);
	fetcher_set_epoch(d->fetcher, next.kernel_epoch_s * NS_PER_S);
	fetcher_set_read_spacing(d->fetcher, next.kernel_read_spacing,
				 next.idle_timeout_s * NS_PER_S);
	set_timer(d->fetch_tfd, next.fetch_interval_ms);
	set_timer(d->stats_tfd, next.stats_interval_s * 1000ull);
	daemon_attach_selected(d);
	daemon_forget_pending(d);	/* what it left out */
	if (next.routes != old.routes || next.route_cache != old.route_cache)
		open_enrich(d);
	e = swap_exporters(d, old.observation_domain);
	if (e) {
		log_err("reload: open collectors: %s; keeping the running ones",
			strerror(-e));
		memcpy(d->cfg.collectors, old.collectors, sizeof(old.collectors));
		d->cfg.n_collectors = old.n_collectors;
		d->cfg.observation_domain = old.observation_domain;
	}
	daemon_announce_attached(d);
	log_info("reloaded %s", d->cfg.file);
}

/* ---- the loop ----------------------------------------------------------- */

static int handle_signal(struct daemon *d)
{
	struct signalfd_siginfo si;

	if (read(d->sigfd, &si, sizeof(si)) != sizeof(si))
		return 0;
	switch (si.ssi_signo) {
	case SIGTERM:
	case SIGINT:
		log_info("stopping (%s)", strsignal((int)si.ssi_signo));
		return 1;
	case SIGHUP:
		notify_reloading();
		reload(d);
		notify_ready(daemon_status(d));
		break;
	case SIGUSR1:
		daemon_log_stats(d);
		break;
	}
	return 0;
}

static void drain_timer(int fd)
{
	uint64_t n;

	if (read(fd, &n, sizeof(n)) < 0 && errno != EAGAIN)
		log_warn("read timer: %s", strerror(errno));
}

/* epoll_wait's timeout: the shorter of the retired collectors' and the
 * metrics endpoint's (-1: none). */
/* Paced collectors send what is due and say when more is; the metrics
 * endpoint has its own timeouts: the loop waits for the sooner. */
static int loop_timeout_ms(struct daemon *d)
{
	int a = outputs_pace(&d->out, d->exp, d->n_exp);
	int b = d->http ? metrics_http_timeout_ms(d->http) : -1;
	int t = a < 0 ? b : b < 0 ? a : a < b ? a : b;

	/* counting through the ring: most records wake nobody (bpf/ring.h
	 * ring_wake), so the loop reads the ring this often; at once when
	 * the last read stopped at its bound */
	if (fetcher_ring_more(d->fetcher))
		return 0;
	if (d->ring_first && (t < 0 || t > RING_POLL_MS))
		t = RING_POLL_MS;
	if (d->cfg.counting == COUNT_AUTO && !d->ring_first && !d->dp.nat &&
	    (t < 0 || t > INSERTS_POLL_MS))
		t = INSERTS_POLL_MS;
	return t;
}

int daemon_run(struct daemon *d)
{
	struct epoll_event ev[8];
	int n, i, ring_fd = fetcher_ring_fd(d->fetcher);

	for (;;) {
		n = epoll_wait(d->epfd, ev, 8, loop_timeout_ms(d));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)	/* retired collectors still delivering, or paced */
			outputs_poll(&d->out, d->exp, d->n_exp);
		if (d->ring_first || fetcher_ring_more(d->fetcher))
			fetcher_poll_ring(d->fetcher);
		for (i = 0; i < n; i++) {
			int fd = ev[i].data.fd;

			if (ev[i].data.u64 == OUTPUTS_EPOLL_TAG) {
				outputs_poll(&d->out, d->exp, d->n_exp);
				continue;
			}
			if (ev[i].data.u64 == METRICS_EPOLL_TAG)
				continue;	/* below */
			if (fd == d->sigfd && handle_signal(d))
				return 0;
			if (fd == d->fetch_tfd) {
				drain_timer(fd);
				daemon_fetch(d);
			} else if (fd == d->stats_tfd) {
				drain_timer(fd);
				daemon_log_stats(d);
			} else if (fd == ring_fd) {
				fetcher_poll_ring(d->fetcher);
			} else if (d->watch && fd == iface_watch_fd(d->watch)) {
				if (iface_watch_read(d->watch)) {
					log_warn("read link notifications: lost "
						 "some; rescanning interfaces");
					open_enrich(d);
					daemon_attach_selected(d);
					daemon_announce_attached(d);
				}
				daemon_forget_pending(d);
			}
		}
		daemon_watch_inserts(d);
		/* sockets come and go with connections */
		outputs_watch(&d->out, d->exp, d->n_exp);
		/* requests, and idle connections timing out (its timeout
		 * passes while other fds keep the loop busy) */
		if (d->http)
			metrics_http_run(d->http);
	}
}

/* ---- init and teardown -------------------------------------------------- */

static int add_fd(struct daemon *d, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev) ? -errno : 0;
}

/* The signals the loop takes through signalfd. */
static void loop_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
}

int daemon_block_signals(void)
{
	sigset_t set;

	loop_signals(&set);
	return sigprocmask(SIG_BLOCK, &set, NULL) ? -errno : 0;
}

static int init_loop(struct daemon *d)
{
	sigset_t set;
	int err;

	loop_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL))
		return -errno;
	signal(SIGPIPE, SIG_IGN);	/* a collector that goes away is an error */
	d->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	d->fetch_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->stats_tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->sigfd < 0 || d->fetch_tfd < 0 || d->stats_tfd < 0 || d->epfd < 0)
		return -errno;
	err = set_timer(d->fetch_tfd, d->cfg.fetch_interval_ms);
	if (!err)
		err = set_timer(d->stats_tfd, d->cfg.stats_interval_s * 1000ull);
	if (!err)
		err = add_fd(d, d->sigfd);
	if (!err)
		err = add_fd(d, d->fetch_tfd);
	if (!err)
		err = add_fd(d, d->stats_tfd);
	if (!err)
		err = add_fd(d, fetcher_ring_fd(d->fetcher));
	return err;
}

/*
 * The instance: its state directory, locked for our life (if another
 * process holds it, nothing in the kernel is touched), and then what a
 * killed run of it left, removed.  With user set, the directory is given
 * to that user: after the drop it must still record hotplugged interfaces.
 */
static int open_instance(struct daemon *d)
{
	uid_t uid = (uid_t)-1;
	gid_t gid = (gid_t)-1;
	struct passwd *pw;
	int err, n;

	if (*d->cfg.user) {
		pw = getpwnam(d->cfg.user);
		if (!pw) {
			log_err("run as user %s: no such user", d->cfg.user);
			return -ENOENT;
		}
		uid = pw->pw_uid;
		gid = pw->pw_gid;
	}
	err = statedir_open(&d->sd, d->cfg.state_dir, uid);
	if (err)
		return err;
	if (uid != (uid_t)-1 && geteuid() != uid &&
	    (err = statedir_give(&d->sd, uid, gid))) {
		log_err("give state_dir %s to %s: %s", d->cfg.state_dir,
			d->cfg.user, strerror(-err));
		statedir_close(&d->sd);
		return err;
	}
	n = attach_cleanup_leftovers(&d->sd);
	if (n)
		log_info("removed %d leftovers of an earlier run", n);
	return 0;
}

/* Load the kernel programs (not attached yet); 0 or -errno. */
static int open_datapath(struct daemon *d, const struct config *cfg)
{
	struct datapath_opts o = {
		.map_entries = cfg->kernel_flows,
		.ring_bytes = cfg->overflow_ring_kb * 1024,
		.sample_rate = cfg->sampling,
		.socket = cfg->hook == HOOK_SOCKET,
		.precise_clock = cfg->precise_clock,
		.directions = (__u8)cfg->direction,
	};
	int err;

	err = nat_datapath_open(&d->dp, &o, cfg->nat);
	if (err) {
		log_err("load BPF programs: %s", strerror(-err));
		return err;
	}
	d->dp_open = true;
	if (cfg->kernel_flows_auto && cfg->kernel_flows < FLOW_MAP_DEFAULT_ENTRIES)
		log_info("kernel_flows: %u, not %u, to keep both maps within "
			 "%llu MiB on %d CPUs (set kernel_flows to choose)",
			 cfg->kernel_flows, FLOW_MAP_DEFAULT_ENTRIES,
			 KMEM_BUDGET >> 20, d->dp.ncpus);
	if (o.nat) {
		/* every flow of the cache may be of a translated connection */
		d->nat = nat_new(2 * cfg->max_flows, nat_ttl_ns(cfg));
		if (!d->nat) {
			log_err("allocate the NAT table: %s", strerror(errno));
			return -ENOMEM;
		}
		d->rc.nat = d->nat;
	}
	if (o.socket)
		log_info("loaded BPF programs: sock_filter%s id %u",
			 d->dp.seq_peer_cpus ? "_p" : "",
			 datapath_prog_id(datapath_socket_fd(&d->dp)));
	else
		log_info("loaded BPF programs: tc_ingress%s id %u, tc_egress%s id %u",
			 datapath_prog_suffix(&d->dp),
			 datapath_prog_id(datapath_ingress_fd(&d->dp)),
			 datapath_prog_suffix(&d->dp),
			 datapath_prog_id(datapath_egress_fd(&d->dp)));
	return 0;
}

int daemon_init(struct daemon *d, const struct config *cfg)
{
	struct flowcache_timeouts t = timeouts_of(cfg);
	int err;

	memset(d, 0, sizeof(*d));
	d->sigfd = d->fetch_tfd = d->stats_tfd = d->epfd = -1;
	outputs_init(&d->out, -1);
	d->sd.dirfd = d->sd.lockfd = -1;
	d->cfg = *cfg;

	/* 1. the instance, and what a killed run of it left behind */
	err = open_instance(d);
	if (err)
		return err;
	/* 2. the kernel programs, loaded but not attached */
	err = open_datapath(d, cfg);
	if (err)
		return err;
	/* 3. the user-space side, ready before any packet is counted */
	d->cache = flowcache_new(cfg->max_flows, &t, on_record, d);
	d->fetcher = fetcher_new(&d->dp, cfg->kernel_flows, on_flow, d);
	if (!d->cache || !d->fetcher) {
		log_err("allocate the flow cache: %s", strerror(errno));
		return -ENOMEM;
	}
	fetcher_set_batch_fn(d->fetcher, on_flows);
	fetcher_set_epoch(d->fetcher, cfg->kernel_epoch_s * NS_PER_S);
	fetcher_set_read_spacing(d->fetcher, cfg->kernel_read_spacing,
				 cfg->idle_timeout_s * NS_PER_S);
	choose_counting(d);
	err = open_exporters(d);
	if (err)
		return err;
	err = init_loop(d);
	if (err) {
		log_err("set up the event loop: %s", strerror(-err));
		return err;
	}
	d->out.epfd = d->epfd;
	outputs_watch(&d->out, d->exp, d->n_exp);
	err = metrics_open(d);
	if (err)
		return err;
	/* 4. and only now the hooks */
	attach_init(&d->at, &d->dp, cfg->hook, cfg->direction, &d->sd);
	d->at_open = true;
	daemon_attach_selected(d);
	/* 5. hotplug and enrichment: interfaces that come, change and go,
	 * and routes; the watch first, so no change after the load is missed */
	d->watch = iface_watch_new(daemon_on_link_event, on_route_event, d);
	if (!d->watch || add_fd(d, iface_watch_fd(d->watch)))
		log_warn("watch interfaces: %s; hotplug is off", strerror(errno));
	open_enrich(d);
	daemon_announce_attached(d);
	log_info("running: sampling 1-in-%u, fetch every %u ms, cache of %u "
		 "flows (%zu bytes each)", cfg->sampling, cfg->fetch_interval_ms,
		 cfg->max_flows, flowcache_bytes_per_flow());
	return 0;
}

/* Fetch, end every flow (forced end), send it all; the records sent. */
static uint64_t final_export(struct daemon *d)
{
	int i;

	fetcher_read_now(d->fetcher);
	daemon_fetch(d);
	flowcache_flush(d->cache);
	for (i = 0; i < d->n_exp; i++)
		exporter_flush(d->exp[i]);
	return stats_export_totals(d).records;
}

void daemon_fini(struct daemon *d)
{
	bool live = d->fetcher && d->cache;

	/* everything counted so far goes out before the detach, which
	 * takes an RCU grace period per hook */
	if (live && d->at_open && attach_count(&d->at)) {
		final_export(d);
		/* paced collectors' queues, too (bounded, faster if need be) */
		outputs_settle(d->exp, d->n_exp, OUTPUTS_DRAIN_MS);
		log_info("stopping: %llu records sent; detaching from %d "
			 "interfaces", (unsigned long long)stats_export_totals(d).records,
			 attach_count(&d->at));
	}
	if (d->at_open)
		attach_fini(&d->at);
	d->at_open = false;
	/* after the detach no program runs, so this last fetch (an epoch:
	 * its swap waits for running programs) sees every packet; the last
	 * records go out before the last counters line */
	if (live) {
		fetcher_end_epoch(d->fetcher);
		final_export(d);
		daemon_log_stats(d);
	}
	metrics_close(d);
	close_exporters(d);
	iface_watch_free(d->watch);
	free(d->forget_q);
	enrich_free(d->enrich);
	nat_free(d->nat);
	fetcher_free(d->fetcher);
	flowcache_free(d->cache);
	stats_ifaces_free(&d->ifstats);
	if (d->dp_open)
		datapath_close(&d->dp);
	if (d->epfd >= 0)
		close(d->epfd);
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->fetch_tfd >= 0)
		close(d->fetch_tfd);
	if (d->stats_tfd >= 0)
		close(d->stats_tfd);
	statedir_close(&d->sd);
}
