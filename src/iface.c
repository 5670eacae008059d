// SPDX-License-Identifier: GPL-2.0-or-later
#include <fnmatch.h>
#include <string.h>

#include "iface.h"

bool iface_selected(const struct config *cfg, const char *name)
{
	bool in = false;
	int i;

	for (i = 0; i < cfg->n_interfaces && !in; i++) {
		const char *p = cfg->interfaces[i];

		if (!strcmp(p, "*"))
			in = strcmp(name, "lo") != 0;
		else
			in = fnmatch(p, name, 0) == 0;
	}
	for (i = 0; i < cfg->n_exclude && in; i++)
		if (fnmatch(cfg->exclude[i], name, 0) == 0)
			in = false;
	return in;
}

/* ---- link notifications ------------------------------------------------- */

#include <errno.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>

#include "log.h"

struct iface_watch {
	struct nl_sock	*sk;
	iface_event_fn	fn;
	route_event_fn	rfn;
	void		*ctx;
	int		gone;	/* of the message being parsed */
};

static void on_link(struct nl_object *obj, void *arg)
{
	struct iface_watch *w = arg;
	struct link_info li;

	enrich_link_from_rtnl((struct rtnl_link *)obj, &li);
	w->fn(w->ctx, &li, w->gone);
}

static int on_msg(struct nl_msg *msg, void *arg)
{
	struct iface_watch *w = arg;
	int type = nlmsg_hdr(msg)->nlmsg_type;

	switch (type) {
	case RTM_NEWROUTE: case RTM_DELROUTE:
	case RTM_NEWRULE: case RTM_DELRULE:
	case RTM_NEWADDR: case RTM_DELADDR:
		w->rfn(w->ctx, nlmsg_hdr(msg));
		return NL_OK;
	case RTM_NEWLINK: case RTM_DELLINK:
		break;
	default:
		return NL_OK;
	}
	/* the bridge's view of a port (AF_BRIDGE): a port that leaves its
	 * bridge is deleted there, not in the system */
	if (nlmsg_datalen(nlmsg_hdr(msg)) >= (int)sizeof(struct ifinfomsg) &&
	    ((struct ifinfomsg *)nlmsg_data(nlmsg_hdr(msg)))->ifi_family ==
	    AF_BRIDGE)
		return NL_OK;
	w->gone = type == RTM_DELLINK;
	nl_msg_parse(msg, on_link, w);
	return NL_OK;
}

/*
 * Room for a burst of notifications.  Deleting one veth sends about ten
 * messages of up to 1.5 KiB (links, addresses, routes); libnl's 32 KiB
 * overflowed with 12 deleted at once while the loop was busy, and an
 * overflow costs a rescan of every interface.  SO_RCVBUFFORCE passes
 * net.core.rmem_max (tcflowd starts with CAP_NET_ADMIN); SO_RCVBUF, capped
 * by it, otherwise.  The kernel charges only what waits.
 */
static void set_rcvbuf(struct nl_sock *sk)
{
	int fd = nl_socket_get_fd(sk), size = IFACE_WATCH_RCVBUF;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)))
		log_warn("link notifications: receive buffer: %s; a burst "
			 "may be lost (and the interfaces rescanned)",
			 strerror(errno));
}

struct iface_watch *iface_watch_new(iface_event_fn fn, route_event_fn rfn,
				    void *ctx)
{
	struct iface_watch *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	w->fn = fn;
	w->rfn = rfn;
	w->ctx = ctx;
	w->sk = nl_socket_alloc();
	if (!w->sk)
		goto err;
	nl_socket_disable_seq_check(w->sk);
	nl_socket_modify_cb(w->sk, NL_CB_VALID, NL_CB_CUSTOM, on_msg, w);
	if (nl_connect(w->sk, NETLINK_ROUTE) ||
	    nl_socket_add_memberships(w->sk, RTNLGRP_LINK, RTNLGRP_IPV4_ROUTE,
				      RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV4_RULE,
				      RTNLGRP_IPV6_RULE, RTNLGRP_IPV4_IFADDR,
				      RTNLGRP_IPV6_IFADDR, 0) ||
	    nl_socket_set_nonblocking(w->sk))
		goto err;
	set_rcvbuf(w->sk);
	return w;
err:
	iface_watch_free(w);
	errno = EIO;
	return NULL;
}

int iface_watch_fd(const struct iface_watch *w)
{
	return nl_socket_get_fd(w->sk);
}

int iface_watch_read(struct iface_watch *w)
{
	int err = 0, i;

	/* everything that waits (one datagram a call), so that a burst is
	 * handled as one: the bound is more than the buffer holds.
	 * libnl's -NLE_AGAIN: nothing more for now */
	for (i = 0; i < IFACE_WATCH_BATCH && !err; i++)
		err = nl_recvmsgs_default(w->sk);
	return err < 0 && err != -NLE_AGAIN ? -EIO : 0;
}

void iface_watch_free(struct iface_watch *w)
{
	if (!w)
		return;
	if (w->sk)
		nl_socket_free(w->sk);
	free(w);
}
