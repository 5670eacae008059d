// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * vlan_push.bpf.c - test only.  BPF_PROG_TEST_RUN cannot set skb->vlan_tci
 * through its context, so this program puts an offloaded (hw-accelerated)
 * tag on the test skb and tail-calls the real tc_ingress program, which
 * then sees the tag exactly as it would from a NIC with rx-vlan offload.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} target SEC(".maps");

const volatile __u16 vlan_tci = 42;

SEC("tc")
int push_tag(struct __sk_buff *skb)
{
	if (bpf_skb_vlan_push(skb, bpf_htons(ETH_P_8021Q), vlan_tci))
		return 1000;
	bpf_tail_call(skb, &target, 0);
	return 1001;	/* the tail call failed */
}

char LICENSE[] SEC("license") = "GPL";
