// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen.c - traffic for the network-namespace tests, with known counts.
 * Every loop is bounded in count and in time.
 *
 *   gen sink  -p PORT [-t SECONDS] [-w FILE]  UDP and TCP receiver: discards,
 *             or appends what arrives over TCP to FILE (a collector's view)
 *   gen udp   -d ADDR -p PORT -f FLOWS -n PKTS -s SIZE [-b BASEPORT] [-g US]
 *             FLOWS flows (source ports BASEPORT..), PKTS packets each of
 *             SIZE payload bytes, a pause of US microseconds between rounds
 *   gen flood -d ADDR -p PORT -f FLOWS -n TOTAL -s SIZE [-b BASEPORT]
 *             TOTAL packets round-robin over FLOWS, as fast as possible
 *   gen tcp   -d ADDR -p PORT -c CONNS -B BYTES [-b BASEPORT] [-R]
 *             CONNS connections one after the other, BYTES each, closed;
 *             -R also prints "retrans_bytes N" (payload sent again)
 *
 * udp, flood and tcp take -S ADDR: send from that source address.
 *
 *   gen lanes ...  crafted frames on two AF_PACKET lanes, for bench/peers
 *             (options in gen_lanes.c)
 *
 * Prints one line "sent N" (packets or bytes) and exits 0, or explains.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <linux/tcp.h>	/* struct tcp_info with tcpi_bytes_retrans */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gen_lanes.h"

#define MAX_FLOWS	4096
#define TIME_LIMIT_S	120	/* no run of any mode lasts longer */

struct opts {
	const char	*addr;
	int		port, flows, base, conns, gap_us, seconds, retrans;
	const char	*out;
	long		pkts, size, bytes;
};

static struct sockaddr_storage dst;
static socklen_t dst_len;
static time_t deadline;

void gen_die(const char *what)
{
	fprintf(stderr, "gen: %s: %s\n", what, strerror(errno));
	exit(1);
}

static void check_time(void)
{
	if (time(NULL) > deadline) {
		fprintf(stderr, "gen: time limit reached\n");
		exit(1);
	}
}

static int family_of(const char *addr, int port)
{
	struct sockaddr_in *a4 = (struct sockaddr_in *)&dst;
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&dst;

	memset(&dst, 0, sizeof(dst));
	if (inet_pton(AF_INET, addr, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons((uint16_t)port);
		dst_len = sizeof(*a4);
		return AF_INET;
	}
	if (inet_pton(AF_INET6, addr, &a6->sin6_addr) == 1) {
		a6->sin6_family = AF_INET6;
		a6->sin6_port = htons((uint16_t)port);
		dst_len = sizeof(*a6);
		return AF_INET6;
	}
	fprintf(stderr, "gen: bad address %s\n", addr);
	exit(2);
}

static const char *src_addr;

/* A socket of type bound to source port port (0: any), and to the -S
 * source address. */
static int bound_socket(int family, int type, int port)
{
	struct sockaddr_storage src = { 0 };
	int fd = socket(family, type, 0), one = 1;

	if (fd < 0)
		gen_die("socket");
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (family == AF_INET6)	/* IPv4 has its own sockets */
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (!port && !src_addr)
		return fd;
	if (family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&src;

		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)port);
		if (src_addr && inet_pton(AF_INET, src_addr, &a->sin_addr) != 1)
			gen_die("-S: not an IPv4 address");
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&src;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)port);
		if (src_addr && inet_pton(AF_INET6, src_addr, &a->sin6_addr) != 1)
			gen_die("-S: not an IPv6 address");
	}
	if (bind(fd, (struct sockaddr *)&src, family == AF_INET ?
		 sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6)))
		gen_die("bind");
	return fd;
}

/* room for n sockets: a busybox init (the qemu guests) leaves the soft
 * open files limit at 1024, below the hard one */
static void fds_for(int n)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		gen_die("getrlimit");
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)n + 16) {
		rl.rlim_cur = rl.rlim_max;
		if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < (rlim_t)n + 16) {
			errno = EMFILE;
			gen_die("open files hard limit below the flow count");
		}
		if (setrlimit(RLIMIT_NOFILE, &rl))
			gen_die("setrlimit");
	}
}

static void udp(const struct opts *o, int flood)
{
	int family = family_of(o->addr, o->port), fds[MAX_FLOWS], i;
	char *buf = calloc(1, (size_t)o->size + 1);
	long sent = 0, round, total;

	if (o->flows < 1 || o->flows > MAX_FLOWS || !buf)
		exit(2);
	fds_for(o->flows);
	/* not connected: an ICMP error from the far side must not make
	 * later sends fail */
	for (i = 0; i < o->flows; i++)
		fds[i] = bound_socket(family, SOCK_DGRAM, o->base + i);
	total = flood ? o->pkts : o->pkts * o->flows;
	for (round = 0; sent < total; round++) {
		for (i = 0; i < o->flows && sent < total; i++) {
			/* blocking: a full socket buffer waits, never drops */
			if (sendto(fds[i], buf, (size_t)o->size, 0,
				   (struct sockaddr *)&dst, dst_len) != o->size)
				gen_die("send");
			sent++;
		}
		if (o->gap_us)
			usleep((useconds_t)o->gap_us);
		if ((round & 1023) == 0)
			check_time();
	}
	for (i = 0; i < o->flows; i++)
		close(fds[i]);
	free(buf);
	printf("sent %ld\n", sent);
}

static void tcp(const struct opts *o)
{
	int family = family_of(o->addr, o->port), c;
	static char buf[65536];
	long total = 0, retrans = 0;

	for (c = 0; c < o->conns; c++) {
		struct tcp_info ti;
		socklen_t tl = sizeof(ti);
		int fd = bound_socket(family, SOCK_STREAM, o->base ? o->base + c : 0);
		long left = o->bytes;

		if (connect(fd, (struct sockaddr *)&dst, dst_len))
			gen_die("connect");
		while (left > 0) {
			ssize_t n = send(fd, buf, left < (long)sizeof(buf) ?
					 (size_t)left : sizeof(buf), 0);

			if (n <= 0)
				gen_die("send");
			left -= n;
			total += n;
			check_time();
		}
		/* half-close, then wait for the peer's FIN: the whole
		 * exchange is on the wire when we return */
		shutdown(fd, SHUT_WR);
		while (recv(fd, buf, sizeof(buf), 0) > 0)
			check_time();
		memset(&ti, 0, sizeof(ti));
		if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &tl) == 0)
			retrans += (long)ti.tcpi_bytes_retrans;
		close(fd);
	}
	printf("sent %ld\n", total);
	if (o->retrans)
		printf("retrans_bytes %ld\n", retrans);
}

static volatile sig_atomic_t stop;

static void on_term(int sig)
{
	(void)sig;
	stop = 1;
}

/* Receive UDP and TCP on port (IPv4 and IPv6) until SIGTERM or timeout. */
static void sink(const struct opts *o)
{
	struct pollfd p[64];
	int listener[64] = { 0 };
	int n = 0, i, fam;
	static char buf[65536];
	FILE *out = NULL;

	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	for (fam = 0; fam < 2; fam++) {
		int family = fam ? AF_INET6 : AF_INET;
		int u = bound_socket(family, SOCK_DGRAM, o->port);
		int t = bound_socket(family, SOCK_STREAM, o->port);

		if (listen(t, 64))
			gen_die("listen");
		p[n++] = (struct pollfd){ .fd = u, .events = POLLIN };
		listener[n] = 1;
		p[n++] = (struct pollfd){ .fd = t, .events = POLLIN };
	}
	if (o->out && !(out = fopen(o->out, "ab")))
		gen_die("open the output file");
	printf("listening\n");
	fflush(stdout);
	deadline = time(NULL) + o->seconds;
	while (!stop && time(NULL) < deadline) {
		if (poll(p, (nfds_t)n, 200) <= 0)
			continue;
		for (i = 0; i < n; i++) {
			if (!(p[i].revents & POLLIN))
				continue;
			if (listener[i]) {
				int c = accept(p[i].fd, NULL, NULL);

				if (c >= 0 && n < 64) {
					listener[n] = 0;
					p[n++] = (struct pollfd){ .fd = c, .events = POLLIN };
				} else if (c >= 0) {
					close(c);
				}
				continue;
			}
			ssize_t got = recv(p[i].fd, buf, sizeof(buf), MSG_DONTWAIT);

			if (got > 0 && out && i >= 4)	/* TCP: keep it */
				fwrite(buf, 1, (size_t)got, out);
			if (got == 0) {
				close(p[i].fd);		/* TCP peer done */
				listener[i] = listener[n - 1];
				p[i--] = p[--n];
			}
		}
	}
	if (out)
		fclose(out);
}

int main(int argc, char **argv)
{
	struct opts o = { .flows = 1, .pkts = 1, .size = 64, .conns = 1,
			  .base = 0, .seconds = TIME_LIMIT_S };
	const char *mode = argc > 1 ? argv[1] : "";
	int c;

	if (!strcmp(mode, "lanes"))
		return gen_lanes(argc - 1, argv + 1);
	deadline = time(NULL) + TIME_LIMIT_S;
	optind = 2;
	while ((c = getopt(argc, argv, "d:p:f:n:s:b:c:B:g:t:Rw:S:")) != -1) {
		switch (c) {
		case 'd': o.addr = optarg; break;
		case 'S': src_addr = optarg; break;
		case 'p': o.port = atoi(optarg); break;
		case 'f': o.flows = atoi(optarg); break;
		case 'n': o.pkts = atol(optarg); break;
		case 's': o.size = atol(optarg); break;
		case 'b': o.base = atoi(optarg); break;
		case 'c': o.conns = atoi(optarg); break;
		case 'B': o.bytes = atol(optarg); break;
		case 'g': o.gap_us = atoi(optarg); break;
		case 't': o.seconds = atoi(optarg); break;
		case 'R': o.retrans = 1; break;
		case 'w': o.out = optarg; break;
		default: return 2;
		}
	}
	if (!strcmp(mode, "sink"))
		sink(&o);
	else if (o.addr && !strcmp(mode, "udp"))
		udp(&o, 0);
	else if (o.addr && !strcmp(mode, "flood"))
		udp(&o, 1);
	else if (o.addr && !strcmp(mode, "tcp"))
		tcp(&o);
	else {
		fprintf(stderr, "usage: gen sink|udp|flood|tcp|lanes ... (see gen.c)\n");
		return 2;
	}
	return 0;
}
