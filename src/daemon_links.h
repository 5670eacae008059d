/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * daemon_links.h - the daemon's interfaces (daemon_links.c), and the one
 * step of the loop they need (daemon.c).
 */
#ifndef TCFLOWD_DAEMON_LINKS_H
#define TCFLOWD_DAEMON_LINKS_H

#include "daemon.h"
#include "enrich.h"

/* One fetch: drain the kernel, expire, push the records out. */
void daemon_fetch(struct daemon *d);

/* Attach to what the config selects now; detach (and flush) the rest. */
void daemon_attach_selected(struct daemon *d);

/* Name every attached interface to the exporters, and log what it is. */
void daemon_announce_attached(struct daemon *d);

/* Hotplug (iface_watch): a link appeared, changed (renamed) or went away.
 * An interface to forget waits for daemon_forget_pending(). */
void daemon_on_link_event(void *ctx, const struct link_info *li, int gone);

/* After the link notifications that were waiting: forget the interfaces
 * they took away, with one read of the kernel's flows for all of them. */
void daemon_forget_pending(struct daemon *d);

#endif /* TCFLOWD_DAEMON_LINKS_H */
