// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_fuzz.c - random and mutated frames through every program (TC
 * ingress, TC egress, socket filter) by BPF_PROG_TEST_RUN.  Seeded and
 * reproducible: FUZZ_SEED and FUZZ_FRAMES in the environment change the
 * defaults (1, 100000).  For every frame and program: the verdict is the
 * "continue" one, the frame comes back unmodified, exactly one fate
 * counter moved (and packets by one), and all three programs gave the
 * frame the same fate.  After each batch, the flows the three programs
 * hold are the same flows with the same packets, bytes and TCP flags.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <bpf/bpf.h>

#include "dptest.h"

#define BATCH	10000	/* frames between map checks (and clears) */
#define NPROG	3

static const char *const prog_name[NPROG] = { "tc ingress", "tc egress", "socket" };

/* fate counters: exactly one moves for each packet a program sees */
static const int fates[] = {
	STAT_SAMPLED_OUT, STAT_NON_IP, STAT_TRUNC_L2, STAT_TRUNC_L3,
	STAT_TRUNC_L4, STAT_BAD_IHL, STAT_BAD_L3, STAT_BAD_L4,
	STAT_BAD_IPV6_CHAIN, STAT_COUNTED, STAT_RING_RECORDS, STAT_RING_FULL,
	STAT_NO_MAP,
};
#define NFATES	(sizeof(fates) / sizeof(fates[0]))

static __u64 rnd_state;

static __u64 rnd(void)		/* xorshift64* */
{
	rnd_state ^= rnd_state >> 12;
	rnd_state ^= rnd_state << 25;
	rnd_state ^= rnd_state >> 27;
	return rnd_state * 0x2545f4914f6cdd1dull;
}

static unsigned int below(unsigned int n)
{
	return (unsigned int)(rnd() % n);
}

static void fill(__u8 *p, size_t n)
{
	while (n--)
		*p++ = (__u8)rnd();
}

static void gen_l4(struct frame *f)
{
	switch (below(6)) {
	case 0: case 1:
		frame_tcp(f, (__u16)below(4), 80, (__u8)rnd(), 4 * below(11));
		break;
	case 2: case 3:
		frame_udp(f, (__u16)below(4), 53);
		break;
	case 4:
		frame_icmp(f, (__u8)below(4), (__u8)below(2));
		break;
	default:	/* the protocol number alone */
		break;
	}
}

/* A well-formed frame from a small space (so flows repeat). */
static void gen_valid(struct frame *f)
{
	static const __u16 tpid[] = { ETH_P_8021Q, ETH_P_8021AD, 0x9100 };
	static const __u8 ext[] = { 0, 60, 43, 51 };
	static const __u8 proto[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP,
				      132, 47 };
	char src[48], dst[48];
	unsigned int i, n;
	size_t pay;

	frame_eth(f, 0);
	for (i = below(4) == 0 ? 1 + below(2) : 0; i > 0; i--)
		frame_vlan(f, tpid[below(3)], (__u16)below(4));
	switch (below(20)) {
	case 0:
		frame_eth(f, below(2) ? ETH_P_ARP : (__u16)rnd());
		frame_payload(f, 28 + below(20));
		fill(f->buf + 14, f->len - 14);
		return;
	case 1: case 2: case 3: case 4: case 5: case 6: case 7: case 8:
		snprintf(src, sizeof(src), "2001:db8::%x", below(4));
		snprintf(dst, sizeof(dst), "2001:db8:1::%x", below(4));
		frame_ipv6(f, src, dst, 0, (__u8)rnd(), (__u8)rnd());
		for (n = below(3); n > 0; n--) {
			if (below(4) == 0)
				frame_frag6(f, (__u16)(below(3) == 0 ? below(100) : 0),
					    (int)below(2));
			else
				frame_ext6(f, ext[below(4)], 8 * (1 + below(3)));
		}
		break;
	default:
		snprintf(src, sizeof(src), "10.0.0.%u", below(4));
		snprintf(dst, sizeof(dst), "10.0.1.%u", below(4));
		frame_ipv4_ex(f, src, dst, proto[below(5)], (__u8)rnd(),
			      (__u8)rnd(), 4 * (below(4) == 0 ? below(11) : 0),
			      below(5) == 0 ? (__u16)(rnd() & 0x3fff) : 0);
		break;
	}
	gen_l4(f);
	pay = below(4) ? below(64) : below(1400);
	frame_payload(f, pay);
	fill(f->buf + f->len - pay, pay);
	if (below(4) == 0)
		frame_pad(f, 60);
	frame_finish(f);
}

/* Break it: bytes, lengths, truncation, trailers. */
static void mutate(struct frame *f)
{
	size_t ip = f->ip_off ? f->ip_off : 14;
	unsigned int n;

	switch (below(6)) {
	case 0:
		for (n = 1 + below(4); n > 0; n--)
			f->buf[below((unsigned int)f->len)] = (__u8)rnd();
		break;
	case 1:
		f->len = 14 + below((unsigned int)(f->len - 13));
		break;
	case 2:		/* IPv4 tot_len or IPv6 payload_len */
		if (ip + 6 <= f->len) {
			__u16 v = below(3) ? (__u16)rnd() : 0;

			f->buf[ip + (f->ip_version == 6 ? 4 : 2)] = (__u8)(v >> 8);
			f->buf[ip + (f->ip_version == 6 ? 5 : 3)] = (__u8)v;
		}
		break;
	case 3:		/* version and IHL */
		if (ip < f->len)
			f->buf[ip] = (__u8)rnd();
		break;
	case 4:
		n = below(64);
		if (f->len + n <= FRAME_MAX) {
			fill(f->buf + f->len, n);
			f->len += n;
		}
		break;
	default:	/* an extension header's or the TCP header's length */
		if (ip + 41 < f->len)
			f->buf[ip + (f->ip_version == 6 ? 41 : 32)] = (__u8)rnd();
		break;
	}
}

static void gen(struct frame *f)
{
	unsigned int kind = below(10);

	if (kind == 0) {		/* random bytes */
		memset(f, 0, sizeof(*f));
		f->len = 14 + below(300);
		fill(f->buf, f->len);
		return;
	}
	gen_valid(f);
	if (kind > 3)
		mutate(f);
}

/* Run f through prog; returns the fate (an index of fates[]) or bails. */
static int run_one(int p, int fd, struct datapath *d, const struct frame *f,
		   struct __sk_buff *ctx, unsigned long frame_no)
{
	static __u8 out[FRAME_MAX + 64];
	struct flow_stats before, after;
	size_t skip = p == 2 ? ETH_HLEN : 0;
	unsigned int i, moved = 0;
	int fate = -1, same;
	LIBBPF_OPTS(bpf_test_run_opts, topts,
		.data_in = f->buf, .data_size_in = (__u32)f->len,
		.data_out = out, .data_size_out = sizeof(out),
		.ctx_in = ctx, .ctx_size_in = sizeof(*ctx));

	if (datapath_read_stats(d, &before))
		tap_bail("read stats");
	if (bpf_prog_test_run_opts(fd, &topts))
		return errno == EINVAL ? (int)NFATES : -1;	/* refused */
	if (datapath_read_stats(d, &after))
		tap_bail("read stats");
	for (i = 0; i < NFATES; i++) {
		__u64 dv = after.c[fates[i]] - before.c[fates[i]];

		moved += (unsigned int)dv;
		if (dv)
			fate = (int)i;
	}
	/* test_run zeroes the Ethernet header it pulled for a socket filter
	 * (which cannot write to a packet anyway) in the copy it returns */
	same = topts.data_size_out == f->len &&
	       !memcmp(out + skip, f->buf + skip, f->len - skip);
	if (topts.retval != (p == 2 ? 0 : TC_VERDICT) || !same ||
	    after.c[STAT_PACKETS] - before.c[STAT_PACKETS] != 1 || moved != 1 ||
	    after.c[STAT_MAP_FULL] != after.c[STAT_RING_RECORDS] +
				       after.c[STAT_RING_FULL]) {
		static unsigned int shown;

		if (shown++ < 10)
			tap_diag("frame %lu, %s: verdict %u, %u bytes out of %zu "
				 "(%s), %u fate counters moved, packets +%llu",
				 frame_no, prog_name[p], topts.retval,
				 topts.data_size_out, f->len,
				 same ? "same" : "changed",
				 moved, (unsigned long long)(after.c[STAT_PACKETS] -
							     before.c[STAT_PACKETS]));
		return -1;
	}
	return fate;
}

/* Each socket-filter flow is in the TC map in both directions, alike. */
static int compare_maps(unsigned long *flows)
{
	struct flow_key key, next, tk;
	struct flow_metrics s, t;
	void *prev = NULL;
	unsigned int n = 0, bad = 0, dir;

	while (bpf_map_get_next_key(sdp.flows_fd[0], prev, &next) == 0) {
		key = next;
		prev = &key;
		n++;
		if (datapath_lookup(&sdp, sdp.flows_fd[0], &key, &s)) {
			bad++;
			continue;
		}
		for (dir = 0; dir < 2; dir++) {
			tk = key;
			tk.direction = (__u8)dir;
			if (datapath_lookup(&dp, dp.flows_fd[0], &tk, &t) ||
			    t.packets != s.packets || t.bytes != s.bytes ||
			    t.tcp_flags != s.tcp_flags || t.flags != s.flags)
				bad++;
		}
	}
	if (map_entries(dp.flows_fd[0]) != 2 * n)
		bad++;
	*flows += n;
	return bad;
}

/*
 * Make frame number i and run it through the three programs.  Returns the
 * fate they agree on (NFATES: refused by test_run), -2 if they disagree,
 * -1 if a program misbehaved (counted in *bad).
 */
static int fuzz_frame(struct frame *f, unsigned long i, unsigned long *bad)
{
	struct __sk_buff ctx = { 0 };
	int fd[NPROG] = { datapath_ingress_fd(&dp), datapath_egress_fd(&dp),
			  datapath_socket_fd(&sdp) };
	static unsigned int shown;
	int fate[NPROG], p;

	gen(f);
	if (below(8) == 0) {
		ctx.gso_segs = 2 + below(7);
		ctx.gso_size = 100 + below(1400);
	}
	for (p = 0; p < NPROG; p++) {
		fate[p] = run_one(p, fd[p], p == 2 ? &sdp : &dp, f, &ctx, i);
		if (fate[p] < 0)
			(*bad)++;
	}
	if (fate[0] != fate[1] || fate[0] != fate[2]) {
		if (shown++ < 10)
			tap_diag("frame %lu (%zu bytes): fates %d %d %d",
				 i, f->len, fate[0], fate[1], fate[2]);
		return -2;
	}
	return fate[0];
}

int main(void)
{
	unsigned long frames = 100000, i, refused = 0, bad = 0, disagree = 0;
	unsigned long per_fate[NFATES + 1] = { 0 }, flows = 0, counted;
	unsigned int mapbad = 0;
	const char *e;
	struct frame f;

	rnd_state = 1;
	if ((e = getenv("FUZZ_SEED")) && *e)
		rnd_state = strtoull(e, NULL, 0) | 1;
	if ((e = getenv("FUZZ_FRAMES")) && *e)
		frames = strtoul(e, NULL, 0);
	tap_diag("seed %llu, %lu frames", (unsigned long long)rnd_state, frames);
	dptest_open();
	reset(&dp);
	reset(&sdp);

	for (i = 0; i < frames; i++) {
		int fate = fuzz_frame(&f, i, &bad);

		if (fate == -2)
			disagree++;
		else if (fate >= 0)
			per_fate[fate]++;
		if ((i + 1) % BATCH == 0 || i + 1 == frames) {
			mapbad += compare_maps(&flows);
			reset(&dp);
			reset(&sdp);
		}
	}
	refused = per_fate[NFATES];
	for (i = 0; i < NFATES; i++)
		if (per_fate[i])
			tap_diag("%s: %lu frames", stat_names[fates[i]], per_fate[i]);
	tap_diag("refused by BPF_PROG_TEST_RUN: %lu; flows compared: %lu",
		 refused, flows);
	tap_is(bad, 0, "%lu frames x 3 programs: verdict, frame unmodified, "
	       "exactly one fate counter", frames);
	tap_is(disagree, 0, "TC ingress, TC egress and the socket filter agree "
	       "on every frame's fate");
	tap_is(mapbad, 0, "the three programs hold the same flows with the "
	       "same packets, bytes and flags");
	for (i = 0, counted = 0; i < NFATES; i++)
		if (fates[i] == STAT_COUNTED)
			counted = per_fate[i];
	tap_ok(counted > frames / 4 && refused < frames / 10,
	       "the frames reach the parser's depths: %lu counted, %lu refused",
	       counted, refused);
	dptest_close();
	return tap_done();
}
