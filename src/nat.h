/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nat.h - the NAT translations the programs found in conntrack (bpf/ct.h),
 * kept in user space for the records of translated connections.
 *
 * At every fetch the kernel's "nat" hash is drained (batch) into a table
 * of tuples: each of a translated connection's two conntrack tuples (the
 * original direction, and the reply direction after translation), with
 * the other as its value.  A tuple that is neither written again by the
 * programs nor used by a record for ttl is dropped.  nat_find() answers, for a flow seen on any hook, the same
 * packets on the other side of the translation.
 */
#ifndef TCFLOWD_NAT_H
#define TCFLOWD_NAT_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"	/* NAT_OFF, NAT_AUTO, NAT_ON */
#include "datapath.h"
#include "flow.h"

struct nat_counters {
	uint64_t	entries;	/* tuples in the table */
	uint64_t	drained;	/* tuples read from the kernel */
	uint64_t	table_full;	/* tuples not kept: the table is full */
	uint64_t	expired;	/* tuples dropped after ttl */
	uint64_t	found;		/* records given a translation */
	struct nat_stats kernel;	/* the programs' lookups (NSTAT_*) */
};

struct nat_table;

/*
 * Load the programs: with NAT for NAT_ON; for NAT_AUTO when nf_conntrack
 * is there (else, or if its programs do not load, without, and a log
 * line says so).  Returns 0 or -errno as datapath_open().
 */
int nat_datapath_open(struct datapath *dp, struct datapath_opts *o, int mode);

/* A table of at most capacity tuples, kept ttl_ns after their last
 * refresh.  NULL (errno set) on failure. */
struct nat_table *nat_new(uint32_t capacity, uint64_t ttl_ns);
void nat_free(struct nat_table *t);
void nat_set_ttl(struct nat_table *t, uint64_t ttl_ns);

/* Drain the kernel's tuples (map_fd) and counters, drop what expired;
 * now_ns is CLOCK_MONOTONIC (see nat_expire()).  Returns 0 or -errno. */
int nat_fetch(struct nat_table *t, const struct datapath *dp, uint64_t now_ns);

/* Keep (or refresh) one tuple and its partner; what nat_fetch() does
 * with each it drains.  A full table counts it in table_full. */
void nat_note(struct nat_table *t, const struct nat_tuple *k,
	      const struct nat_tuple *other, uint64_t now_ns);
/* Drop every tuple not refreshed for ttl (nat_fetch() does, first); now_ns
 * is then what nat_find() refreshes the tuples it finds to. */
void nat_expire(struct nat_table *t, uint64_t now_ns);

/* The flow of k as the other side of the router's translation sees it
 * (addresses as in struct flow_key); false if it is not translated or not
 * known. */
bool nat_find(struct nat_table *t, const struct flow_key *k,
	      struct nat_tuple *other);

const struct nat_counters *nat_counters(const struct nat_table *t);

#endif /* TCFLOWD_NAT_H */
