// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dp_parse.c - the parser, layer by layer: IPv4, IPv6, VLAN tags.
 * One frame, one flow; every field of the key and the metrics checked.
 */
#include "vlan_push.skel.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "dptest.h"

void test_ipv4(void)
{
	struct frame f;
	struct flow_key k;

	frame_eth(&f, 0);
	frame_ipv4_ex(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP, 0xb8, 61, 0, 0);
	frame_tcp(&f, 40000, 80, 0x12 /* SYN|ACK */, 12);
	frame_payload(&f, 100);
	k = key_of(AF_INET, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 40000, 80, 0);
	case_one("ipv4 tcp", &f, &k, (struct want){ .tcp_flags = 0x12,
		 .tos = 0xb8, .min_ttl = 61, .max_ttl = 61 });

	frame_eth(&f, 0);
	frame_ipv4(&f, "192.0.2.1", "198.51.100.7", IPPROTO_UDP);
	frame_udp(&f, 5353, 53);
	frame_payload(&f, 33);
	k = key_of(AF_INET, IPPROTO_UDP, "192.0.2.1", "198.51.100.7", 5353, 53, 0);
	case_one("ipv4 udp", &f, &k, (struct want){ 0 });

	/* a UDP frame padded to the Ethernet minimum: bytes are IP bytes */
	frame_eth(&f, 0);
	frame_ipv4(&f, "192.0.2.1", "198.51.100.7", IPPROTO_UDP);
	frame_udp(&f, 5353, 53);
	frame_payload(&f, 1);
	frame_pad(&f, 60);
	k = key_of(AF_INET, IPPROTO_UDP, "192.0.2.1", "198.51.100.7", 5353, 53, 0);
	case_one("ipv4 udp padded frame", &f, &k, (struct want){ .bytes = 29 });

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.1.1.1", "10.2.2.2", IPPROTO_ICMP);
	frame_icmp(&f, 8, 0);
	frame_payload(&f, 56);
	k = key_of(AF_INET, IPPROTO_ICMP, "10.1.1.1", "10.2.2.2", 0, 8 << 8, 0);
	case_one("ipv4 icmp echo (type<<8|code in dport)", &f, &k,
		 (struct want){ 0 });

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.1.1.1", "10.2.2.2", IPPROTO_ICMP);
	frame_icmp(&f, 3, 4);
	k = key_of(AF_INET, IPPROTO_ICMP, "10.1.1.1", "10.2.2.2", 0, 3 << 8 | 4, 0);
	case_one("ipv4 icmp unreachable", &f, &k, (struct want){ 0 });

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.1.1.1", "10.2.2.2", 132);
	frame_sctp(&f, 2905, 3868);
	frame_payload(&f, 16);
	k = key_of(AF_INET, 132, "10.1.1.1", "10.2.2.2", 2905, 3868, 0);
	case_one("ipv4 sctp", &f, &k, (struct want){ 0 });

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.1.1.1", "10.2.2.2", 136);
	frame_udp(&f, 7000, 7001);
	f.buf[f.ip_off + 9] = 136;	/* UDP-Lite: same port layout */
	k = key_of(AF_INET, 136, "10.1.1.1", "10.2.2.2", 7000, 7001, 0);
	case_one("ipv4 udp-lite", &f, &k, (struct want){ 0 });

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.1.1.1", "10.2.2.2", 47 /* GRE */);
	frame_payload(&f, 40);
	k = key_of(AF_INET, 47, "10.1.1.1", "10.2.2.2", 0, 0, 0);
	case_one("ipv4 other protocol (GRE): ports 0", &f, &k,
		 (struct want){ 0 });

	/* options: IHL 8, the ports must come from behind them */
	frame_eth(&f, 0);
	frame_ipv4_ex(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 0, 64, 12, 0);
	frame_udp(&f, 1111, 2222);
	frame_payload(&f, 10);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1111, 2222, 0);
	case_one("ipv4 with options (IHL 8)", &f, &k, (struct want){ 0 });

	/* first fragment: MF, offset 0, ports present */
	frame_eth(&f, 0);
	frame_ipv4_ex(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 0, 64, 0, 0x2000);
	frame_udp(&f, 3000, 4000);
	frame_payload(&f, 200);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 3000, 4000, 0);
	case_one("ipv4 first fragment", &f, &k,
		 (struct want){ .flags = FLOW_F_FRAGMENT });

	/* a later fragment: offset 26 (208 bytes), no ports, said so */
	frame_eth(&f, 0);
	frame_ipv4_ex(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP, 0, 64, 0, 26);
	frame_payload(&f, 300);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 0, 0, 0);
	case_one("ipv4 non-first fragment", &f, &k,
		 (struct want){ .flags = FLOW_F_FRAGMENT | FLOW_F_LATER_FRAG });

	/* TCP FIN and RST are flagged for the flow cache */
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP);
	frame_tcp(&f, 1, 2, 0x11 /* FIN|ACK */, 0);
	k = key_of(AF_INET, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	case_one("ipv4 tcp fin", &f, &k,
		 (struct want){ .tcp_flags = 0x11, .flags = FLOW_F_FIN });

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP);
	frame_tcp(&f, 1, 2, 0x04 /* RST */, 0);
	f.buf[f.len - 20 + 12] |= 1;	/* and the NS bit */
	k = key_of(AF_INET, IPPROTO_TCP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	case_one("ipv4 tcp rst with NS", &f, &k,
		 (struct want){ .tcp_flags = 0x104, .flags = FLOW_F_RST });
}

void test_ipv6(void)
{
	struct frame f;
	struct flow_key k;

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0x28, 64);
	frame_tcp(&f, 50000, 443, 0x02, 20);
	k = key_of(AF_INET6, IPPROTO_TCP, "2001:db8::1", "2001:db8::2", 50000, 443, 0);
	case_one("ipv6 tcp", &f, &k, (struct want){ .tcp_flags = 0x02,
		 .tos = 0x28 });

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_udp(&f, 9999, 53);
	frame_payload(&f, 64);
	k = key_of(AF_INET6, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 9999, 53, 0);
	case_one("ipv6 udp", &f, &k, (struct want){ 0 });

	frame_eth(&f, 0);
	frame_ipv6(&f, "fe80::1", "ff02::1", 0, 0, 255);
	frame_icmp(&f, 135, 0);
	frame_payload(&f, 24);
	k = key_of(AF_INET6, 58, "fe80::1", "ff02::1", 0, 135 << 8, 0);
	case_one("ipv6 icmpv6 neighbour solicitation", &f, &k,
		 (struct want){ .min_ttl = 255, .max_ttl = 255 });

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_ext6(&f, 0, 8);			/* hop-by-hop */
	frame_udp(&f, 1000, 2000);
	k = key_of(AF_INET6, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 1000, 2000, 0);
	case_one("ipv6 one extension header (hop-by-hop)", &f, &k,
		 (struct want){ 0 });

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_ext6(&f, 0, 8);			/* hop-by-hop */
	frame_ext6(&f, 60, 16);			/* destination options */
	frame_ext6(&f, 43, 24);			/* routing */
	frame_ext6(&f, 51, 24);			/* AH */
	frame_ext6(&f, 60, 8);			/* destination options */
	frame_tcp(&f, 179, 40001, 0x18, 0);
	k = key_of(AF_INET6, IPPROTO_TCP, "2001:db8::1", "2001:db8::2", 179, 40001, 0);
	case_one("ipv6 several extension headers (HBH, DST, RT, AH, DST)",
		 &f, &k, (struct want){ .tcp_flags = 0x18 });

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_frag6(&f, 0, 1);
	frame_udp(&f, 1000, 2000);
	frame_payload(&f, 100);
	k = key_of(AF_INET6, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 1000, 2000, 0);
	case_one("ipv6 first fragment", &f, &k,
		 (struct want){ .flags = FLOW_F_FRAGMENT });

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_frag6(&f, 14, 0);
	f.buf[f.len - 8] = IPPROTO_UDP;		/* the fragment's next header */
	frame_payload(&f, 100);
	k = key_of(AF_INET6, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 0, 0, 0);
	case_one("ipv6 non-first fragment", &f, &k,
		 (struct want){ .flags = FLOW_F_FRAGMENT | FLOW_F_LATER_FRAG });

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 59, 0, 64);
	k = key_of(AF_INET6, 59, "2001:db8::1", "2001:db8::2", 0, 0, 0);
	case_one("ipv6 no next header", &f, &k, (struct want){ 0 });
}

void test_vlan(void)
{
	struct vlan_push_bpf *vp;
	struct frame f;
	struct flow_key k;
	__u32 zero = 0;
	int fd;

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 100);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	k.vlan_id = 100;
	case_one("802.1Q", &f, &k, (struct want){ 0 });

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021AD, 200);
	frame_vlan(&f, ETH_P_8021Q, 300);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_udp(&f, 1, 2);
	k = key_of(AF_INET6, IPPROTO_UDP, "2001:db8::1", "2001:db8::2", 1, 2, 0);
	k.vlan_id = 200;
	k.inner_vlan_id = 300;
	case_one("QinQ 802.1ad + 802.1Q, IPv6", &f, &k, (struct want){ 0 });

	frame_eth(&f, 0);
	frame_vlan(&f, 0x9100, 5);
	frame_vlan(&f, ETH_P_8021Q, 6);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	k.vlan_id = 5;
	k.inner_vlan_id = 6;
	case_one("QinQ with the old 0x9100 outer tag", &f, &k,
		 (struct want){ 0 });

	/* the offloaded tag: a wrapper puts it in skb->vlan_tci, then
	 * tail-calls the real tc_ingress */
	vp = vlan_push_bpf__open_and_load();
	if (!vp)
		tap_bail("load vlan_push test program: %s", strerror(errno));
	fd = datapath_ingress_fd(&dp);
	if (bpf_map_update_elem(bpf_map__fd(vp->maps.target), &zero, &fd, 0))
		tap_bail("prog array: %s", strerror(errno));

	reset(&dp);
	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	tap_is(run(bpf_program__fd(vp->progs.push_tag), &f, NULL), TC_VERDICT,
	       "offloaded tag: verdict (tail call reached tc_ingress)");
	k = key_of(AF_INET, IPPROTO_UDP, "10.0.0.1", "10.0.0.2", 1, 2, 0);
	k.vlan_id = 42;
	expect_flow("offloaded tag", &dp, &k, &(struct want){ .packets = 1,
		    .bytes = frame_ip_len(&f), .min_ttl = 64, .max_ttl = 64 });

	/* offloaded outer tag plus a tag in the frame: QinQ */
	reset(&dp);
	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 100);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	tap_is(run(bpf_program__fd(vp->progs.push_tag), &f, NULL), TC_VERDICT,
	       "offloaded outer + in-frame inner tag: verdict");
	k.vlan_id = 42;
	k.inner_vlan_id = 100;
	expect_flow("offloaded outer + in-frame inner tag", &dp, &k,
		    &(struct want){ .packets = 1, .bytes = frame_ip_len(&f),
		    .min_ttl = 64, .max_ttl = 64 });
	vlan_push_bpf__destroy(vp);
}
