// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * datapath.c - load the kernel programs and reach their maps.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "datapath.h"
#include "log.h"
#include "delta.h"
#include "kmem.h"
#include "flow.skel.h"
#include "sock.skel.h"

/*
 * What loading needs of either skeleton: both objects have the same maps,
 * globals and clock program, under different C types.
 */
struct dp_obj {
	struct bpf_object_skeleton *skel;
	struct bpf_map *a, *b, *slot, *ring, *stats, *nat, *nat_stats;
	struct bpf_program *clock;
	volatile __u32 *sample_rate;		/* .data */
	volatile __u32 *ring_first, *ring_wake;
	volatile const __u8 *clock_precise;	/* .rodata, before load */
	volatile const __u32 *seq_peer_cpus;
	volatile __u64 *clock_jiffies, *clock_ns; /* .bss */
};

#define DP_OBJ(s) ((struct dp_obj){					\
	.skel = (s)->skeleton,						\
	.a = (s)->maps.flows_a, .b = (s)->maps.flows_b,			\
	.slot = (s)->maps.flows, .ring = (s)->maps.overflow,		\
	.stats = (s)->maps.stats, .clock = (s)->progs.clock_sample,	\
	.nat = (s)->maps.nat, .nat_stats = (s)->maps.nat_stats,		\
	.sample_rate = &(s)->data->sample_rate,				\
	.ring_first = &(s)->bss->ring_first,				\
	.ring_wake = &(s)->bss->ring_wake,				\
	.clock_precise = &(s)->rodata->clock_precise,			\
	.seq_peer_cpus = &(s)->rodata->seq_peer_cpus,			\
	.clock_jiffies = &(s)->bss->clock_jiffies,			\
	.clock_ns = &(s)->bss->clock_ns })

/*
 * The CPUs whose sequence marks a CPU that joins a TCP flow's entry
 * consults (bpf/tcp.h): all of them, when the kernel can read another
 * CPU's value (bpf_map_lookup_percpu_elem, Linux 5.19; bpf_loop);
 * none otherwise, and then a retransmission sent from a CPU that had not
 * seen the original is not counted.  For tests: opts->seq_peers_off
 * takes the programs without the lookups, opts->seq_peers_max the ones
 * with them as the largest machine loads them.
 */
static __u32 seq_peer_cpus(int ncpus, const struct datapath_opts *opts)
{
	if (opts->seq_peers_off)
		return 0;
	if (opts->seq_peers_max)
		return TCP_PEER_CPUS_MAX;
	if (ncpus < 2)
		return 0;
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS,
				    BPF_FUNC_map_lookup_percpu_elem, NULL) != 1 ||
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_SCHED_CLS,
				    BPF_FUNC_loop, NULL) != 1) {
		log_info("kernel: no bpf_map_lookup_percpu_elem or bpf_loop "
			 "(Linux 5.19): TCP retransmissions are counted per CPU");
		return 0;
	}
	return ncpus > TCP_PEER_CPUS_MAX ? TCP_PEER_CPUS_MAX : (__u32)ncpus;
}

/* Size the maps, set the load-time constants, load, and take the fds. */
static int load(struct datapath *dp, const struct dp_obj *o,
		const struct datapath_opts *opts)
{
	__u32 entries = opts->map_entries ? opts->map_entries :
					    FLOW_MAP_DEFAULT_ENTRIES;
	__u32 ring = opts->ring_bytes ? opts->ring_bytes :
					FLOW_RING_DEFAULT_BYTES;
	int err;

	if (ring & (ring - 1))
		return -EINVAL;		/* the kernel wants a power of 2 */
	/* the slot's inner-map template keeps its size: the kernel compares
	 * type, key, value and flags of hash inner maps, not max_entries */
	err = bpf_map__set_max_entries(o->a, entries);
	if (!err)
		err = bpf_map__set_max_entries(o->b, entries);
	if (!err && opts->nat)	/* a translated flow takes two entries */
		err = bpf_map__set_max_entries(o->nat, 2 * entries);
	if (!err)
		err = bpf_map__set_max_entries(o->ring, ring);
	if (err)
		return err;
	*(__u8 *)o->clock_precise = opts->precise_clock;
	*(__u32 *)o->seq_peer_cpus = dp->seq_peer_cpus;
	*o->sample_rate = opts->sample_rate ? opts->sample_rate : 1;

	/* create the maps, verify and load the programs */
	err = bpf_object__load_skeleton(o->skel);
	if (err)
		return err;
	dp->flows_fd[0] = bpf_map__fd(o->a);
	dp->flows_fd[1] = bpf_map__fd(o->b);
	dp->slot_fd = bpf_map__fd(o->slot);
	dp->ring_fd = bpf_map__fd(o->ring);
	dp->stats_fd = bpf_map__fd(o->stats);
	dp->nat_fd = bpf_map__fd(o->nat);
	dp->nat_stats_fd = bpf_map__fd(o->nat_stats);
	dp->active = 0;		/* the object starts with flows_a in the slot */
	dp->sample_rate = o->sample_rate;
	dp->ring_first = o->ring_first;
	dp->ring_wake = o->ring_wake;
	dp->ring_bytes = ring;
	dp->clock_prog_fd = bpf_program__fd(o->clock);
	dp->clock_jiffies = o->clock_jiffies;
	dp->clock_ns = o->clock_ns;
	return 0;
}

/* Say what the maps take, and warn when it is past the budget. */
static void log_kmem(const struct datapath *dp)
{
	__u64 flows = 2 * kmem_flow_map_bytes(dp->map_entries, dp->ncpus);

	log_info("kernel maps: %llu MiB for %d CPUs (%u flows a map)",
		 (unsigned long long)((dp->map_bytes + (1 << 20) - 1) >> 20),
		 dp->ncpus, dp->map_entries);
	if (flows > KMEM_BUDGET)
		log_warn("kernel maps: kernel_flows %u takes %llu MiB on %d CPUs, "
			 "more than the %llu MiB the default (%u here) stays within",
			 dp->map_entries, (unsigned long long)(flows >> 20),
			 dp->ncpus, KMEM_BUDGET >> 20,
			 kmem_default_entries(dp->ncpus));
}

/* The TC program for a direction (0 ingress, 1 egress) of this datapath. */
static struct bpf_program *tc_prog(const struct datapath *dp, int egress)
{
	const struct flow_bpf *t = dp->tc;

	if (dp->nat && dp->seq_peer_cpus)
		return egress ? t->progs.tc_egress_natp : t->progs.tc_ingress_natp;
	if (dp->nat)
		return egress ? t->progs.tc_egress_nat : t->progs.tc_ingress_nat;
	if (dp->seq_peer_cpus)
		return egress ? t->progs.tc_egress_p : t->progs.tc_ingress_p;
	return egress ? t->progs.tc_egress : t->progs.tc_ingress;
}

const char *datapath_prog_suffix(const struct datapath *dp)
{
	static const char *const s[4] = { "", "_nat", "_p", "_natp" };

	return s[(dp->nat ? 1 : 0) + (dp->seq_peer_cpus ? 2 : 0)];
}

static int open_obj(struct datapath *dp, const struct datapath_opts *opts)
{
	/* open: parse the embedded object; nothing is in the kernel yet */
	if (opts->socket) {
		dp->sock = sock_bpf__open();
		if (!dp->sock)
			return -errno;
		dp->sock->rodata->directions = opts->directions ? opts->directions : 3;
		if (dp->seq_peer_cpus) {
			bpf_program__set_autoload(dp->sock->progs.sock_filter, false);
			bpf_program__set_autoload(dp->sock->progs.sock_filter_p, true);
		}
		return load(dp, &DP_OBJ(dp->sock), opts);
	}
	dp->tc = flow_bpf__open();
	if (!dp->tc)
		return -errno;
	/* with NAT, the programs that call conntrack's kfuncs; with the
	 * sequence marks of other CPUs, the *_p ones (bpf/tcp.h) */
	dp->nat = opts->nat;
	if (opts->nat || dp->seq_peer_cpus) {
		bpf_program__set_autoload(dp->tc->progs.tc_ingress, false);
		bpf_program__set_autoload(dp->tc->progs.tc_egress, false);
		bpf_program__set_autoload(tc_prog(dp, 0), true);
		bpf_program__set_autoload(tc_prog(dp, 1), true);
	}
	return load(dp, &DP_OBJ(dp->tc), opts);
}

int datapath_open(struct datapath *dp, const struct datapath_opts *opts)
{
	int err;

	memset(dp, 0, sizeof(*dp));
	dp->ncpus = libbpf_num_possible_cpus();
	if (dp->ncpus < 0)
		return dp->ncpus;
	dp->seq_peer_cpus = seq_peer_cpus(dp->ncpus, opts);
	dp->precise_clock = opts->precise_clock;
	dp->map_entries = opts->map_entries ? opts->map_entries :
					      FLOW_MAP_DEFAULT_ENTRIES;
	dp->map_bytes = kmem_map_bytes(dp->map_entries, opts->ring_bytes ?
					   opts->ring_bytes :
					   FLOW_RING_DEFAULT_BYTES, dp->ncpus);
	err = open_obj(dp, opts);
	if (!err)
		err = datapath_clock_sync(dp);
	if (err) {
		datapath_close(dp);
		return err < 0 ? err : -EINVAL;
	}
	log_kmem(dp);
	return 0;
}

void datapath_close(struct datapath *dp)
{
	flow_bpf__destroy(dp->tc);
	sock_bpf__destroy(dp->sock);
	dp->tc = NULL;
	dp->sock = NULL;
}

int datapath_ingress_fd(const struct datapath *dp)
{
	return dp->tc ? bpf_program__fd(tc_prog(dp, 0)) : -EINVAL;
}

int datapath_egress_fd(const struct datapath *dp)
{
	return dp->tc ? bpf_program__fd(tc_prog(dp, 1)) : -EINVAL;
}

int datapath_socket_fd(const struct datapath *dp)
{
	if (!dp->sock)
		return -EINVAL;
	return bpf_program__fd(dp->seq_peer_cpus ? dp->sock->progs.sock_filter_p :
				dp->sock->progs.sock_filter);
}

__u32 datapath_prog_id(int prog_fd)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	if (prog_fd < 0 || bpf_obj_get_info_by_fd(prog_fd, &info, &len))
		return 0;
	return info.id;
}

int datapath_swap(struct datapath *dp)
{
	int next = !dp->active;
	__u32 zero = 0;
	int fd = dp->flows_fd[next];

	/* the kernel waits for running programs before it returns (map-in-map
	 * update: synchronize_rcu), so the old map is idle afterwards */
	if (bpf_map_update_elem(dp->slot_fd, &zero, &fd, BPF_ANY))
		return -errno;
	fd = dp->flows_fd[dp->active];
	dp->active = next;
	return fd;
}

void datapath_set_sampling(struct datapath *dp, __u32 rate)
{
	*dp->sample_rate = rate ? rate : 1;
}

void datapath_set_ring_first(struct datapath *dp, bool on)
{
	/* wake the daemon once an eighth of the ring waits: below that it
	 * reads the ring on its own timer (daemon.c) */
	*dp->ring_wake = dp->ring_bytes / 8;
	*dp->ring_first = on;
}

int datapath_clock_sync(struct datapath *dp)
{
	/* a frame test_run accepts (not IP, so no IP length checks) */
	unsigned char frame[64] = { [12] = 0x88, [13] = 0xb5 };
	LIBBPF_OPTS(bpf_test_run_opts, topts, .data_in = frame,
		    .data_size_in = sizeof(frame));
	struct timespec res;

	/* the resolution of CLOCK_MONOTONIC_COARSE is one tick (TICK_NSEC) */
	if (clock_getres(CLOCK_MONOTONIC_COARSE, &res))
		return -errno;
	dp->tick_ns = (__u64)res.tv_sec * 1000000000ull + (__u64)res.tv_nsec;
	if (bpf_prog_test_run_opts(dp->clock_prog_fd, &topts))
		return -errno;
	dp->sync_jiffies = *dp->clock_jiffies;
	dp->sync_ns = *dp->clock_ns;
	return 0;
}

__u64 datapath_mono_ns(const struct datapath *dp, __u64 t)
{
	if (dp->precise_clock)
		return t;
	/* signed: t may be a little before or after the sample */
	return dp->sync_ns + (__u64)((__s64)(t - dp->sync_jiffies) *
				     (__s64)dp->tick_ns);
}

/* Sum n __u64 counters at the start of each CPU's value (size bytes) of
 * the one-slot per-CPU array fd into out. */
static int sum_percpu(const struct datapath *dp, int fd, size_t size,
		      __u64 *out, int n)
{
	char *v = calloc(dp->ncpus, size);
	__u32 zero = 0;
	int cpu, i;

	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, &zero, v)) {
		free(v);
		return -errno;
	}
	memset(out, 0, n * sizeof(*out));
	for (cpu = 0; cpu < dp->ncpus; cpu++)
		for (i = 0; i < n; i++)
			out[i] += ((const __u64 *)(v + cpu * size))[i];
	free(v);
	return 0;
}

int datapath_read_stats(const struct datapath *dp, struct flow_stats *out)
{
	memset(out, 0, sizeof(*out));
	return sum_percpu(dp, dp->stats_fd, sizeof(*out), out->c, STAT_MAX);
}

int datapath_read_nat_stats(const struct datapath *dp, struct nat_stats *out)
{
	memset(out, 0, sizeof(*out));
	return sum_percpu(dp, dp->nat_stats_fd, sizeof(*out), out->c, NSTAT_MAX);
}

int datapath_lookup(const struct datapath *dp, int map_fd,
		    const struct flow_key *key, struct flow_metrics *out)
{
	struct flow_metrics *v;
	int cpu, err = 0;

	v = calloc(dp->ncpus, sizeof(*v));
	if (!v)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	if (bpf_map_lookup_elem(map_fd, key, v))
		err = -errno;
	else
		for (cpu = 0; cpu < dp->ncpus; cpu++)
			flow_metrics_merge(out, &v[cpu]);
	free(v);
	return err;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	/* libbpf warnings are our info, its info our debug; its debug
	 * (verifier chatter) is dropped */
	int ours = level == LIBBPF_WARN ? LOG_LVL_INFO : LOG_LVL_DEBUG;
	char buf[512];
	size_t n;

	if (level == LIBBPF_DEBUG || !log_enabled(ours))
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	/* libbpf starts its lines with "libbpf: " already */
	if (ours == LOG_LVL_INFO)
		log_info("%s", buf);
	else
		log_debug("%s", buf);
	return 0;
}

void datapath_log_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
