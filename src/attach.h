/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * attach.h - put the programs on interfaces, and take them off again.
 *
 * tcx links where the kernel has them (6.6+), clsact + cls_bpf otherwise,
 * or a socket filter on an AF_PACKET socket per interface.  Remembers
 * exactly what it created and removes only that.  A clsact qdisc we create
 * is recorded in the state directory, so that a run killed with SIGKILL
 * can be cleaned up by the next start (tcx links and sockets go away with
 * the process; cls_bpf filters and qdiscs do not).
 */
#ifndef TCFLOWD_ATTACH_H
#define TCFLOWD_ATTACH_H

#include <net/if.h>
#include <stdbool.h>

#include "datapath.h"

/* Our cls_bpf filters: this handle at this priority, on both hooks. */
#define ATTACH_TC_HANDLE	0x7cf1
#define ATTACH_TC_PRIO		10

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
	int			hook;		/* as configured (HOOK_AUTO...) */
	int			dirs;
	char			state_dir[256];
	struct attachment	*v;
	int			n, cap;
};

int attach_init(struct attach *a, struct datapath *dp, int hook, int dirs,
		const char *state_dir);
/* Attach to one interface.  Returns 0 or -errno (nothing left behind). */
int attach_iface(struct attach *a, int ifindex, const char *ifname);
/* Detach from one interface (if attached).  Returns 0 or -errno. */
int attach_detach_iface(struct attach *a, int ifindex);
bool attach_has(const struct attach *a, int ifindex);
/* Detach everything, in reverse order. */
void attach_fini(struct attach *a);

/*
 * Remove what a killed run left: our cls_bpf filters on every interface,
 * and the clsact qdiscs it had created if nothing else uses them.
 * Returns the number of objects removed.
 */
int attach_cleanup_leftovers(const char *state_dir);

#endif /* TCFLOWD_ATTACH_H */
