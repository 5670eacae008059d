/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iface.h - which interfaces the config selects.
 */
#ifndef TCFLOWD_IFACE_H
#define TCFLOWD_IFACE_H

#include <stdbool.h>

#include "config.h"
#include "enrich.h"

/*
 * Does the config select the interface called name?  interfaces holds
 * names and glob patterns ("*" is every interface but lo), exclude wins.
 */
bool iface_selected(const struct config *cfg, const char *name);


/*
 * Netlink notifications from the kernel: links (hotplug: an interface
 * appears, changes, is renamed, or goes away), and routes, rules and
 * addresses (what route lookups answer).  Only this network namespace is
 * watched.
 */
struct iface_watch;

/* Called for every link message: new or changed (gone == 0), or gone. */
typedef void (*iface_event_fn)(void *ctx, const struct link_info *li,
			       int gone);
/* Called for every route, rule or address message. */
struct nlmsghdr;
typedef void (*route_event_fn)(void *ctx, const struct nlmsghdr *nlh);

/* Returns NULL and sets errno. */
struct iface_watch *iface_watch_new(iface_event_fn fn, route_event_fn rfn,
				    void *ctx);
int iface_watch_fd(const struct iface_watch *w);
/* Read what is pending (the fd is non-blocking), up to IFACE_WATCH_BATCH
 * notifications.  0 or -errno. */
#define IFACE_WATCH_BATCH	65536
/* the notification socket's receive buffer (bytes) */
#define IFACE_WATCH_RCVBUF	(4 << 20)
int iface_watch_read(struct iface_watch *w);
void iface_watch_free(struct iface_watch *w);

#endif /* TCFLOWD_IFACE_H */
