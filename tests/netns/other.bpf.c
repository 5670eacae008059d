// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * other.bpf.c - test only: "another TC user".  A direct-action cls_bpf
 * program that counts every packet in its own map and lets it pass.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} other_count SEC(".maps");

SEC("classifier")
int count_all(struct __sk_buff *skb)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&other_count, &zero);

	if (n)
		__sync_fetch_and_add(n, 1);
	return TC_ACT_UNSPEC;
}

char LICENSE[] SEC("license") = "GPL";
