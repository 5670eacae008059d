// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * hashref.c - the bare per-CPU hash (bench/ref.bpf.c) on an interface's
 * ingress, as a system of bench/peers: the floor a counting program on the
 * receiving CPU sets, with the map sized as tcflowd's kernel_flows.
 *
 *   bench/hashref IFNAME MAX_ENTRIES
 *
 * Attaches through tcx (kernel 6.6 and later), prints "attached", and
 * holds the link until SIGTERM or SIGINT; then prints "entries N" (the
 * flows in the map) and detaches.  Nothing else is left behind: the link
 * belongs to this process.
 */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "ref.skel.h"

#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS	46
#endif

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* entries: the keys in the map, walked with get_next_key */
static unsigned long entries(int fd)
{
	unsigned char key[64], next[64];
	unsigned long n = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(fd, prev, next) == 0) {
		memcpy(key, next, sizeof(key));
		prev = key;
		n++;
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigset_t block, old;
	struct ref_bpf *rs;
	unsigned long max;
	unsigned int ifindex;
	char *end;
	int link;

	if (argc != 3) {
		fprintf(stderr, "usage: hashref IFNAME MAX_ENTRIES\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "hashref: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	max = strtoul(argv[2], &end, 10);
	if (*end || !max || max > 1UL << 24) {
		fprintf(stderr, "hashref: MAX_ENTRIES: 1 to 16777216, not %s\n", argv[2]);
		return 2;
	}
	rs = ref_bpf__open();
	/* the 5-tuple program alone: not bench/datapath's 48-byte-key one
	 * (its map would count in the kernel memory the bench reports) */
	if (!rs || bpf_map__set_max_entries(rs->maps.ref_flows, (__u32)max) ||
	    bpf_program__set_autoload(rs->progs.ref_count48, false) ||
	    bpf_map__set_autocreate(rs->maps.ref_flows48, false) ||
	    ref_bpf__load(rs)) {
		fprintf(stderr, "hashref: loading bench/ref.bpf.o failed\n");
		ref_bpf__destroy(rs);
		return 1;
	}
	link = bpf_link_create(bpf_program__fd(rs->progs.ref_count), (int)ifindex,
			       BPF_TCX_INGRESS, NULL);
	if (link < 0) {
		fprintf(stderr, "hashref: tcx attach to %s: %s\n", argv[1], strerror(errno));
		ref_bpf__destroy(rs);
		return 1;
	}
	/* blocked until sigsuspend: a signal between the test and the wait
	 * is not lost */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &old);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("attached\n");
	fflush(stdout);
	while (!stop)
		sigsuspend(&old);
	printf("entries %lu\n", entries(bpf_map__fd(rs->maps.ref_flows)));
	close(link);
	ref_bpf__destroy(rs);
	return 0;
}
