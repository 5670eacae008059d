/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * ring.h - the ring buffer the programs share with the daemon: the flows
 * the active map cannot hold (account.h flow_insert), and, when counting
 * through the ring, every packet (account.h flow_ring) and the handshake
 * outcomes written for the other direction (tcp.h tcp_tell_peer).
 *
 * Counting through the ring ("counting = ring", or "auto" at many flows):
 * the per-CPU hash costs its lookups on the receiving CPU, and at a
 * million flows they miss the caches on every packet; a ring record is a
 * sequential write, merged by the daemon on another core.  A full ring
 * leaves the packet to the map path, as any other packet.
 *
 * Kernel features: ring buffer (5.8).
 */
#ifndef TCFLOWD_RING_H
#define TCFLOWD_RING_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "flow.h"

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, FLOW_RING_DEFAULT_BYTES);
} overflow SEC(".maps");

/*
 * Written by the daemon at run time through the mmap'ed .bss section.
 * ring_first: count every packet through the ring.  ring_wake: the bytes
 * waiting at which a record wakes the daemon; below that it reads the
 * ring on its own timer, so most records wake nobody (a wakeup is an
 * interrupt-work item on the receiving CPU).
 */
volatile __u32 ring_first;
volatile __u32 ring_wake;

static __always_inline void ring_submit(void *rec)
{
	__u64 wake = BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_query(&overflow, BPF_RB_AVAIL_DATA) >= ring_wake)
		wake = BPF_RB_FORCE_WAKEUP;
	bpf_ringbuf_submit(rec, wake);
}

#endif /* TCFLOWD_RING_H */
