// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * attach.c - tcx, clsact + cls_bpf, and socket-filter attachment.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>

#include "attach.h"
#include "config.h"
#include "log.h"

/* tcx attach types (kernel 6.6); the UAPI headers here may predate them */
#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS	46
#define BPF_TCX_EGRESS	47
#endif

#define RECORD_PREFIX	"tc."
#define DETACH_THREADS	64	/* tcx detaches waiting for RCU at once */
#define FAIL_LOG_MAX	10	/* attach failures logged one by one */

static const char *const dir_names[2] = { "ingress", "egress" };
static const char *const prog_names[2] = { "tc_ingress", "tc_egress" };

/* ---- the state directory: what the tc hook made, as it makes it --------- */

/*
 * One file per interface, "tc.IFINDEX": the interface's name, our filters'
 * handle and priority, the directions, whether we created the clsact
 * qdisc, and the programs' tags (to recognise our filters in a dump).
 */
struct record {
	int	ifindex;
	char	ifname[IF_NAMESIZE];
	__u32	handle;
	__u32	prio;
	int	dirs;
	int	qdisc;
	__u8	tag[2][BPF_TAG_SIZE];
};

static void tag_hex(const __u8 *tag, char *buf)
{
	int i;

	for (i = 0; i < BPF_TAG_SIZE; i++)
		sprintf(buf + 2 * i, "%02x", tag[i]);
}

static int tag_parse(const char *hex, __u8 *tag)
{
	unsigned int b;
	int i;

	if (strlen(hex) != 2 * BPF_TAG_SIZE)
		return -EINVAL;
	for (i = 0; i < BPF_TAG_SIZE; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -EINVAL;
		tag[i] = (__u8)b;
	}
	return 0;
}

static void record_name(int ifindex, char *buf, size_t len)
{
	snprintf(buf, len, RECORD_PREFIX "%d", ifindex);
}

/* Write r into its file ("tc.IFINDEX"), replacing what was there. */
static int record_store(const struct statedir *sd, const struct record *r)
{
	char name[32], buf[256], tags[2][2 * BPF_TAG_SIZE + 1];
	int fd, n, err = 0;

	record_name(r->ifindex, name, sizeof(name));
	tag_hex(r->tag[0], tags[0]);
	tag_hex(r->tag[1], tags[1]);
	n = snprintf(buf, sizeof(buf), "%s 0x%x %u %d %d %s %s\n", r->ifname,
		     r->handle, r->prio, r->dirs, r->qdisc, tags[0], tags[1]);
	fd = statedir_create(sd, name);
	if (fd < 0)
		err = fd;
	else if (write(fd, buf, (size_t)n) != n || fsync(fd))
		err = errno ? -errno : -EIO;
	if (fd >= 0)
		close(fd);
	if (err)
		log_err("record %s in the state directory: %s", name,
			strerror(-err));
	return err;
}

/* What we are about to make on at's interface (filters in dirs). */
static int record_write(struct attach *a, const struct attachment *at,
			int dirs)
{
	struct record r = { .ifindex = at->ifindex, .handle = a->tc_handle,
			    .prio = ATTACH_TC_PRIO, .dirs = dirs,
			    .qdisc = at->qdisc_created };

	snprintf(r.ifname, sizeof(r.ifname), "%s", at->ifname);
	memcpy(r.tag, a->tag, sizeof(r.tag));
	return record_store(a->sd, &r);
}

static int record_read(const struct statedir *sd, const char *name,
		       struct record *r)
{
	char buf[256], tags[2][64];

	memset(r, 0, sizeof(*r));
	if (statedir_read(sd, name, buf, sizeof(buf)))
		return -errno;
	r->ifindex = atoi(name + strlen(RECORD_PREFIX));
	if (r->ifindex <= 0 ||
	    sscanf(buf, "%15s %x %u %d %d %63s %63s", r->ifname, &r->handle,
		   &r->prio, &r->dirs, &r->qdisc, tags[0], tags[1]) != 7 ||
	    tag_parse(tags[0], r->tag[0]) || tag_parse(tags[1], r->tag[1]))
		return -EINVAL;
	return 0;
}

/* ---- cls_bpf filters, as a netlink dump shows them ----------------------- */

struct tc_filter {
	__u32	handle;
	__u32	prio;
	char	kind[16];
	char	name[64];		/* libbpf names them "PROG:[ID]" */
	__u8	tag[BPF_TAG_SIZE];
	bool	has_tag;
};

struct dump {
	const struct record	*want;	/* look for this filter ... */
	int			dir;
	bool			found;
	int			n;	/* ... and count everyone's */
};

static bool filter_ours(const struct tc_filter *f, const struct record *r,
			int dir)
{
	static const char *const variants[] = { "_natp", "_nat", "_p" };
	size_t base = strlen(prog_names[dir]), len = base, i;

	if (strncmp(f->name, prog_names[dir], base))
		return false;
	/* the programs with NAT (bpf/ct.h) end in _nat, those with the TCP
	 * marks of other CPUs (bpf/tcp.h) in _p, with both in _natp */
	for (i = 0; i < sizeof(variants) / sizeof(variants[0]); i++)
		if (!strncmp(f->name + base, variants[i], strlen(variants[i]))) {
			len += strlen(variants[i]);
			break;
		}
	return f->handle == r->handle && f->prio == r->prio &&
	       !strcmp(f->kind, "bpf") && f->has_tag &&
	       !memcmp(f->tag, r->tag[dir], BPF_TAG_SIZE) &&
	       (f->name[len] == ':' || f->name[len] == '\0');
}

static int on_filter(struct nl_msg *msg, void *arg)
{
	struct nlmsghdr *h = nlmsg_hdr(msg);
	struct tcmsg *t = nlmsg_data(h);
	struct nlattr *tb[TCA_MAX + 1], *ob[TCA_BPF_MAX + 1];
	struct tc_filter f = { 0 };
	struct dump *dump = arg;

	if (h->nlmsg_type != RTM_NEWTFILTER ||
	    nlmsg_parse(h, sizeof(*t), tb, TCA_MAX, NULL) < 0)
		return NL_OK;
	dump->n++;
	f.handle = t->tcm_handle;
	f.prio = TC_H_MAJ(t->tcm_info) >> 16;
	if (tb[TCA_KIND])
		nla_strlcpy(f.kind, tb[TCA_KIND], sizeof(f.kind));
	if (tb[TCA_OPTIONS] &&
	    nla_parse_nested(ob, TCA_BPF_MAX, tb[TCA_OPTIONS], NULL) == 0) {
		if (ob[TCA_BPF_NAME])
			nla_strlcpy(f.name, ob[TCA_BPF_NAME], sizeof(f.name));
		if (ob[TCA_BPF_TAG] && nla_len(ob[TCA_BPF_TAG]) == BPF_TAG_SIZE) {
			memcpy(f.tag, nla_data(ob[TCA_BPF_TAG]), BPF_TAG_SIZE);
			f.has_tag = true;
		}
	}
	if (dump->want && filter_ours(&f, dump->want, dump->dir))
		dump->found = true;
	return NL_OK;
}

/*
 * Dump the filters on one clsact hook of ifindex into *dump.  0, or
 * -ENOENT when there is no clsact qdisc (so no filter), or -errno.
 */
static int tc_dump(int ifindex, int dir, struct dump *dump)
{
	struct tcmsg t = {
		.tcm_family = AF_UNSPEC, .tcm_ifindex = ifindex,
		.tcm_parent = TC_H_MAKE(TC_H_CLSACT, dir ? TC_H_MIN_EGRESS :
							   TC_H_MIN_INGRESS),
	};
	struct nl_sock *sk = nl_socket_alloc();
	int err;

	if (!sk)
		return -ENOMEM;
	dump->dir = dir;
	nl_socket_modify_cb(sk, NL_CB_VALID, NL_CB_CUSTOM, on_filter, dump);
	err = nl_connect(sk, NETLINK_ROUTE);
	if (!err)
		err = nl_send_simple(sk, RTM_GETTFILTER, NLM_F_DUMP, &t,
				     sizeof(t));
	if (err >= 0)
		err = nl_recvmsgs_default(sk);
	nl_socket_free(sk);
	if (err >= 0)
		return 0;
	/* no clsact qdisc here: the kernel says EINVAL (libnl: NLE_INVAL) */
	if (err == -NLE_INVAL || err == -NLE_OBJ_NOTFOUND || err == -NLE_NODEV)
		return -ENOENT;
	log_warn("list tc %s filters on ifindex %d: %s", dir_names[dir],
		 ifindex, nl_geterror(err));
	return -EIO;
}

/* Filters of anyone on the clsact hooks of ifindex (-errno on failure). */
static int tc_count_filters(int ifindex)
{
	struct dump dump = { 0 };
	int d, err;

	for (d = 0; d < 2; d++) {
		err = tc_dump(ifindex, d, &dump);
		if (err && err != -ENOENT)
			return err;
	}
	return dump.n;
}

/* Did an earlier run of ours create the clsact qdisc on ifindex? */
static bool qdisc_recorded(const struct statedir *sd, int ifindex)
{
	struct record r;
	char name[32];

	record_name(ifindex, name, sizeof(name));
	return record_read(sd, name, &r) == 0 && r.qdisc;
}

static int tc_detach_dir(int ifindex, int dir, __u32 handle)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = dir ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = handle,
			    .priority = ATTACH_TC_PRIO);

	return bpf_tc_detach(&hook, &opts);
}

/* Remove the clsact qdisc we created, unless someone else uses it now.
 * Returns true if it was removed. */
static bool tc_remove_qdisc(int ifindex, const char *ifname)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int n = tc_count_filters(ifindex), err;

	if (n != 0) {
		log_info("keep clsact qdisc on %s: %s", ifname,
			 n > 0 ? "other filters use it" : "cannot list filters");
		return false;
	}
	err = bpf_tc_hook_destroy(&hook);
	if (err) {
		log_warn("remove clsact qdisc from %s: %s", ifname,
			 strerror(-err));
		return false;
	}
	return true;
}

static int attach_tc(struct attach *a, struct attachment *at)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = at->ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int d, err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return err;
	/* ours if we create it now, or if an earlier run of ours did and
	 * had to leave it to other users (its record says so) */
	at->qdisc_created = !err || qdisc_recorded(a->sd, at->ifindex);
	/* recorded before the filters go on: a SIGKILL from now on leaves
	 * nothing the next start does not know of */
	err = record_write(a, at, a->dirs);
	if (err)
		return err;
	for (d = 0; d < 2; d++) {
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = a->tc_handle,
				    .priority = ATTACH_TC_PRIO);

		if (!(a->dirs & (1 << d)))
			continue;
		opts.prog_fd = d ? datapath_egress_fd(a->dp) :
				   datapath_ingress_fd(a->dp);
		hook.attach_point = d ? BPF_TC_EGRESS : BPF_TC_INGRESS;
		err = bpf_tc_attach(&hook, &opts);
		if (err == -EEXIST)
			log_err("attach tc %s to %s: a filter with handle 0x%x "
				"priority %d is there already (another instance "
				"with the same handle?)", dir_names[d],
				at->ifname, a->tc_handle, ATTACH_TC_PRIO);
		if (err)
			return err;
		at->dirs |= 1 << d;
	}
	return 0;
}

static void detach_tc(struct attach *a, struct attachment *at)
{
	char name[32], now[IF_NAMESIZE];
	int d, err, left = 0;

	for (d = 0; d < 2; d++) {
		if (!(at->dirs & (1 << d)))
			continue;
		err = tc_detach_dir(at->ifindex, d, a->tc_handle);
		if (err && err != -ENOENT && err != -ENODEV) {
			log_warn("detach tc %s from %s: %s", dir_names[d],
				 at->ifname, strerror(-err));
			left |= 1 << d;
		}
	}
	record_name(at->ifindex, name, sizeof(name));
	/* a filter that would not go stays recorded, for the next start;
	 * a qdisc we made that others use now stays ours: recorded, so the
	 * next run removes it once they are gone (unless the interface is
	 * gone, and everything on it with it) */
	if (left)
		record_write(a, at, left);
	else if (at->qdisc_created && if_indextoname((unsigned)at->ifindex, now) &&
		 !tc_remove_qdisc(at->ifindex, at->ifname))
		record_write(a, at, 0);
	else
		statedir_remove(a->sd, name);
}

/* ---- tcx and sockets ---------------------------------------------------- */

static int attach_tcx(struct attach *a, struct attachment *at)
{
	int d, fd;

	for (d = 0; d < 2; d++) {
		if (!(a->dirs & (1 << d)))
			continue;
		fd = bpf_link_create(d ? datapath_egress_fd(a->dp) :
					 datapath_ingress_fd(a->dp),
				     at->ifindex,
				     d ? BPF_TCX_EGRESS : BPF_TCX_INGRESS, NULL);
		if (fd < 0)
			return fd;
		at->link_fd[d] = fd;
		at->dirs |= 1 << d;
	}
	return 0;
}

static int attach_socket(struct attach *a, struct attachment *at)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET,
				   .sll_protocol = htons(ETH_P_ALL),
				   .sll_ifindex = at->ifindex };
	int prog = datapath_socket_fd(a->dp), one = 1, fd;
	char junk[64];

	/* protocol 0: nothing is delivered until bind, after the filter */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	at->sock_fd = fd;
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof(prog)) ||
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &one, sizeof(one)) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll)))
		return -errno;
	/* the filter returns 0: nothing can be queued; make sure */
	while (recv(fd, junk, sizeof(junk), MSG_DONTWAIT) > 0)
		;
	at->dirs = a->dirs;
	return 0;
}

/* File descriptors an attachment holds: tcx links, or a socket. */
static int fds_of(const struct attach *a, int hook)
{
	if (hook == HOOK_SOCKET)
		return 1;
	if (hook == HOOK_TC)
		return 0;
	return !!(a->dirs & DIR_INGRESS) + !!(a->dirs & DIR_EGRESS);
}

static void detach(struct attach *a, struct attachment *at)
{
	int d;

	for (d = 0; d < 2; d++)
		if (at->link_fd[d] >= 0)
			close(at->link_fd[d]);	/* the tcx link goes with it */
	if (at->sock_fd >= 0)
		close(at->sock_fd);
	if (at->hook == HOOK_TC)
		detach_tc(a, at);
}

/* ---- the public side ---------------------------------------------------- */

/* Open file descriptors now (not counting the one that lists them). */
static int fds_open(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	if (!dir)
		return 0;
	while ((de = readdir(dir)))
		if (de->d_name[0] != '.')
			n++;
	closedir(dir);
	return n - 1;
}

/* Raise the soft RLIMIT_NOFILE to the hard one; returns the soft limit. */
static long raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl))
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rlim_t was = rl.rlim_cur;

		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl)) {
			log_warn("raise the open files limit: %s", strerror(errno));
			rl.rlim_cur = was;
		} else {
			log_info("raised the open files limit from %llu to %llu",
				 (unsigned long long)was,
				 (unsigned long long)rl.rlim_cur);
		}
	}
	return rl.rlim_cur > 1 << 24 ? 1 << 24 : (long)rl.rlim_cur;
}

static void prog_tag(int fd, __u8 *tag)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);

	/* our own fd: no CAP_SYS_ADMIN needed */
	if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
		memcpy(tag, info.tag, BPF_TAG_SIZE);
}

int attach_init(struct attach *a, struct datapath *dp, int hook, int dirs,
		const struct statedir *sd)
{
	long limit = raise_nofile();

	memset(a, 0, sizeof(*a));
	a->dp = dp;
	a->sd = sd;
	a->hook = hook;
	a->dirs = dirs;
	a->tc_handle = sd->id ? sd->id : 1;
	a->fd_budget = (int)(limit - fds_open() - ATTACH_FD_RESERVE);
	if (hook != HOOK_SOCKET) {
		prog_tag(datapath_ingress_fd(dp), a->tag[0]);
		prog_tag(datapath_egress_fd(dp), a->tag[1]);
	}
	log_info("attach: tc filter handle 0x%x priority %d; up to %d file "
		 "descriptors for links and sockets (limit %ld, %d kept in "
		 "reserve)", a->tc_handle, ATTACH_TC_PRIO,
		 a->fd_budget > 0 ? a->fd_budget : 0, limit, ATTACH_FD_RESERVE);
	return 0;
}

static struct attachment *find(const struct attach *a, int ifindex)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (a->v[i].ifindex == ifindex)
			return &a->v[i];
	return NULL;
}

bool attach_has(const struct attach *a, int ifindex)
{
	return find(a, ifindex) != NULL;
}

int attach_count(const struct attach *a)
{
	return a->n;
}

int attach_ifindex(const struct attach *a, int i)
{
	return a->v[i].ifindex;
}

const char *attach_ifname(const struct attach *a, int ifindex)
{
	const struct attachment *at = find(a, ifindex);

	return at ? at->ifname : NULL;
}

void attach_rename(struct attach *a, int ifindex, const char *name)
{
	struct attachment *at = find(a, ifindex);

	if (at)
		snprintf(at->ifname, sizeof(at->ifname), "%s", name);
}

static int try_hook(struct attach *a, struct attachment *at, int hook)
{
	int err;

	memset(at->link_fd, -1, sizeof(at->link_fd));
	at->sock_fd = -1;
	at->dirs = 0;
	at->qdisc_created = false;
	at->hook = hook;
	if (a->fds + fds_of(a, hook) > a->fd_budget)
		return -EMFILE;		/* the reserve stays free */
	err = hook == HOOK_TCX ? attach_tcx(a, at) :
	      hook == HOOK_TC ? attach_tc(a, at) : attach_socket(a, at);
	if (err)
		detach(a, at);		/* leave nothing half done */
	return err;
}

/*
 * Why a socket filter did not attach with ENOMEM: Linux charges the
 * program to the socket's option memory, net.core.optmem_max (20480
 * bytes by default before 6.9).
 */
static const char *socket_hint(const struct attach *a, char *buf, size_t n)
{
	struct bpf_prog_info info = { 0 };
	__u32 len = sizeof(info);
	char here[48] = "of the host";
	long optmem;
	FILE *f;

	if (bpf_obj_get_info_by_fd(datapath_socket_fd(a->dp), &info, &len))
		return "";
	/* before 6.9 only the first namespace has it */
	f = fopen("/proc/sys/net/core/optmem_max", "re");
	if (f) {
		if (fscanf(f, "%ld", &optmem) == 1)
			snprintf(here, sizeof(here), "%ld bytes here", optmem);
		fclose(f);
	}
	snprintf(buf, n, " (the socket filter's %u bytes are charged to "
		 "net.core.optmem_max, %s; raise it, or use hook = tc)",
		 info.xlated_prog_len, here);
	return buf;
}

static void attach_failed(struct attach *a, const char *ifname, int err)
{
	char buf[160];

	a->failures++;
	if (a->failures <= FAIL_LOG_MAX)
		log_err("attach to %s: %s%s", ifname, strerror(-err),
			err == -EMFILE ? " (file descriptors for links and "
			"sockets used up; raise LimitNOFILE)" :
			a->hook == HOOK_TCX && err == -EINVAL ?
			" (tcx links need Linux 6.6; hook = auto uses tc before)" :
			a->hook == HOOK_SOCKET && err == -ENOMEM ?
			socket_hint(a, buf, sizeof(buf)) : "");
	if (a->failures == FAIL_LOG_MAX)
		log_err("attach: further failures are only counted "
			"(ifaces_unattached in the stats line)");
}

int attach_iface(struct attach *a, int ifindex, const char *ifname)
{
	struct attachment at = { .ifindex = ifindex };
	int err;

	if (attach_has(a, ifindex))
		return 0;
	snprintf(at.ifname, sizeof(at.ifname), "%s", ifname);
	if (a->n == a->cap) {
		int cap = a->cap ? a->cap * 2 : 8;
		struct attachment *v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		a->v = v;
		a->cap = cap;
	}
	if (a->hook == HOOK_AUTO) {
		/* tcx on 6.6+; an older kernel refuses the attach type */
		err = try_hook(a, &at, HOOK_TCX);
		if (err == -EINVAL || err == -EOPNOTSUPP || err == -ENOTSUP)
			err = try_hook(a, &at, HOOK_TC);
	} else {
		err = try_hook(a, &at, a->hook);
	}
	if (err) {
		attach_failed(a, ifname, err);
		return err;
	}
	log_info("attached to %s (ifindex %d) with %s%s%s", ifname, ifindex,
		 config_hook_name(at.hook),
		 at.dirs & DIR_INGRESS ? ", ingress" : "",
		 at.dirs & DIR_EGRESS ? ", egress" : "");
	a->fds += fds_of(a, at.hook);
	a->v[a->n++] = at;
	return 0;
}

int attach_detach_iface(struct attach *a, int ifindex)
{
	int i;

	for (i = 0; i < a->n; i++) {
		if (a->v[i].ifindex != ifindex)
			continue;
		detach(a, &a->v[i]);
		log_info("detached from %s", a->v[i].ifname);
		a->fds -= fds_of(a, a->v[i].hook);
		a->v[i] = a->v[--a->n];
		return 0;
	}
	return -ENOENT;
}

struct detach_job {
	struct attach	*a;
	int		next;	/* the next attachment to take */
};

static void *detach_worker(void *arg)
{
	struct detach_job *job = arg;
	int i;

	while ((i = __atomic_fetch_add(&job->next, 1, __ATOMIC_RELAXED)) <
	       job->a->n)
		detach(job->a, &job->a->v[i]);
	return NULL;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

long attach_fini(struct attach *a)
{
	struct detach_job job = { .a = a };
	pthread_t tid[DETACH_THREADS];
	int i, n = 0, want = a->n / 4;
	struct timespec t0;
	long ms;

	/* each tcx (and cls_bpf) detach waits for its own RCU grace
	 * period; many at once share them */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (want > DETACH_THREADS)
		want = DETACH_THREADS;
	while (n < want && pthread_create(&tid[n], NULL, detach_worker, &job) == 0)
		n++;
	detach_worker(&job);
	for (i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	ms = ms_since(&t0);
	if (a->n)
		log_info("detached from %d interfaces in %ld ms", a->n, ms);
	free(a->v);
	a->v = NULL;
	a->n = a->cap = a->fds = 0;
	return ms;
}

/*
 * Remove what one record says a dead run made on its interface.  What
 * could not be looked for or removed stays in r (dirs, qdisc) with *keep
 * set, so the next start tries again instead of forgetting it.
 */
static int cleanup_record(struct record *r, bool *keep)
{
	char now[IF_NAMESIZE];
	int removed = 0, d, err, left = 0;

	if (!if_indextoname((unsigned int)r->ifindex, now))
		return 0;	/* gone, and its filters and qdisc with it */
	for (d = 0; d < 2; d++) {
		struct dump dump = { .want = r };

		if (!(r->dirs & (1 << d)))
			continue;
		err = tc_dump(r->ifindex, d, &dump);
		if (!err && !dump.found)
			continue;
		if (!err)
			err = tc_detach_dir(r->ifindex, d, r->handle);
		if (err) {
			log_warn("remove the leftover tc %s filter from %s: %s",
				 dir_names[d], now, strerror(-err));
			left |= 1 << d;
			continue;
		}
		log_info("removed a leftover tc %s filter from %s",
			 dir_names[d], now);
		removed++;
	}
	if (r->qdisc && !left && tc_remove_qdisc(r->ifindex, now)) {
		log_info("removed the leftover clsact qdisc of %s", now);
		removed++;
		r->qdisc = 0;
	}
	r->dirs = left;
	*keep = left || r->qdisc;	/* still ours to remove, later */
	return removed;
}

int attach_cleanup_leftovers(const struct statedir *sd)
{
	int removed = 0, fd = dup(sd->dirfd);
	struct record r;
	struct dirent *de;
	DIR *dir = fd >= 0 ? fdopendir(fd) : NULL;

	if (!dir) {
		log_warn("list the state directory: %s", strerror(errno));
		if (fd >= 0)
			close(fd);
		return 0;
	}
	rewinddir(dir);
	while ((de = readdir(dir))) {
		bool keep = false;

		if (strncmp(de->d_name, RECORD_PREFIX, strlen(RECORD_PREFIX)))
			continue;
		if (record_read(sd, de->d_name, &r))
			log_warn("read %s in the state directory: not a record "
				 "of ours; removed", de->d_name);
		else
			removed += cleanup_record(&r, &keep);
		if (keep) {
			record_store(sd, &r);
		} else {
			statedir_remove(sd, de->d_name);
		}
	}
	closedir(dir);
	return removed;
}
