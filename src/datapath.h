/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * datapath.h - load the kernel programs and reach their maps.
 *
 * One struct datapath holds either the TC object (flow.bpf.c) or the socket
 * filter object (sock.bpf.c); both have the same maps.  This module opens,
 * sizes and loads them, swaps the active flow map, changes the sampling
 * rate, and reads the stats counters.  Attaching is src/attach.c's job.
 */
#ifndef TCFLOWD_DATAPATH_H
#define TCFLOWD_DATAPATH_H

#include <stdbool.h>
#include <linux/types.h>

#include "flow.h"

struct flow_bpf;
struct sock_bpf;

struct datapath_opts {
	__u32	map_entries;	/* flows per map (A and B each); 0: default */
	__u32	ring_bytes;	/* overflow ring size, a power of 2; 0: default */
	__u32	sample_rate;	/* 1-in-N; 0 or 1: every packet */
	bool	socket;		/* load the socket filter, not the TC programs */
	bool	precise_clock;	/* ns timestamps (slower) instead of jiffies */
	__u8	directions;	/* socket filter: 1 ingress, 2 egress; 0: both */
	bool	nat;		/* TC: the programs that ask conntrack (bpf/ct.h) */
	bool	seq_peers_off;	/* tests: TCP sequence marks per CPU only */
	bool	seq_peers_max;	/* tests: look as on TCP_PEER_CPUS_MAX CPUs */
};

struct datapath {
	__u32		map_entries;	/* of flows_a and flows_b each */
	__u64		map_bytes;	/* kernel memory of every map */
	struct flow_bpf	*tc;		/* exactly one of tc and sock is set */
	struct sock_bpf	*sock;
	int		flows_fd[2];	/* flows_a, flows_b */
	int		slot_fd;	/* the one-slot array of maps */
	int		ring_fd;
	int		stats_fd;
	bool		nat;		/* the tc_*_nat programs are loaded */
	__u32		seq_peer_cpus;	/* > 0: the *_p programs (bpf/tcp.h) */
	int		nat_fd;		/* "nat": translated tuples (bpf/ct.h) */
	int		nat_stats_fd;
	int		active;		/* index into flows_fd the programs use */
	int		ncpus;		/* possible CPUs: per-CPU value count */
	volatile __u32	*sample_rate;	/* in the mmap'ed .data section */
	volatile __u32	*ring_first;	/* counting through the ring */
	volatile __u32	*ring_wake;
	__u32		ring_bytes;	/* the ring's size */
	/* the datapath clock: jiffies (or ns) -> CLOCK_MONOTONIC ns */
	bool		precise_clock;
	__u64		tick_ns;	/* one jiffy */
	__u64		sync_jiffies;	/* the same instant on both clocks */
	__u64		sync_ns;
	int		clock_prog_fd;
	volatile __u64	*clock_jiffies;	/* written by clock_sample (.bss) */
	volatile __u64	*clock_ns;
};

/* Open, size and load the programs.  Returns 0 or -errno. */
int datapath_open(struct datapath *dp, const struct datapath_opts *opts);
void datapath_close(struct datapath *dp);

/* Program fds: TC ingress, TC egress, or the socket filter. */
int datapath_ingress_fd(const struct datapath *dp);
int datapath_egress_fd(const struct datapath *dp);
int datapath_socket_fd(const struct datapath *dp);

/* What the loaded TC programs' names add to tc_ingress/tc_egress:
 * "", "_nat", "_p" (TCP sequence marks across CPUs) or "_natp". */
const char *datapath_prog_suffix(const struct datapath *dp);

/* The kernel's id of a program (for logs and tests), 0 if unknown. */
__u32 datapath_prog_id(int prog_fd);

/*
 * Make the idle map the active one.  When this returns, no program can
 * write the previously active map any more; its fd is returned (>= 0), to
 * be drained.  Returns -errno on failure (the active map is unchanged).
 */
int datapath_swap(struct datapath *dp);

/* Change 1-in-N sampling at run time, without reloading. */
void datapath_set_sampling(struct datapath *dp, __u32 rate);
/* Count every packet through the ring (on), or in the maps with the ring
 * for what they cannot hold (off); at run time (bpf/account.h). */
void datapath_set_ring_first(struct datapath *dp, bool on);

/*
 * Take a fresh sample of both clocks (a run of the clock_sample program).
 * datapath_open does it once; the fetcher may repeat it.  Returns 0 or
 * -errno.
 */
int datapath_clock_sync(struct datapath *dp);

/* A first_seen/last_seen value as CLOCK_MONOTONIC ns. */
__u64 datapath_mono_ns(const struct datapath *dp, __u64 t);

/* Sum the per-CPU stats counters into *out.  Returns 0 or -errno. */
int datapath_read_stats(const struct datapath *dp, struct flow_stats *out);

/* Sum the per-CPU NAT lookup counters into *out.  Returns 0 or -errno. */
int datapath_read_nat_stats(const struct datapath *dp, struct nat_stats *out);

/*
 * Look up one key in a per-CPU flow map and merge its CPUs into *out.
 * Returns 0, -ENOENT, or -errno.
 */
int datapath_lookup(const struct datapath *dp, int map_fd,
		    const struct flow_key *key, struct flow_metrics *out);

/* Route libbpf's messages to the log, one level lower than their own. */
void datapath_log_libbpf(void);

#endif /* TCFLOWD_DATAPATH_H */
