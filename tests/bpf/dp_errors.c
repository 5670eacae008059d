// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * dp_errors.c - frames that are not flows: each lands in exactly one
 * error counter, nothing in the map.
 */
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

static void put_ethertype(struct frame *f, uint16_t type)
{
	f->buf[f->ethertype_off] = (uint8_t)(type >> 8);
	f->buf[f->ethertype_off + 1] = (uint8_t)type;
}

void test_errors(void)
{
	struct frame f;

	frame_eth(&f, ETH_P_ARP);
	frame_payload(&f, 28);
	case_error("ARP is not a flow", &f, STAT_NON_IP, 0);

	frame_eth(&f, 0x88cc);	/* LLDP */
	frame_payload(&f, 40);
	case_error("LLDP is not a flow", &f, STAT_NON_IP, 0);

	/*
	 * test_run refuses frames shorter than the Ethernet header, and, on
	 * recent kernels, frames with an IP ethertype too short for the IP
	 * header (the kernel would not hand them to a program either).  So
	 * the frames that end at or inside the IP header reach the program
	 * behind an 802.1Q tag, which test_run does not look into.
	 */
	{
		struct __sk_buff ctx = { 0 };
		LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = f.buf,
			    .data_size_in = 13, .ctx_in = &ctx,
			    .ctx_size_in = sizeof(ctx));
		int err = bpf_prog_test_run_opts(datapath_ingress_fd(&dp), &topts);

		tap_ok(err && errno == EINVAL,
		       "a 13-byte frame never reaches the program (EINVAL)");
	}
	frame_eth(&f, ETH_P_8021Q);
	case_error("zero-length payload (VLAN ethertype, no tag)", &f,
		   STAT_TRUNC_L2, 0);
	frame_eth(&f, ETH_P_8021Q);
	frame_payload(&f, 1);
	case_error("1-byte payload (VLAN ethertype)", &f, STAT_TRUNC_L2, 0);

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 7);
	f.len -= 2;		/* the tag ends early */
	case_error("truncated in the VLAN tag", &f, STAT_TRUNC_L2, 0);

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 7);
	put_ethertype(&f, ETH_P_IP);
	case_error("zero-length IPv4 behind a tag", &f, STAT_TRUNC_L3, 0);

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 7);
	put_ethertype(&f, ETH_P_IPV6);
	frame_payload(&f, 1);
	case_error("1-byte IPv6 behind a tag", &f, STAT_TRUNC_L3, 0);

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 7);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_finish(&f);
	f.len -= 5;		/* the IPv4 header ends early */
	case_error("truncated in the IPv4 header", &f, STAT_TRUNC_L3, 0);

	frame_eth(&f, 0);
	frame_vlan(&f, ETH_P_8021Q, 7);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 59, 0, 64);
	frame_finish(&f);
	f.len -= 1;
	case_error("truncated in the IPv6 header", &f, STAT_TRUNC_L3, 0);

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_payload(&f, 100);
	frame_finish(&f);
	f.len -= 50;		/* total length says more than the frame has */
	case_error("IPv4 total length beyond the frame", &f, STAT_TRUNC_L3, 0);


	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP);
	frame_tcp(&f, 1, 2, 0x10, 0);
	frame_finish(&f);
	f.len -= 10;	/* frame and total length both end inside TCP */
	f.buf[f.ip_off + 3] = (__u8)(frame_ip_len(&f));
	f.buf[f.ip_off + 2] = 0;
	case_error("truncated in the TCP header", &f, STAT_TRUNC_L4, 0);

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_payload(&f, 4);	/* half a UDP header */
	case_error("truncated in the UDP header", &f, STAT_TRUNC_L4, 1);

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 58, 0, 64);
	frame_payload(&f, 2);	/* half an ICMPv6 header */
	case_error("truncated in the ICMPv6 header", &f, STAT_TRUNC_L4, 1);

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	f.buf[f.ip_off] = 0x43;	/* IHL 3: 12 bytes */
	case_error("bad IHL", &f, STAT_BAD_IHL, 0);

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_UDP);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	f.buf[f.ip_off] = 0x65;	/* version 6 behind an IPv4 ethertype */
	case_error("IPv4 ethertype, version 6", &f, STAT_BAD_L3, 0);

	frame_eth(&f, 0);
	frame_ipv4(&f, "10.0.0.1", "10.0.0.2", IPPROTO_TCP);
	frame_tcp(&f, 1, 2, 0x10, 0);
	frame_finish(&f);
	f.buf[f.len - 20 + 12] = 0x30;	/* data offset 3 */
	case_error("TCP data offset < 5", &f, STAT_BAD_L4, 0);

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	{
		int i;

		for (i = 0; i < 9; i++)		/* one more than the bound */
			frame_ext6(&f, 60, 8);
	}
	frame_udp(&f, 1, 2);
	case_error("IPv6: 9 extension headers", &f, STAT_BAD_IPV6_CHAIN, 1);

	frame_eth(&f, 0);
	frame_ipv6(&f, "2001:db8::1", "2001:db8::2", 0, 0, 64);
	frame_ext6(&f, 0, 8);
	frame_udp(&f, 1, 2);
	frame_finish(&f);
	f.buf[f.ip_off + 41] = 200;	/* hop-by-hop length runs past the end */
	case_error("IPv6 extension header longer than the packet", &f,
		   STAT_BAD_IPV6_CHAIN, 0);
}
