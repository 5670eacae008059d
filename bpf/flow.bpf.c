// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * flow.bpf.c - the TC programs, for tcx links (6.6+) and clsact/cls_bpf.
 *
 * Both return TC_ACT_UNSPEC (== TCX_NEXT): the packet goes on, and the
 * filters of other TC users still run.  Nothing is dropped or modified.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

#include "account.h"

/* One TC program: count the packet, hand it on. */
#define TC_PROGRAM(sec, name, dir, nat, peers)				\
	SEC(sec) int name(struct __sk_buff *skb)			\
	{								\
		flow_count(skb, dir, PARSE_TC, nat, peers);		\
		return TC_ACT_UNSPEC;					\
	}

TC_PROGRAM("tc", tc_ingress, FLOW_DIR_INGRESS, 0, 0)
TC_PROGRAM("tc", tc_egress, FLOW_DIR_EGRESS, 0, 0)

/*
 * The same, with the NAT translation from conntrack (ct.h).  Not loaded
 * unless the loader asks ("?"): they call nf_conntrack's kfuncs, and the
 * kernel refuses them when that module is not loaded.
 */
TC_PROGRAM("?tc", tc_ingress_nat, FLOW_DIR_INGRESS, 1, 0)
TC_PROGRAM("?tc", tc_egress_nat, FLOW_DIR_EGRESS, 1, 0)

/*
 * The same four, with TCP sequence marks consulted across CPUs (tcp.h:
 * bpf_loop and bpf_map_lookup_percpu_elem).  Taken when the kernel has
 * both (Linux 5.19); a kernel without them never sees these, whose
 * callback it could not even parse before 5.13.
 */
TC_PROGRAM("?tc", tc_ingress_p, FLOW_DIR_INGRESS, 0, 1)
TC_PROGRAM("?tc", tc_egress_p, FLOW_DIR_EGRESS, 0, 1)
TC_PROGRAM("?tc", tc_ingress_natp, FLOW_DIR_INGRESS, 1, 1)
TC_PROGRAM("?tc", tc_egress_natp, FLOW_DIR_EGRESS, 1, 1)

/* Run by the loader through BPF_PROG_TEST_RUN, never attached. */
SEC("tc")
int clock_sample(struct __sk_buff *skb)
{
	clock_take_sample();
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
