// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sock.bpf.c - the socket-filter program, for hosts where TC may not be
 * touched.  Attached to an AF_PACKET socket; it returns 0, so the socket
 * never receives a packet (nothing is copied to user space), and the packet
 * itself is never touched.  The direction comes from skb->pkt_type.
 */
#include <linux/bpf.h>
#include <linux/if_packet.h>
#include <bpf/bpf_helpers.h>

#include "account.h"

/*
 * Which directions to count (DIR_INGRESS 1, DIR_EGRESS 2 of the config):
 * one packet socket sees both.  Packets of the other direction are not
 * looked at, as on a TC hook that is not attached.  A load-time constant
 * (.rodata): the verifier drops what it rules out.
 */
const volatile __u8 directions = 3;

static __always_inline int sock_count(struct __sk_buff *skb, const int peers)
{
	__u8 dir = skb->pkt_type == PACKET_OUTGOING ? FLOW_DIR_EGRESS :
						      FLOW_DIR_INGRESS;

	if (directions & (1 << dir))
		flow_count(skb, dir, PARSE_SOCKET, 0, peers);
	return 0;
}

SEC("socket")
int sock_filter(struct __sk_buff *skb)
{
	return sock_count(skb, 0);
}

/* The same, with TCP sequence marks consulted across CPUs (tcp.h); taken
 * when the kernel has bpf_loop and bpf_map_lookup_percpu_elem. */
SEC("?socket")
int sock_filter_p(struct __sk_buff *skb)
{
	return sock_count(skb, 1);
}

/* Run by the loader through BPF_PROG_TEST_RUN, never attached. */
SEC("socket")
int clock_sample(struct __sk_buff *skb)
{
	clock_take_sample();
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
