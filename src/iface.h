/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * iface.h - which interfaces the config selects.
 */
#ifndef TCFLOWD_IFACE_H
#define TCFLOWD_IFACE_H

#include <stdbool.h>

#include "config.h"

/*
 * Does the config select the interface called name?  interfaces holds
 * names and glob patterns ("*" is every interface but lo), exclude wins.
 */
bool iface_selected(const struct config *cfg, const char *name);


/*
 * Link notifications (RTNLGRP_LINK) from the kernel, for hotplug: an
 * interface appears, is renamed, or goes away.  Only this network
 * namespace is watched.
 */
struct iface_watch;

/* Called for every link message: new or changed (gone == 0), or gone. */
typedef void (*iface_event_fn)(void *ctx, int ifindex, const char *name,
			       int gone);

/* Returns NULL and sets errno. */
struct iface_watch *iface_watch_new(iface_event_fn fn, void *ctx);
int iface_watch_fd(const struct iface_watch *w);
/* Read what is pending (the fd is non-blocking).  0 or -errno. */
int iface_watch_read(struct iface_watch *w);
void iface_watch_free(struct iface_watch *w);

#endif /* TCFLOWD_IFACE_H */
