// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * attach.c - tcx, clsact + cls_bpf, and socket-filter attachment.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/pkt_sched.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <netlink/netlink.h>
#include <netlink/route/classifier.h>

#include "attach.h"
#include "config.h"
#include "log.h"

/* tcx attach types (kernel 6.6); the UAPI headers here may predate them */
#ifndef BPF_TCX_INGRESS
#define BPF_TCX_INGRESS	46
#define BPF_TCX_EGRESS	47
#endif

#define STATE_PREFIX	"clsact."

static const char *const dir_names[2] = { "ingress", "egress" };

/* ---- the state directory: clsact qdiscs we created ---------------------- */

static void state_path(const char *dir, int ifindex, char *buf, size_t len)
{
	snprintf(buf, len, "%s/" STATE_PREFIX "%d", dir, ifindex);
}

static void state_mark(const char *dir, int ifindex)
{
	char path[512];
	int fd;

	if (mkdir(dir, 0755) && errno != EEXIST) {
		log_warn("create state directory %s: %s", dir, strerror(errno));
		return;
	}
	state_path(dir, ifindex, path, sizeof(path));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		log_warn("record %s: %s", path, strerror(errno));
	else
		close(fd);
}

static void state_unmark(const char *dir, int ifindex)
{
	char path[512];

	state_path(dir, ifindex, path, sizeof(path));
	unlink(path);
}

/* ---- cls_bpf ------------------------------------------------------------ */

static int prog_name(__u32 id, char *name, size_t len)
{
	struct bpf_prog_info info = { 0 };
	__u32 info_len = sizeof(info);
	int fd = bpf_prog_get_fd_by_id(id), err = 0;

	if (fd < 0)
		return -errno;
	if (bpf_obj_get_info_by_fd(fd, &info, &info_len))
		err = -errno;
	else
		snprintf(name, len, "%s", info.name);
	close(fd);
	return err;
}

/* Is our filter (our handle, priority and program) on this hook? */
static bool tc_ours(int ifindex, int dir)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = dir ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = ATTACH_TC_HANDLE,
			    .priority = ATTACH_TC_PRIO);
	char name[BPF_OBJ_NAME_LEN] = "";

	if (bpf_tc_query(&hook, &opts))
		return false;
	if (prog_name(opts.prog_id, name, sizeof(name)))
		return false;
	return !strcmp(name, dir ? "tc_egress" : "tc_ingress");
}

static int tc_detach_dir(int ifindex, int dir)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = dir ? BPF_TC_EGRESS : BPF_TC_INGRESS);
	DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = ATTACH_TC_HANDLE,
			    .priority = ATTACH_TC_PRIO);

	return bpf_tc_detach(&hook, &opts);
}

/* Filters of anyone on the clsact hooks of ifindex (-errno on failure). */
static int tc_count_filters(int ifindex)
{
	static const __u32 parents[2] = {
		TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS),
		TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS),
	};
	struct nl_sock *sk = nl_socket_alloc();
	int i, n = 0, err = 0;

	if (!sk)
		return -ENOMEM;
	err = nl_connect(sk, NETLINK_ROUTE);
	for (i = 0; i < 2 && !err; i++) {
		struct nl_cache *cache;

		err = rtnl_cls_alloc_cache(sk, ifindex, parents[i], &cache);
		if (!err) {
			n += nl_cache_nitems(cache);
			nl_cache_free(cache);
		}
	}
	nl_socket_free(sk);
	return err ? -EIO : n;
}

/* Remove the clsact qdisc we created, unless someone else uses it now.
 * Returns true if it was removed. */
static bool tc_remove_qdisc(int ifindex, const char *ifname)
{
	DECLARE_LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
			    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);
	int n = tc_count_filters(ifindex);

	if (n != 0) {
		log_info("keep clsact qdisc on %s: %s", ifname,
			 n > 0 ? "other filters use it" : "cannot list filters");
		return false;
	}
	if (bpf_tc_hook_destroy(&hook)) {
		log_warn("remove clsact qdisc from %s: %s", ifname, strerror(errno));
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
	if (!err) {
		at->qdisc_created = true;
		state_mark(a->state_dir, at->ifindex);
	}
	for (d = 0; d < 2; d++) {
		DECLARE_LIBBPF_OPTS(bpf_tc_opts, opts, .handle = ATTACH_TC_HANDLE,
				    .priority = ATTACH_TC_PRIO);

		if (!(a->dirs & (1 << d)))
			continue;
		opts.prog_fd = d ? datapath_egress_fd(a->dp) :
				   datapath_ingress_fd(a->dp);
		hook.attach_point = d ? BPF_TC_EGRESS : BPF_TC_INGRESS;
		err = bpf_tc_attach(&hook, &opts);
		if (err)
			return err;
		at->dirs |= 1 << d;
	}
	return 0;
}

static void detach_tc(struct attach *a, struct attachment *at)
{
	int d;

	for (d = 0; d < 2; d++)
		if ((at->dirs & (1 << d)) && tc_detach_dir(at->ifindex, d) &&
		    errno != ENOENT && errno != ENODEV)
			log_warn("detach tc %s from %s: %s", dir_names[d],
				 at->ifname, strerror(errno));
	if (at->qdisc_created) {
		tc_remove_qdisc(at->ifindex, at->ifname);
		state_unmark(a->state_dir, at->ifindex);
	}
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

int attach_init(struct attach *a, struct datapath *dp, int hook, int dirs,
		const char *state_dir)
{
	memset(a, 0, sizeof(*a));
	a->dp = dp;
	a->hook = hook;
	a->dirs = dirs;
	snprintf(a->state_dir, sizeof(a->state_dir), "%s", state_dir);
	return 0;
}

bool attach_has(const struct attach *a, int ifindex)
{
	int i;

	for (i = 0; i < a->n; i++)
		if (a->v[i].ifindex == ifindex)
			return true;
	return false;
}

static int try_hook(struct attach *a, struct attachment *at, int hook)
{
	int err;

	memset(at->link_fd, -1, sizeof(at->link_fd));
	at->sock_fd = -1;
	at->dirs = 0;
	at->qdisc_created = false;
	at->hook = hook;
	err = hook == HOOK_TCX ? attach_tcx(a, at) :
	      hook == HOOK_TC ? attach_tc(a, at) : attach_socket(a, at);
	if (err)
		detach(a, at);		/* leave nothing half done */
	return err;
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
		log_err("attach to %s: %s%s", ifname, strerror(-err),
			a->hook == HOOK_TCX && err == -EINVAL ?
			" (tcx links need Linux 6.6; hook = auto uses tc before)" : "");
		return err;
	}
	log_info("attached to %s (ifindex %d) with %s%s%s", ifname, ifindex,
		 config_hook_name(at.hook),
		 at.dirs & DIR_INGRESS ? ", ingress" : "",
		 at.dirs & DIR_EGRESS ? ", egress" : "");
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
		a->v[i] = a->v[--a->n];
		return 0;
	}
	return -ENOENT;
}

void attach_fini(struct attach *a)
{
	while (a->n > 0) {
		a->n--;
		detach(a, &a->v[a->n]);
		log_info("detached from %s", a->v[a->n].ifname);
	}
	free(a->v);
	a->v = NULL;
	a->cap = 0;
}

int attach_cleanup_leftovers(const char *state_dir)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int removed = 0, d;
	struct dirent *de;
	DIR *dir;

	/* our filters, wherever they are (most interfaces have no clsact
	 * qdisc: libbpf would complain about every one of them) */
	log_libbpf_mute(true);
	for (i = ifs; i && i->if_index; i++) {
		for (d = 0; d < 2; d++) {
			if (!tc_ours((int)i->if_index, d))
				continue;
			if (tc_detach_dir((int)i->if_index, d) == 0) {
				log_info("removed a leftover tc %s filter from %s",
					 dir_names[d], i->if_name);
				removed++;
			}
		}
	}
	log_libbpf_mute(false);
	if (ifs)
		if_freenameindex(ifs);

	/* the qdiscs a previous run created */
	dir = opendir(state_dir);
	while (dir && (de = readdir(dir))) {
		char name[IF_NAMESIZE] = "?";
		int ifindex;

		if (strncmp(de->d_name, STATE_PREFIX, strlen(STATE_PREFIX)))
			continue;
		ifindex = atoi(de->d_name + strlen(STATE_PREFIX));
		if (ifindex > 0 && if_indextoname((unsigned int)ifindex, name) &&
		    tc_remove_qdisc(ifindex, name)) {
			log_info("removed the leftover clsact qdisc of %s", name);
			removed++;
		}
		state_unmark(state_dir, ifindex);
	}
	if (dir)
		closedir(dir);
	return removed;
}
