// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * gen_lanes.c - gen lanes: the traffic of bench/peers.  It crafts
 * Ethernet/IPv4/UDP frames, one per flow, and sends them with sendmmsg on
 * AF_PACKET sockets bound to two interfaces: the measured lane (where an
 * exporter watches the far end) and the control lane (nobody watches).
 * Chunks of packets alternate between the lanes, so both see the same
 * machine at nearly the same moment; the slowdown an exporter causes is
 * the median over chunk pairs of (measured rate / control rate).
 *
 *   gen lanes -m IF -M MAC -c IF -C MAC -f FLOWS -s PAYLOAD -n PACKETS [-k CHUNK] [-v]
 *	PACKETS per lane, flows round-robin (source 10.0.0.0 + flow,
 *	port 40000 -> 198.51.100.1 port 9000); -v: every pass through the
 *	flows after the first in another order (see pass_order)
 *   gen lanes -m IF -M MAC -x COUNT
 *	COUNT packets of one other flow (192.0.2.99 -> port 9999) on the
 *	measured lane: the "flush" burst, excluded from every count
 *
 * Prints key=value lines: packets sent per lane, the median, minimum and
 * maximum chunk-pair ratio, and the median rates.  Bounded in packets and
 * in time (60 s).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "gen_lanes.h"
#include "median.h"

#define BATCH		256
#define MAX_CHUNKS	4096
#define TIME_LIMIT_S	60
#define HDR_LEN		(14 + 20 + 8)

struct lane {
	int		fd;
	uint8_t		*frames;	/* flows frames of frame_len */
	uint64_t	next;		/* the next packet's number */
	uint64_t	sent;
};

static size_t frame_len;
static uint32_t nflows;
static int vary;		/* -v */

/*
 * The flow of a lane's packet number q.  Every pass through the flows
 * sends each once; without -v in the same order every pass, which lays
 * out an exporter's flow table in the order it is then read, pass after
 * pass, a pattern no router's traffic has.  With -v, pass p > 0 sends its
 * j-th packet to flow (j x S) mod FLOWS, S a prime above 2^20 (so prime
 * to FLOWS, and the pass still a permutation) of its own for p mod 8.
 */
static uint32_t pass_order(uint64_t q)
{
	static const uint64_t stride[8] = { 1, 1299709, 15485863, 32452843,
		49979687, 67867967, 86028121, 104395301 };
	uint64_t j = q % nflows;

	return (uint32_t)(vary ? j * stride[(q / nflows) % 8] % nflows : j);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	int i;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5]) != 6) {
		fprintf(stderr, "gen lanes: bad MAC %s\n", s);
		exit(2);
	}
	for (i = 0; i < 6; i++)
		mac[i] = (uint8_t)b[i];
}

static uint16_t csum(const uint8_t *p, size_t len)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static void craft(uint8_t *f, const uint8_t dmac[6], const uint8_t smac[6],
		  uint32_t saddr, uint16_t dport, size_t payload)
{
	uint8_t *ip = f + 14, *udp = ip + 20;
	uint16_t tot = (uint16_t)(20 + 8 + payload), c;
	uint32_t daddr = htonl(0xc6336401);	/* 198.51.100.1 */

	memset(f, 0, HDR_LEN + payload);
	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	f[12] = 0x08;				/* IPv4 */
	ip[0] = 0x45;
	ip[2] = (uint8_t)(tot >> 8);
	ip[3] = (uint8_t)tot;
	ip[8] = 64;				/* TTL */
	ip[9] = 17;				/* UDP */
	saddr = htonl(saddr);
	memcpy(ip + 12, &saddr, 4);
	memcpy(ip + 16, &daddr, 4);
	c = csum(ip, 20);
	ip[10] = (uint8_t)(c >> 8);
	ip[11] = (uint8_t)c;
	udp[0] = 40000 >> 8;
	udp[1] = 40000 & 0xff;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[4] = (uint8_t)((8 + payload) >> 8);
	udp[5] = (uint8_t)(8 + payload);	/* checksum 0: none (IPv4) */
}

static int lane_socket(const char *ifname, uint8_t smac[6])
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	int fd = socket(AF_PACKET, SOCK_RAW, 0), one = 1;	/* send only */
	char path[128];
	FILE *f;

	if (fd < 0)
		gen_die("socket(AF_PACKET)");
	sll.sll_ifindex = (int)if_nametoindex(ifname);
	if (!sll.sll_ifindex)
		gen_die(ifname);
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		gen_die("bind");
	/* straight to the driver: the same path on both lanes */
	setsockopt(fd, SOL_PACKET, PACKET_QDISC_BYPASS, &one, sizeof(one));
	snprintf(path, sizeof(path), "/sys/class/net/%s/address", ifname);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &smac[0], &smac[1],
			 &smac[2], &smac[3], &smac[4], &smac[5]) != 6)
		gen_die(path);
	fclose(f);
	return fd;
}

/* Send count packets on a lane, the flows round-robin. */
static void send_chunk(struct lane *l, uint64_t count)
{
	struct mmsghdr msg[BATCH];
	struct iovec iov[BATCH];
	uint64_t done = 0;

	while (done < count) {
		unsigned int n = count - done > BATCH ? BATCH :
				 (unsigned int)(count - done), i;
		int r;

		memset(msg, 0, sizeof(msg[0]) * n);
		for (i = 0; i < n; i++) {
			iov[i].iov_base = l->frames +
				(size_t)pass_order(l->next + i) * frame_len;
			iov[i].iov_len = frame_len;
			msg[i].msg_hdr.msg_iov = &iov[i];
			msg[i].msg_hdr.msg_iovlen = 1;
		}
		r = sendmmsg(l->fd, msg, n, 0);
		if (r < 0) {
			if (errno == ENOBUFS || errno == EAGAIN || errno == EINTR)
				continue;
			gen_die("sendmmsg");
		}
		l->next += (uint64_t)r;
		l->sent += (uint64_t)r;
		done += (uint64_t)r;
	}
}

/* A lane on ifname to the MAC mac: its frames, one a flow, from saddr0 +
 * flow to 198.51.100.1 port dport. */
static void lane_open(struct lane *l, const char *ifname, const char *mac,
		      uint32_t saddr0, uint16_t dport, size_t payload)
{
	uint8_t dmac[6], smac[6];
	uint32_t i;

	l->fd = lane_socket(ifname, smac);
	parse_mac(mac, dmac);
	l->frames = malloc((size_t)nflows * frame_len);
	if (!l->frames)
		gen_die("malloc");
	for (i = 0; i < nflows; i++)
		craft(l->frames + (size_t)i * frame_len, dmac, smac,
		      saddr0 + i, dport, payload);
}

static void lane_close(struct lane *l)
{
	free(l->frames);
	l->frames = NULL;
	if (l->fd >= 0)
		close(l->fd);
	l->fd = -1;
}

/* packets on each lane in chunk-sized pairs; prints the rates; 0 or 1. */
static int run_chunks(struct lane *m, struct lane *ctl, uint64_t packets,
		      uint64_t chunk)
{
	double ratio[MAX_CHUNKS], rm[MAX_CHUNKS], rc[MAX_CHUNKS], start;
	uint64_t c, nchunks = (packets + chunk - 1) / chunk;
	int np = 0;

	if (nchunks > MAX_CHUNKS)
		return fprintf(stderr, "gen lanes: too many chunks\n"), 2;
	start = now_s();
	for (c = 0; c < nchunks; c++) {
		uint64_t k = c == nchunks - 1 ? packets - c * chunk : chunk;
		double t0, t1, t2;

		/* measured first in even pairs, control first in odd ones:
		 * neither lane always follows the other */
		t0 = now_s();
		send_chunk(c % 2 ? ctl : m, k);
		t1 = now_s();
		send_chunk(c % 2 ? m : ctl, k);
		t2 = now_s();
		rm[np] = (double)k / (c % 2 ? t2 - t1 : t1 - t0);
		rc[np] = (double)k / (c % 2 ? t1 - t0 : t2 - t1);
		ratio[np] = rm[np] / rc[np];
		np++;
		if (now_s() - start > TIME_LIMIT_S) {
			fprintf(stderr, "gen lanes: time limit reached\n");
			return 1;
		}
	}
	printf("sent_measured=%llu\nsent_control=%llu\nchunks=%d\n",
	       (unsigned long long)m->sent, (unsigned long long)ctl->sent, np);
	printf("pps_measured=%.0f\npps_control=%.0f\n", median(rm, np),
	       median(rc, np));
	printf("ratio=%.4f\n", median(ratio, np));
	printf("ratio_min=%.4f\nratio_max=%.4f\n", ratio[0], ratio[np - 1]);
	return 0;
}

/* argv[0] is "lanes"; the exit status. */
int gen_lanes(int argc, char **argv)
{
	const char *mif = NULL, *cif = NULL, *mmac = NULL, *cmac = NULL;
	uint64_t packets = 0, chunk = 50000, flush = 0;
	struct lane m = { 0 }, ctl = { 0 };
	size_t payload = 64;
	int opt, rc;

	nflows = 1000;
	vary = 0;
	while ((opt = getopt(argc, argv, "m:M:c:C:f:s:n:k:x:v")) != -1) {
		switch (opt) {
		case 'm': mif = optarg; break;
		case 'M': mmac = optarg; break;
		case 'c': cif = optarg; break;
		case 'C': cmac = optarg; break;
		case 'f': nflows = (uint32_t)strtoul(optarg, NULL, 0); break;
		case 's': payload = strtoul(optarg, NULL, 0); break;
		case 'n': packets = strtoull(optarg, NULL, 0); break;
		case 'k': chunk = strtoull(optarg, NULL, 0); break;
		case 'x': flush = strtoull(optarg, NULL, 0); break;
		case 'v': vary = 1; break;
		default: return 2;
		}
	}
	if (!mif || !mmac || nflows < 1 || nflows > (1u << 20) ||
	    payload < 18 || payload > 1400 || chunk < 1 ||
	    (!flush && (!cif || !cmac || !packets)))
		return fprintf(stderr, "gen lanes: see the usage in gen_lanes.c\n"), 2;
	frame_len = HDR_LEN + payload;
	if (flush) {		/* one flow, excluded from every count */
		nflows = 1;
		lane_open(&m, mif, mmac, 0xc0000263, 9999, payload);
		send_chunk(&m, flush);
		printf("flush_sent=%llu\n", (unsigned long long)m.sent);
		lane_close(&m);
		return 0;
	}
	lane_open(&m, mif, mmac, 0x0a000000, 9000, payload);
	lane_open(&ctl, cif, cmac, 0x0a000000, 9000, payload);
	rc = run_chunks(&m, &ctl, packets, chunk);
	lane_close(&m);
	lane_close(&ctl);
	return rc;
}
