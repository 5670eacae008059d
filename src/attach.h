/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * attach.h - put the programs on interfaces, and take them off again.
 *
 * tcx links where the kernel has them (6.6+), clsact + cls_bpf otherwise,
 * or a socket filter on an AF_PACKET socket per interface.  Remembers
 * exactly what it created and removes only that.  What the tc hook makes
 * (our cls_bpf filters, and a clsact qdisc we created) is recorded in the
 * instance's state directory as it is made, so that after a SIGKILL the
 * next start of the same instance removes exactly that (tcx links and
 * sockets go away with the process; filters and qdiscs do not).
 *
 * Each instance's cls_bpf filters carry a handle of their own, derived
 * from its state directory, so instances with different state directories
 * attach side by side to the same interfaces.
 */
#ifndef TCFLOWD_ATTACH_H
#define TCFLOWD_ATTACH_H

#include <net/if.h>
#include <stdbool.h>
#include <linux/bpf.h>

#include "datapath.h"
#include "statedir.h"

/* Our cls_bpf filters: the instance's handle, at this priority. */
#define ATTACH_TC_PRIO		10
/* File descriptors kept free for the config, netlink and collectors. */
#define ATTACH_FD_RESERVE	64

struct attachment {
	int	ifindex;
	char	ifname[IF_NAMESIZE];
	int	hook;		/* HOOK_TCX, HOOK_TC or HOOK_SOCKET in use */
	int	dirs;		/* DIR_* attached */
	int	link_fd[2];	/* tcx: ingress, egress */
	bool	qdisc_created;	/* tc: we added the clsact qdisc */
	int	sock_fd;	/* socket */
};

struct attach {
	struct datapath		*dp;
	const struct statedir	*sd;
	int			hook;		/* as configured (HOOK_AUTO...) */
	int			dirs;
	__u32			tc_handle;	/* this instance's filters */
	__u8			tag[2][BPF_TAG_SIZE];	/* ingress, egress */
	int			fds, fd_budget;	/* held by links and sockets */
	unsigned long long	failures;	/* attach attempts that failed */
	struct attachment	*v;
	int			n, cap;
};

/* Also raises RLIMIT_NOFILE to its hard limit and sets the fd budget. */
int attach_init(struct attach *a, struct datapath *dp, int hook, int dirs,
		const struct statedir *sd);
/* Attach to one interface.  Returns 0 or -errno (nothing left behind;
 * logged and counted in failures). */
int attach_iface(struct attach *a, int ifindex, const char *ifname);
/* Detach from one interface (if attached).  Returns 0 or -errno. */
int attach_detach_iface(struct attach *a, int ifindex);
bool attach_has(const struct attach *a, int ifindex);
/* How many interfaces are attached, and the ifindex of the i-th. */
int attach_count(const struct attach *a);
int attach_ifindex(const struct attach *a, int i);
/* The name ifindex was attached under (NULL: not attached). */
const char *attach_ifname(const struct attach *a, int ifindex);
/* ifindex is called name now (a rename, told by netlink). */
void attach_rename(struct attach *a, int ifindex, const char *name);
/* Detach everything (in parallel: a tcx detach waits for an RCU grace
 * period each); returns the milliseconds it took. */
long attach_fini(struct attach *a);

/*
 * Remove what a dead instance of this state directory recorded (we hold
 * its lock, so its owner is gone): its cls_bpf filters, recognised in the
 * netlink dump by handle, priority, program name and tag, and the clsact
 * qdiscs it had created if nothing else uses them.  Needs CAP_NET_ADMIN
 * only.  Returns the number of objects removed.
 */
int attach_cleanup_leftovers(const struct statedir *sd);

#endif /* TCFLOWD_ATTACH_H */
