// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flowcache.c - cumulative per-flow state and expiry.
 *
 * Entries live in a fixed slab and never move; an open-addressing index
 * (linear probing, backward-shift deletion) maps keys to slab slots.  Each
 * entry sits on up to three intrusive lists, all kept in time order so
 * expiry only looks at their heads:
 *   LRU  every flow, by last update       -> idle timeout, eviction
 *   ACT  flows with counters, by start    -> active timeout
 *   END  flows that saw FIN/RST, by then  -> tcp_end timeout
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "flowcache.h"
#include "delta.h"

#define NIL	UINT32_MAX

enum { L_LRU, L_ACT, L_END, L_COUNT };

struct link {
	uint32_t	prev, next;
};

struct entry {
	uint32_t		hash;		/* with the key: one cache line */
	uint8_t			on[L_COUNT];	/* on list i? */
	struct flow_key		key;
	struct flow_delta	m;		/* since the last record */
	uint64_t		end_seen;	/* FIN/RST time, 0 if none */
	struct link		l[L_COUNT];
};

struct list {
	uint32_t	head, tail;
};

struct flowcache {
	struct entry		*e;
	uint32_t		cap;		/* max flows */
	uint32_t		*index;		/* slab slot + 1; 0 = empty */
	uint32_t		mask;		/* index size - 1 */
	uint32_t		free_head;	/* freed slots, through l[L_LRU].next */
	uint32_t		fresh;		/* slots from here on never used: not
						 * touched, so not resident either */
	struct list		lists[L_COUNT];
	struct flowcache_timeouts t;
	flowcache_emit_fn	emit;
	void			*ctx;
	struct flowcache_stats	stats;
};

/* ---- lists -------------------------------------------------------------- */

static void list_push(struct flowcache *fc, int id, uint32_t i)
{
	struct list *l = &fc->lists[id];
	struct entry *e = &fc->e[i];

	e->l[id].prev = l->tail;
	e->l[id].next = NIL;
	if (l->tail != NIL)
		fc->e[l->tail].l[id].next = i;
	else
		l->head = i;
	l->tail = i;
	e->on[id] = 1;
}

static void list_del(struct flowcache *fc, int id, uint32_t i)
{
	struct list *l = &fc->lists[id];
	struct entry *e = &fc->e[i];

	if (!e->on[id])
		return;
	if (e->l[id].prev != NIL)
		fc->e[e->l[id].prev].l[id].next = e->l[id].next;
	else
		l->head = e->l[id].next;
	if (e->l[id].next != NIL)
		fc->e[e->l[id].next].l[id].prev = e->l[id].prev;
	else
		l->tail = e->l[id].prev;
	e->on[id] = 0;
}

/* ---- the index ---------------------------------------------------------- */

/* The index slot holding key, or the empty slot where it would go. */
static uint32_t index_find(const struct flowcache *fc,
			   const struct flow_key *k, uint32_t h)
{
	uint32_t s = h & fc->mask;

	while (fc->index[s]) {
		const struct entry *e = &fc->e[fc->index[s] - 1];

		if (e->hash == h && !memcmp(&e->key, k, sizeof(*k)))
			return s;
		s = (s + 1) & fc->mask;
	}
	return s;
}

static void index_del(struct flowcache *fc, uint32_t s)
{
	uint32_t j = s, home;

	/* backward shift: pull later entries of the probe run into the gap */
	fc->index[s] = 0;
	for (;;) {
		j = (j + 1) & fc->mask;
		if (!fc->index[j])
			return;
		home = fc->e[fc->index[j] - 1].hash & fc->mask;
		/* leave it if its home lies cyclically in (s, j] */
		if (s <= j ? (s < home && home <= j) : (s < home || home <= j))
			continue;
		fc->index[s] = fc->index[j];
		fc->index[j] = 0;
		s = j;
	}
}

/* ---- entries ------------------------------------------------------------ */

/* Nothing counted since the last record (bytes alone count: a torn read
 * of a live kernel entry can hand on packets before their bytes). */
static int empty(const struct flow_delta *m)
{
	return m->packets == 0 && m->bytes == 0;
}

static void emit(struct flowcache *fc, struct entry *e, int reason)
{
	if (empty(&e->m))
		return;		/* already reported, nothing since */
	fc->emit(fc->ctx, &e->key, &e->m, reason);
	fc->stats.exported[reason]++;
}

static void entry_drop(struct flowcache *fc, uint32_t i)
{
	struct entry *e = &fc->e[i];
	int id;

	index_del(fc, index_find(fc, &e->key, e->hash));
	for (id = 0; id < L_COUNT; id++)
		list_del(fc, id, i);
	e->l[L_LRU].next = fc->free_head;
	fc->free_head = i;
	fc->stats.active--;
}

static uint32_t entry_new(struct flowcache *fc, const struct flow_key *k,
			  uint32_t h)
{
	uint32_t i, s;

	if (fc->free_head == NIL && fc->fresh == fc->cap) {
		/* full: the least recently active flow makes room */
		i = fc->lists[L_LRU].head;
		emit(fc, &fc->e[i], END_RESOURCES);
		fc->stats.evicted++;
		entry_drop(fc, i);
	}
	if (fc->free_head != NIL) {
		i = fc->free_head;
		fc->free_head = fc->e[i].l[L_LRU].next;
	} else {
		i = fc->fresh++;
	}
	memset(&fc->e[i], 0, sizeof(fc->e[i]));
	fc->e[i].key = *k;
	fc->e[i].hash = h;
	s = index_find(fc, k, h);
	fc->index[s] = i + 1;
	list_push(fc, L_LRU, i);
	fc->stats.active++;
	fc->stats.created++;
	return i;
}

static void update(struct flowcache *fc, const struct flow_key *key,
		   const struct flow_delta *d, uint32_t h)
{
	uint32_t s = index_find(fc, key, h), i, extra;
	struct entry *e;

	if (empty(d)) {
		/* TCP health alone (the other direction's handshake): for
		 * a record that has packets */
		if (fc->index[s] && !empty(&fc->e[fc->index[s] - 1].m))
			flow_delta_merge(&fc->e[fc->index[s] - 1].m, d);
		else
			fc->stats.tcp_states_unreported++;
		return;
	}
	fc->stats.updates++;
	if (fc->index[s]) {
		i = fc->index[s] - 1;
		list_del(fc, L_LRU, i);
		list_push(fc, L_LRU, i);
	} else {
		i = entry_new(fc, key, h);
	}
	e = &fc->e[i];
	extra = flow_delta_seq_retrans(&e->m, d);
	if (empty(&e->m)) {
		/* a new record (new flow, or after an active-timeout report,
		 * whose sequence mark goes on, also through deltas without
		 * data) */
		uint32_t seq = e->m.seq_end;
		bool had = e->m.tcp_bits & TCP_B_SEQ;

		e->m = *d;
		if (had && (!(e->m.tcp_bits & TCP_B_SEQ) ||
			    (int32_t)(seq - e->m.seq_end) > 0)) {
			e->m.seq_end = seq;
			e->m.tcp_bits |= TCP_B_SEQ;
		}
		list_push(fc, L_ACT, i);
	} else {
		flow_delta_merge(&e->m, d);
	}
	e->m.retrans += extra;
	if ((d->flags & (FLOW_F_FIN | FLOW_F_RST)) && !e->end_seen) {
		e->end_seen = d->last_seen;
		list_push(fc, L_END, i);
	}
}

void flowcache_update(struct flowcache *fc, const struct flow_key *key,
		      const struct flow_delta *d)
{
	update(fc, key, d, flow_key_hash(key));
}

/* the entry index slot s leads to, or NULL */
static const struct entry *slot_entry(const struct flowcache *fc, uint32_t s)
{
	uint32_t x = fc->index[s];

	return x ? &fc->e[x - 1] : NULL;
}

/*
 * The same as flowcache_update for each, in order; the memory they need
 * is asked for ahead (a million flows do not fit in any cache, and one
 * lookup after another waits for memory several times per delta): the
 * index slots of a group, then its entries, then, a few deltas ahead of
 * the update, the neighbours on the LRU list that the update relinks.
 * Prefetches are hints: an update that moves entries only costs a miss.
 */
void flowcache_update_batch(struct flowcache *fc, const struct flow_key *keys,
			    const struct flow_delta *d, size_t n)
{
	enum { GROUP = 32, AHEAD = 4 };
	uint32_t h[GROUP];
	const struct entry *e;
	size_t i, j, m;

	for (j = 0; j < n; j += m) {
		m = n - j < GROUP ? n - j : GROUP;
		for (i = 0; i < m; i++) {
			h[i] = flow_key_hash(&keys[j + i]);
			__builtin_prefetch(&fc->index[h[i] & fc->mask]);
		}
		for (i = 0; i < m; i++) {
			e = slot_entry(fc, h[i] & fc->mask);
			if (e) {
				__builtin_prefetch(e);
				__builtin_prefetch(&e->m.last_seen);
			}
		}
		for (i = 0; i < m; i++) {
			if (i + AHEAD < m &&
			    (e = slot_entry(fc, h[i + AHEAD] & fc->mask))) {
				if (e->l[L_LRU].prev != NIL)
					__builtin_prefetch(&fc->e[e->l[L_LRU].prev].l);
				if (e->l[L_LRU].next != NIL)
					__builtin_prefetch(&fc->e[e->l[L_LRU].next].l);
			}
			update(fc, &keys[j + i], &d[j + i], h[i]);
		}
	}
}

void flowcache_expire(struct flowcache *fc, uint64_t now)
{
	uint32_t i;

	/* TCP flows that ended, once the last segments had time to pass */
	while ((i = fc->lists[L_END].head) != NIL &&
	       now >= fc->e[i].end_seen + fc->t.tcp_end_ns) {
		emit(fc, &fc->e[i], END_DETECTED);
		entry_drop(fc, i);
	}
	/* flows that went quiet */
	while ((i = fc->lists[L_LRU].head) != NIL &&
	       now >= fc->e[i].m.last_seen + fc->t.idle_ns) {
		emit(fc, &fc->e[i], END_IDLE);
		entry_drop(fc, i);
	}
	/* long flows: report, and go on counting from zero */
	while ((i = fc->lists[L_ACT].head) != NIL &&
	       now >= fc->e[i].m.first_seen + fc->t.active_ns) {
		struct entry *e = &fc->e[i];
		uint64_t last = e->m.last_seen;
		uint32_t seq = e->m.seq_end;
		uint8_t bits = e->m.tcp_bits & TCP_B_SEQ;

		emit(fc, e, END_ACTIVE);
		list_del(fc, L_ACT, i);
		memset(&e->m, 0, sizeof(e->m));
		e->m.last_seen = last;	/* idle timing goes on */
		e->m.seq_end = seq;	/* and so do TCP sequence marks */
		e->m.tcp_bits = bits;
	}
}

void flowcache_flush(struct flowcache *fc)
{
	uint32_t i;

	while ((i = fc->lists[L_LRU].head) != NIL) {
		emit(fc, &fc->e[i], END_FORCED);
		entry_drop(fc, i);
	}
}

void flowcache_flush_ifindex(struct flowcache *fc, uint32_t ifindex)
{
	uint32_t i = fc->lists[L_LRU].head, next;

	for (; i != NIL; i = next) {
		next = fc->e[i].l[L_LRU].next;
		if (fc->e[i].key.ifindex != ifindex)
			continue;
		emit(fc, &fc->e[i], END_FORCED);
		entry_drop(fc, i);
	}
}

/* ---- life cycle --------------------------------------------------------- */

struct flowcache *flowcache_new(uint32_t max_flows,
				const struct flowcache_timeouts *t,
				flowcache_emit_fn emit_fn, void *ctx)
{
	struct flowcache *fc;
	uint32_t size = 16, i;

	if (max_flows == 0 || max_flows > (1u << 30)) {
		errno = EINVAL;
		return NULL;
	}
	while (size < max_flows * 2)	/* load factor at most 1/2 */
		size <<= 1;
	fc = calloc(1, sizeof(*fc));
	if (!fc)
		return NULL;
	fc->e = calloc(max_flows, sizeof(*fc->e));
	fc->index = calloc(size, sizeof(*fc->index));
	if (!fc->e || !fc->index) {
		flowcache_free(fc);
		errno = ENOMEM;
		return NULL;
	}
	fc->cap = max_flows;
	fc->mask = size - 1;
	/* slots are taken in order as flows come: memory becomes resident
	 * with the flows, not at start */
	fc->free_head = NIL;
	fc->fresh = 0;
	for (i = 0; i < L_COUNT; i++)
		fc->lists[i].head = fc->lists[i].tail = NIL;
	fc->t = *t;
	fc->emit = emit_fn;
	fc->ctx = ctx;
	return fc;
}

void flowcache_free(struct flowcache *fc)
{
	if (!fc)
		return;
	free(fc->e);
	free(fc->index);
	free(fc);
}

void flowcache_set_timeouts(struct flowcache *fc,
			    const struct flowcache_timeouts *t)
{
	fc->t = *t;
}

const struct flowcache_stats *flowcache_stats(const struct flowcache *fc)
{
	return &fc->stats;
}

size_t flowcache_bytes_per_flow(void)
{
	/* one entry, and two index slots (load factor <= 1/2, rounded up
	 * to a power of two: between 2 and 4 slots a flow) */
	return sizeof(struct entry) + 4 * sizeof(uint32_t);
}
