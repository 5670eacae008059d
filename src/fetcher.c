// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "autoconfig.h"
#include "baseline.h"
#include "fetcher.h"
#include "delta.h"

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)0)
#endif

#define BATCH_DEFAULT	4096
#define HAND_BATCH	256	/* deltas handed on together (fetcher_set_batch_fn) */

struct fetcher {
	struct datapath		*dp;
	fetcher_flow_fn		fn;
	fetcher_flows_fn	batch_fn;
	void			*ctx;
	/* deltas not handed on yet: at most HAND_BATCH, all of them before
	 * fetcher_run or fetcher_poll_ring returns */
	uint32_t		n_pend;
	struct flow_key		pend_keys[HAND_BATCH];
	struct flow_delta	pend[HAND_BATCH];
	struct ring_buffer	*rb;
	/* a poll of the ring takes at most ring_bound records (a producer
	 * faster than the merge would otherwise keep it in the ring);
	 * ring_more: the last poll stopped there */
	uint32_t		ring_bound, ring_left;
	bool			ring_more;
	bool			batch;
	uint32_t		batch_size;	/* keys per batch call */
	struct flow_key		*keys;
	struct flow_metrics	*vals;		/* batch_size * ncpus */
	struct flow_stats	prev;		/* kernel counters last read */
	struct fetcher_stats	stats;
	/* packets seen (all hooks) just before the previous swap, and
	 * whether the map it made idle was drained completely */
	uint64_t		seen_before_swap;
	bool			have_seen, drained, skip_idle;
	/* persistence: the active map is read in place between epochs */
	struct baseline_table	*base;		/* of the active map's keys */
	uint32_t		map_entries;
	uint64_t		epoch_ns;	/* 0: every fetch is an epoch */
	uint64_t		epoch_start;	/* mono ns of the last swap */
	uint64_t		map_full_seen;	/* STAT_MAP_FULL then */
	uint64_t		seen_at_read;	/* STAT_PACKETS before it */
	uint64_t		prev_clock;	/* datapath clock, last fetch */
	int			pending_fd;	/* idle map not drained yet */
	bool			read_valid;	/* seen_at_read describes the
						 * active map's last read */
	bool			live;		/* reading the active map now */
	/*
	 * Counting through the ring, what a map holds (a segment the full
	 * ring left to it, what it counted before the switch) is read out of
	 * order with the ring's records: compared with them its sequence
	 * marks would make reordering look like retransmission.  So a map
	 * that was active while the ring came first hands on no marks until
	 * its drain (its own retransmissions, found in the kernel, still
	 * count); marks_unsure per map index.  The NAT programs keep to the
	 * maps: never for them.
	 */
	bool			marks_unsure[2];
	bool			reading_unsure;
	bool			fill_due, end_epoch;
	/* a read in place waits read_spacing times the last one's length
	 * from that one's start (0: never waits), read_wait_max at most (0:
	 * no bound); read_now: not the next one */
	uint32_t		read_spacing;
	uint64_t		read_wait_max;
	uint64_t		read_start, read_ns;
	bool			read_now;
	uint64_t		horizon;	/* mono ns: counts before it are
						 * handed on */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * Merge one entry's per-CPU values.  A live entry may be read while a
 * program on another CPU is filling a fresh per-CPU value: a first_seen
 * still 0 with packets is not a time (UINT64_MAX if no CPU has one).
 */
static void merge_cpus(struct flow_metrics *m, const struct flow_metrics *percpu,
		       int ncpus)
{
	int cpu;

	memset(m, 0, sizeof(*m));
	for (cpu = 0; cpu < ncpus; cpu++) {
		struct flow_metrics v = percpu[cpu];

		if (v.packets && !v.first_seen)
			v.first_seen = UINT64_MAX;
		flow_metrics_merge(m, &v);
	}
}

/* What the TCP health of m adds to the flow (a delta is handed on for it
 * even without packets: the kernel writes a handshake's outcome into the
 * other direction's value). */
static bool tcp_news(const struct flow_metrics *m)
{
	return m->syn_count || m->fin_count || m->rst_count || m->retrans ||
	       m->tcp_hs || (m->tcp_bits & (TCP_B_SDELAY | TCP_B_CDELAY));
}

/*
 * Make m's TCP counts what grew since b and move b on; the handshake's
 * state and delays are handed on as they are (the merges keep the latest
 * state and the first delays), and the first data segment's mark only
 * with the epoch's first delta of the entry: after that the kernel
 * compared every segment with it.  Returns whether anything is new.
 */
static bool tcp_since(struct baseline *b, struct flow_metrics *m)
{
	uint8_t delays = TCP_B_SDELAY | TCP_B_CDELAY;
	uint8_t bits = m->tcp_bits & (delays | TCP_B_SEQ | TCP_B_FIRST);
	bool news = m->syn_count != b->syn_count || m->fin_count != b->fin_count ||
		    m->rst_count != b->rst_count || m->retrans != b->retrans ||
		    m->tcp_hs != b->tcp_hs ||
		    (bits & delays) != (b->tcp_bits & delays);
	uint32_t syn = m->syn_count, fin = m->fin_count, rst = m->rst_count;
	uint32_t retrans = m->retrans;

	if (b->tcp_bits & TCP_B_FIRST)	/* it went with an earlier delta */
		m->seq_first_segs = 0;
	m->syn_count -= b->syn_count;
	m->fin_count -= b->fin_count;
	m->rst_count -= b->rst_count;
	m->retrans -= b->retrans;
	b->syn_count = syn;
	b->fin_count = fin;
	b->rst_count = rst;
	b->retrans = retrans;
	b->tcp_hs = m->tcp_hs;
	b->tcp_bits |= bits;
	return news;
}

/*
 * Make cumulative m what grew since baseline b, and move b on.  Returns
 * false when there is nothing to hand on yet: on a live read, bytes whose
 * packets are not visible yet (a torn read) wait for them; the drain of
 * the map, which no program writes any more, hands on whatever is left.
 * Packets and bytes are differences of sums that only grow, so whatever
 * a read sees, every packet and byte is handed on exactly once.
 * first_seen of a continuing entry is not known exactly: its first new
 * packet came after the previous read (prev_clock) and after b's last
 * packet; a single new packet is at last_seen.
 */
static bool since(struct fetcher *f, struct baseline *b, struct flow_metrics *m)
{
	uint64_t packets = m->packets - b->packets, bytes = m->bytes - b->bytes;
	uint64_t last = m->last_seen > b->last_seen ? m->last_seen : b->last_seen;
	uint64_t first = m->first_seen;
	bool news = tcp_since(b, m);

	if (packets == 0 && !news && (bytes == 0 || f->live))
		return false;
	if (packets == 0 && f->live)
		bytes = 0;	/* they wait for their packets */
	if (b->packets || first == UINT64_MAX || packets == 0) {
		first = b->last_seen > f->prev_clock ? b->last_seen : f->prev_clock;
		if (packets <= 1 || first > last)
			first = last;
	}
	b->packets += packets;
	b->bytes += bytes;
	b->last_seen = last;
	m->packets = packets;
	m->bytes = bytes;
	m->first_seen = first;
	m->last_seen = last;
	return true;
}

/* Hand on what waits, in order. */
static void flush(struct fetcher *f)
{
	uint32_t i;

	if (f->batch_fn && f->n_pend)
		f->batch_fn(f->ctx, f->pend_keys, f->pend, f->n_pend);
	else
		for (i = 0; i < f->n_pend; i++)
			f->fn(f->ctx, &f->pend_keys[i], &f->pend[i]);
	f->n_pend = 0;
}

/* Make merged metrics a flow_delta (the only place kernel values become
 * user-space ones) and hand it over: in batches, so that the flow cache
 * can fetch the batch's entries from memory together. */
static void hand_on(struct fetcher *f, const struct flow_key *key,
		    const struct flow_metrics *m)
{
	struct flow_delta *d = &f->pend[f->n_pend];

	*d = (struct flow_delta){
		.packets = m->packets,
		.bytes = m->bytes,
		.first_seen = datapath_mono_ns(f->dp, m->first_seen),
		.last_seen = datapath_mono_ns(f->dp, m->last_seen),
		.tcp_flags = m->tcp_flags,
		.tos = m->tos,
		.min_ttl = m->min_ttl,
		.max_ttl = m->max_ttl,
		.flags = m->flags,
		.peer_ifindex = m->peer_ifindex,
		.syn_count = m->syn_count,
		.fin_count = m->fin_count,
		.rst_count = m->rst_count,
		.retrans = m->retrans,
		.server_delay_us = m->server_delay_us,
		.client_delay_us = m->client_delay_us,
		.tcp_hs = m->tcp_hs,
		.tcp_bits = m->tcp_bits & (TCP_B_SDELAY | TCP_B_CDELAY |
					   TCP_B_SEQ | TCP_B_FIRST),
		.seq_end = m->seq_end,
		.seq_first_end = m->seq_first_end,
		.seq_first_segs = m->seq_first_segs,
	};

	if (f->reading_unsure) {
		d->tcp_bits &= (uint8_t)~(TCP_B_SEQ | TCP_B_FIRST);
		d->seq_first_segs = 0;
	}

	memcpy(d->src_mac, m->src_mac, sizeof(d->src_mac));
	memcpy(d->dst_mac, m->dst_mac, sizeof(d->dst_mac));
	f->pend_keys[f->n_pend] = *key;
	if (++f->n_pend == HAND_BATCH)
		flush(f);
}

/* One map entry: what it counted since it was last handed on. */
static void deliver(struct fetcher *f, const struct flow_key *key,
		    const struct flow_metrics *percpu, int ncpus)
{
	struct flow_metrics m;
	struct baseline *b;

	merge_cpus(&m, percpu, ncpus);
	b = f->live ? baseline_get(f->base, key) : baseline_find(f->base, key);
	if (!b && f->live) {
		f->stats.untracked++;	/* no room: it all comes with the drain */
		return;
	}
	if (b && !since(f, b, &m))
		return;
	if (m.packets == 0 && m.bytes == 0 && !tcp_news(&m))
		return;
	if (m.first_seen == UINT64_MAX)
		m.first_seen = m.last_seen;
	hand_on(f, key, &m);
}

static int on_ring(void *ctx, void *data, size_t len)
{
	const struct flow_overflow *r = data;
	struct fetcher *f = ctx;

	if (len < sizeof(*r)) {
		f->stats.ring_bad++;	/* cannot happen; counted if it does */
		return --f->ring_left ? 0 : -EAGAIN;
	}
	f->stats.ring_records++;
	/* never in a map; without packets: a handshake's outcome for the
	 * other direction (counting through the ring, bpf/tcp.h) */
	if (r->metrics.packets || tcp_news(&r->metrics))
		hand_on(f, &r->key, &r->metrics);
	/* the bound: libbpf has moved past this record when it stops */
	return --f->ring_left ? 0 : -EAGAIN;
}

static int grow(struct fetcher *f, uint32_t n)
{
	struct flow_key *k = realloc(f->keys, n * sizeof(*k));
	struct flow_metrics *v;

	if (!k)
		return -ENOMEM;
	f->keys = k;
	v = realloc(f->vals, (size_t)n * f->dp->ncpus * sizeof(*v));
	if (!v)
		return -ENOMEM;
	f->vals = v;
	f->batch_size = n;
	return 0;
}

/* The programs count through the ring (not the NAT ones: bpf/account.h). */
static bool ring_counts(const struct fetcher *f)
{
	return *f->dp->ring_first && !f->dp->nat;
}

/*
 * Counting through the ring, between two batches of a map's read: a read
 * of a million entries takes a second, and a ring that waits for it fills
 * and leaves the packets to the maps.  The records' marks are theirs (the
 * map's are dropped anyway, marks_unsure).
 */
static void poll_between(struct fetcher *f)
{
	bool unsure = f->reading_unsure;

	f->reading_unsure = false;
	flush(f);			/* the map's deltas so far, first */
	fetcher_poll_ring(f);
	f->reading_unsure = unsure;
}

/*
 * Read fd with lookup batches: with delete (the drain of the idle map) or
 * without (the active map, read in place).  Returns the entries seen, or
 * -errno; -EINVAL/-ENOTSUPP: no batch ops on this kernel.
 */
static long read_batch(struct fetcher *f, int fd, bool del)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 in = 0, out = 0, count, i;
	bool first = true;
	long n = 0;
	int err;

	for (;;) {
		count = f->batch_size;
		if (del)
			err = bpf_map_lookup_and_delete_batch(fd, first ? NULL : &in,
							      &out, f->keys, f->vals,
							      &count, &opts);
		else
			err = bpf_map_lookup_batch(fd, first ? NULL : &in, &out,
						   f->keys, f->vals, &count, &opts);
		err = err ? -errno : 0;
		/* the kernel filled count entries; valgrind does not know
		 * this command (a no-op outside valgrind) */
		VALGRIND_MAKE_MEM_DEFINED(f->keys, count * sizeof(*f->keys));
		VALGRIND_MAKE_MEM_DEFINED(f->vals, (size_t)count * f->dp->ncpus *
					  sizeof(*f->vals));
		if (err == -ENOSPC && count == 0) {
			/* a hash bucket holds more keys than a batch */
			if (grow(f, f->batch_size * 2))
				return -ENOMEM;
			continue;
		}
		for (i = 0; i < count; i++)
			deliver(f, &f->keys[i], &f->vals[(size_t)i * f->dp->ncpus],
				f->dp->ncpus);
		n += count;
		if (ring_counts(f))
			poll_between(f);
		if (err == -ENOENT)
			return n;	/* walked the whole map */
		if (err)
			return err;
		in = out;
		first = false;
	}
}

/* Look up one key into f->vals and deliver it; false if it went away. */
static bool read_key(struct fetcher *f, int fd, const struct flow_key *key)
{
	if (bpf_map_lookup_elem(fd, key, f->vals))
		return false;
	VALGRIND_MAKE_MEM_DEFINED(f->vals, (size_t)f->dp->ncpus *
				  sizeof(*f->vals));
	deliver(f, key, f->vals, f->dp->ncpus);
	return true;
}

/*
 * Per key: safe here because no program writes the idle map any more.
 * The next key is found before the current one is deleted: asking the
 * kernel for the key after a deleted one (or after NULL) restarts its walk
 * at the first bucket, which made this loop quadratic.  Without del (the
 * active map, where nothing is ever deleted) a key inserted meanwhile
 * before the walk's position is seen at the next read.
 */
static long read_keys(struct fetcher *f, int fd, bool del)
{
	struct flow_key key, next;
	bool have = false;
	long n = 0;

	while (bpf_map_get_next_key(fd, have ? &key : NULL, &next) == 0) {
		if (del && have && bpf_map_delete_elem(fd, &key) &&
		    errno != ENOENT)
			return -errno;
		key = next;
		have = true;
		n += read_key(f, fd, &key);
	}
	if (del && have && bpf_map_delete_elem(fd, &key) && errno != ENOENT)
		return -errno;
	return n;
}

/* Read a map by batch, or per key on kernels without batch ops. */
static long read_map(struct fetcher *f, int fd, bool del)
{
	long n = -EINVAL;

	if (f->batch) {
		n = read_batch(f, fd, del);
		if (n == -EINVAL || n == -ENOTSUP || n == -EOPNOTSUPP) {
			f->batch = false;	/* an old kernel: per key */
			f->stats.batch = false;
		}
	}
	if (!f->batch)
		n = read_keys(f, fd, del);
	return n;
}

/* STAT_PACKETS and STAT_MAP_FULL now. */
static int packets_seen(struct fetcher *f, uint64_t *n, uint64_t *full)
{
	struct flow_stats st;
	int err = datapath_read_stats(f->dp, &st);

	*n = st.c[STAT_PACKETS];
	if (full)
		*full = st.c[STAT_MAP_FULL];
	return err;
}

/* Drain the idle map fd, with the final deltas of its baselines. */
static int drain(struct fetcher *f, int fd)
{
	int i = fd == f->dp->flows_fd[1];
	long n;

	f->live = false;
	f->reading_unsure = f->marks_unsure[i];
	n = read_map(f, fd, true);
	f->reading_unsure = false;
	if (n < 0) {
		f->pending_fd = fd;	/* the next fetch goes on with it */
		return (int)n;
	}
	f->marks_unsure[i] = false;	/* empty now */
	f->stats.flows += (uint64_t)n;
	f->pending_fd = -1;
	f->drained = true;
	baseline_clear(f->base);
	return 0;
}

/*
 * An epoch: swap, and drain the map the swap made idle.
 * The map this swap makes idle was written only by programs that found
 * it in the slot after the previous swap, and they are all done when this
 * swap returns; each counted its packet in STAT_PACKETS in the same run.
 * So if the counter did not move from just before the previous swap to
 * just after this one, the map is empty: no drain, whose cost is the
 * map's size (the kernel walks every bucket), not its contents.  An idle
 * router's fetches cost next to nothing.
 */
static int epoch(struct fetcher *f, uint64_t now)
{
	uint64_t before = 0, after = 0;
	bool empty;
	int fd, err;

	empty = packets_seen(f, &before, NULL) == 0 && f->have_seen &&
		f->drained && f->skip_idle;
	fd = datapath_swap(f->dp);
	if (fd < 0)
		return fd;
	f->stats.epochs++;
	f->marks_unsure[f->dp->active] = ring_counts(f);
	f->epoch_start = now;
	f->fill_due = f->end_epoch = false;
	/* (an entry read in place has a baseline: never skip its drain) */
	empty = empty && packets_seen(f, &after, NULL) == 0 &&
		after == f->seen_before_swap && baseline_count(f->base) == 0;
	f->seen_before_swap = before;
	f->have_seen = true;
	/* the new active map holds nothing of before (the last drain) */
	f->seen_at_read = before;
	f->read_valid = f->drained;
	if (empty) {
		f->stats.skipped++;
		return 0;
	}
	f->drained = false;
	err = drain(f, fd);
	f->read_valid = f->read_valid && !err;
	return err;
}

/*
 * Between epochs: read the active map in place and hand on what grew.
 * Skipped when no program ran since the previous read began (a program
 * that began before it and wrote behind it is seen at a later read).
 * A read costs the map's entries, not the packets: at a million flows it
 * takes longer than a fetch interval, and back-to-back reads would keep a
 * core busy for ever.  So it waits read_spacing times the last read's
 * length from that read's start (at most 1/read_spacing of a core; a
 * wait of read_wait_max at most, so one read slowed by a stall does not
 * hold the next for long), and the fetches in between only consume the
 * ring.  The horizon stays at the last read's start: the flow cache times
 * flows out against what was read, not against the clock (a flow is quiet
 * only as far as anyone looked).
 */
static bool read_waits(const struct fetcher *f, uint64_t now)
{
	uint64_t wait = f->read_spacing * f->read_ns;

	if (!f->read_valid || !f->read_spacing || f->read_now)
		return false;
	if (f->read_wait_max && wait > f->read_wait_max)
		wait = f->read_wait_max;
	return now - f->read_start < wait;
}

static int read_live(struct fetcher *f, uint64_t seen, uint64_t now)
{
	long n;

	if (f->skip_idle && f->read_valid && seen == f->seen_at_read) {
		f->stats.skipped++;
		f->horizon = now;
		return 0;
	}
	if (read_waits(f, now)) {
		f->stats.deferred++;
		return 0;
	}
	f->live = true;
	f->reading_unsure = f->marks_unsure[f->dp->active];
	n = read_map(f, f->dp->flows_fd[f->dp->active], false);
	f->reading_unsure = f->live = false;
	f->stats.reads++;
	if (n < 0) {
		f->read_valid = false;
		return (int)n;
	}
	f->seen_at_read = seen;
	f->read_valid = true;
	f->read_start = f->horizon = now;
	f->read_ns = mono_ns() - now;
	f->stats.live_entries = (uint64_t)n;
	/* seven eighths full: the next fetch starts a new epoch (before
	 * new flows find the map full and go through the ring) */
	f->fill_due = (uint64_t)n * 8 >= (uint64_t)f->map_entries * 7;
	return 0;
}

static bool epoch_due(const struct fetcher *f, uint64_t now, uint64_t full)
{
	return f->epoch_ns == 0 || f->end_epoch || f->fill_due ||
	       full != f->map_full_seen || now - f->epoch_start >= f->epoch_ns;
}

int fetcher_run(struct fetcher *f)
{
	uint64_t t0 = mono_ns(), seen = 0, full = 0;
	int err;

	f->prev_clock = f->dp->precise_clock ? f->dp->sync_ns :
					       f->dp->sync_jiffies;
	/* map times to CLOCK_MONOTONIC with a fresh sample, once a fetch */
	err = datapath_clock_sync(f->dp);
	if (!err)
		err = packets_seen(f, &seen, &full);
	if (err)
		return err;
	if (ring_counts(f))
		f->marks_unsure[f->dp->active] = true;
	if (f->pending_fd >= 0) {
		/* then all before that swap is handed on */
		err = drain(f, f->pending_fd);
		if (!err)
			f->horizon = f->epoch_start;
	} else if (epoch_due(f, t0, full)) {
		/* all before the swap is drained; the new active map held
		 * nothing then */
		err = epoch(f, t0);
		if (!err)
			f->horizon = t0;
	} else {
		err = read_live(f, seen, t0);
	}
	f->map_full_seen = full;
	f->read_now = false;
	if (!err)
		err = fetcher_poll_ring(f);
	flush(f);
	f->stats.fetches++;
	f->stats.last_fetch_ns = mono_ns() - t0;
	return err < 0 ? err : 0;
}

void fetcher_set_epoch(struct fetcher *f, uint64_t epoch_ns)
{
	f->epoch_ns = epoch_ns;
	if (!f->epoch_start)
		f->epoch_start = mono_ns();	/* the maps start empty */
}

void fetcher_set_read_spacing(struct fetcher *f, uint32_t factor,
			      uint64_t max_wait_ns)
{
	f->read_spacing = factor;
	f->read_wait_max = max_wait_ns;
}

void fetcher_read_now(struct fetcher *f)
{
	f->read_now = true;
}

uint64_t fetcher_horizon(const struct fetcher *f)
{
	return f->horizon;
}

void fetcher_end_epoch(struct fetcher *f)
{
	f->end_epoch = true;
}

int fetcher_ring_fd(const struct fetcher *f)
{
	return ring_buffer__epoll_fd(f->rb);
}

int fetcher_poll_ring(struct fetcher *f)
{
	int n;

	f->ring_left = f->ring_bound;
	n = ring_buffer__consume(f->rb);
	flush(f);
	f->ring_more = n == -EAGAIN;
	return f->ring_more ? 1 : n < 0 ? n : 0;
}

bool fetcher_ring_more(const struct fetcher *f)
{
	return f->ring_more;
}

void fetcher_set_ring_bound(struct fetcher *f, uint32_t records)
{
	f->ring_bound = records ? records : 1;
}

void fetcher_set_batch_fn(struct fetcher *f, fetcher_flows_fn fn)
{
	flush(f);
	f->batch_fn = fn;
}

void fetcher_skip_idle(struct fetcher *f, bool skip)
{
	f->skip_idle = skip;
}

void fetcher_use_batch(struct fetcher *f, bool batch)
{
	f->batch = batch;
	f->stats.batch = batch;
}

int fetcher_stats_delta(struct fetcher *f, struct flow_stats *delta,
			struct flow_stats *total)
{
	struct flow_stats now;
	int i, err = datapath_read_stats(f->dp, &now);

	if (err)
		return err;
	for (i = 0; i < STAT_MAX; i++) {
		delta->c[i] = now.c[i] - f->prev.c[i];
		if (total)
			total->c[i] += delta->c[i];
	}
	f->prev = now;
	return 0;
}

const struct fetcher_stats *fetcher_stats(const struct fetcher *f)
{
	return &f->stats;
}

struct fetcher *fetcher_new(struct datapath *dp, uint32_t map_entries,
			    fetcher_flow_fn fn, void *ctx)
{
	struct fetcher *f = calloc(1, sizeof(*f));
	uint32_t n = map_entries < BATCH_DEFAULT ? map_entries : BATCH_DEFAULT;

	if (!f)
		return NULL;
	f->dp = dp;
	f->fn = fn;
	f->ctx = ctx;
	f->batch = f->stats.batch = true;
	f->skip_idle = true;
	f->pending_fd = -1;
	f->read_spacing = FETCHER_READ_SPACING;
	f->horizon = mono_ns();	/* the maps start empty */
	f->map_entries = map_entries;
	f->base = baseline_new(map_entries);
	if (!f->base || grow(f, n ? n : 16))
		goto err;
	/* a ring's worth a poll */
	fetcher_set_ring_bound(f, (dp->ring_bytes ? dp->ring_bytes :
				   FLOW_RING_DEFAULT_BYTES) /
				  (sizeof(struct flow_overflow) + 8));
	f->rb = ring_buffer__new(dp->ring_fd, on_ring, f, NULL);
	if (!f->rb)
		goto err;
	/* the counters so far belong to nobody: start from them */
	if (datapath_read_stats(dp, &f->prev))
		goto err;
	return f;
err:
	fetcher_free(f);
	errno = errno ? errno : ENOMEM;
	return NULL;
}

void fetcher_free(struct fetcher *f)
{
	if (!f)
		return;
	ring_buffer__free(f->rb);
	baseline_free(f->base);
	free(f->keys);
	free(f->vals);
	free(f);
}
