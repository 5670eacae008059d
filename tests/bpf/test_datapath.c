// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_datapath.c - the real kernel programs, fed crafted frames through
 * BPF_PROG_TEST_RUN.  Every case checks the verdict, the exact map entry
 * and the stats counters.  The cases are grouped by layer: dp_parse.c,
 * dp_errors.c, dp_account.c, dp_socket.c; dptest.c has the helpers.
 */
#include "dptest.h"

int main(void)
{
	dptest_open();
	test_ipv4();
	test_ipv6();
	test_vlan();
	test_errors();
	test_accumulate();
	test_egress();
	test_gso();
	test_swap();
	test_sampling();
	test_map_full();
	test_ring_first();
	test_socket();
	test_socket_lengths();
	test_socket_size();
	test_precise_clock();
	test_tcp_handshake();
	test_tcp_refused();
	test_tcp_seq();
	test_tcp_seq_cpus();
	dptest_close();
	return tap_done();
}
