// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nat.c - the NAT translations the programs found in conntrack, kept in
 * user space for the records (see nat.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "log.h"
#include "nat.h"

#define NAT_NONE	UINT32_MAX	/* end of a chain, of the free list */
#define NAT_BATCH	1024		/* tuples a batch call drains */

struct nat_node {
	struct nat_tuple	key, other;
	uint64_t		refreshed;	/* CLOCK_MONOTONIC ns */
	uint32_t		next;		/* in its bucket, or free */
};

struct nat_table {
	struct nat_node		*nodes;
	uint32_t		*buckets;
	uint32_t		capacity, mask;	/* buckets: mask + 1 */
	uint32_t		free;		/* freed nodes, then ... */
	uint32_t		unused;		/* ... nodes never used from here */
	uint64_t		ttl_ns;
	uint64_t		now;		/* of the last fetch */
	struct nat_counters	c;
	struct nat_tuple	keys[NAT_BATCH], vals[NAT_BATCH];
};

int nat_datapath_open(struct datapath *dp, struct datapath_opts *o, int mode)
{
	int err;

	o->nat = mode == NAT_ON ||
		 (mode == NAT_AUTO && !o->socket &&
		  access("/sys/module/nf_conntrack", F_OK) == 0);
	if (mode == NAT_AUTO && !o->nat)
		log_info("nat: off: %s", o->socket ?
			 "the socket filter cannot ask conntrack" :
			 "nf_conntrack is not loaded");
	err = datapath_open(dp, o);
	if (err && o->nat && mode == NAT_AUTO) {
		log_warn("nat: off: the programs that ask conntrack do not "
			 "load (%s)", strerror(-err));
		o->nat = false;
		err = datapath_open(dp, o);
	}
	if (!err && o->nat)
		log_info("nat: on: flows are looked up in conntrack");
	return err;
}

struct nat_table *nat_new(uint32_t capacity, uint64_t ttl_ns)
{
	struct nat_table *t = calloc(1, sizeof(*t));
	uint32_t n = 16;

	if (!t)
		return NULL;
	while (n < capacity && n < (1u << 30))
		n <<= 1;
	t->capacity = capacity;
	t->mask = n - 1;
	t->ttl_ns = ttl_ns;
	t->nodes = calloc(capacity, sizeof(*t->nodes));
	t->buckets = malloc((size_t)n * sizeof(*t->buckets));
	if (!t->nodes || !t->buckets) {
		nat_free(t);
		errno = ENOMEM;
		return NULL;
	}
	/* the nodes are taken as they are needed: untouched memory stays
	 * unallocated */
	memset(t->buckets, 0xff, (size_t)n * sizeof(*t->buckets));
	t->free = NAT_NONE;
	return t;
}

void nat_free(struct nat_table *t)
{
	if (!t)
		return;
	free(t->nodes);
	free(t->buckets);
	free(t);
}

void nat_set_ttl(struct nat_table *t, uint64_t ttl_ns)
{
	t->ttl_ns = ttl_ns;
}

/* FNV-1a over the tuple's bytes. */
static uint32_t hash_of(const struct nat_tuple *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

static struct nat_node *lookup(struct nat_table *t, const struct nat_tuple *k)
{
	uint32_t i = t->buckets[hash_of(k) & t->mask];

	for (; i != NAT_NONE; i = t->nodes[i].next)
		if (!memcmp(&t->nodes[i].key, k, sizeof(*k)))
			return &t->nodes[i];
	return NULL;
}

void nat_note(struct nat_table *t, const struct nat_tuple *k,
	      const struct nat_tuple *other, uint64_t now)
{
	struct nat_node *n = lookup(t, k);
	uint32_t b, i;

	if (!n) {
		if (t->free != NAT_NONE) {
			i = t->free;
			t->free = t->nodes[i].next;
		} else if (t->unused < t->capacity) {
			i = t->unused++;
		} else {
			t->c.table_full++;
			return;
		}
		n = &t->nodes[i];
		b = hash_of(k) & t->mask;
		n->key = *k;
		n->next = t->buckets[b];
		t->buckets[b] = i;
		t->c.entries++;
	}
	n->other = *other;
	n->refreshed = now;
}

void nat_expire(struct nat_table *t, uint64_t now)
{
	uint32_t b, *link;

	t->now = now;

	if (!t->c.entries)
		return;
	for (b = 0; b <= t->mask; b++) {
		for (link = &t->buckets[b]; *link != NAT_NONE;) {
			struct nat_node *n = &t->nodes[*link];
			uint32_t i = *link;

			if (now - n->refreshed <= t->ttl_ns) {
				link = &n->next;
				continue;
			}
			*link = n->next;
			n->next = t->free;
			t->free = i;
			t->c.entries--;
			t->c.expired++;
		}
	}
}

/* Read and delete what the programs wrote since the last fetch. */
static int drain(struct nat_table *t, int fd, uint64_t now)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct nat_tuple in, out;
	void *pin = NULL;
	int err = 0;

	while (!err) {
		__u32 i, count = NAT_BATCH;

		err = bpf_map_lookup_and_delete_batch(fd, pin, &out, t->keys,
						      t->vals, &count, &opts);
		if (err)
			err = -errno;
		if (err && err != -ENOENT)
			return err;
		for (i = 0; i < count; i++)
			nat_note(t, &t->keys[i], &t->vals[i], now);
		t->c.drained += count;
		in = out;
		pin = &in;
	}
	return 0;
}

int nat_fetch(struct nat_table *t, const struct datapath *dp, uint64_t now_ns)
{
	int err;

	nat_expire(t, now_ns);
	err = drain(t, dp->nat_fd, now_ns);
	if (!err)
		err = datapath_read_nat_stats(dp, &t->c.kernel);
	return err;
}

/* The tuple of a flow key (its addresses, ports, protocol). */
static void tuple_of(struct nat_tuple *n, const struct flow_key *k, int rev)
{
	memset(n, 0, sizeof(*n));
	memcpy(n->src, rev ? k->dst : k->src, 16);
	memcpy(n->dst, rev ? k->src : k->dst, 16);
	n->sport = rev ? k->dport : k->sport;
	n->dport = rev ? k->sport : k->dport;
	n->proto = k->proto;
}

static void reverse(struct nat_tuple *to, const struct nat_tuple *from)
{
	*to = *from;
	memcpy(to->src, from->dst, 16);
	memcpy(to->dst, from->src, 16);
	to->sport = from->dport;
	to->dport = from->sport;
}

/*
 * conntrack holds a tuple O (the original direction as it arrived) and R
 * (the reply as it arrives); the table has O -> R and R -> O.  A packet
 * seen as O is reverse(R) on the other side, reverse(R) is O, R is
 * reverse(O), reverse(O) is R: a flow found as itself maps to the
 * reverse of the value, one found as its reverse to the value.
 */
bool nat_find(struct nat_table *t, const struct flow_key *k,
	      struct nat_tuple *other)
{
	struct nat_tuple q;
	struct nat_node *n;

	tuple_of(&q, k, 0);
	n = lookup(t, &q);
	if (n) {
		reverse(other, &n->other);
	} else {
		tuple_of(&q, k, 1);
		n = lookup(t, &q);
		if (!n)
			return false;
		*other = n->other;
	}
	/* a record used it: kept until the flow's next record is due */
	if (n->refreshed < t->now)
		n->refreshed = t->now;
	t->c.found++;
	return true;
}

const struct nat_counters *nat_counters(const struct nat_table *t)
{
	return &t->c;
}
