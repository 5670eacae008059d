// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "autoconfig.h"
#include "fetcher.h"
#include "delta.h"

#ifdef HAVE_VALGRIND_MEMCHECK_H
#include <valgrind/memcheck.h>
#else
#define VALGRIND_MAKE_MEM_DEFINED(addr, len) ((void)0)
#endif

#define BATCH_DEFAULT	4096

struct fetcher {
	struct datapath		*dp;
	fetcher_flow_fn		fn;
	void			*ctx;
	struct ring_buffer	*rb;
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
};

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Merge one entry's per-CPU values, make them a flow_delta (the only
 * place kernel values become user-space ones), hand it over. */
static void deliver(struct fetcher *f, const struct flow_key *key,
		    const struct flow_metrics *percpu, int ncpus)
{
	struct flow_metrics m = { 0 };
	struct flow_delta d;
	int cpu;

	for (cpu = 0; cpu < ncpus; cpu++)
		flow_metrics_merge(&m, &percpu[cpu]);
	if (m.packets == 0)
		return;
	d = (struct flow_delta){
		.packets = m.packets,
		.bytes = m.bytes,
		.first_seen = datapath_mono_ns(f->dp, m.first_seen),
		.last_seen = datapath_mono_ns(f->dp, m.last_seen),
		.tcp_flags = m.tcp_flags,
		.tos = m.tos,
		.min_ttl = m.min_ttl,
		.max_ttl = m.max_ttl,
		.flags = m.flags,
		.peer_ifindex = m.peer_ifindex,
		.syn_count = m.syn_count,
		.fin_count = m.fin_count,
		.rst_count = m.rst_count,
		.retrans = m.retrans,
		.server_delay_us = m.server_delay_us,
		.client_delay_us = m.client_delay_us,
		.tcp_hs = m.tcp_hs,
		.tcp_bits = m.tcp_bits & (TCP_B_SDELAY | TCP_B_CDELAY |
					  TCP_B_SEQ),
		.seq_end = m.seq_end,
		.seq_first_end = m.seq_first_end,
		.seq_first_segs = m.seq_first_segs,
	};
	memcpy(d.src_mac, m.src_mac, sizeof(d.src_mac));
	memcpy(d.dst_mac, m.dst_mac, sizeof(d.dst_mac));
	f->fn(f->ctx, key, &d);
}

static int on_ring(void *ctx, void *data, size_t len)
{
	const struct flow_overflow *r = data;
	struct fetcher *f = ctx;

	if (len < sizeof(*r)) {
		f->stats.ring_bad++;	/* cannot happen; counted if it does */
		return 0;
	}
	f->stats.ring_records++;
	deliver(f, &r->key, &r->metrics, 1);
	return 0;
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

/* Drain fd with lookup-and-delete batches.  -EINVAL/-ENOTSUPP: no batch. */
static int drain_batch(struct fetcher *f, int fd)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u32 in = 0, out = 0, count, i;
	bool first = true;
	int err;

	for (;;) {
		count = f->batch_size;
		err = bpf_map_lookup_and_delete_batch(fd, first ? NULL : &in,
						      &out, f->keys, f->vals,
						      &count, &opts);
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
		f->stats.flows += count;
		if (err == -ENOENT)
			return 0;	/* the map is empty */
		if (err)
			return err;
		in = out;
		first = false;
	}
}

/*
 * Per key: safe here because no program writes the idle map any more.
 * The next key is found before the current one is deleted: asking the
 * kernel for the key after a deleted one (or after NULL) restarts its walk
 * at the first bucket, which made this loop quadratic.
 */
static int drain_keys(struct fetcher *f, int fd)
{
	struct flow_key key, next;
	bool have = false;
	int err = 0;

	while (bpf_map_get_next_key(fd, have ? &key : NULL, &next) == 0) {
		if (have && bpf_map_delete_elem(fd, &key) && errno != ENOENT)
			return -errno;
		key = next;
		have = true;
		if (bpf_map_lookup_elem(fd, &key, f->vals) == 0) {
			VALGRIND_MAKE_MEM_DEFINED(f->vals, (size_t)f->dp->ncpus *
						  sizeof(*f->vals));
			deliver(f, &key, f->vals, f->dp->ncpus);
			f->stats.flows++;
		}
	}
	if (have && bpf_map_delete_elem(fd, &key) && errno != ENOENT)
		err = -errno;
	return err;
}

static int packets_seen(struct fetcher *f, uint64_t *n)
{
	struct flow_stats st;
	int err = datapath_read_stats(f->dp, &st);

	*n = st.c[STAT_PACKETS];
	return err;
}

int fetcher_run(struct fetcher *f)
{
	uint64_t t0 = mono_ns(), before = 0, after = 0;
	bool empty;
	int fd, err;

	/* map times to CLOCK_MONOTONIC with a fresh sample, once a fetch */
	err = datapath_clock_sync(f->dp);
	if (err)
		return err;
	/*
	 * The map this swap makes idle was written only by programs that
	 * found it in the slot after the previous swap, and they are all
	 * done when this swap returns; each counted its packet in
	 * STAT_PACKETS in the same run.  So if the counter did not move
	 * from just before the previous swap to just after this one, the
	 * map is empty: no drain, whose cost is the map's size (the kernel
	 * walks every bucket), not its contents.  An idle router's fetches
	 * cost next to nothing.
	 */
	empty = packets_seen(f, &before) == 0 && f->have_seen && f->drained &&
		f->skip_idle;
	fd = datapath_swap(f->dp);
	if (fd < 0)
		return fd;
	empty = empty && packets_seen(f, &after) == 0 &&
		after == f->seen_before_swap;
	f->seen_before_swap = before;
	f->have_seen = true;
	if (empty) {
		f->stats.skipped++;
		err = fetcher_poll_ring(f);
		f->stats.fetches++;
		f->stats.last_fetch_ns = mono_ns() - t0;
		return err < 0 ? err : 0;
	}
	f->drained = false;
	if (f->batch) {
		err = drain_batch(f, fd);
		if (err == -EINVAL || err == -ENOTSUP || err == -EOPNOTSUPP) {
			f->batch = false;	/* an old kernel: per key */
			f->stats.batch = false;
		}
	}
	if (!f->batch)
		err = drain_keys(f, fd);
	f->drained = err == 0;
	if (!err)
		err = fetcher_poll_ring(f);
	f->stats.fetches++;
	f->stats.last_fetch_ns = mono_ns() - t0;
	return err < 0 ? err : 0;
}

int fetcher_ring_fd(const struct fetcher *f)
{
	return ring_buffer__epoll_fd(f->rb);
}

int fetcher_poll_ring(struct fetcher *f)
{
	int n = ring_buffer__consume(f->rb);

	return n < 0 ? n : 0;
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
	if (grow(f, n ? n : 16))
		goto err;
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
	free(f->keys);
	free(f->vals);
	free(f);
}
