// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * daemon_links.c - the interfaces the daemon watches: attach to what the
 * config selects, follow links that appear, change and go away (netlink
 * hotplug), and tell the exporters their names.
 */
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "daemon_links.h"
#include "iface.h"
#include "log.h"
#include "stats.h"

static void forget(struct daemon *d, int ifindex, bool gone);

/* Attach to what the config selects now; the rest wait to be forgotten
 * (daemon_forget_pending: one read of the kernel for all of them). */
void daemon_attach_selected(struct daemon *d)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int j, selected = 0, failed = 0;

	for (j = attach_count(&d->at) - 1; j >= 0; j--) {
		int ifindex = attach_ifindex(&d->at, j);
		char now[IF_NAMESIZE];

		if (if_indextoname((unsigned int)ifindex, now) &&
		    iface_selected(&d->cfg, now))
			continue;
		forget(d, ifindex, false);
	}
	for (i = ifs; i && i->if_index; i++) {
		if (!iface_selected(&d->cfg, i->if_name))
			continue;
		selected++;
		if (attach_iface(&d->at, (int)i->if_index, i->if_name))
			failed++;
	}
	if (ifs)
		if_freenameindex(ifs);
	if (failed)
		log_err("attach: %d of %d selected interfaces could not be "
			"attached; they are not counted", failed, selected);
	else if (attach_count(&d->at) == 0)
		log_warn("no interface matches [capture] interfaces; nothing "
			 "is counted");
}

/* Forget an interface: what the kernel still holds for it is fetched, its
 * flows end (forced end), its hooks are dropped.  A read of the kernel's
 * flows costs the map, not the interface (1.4 s at a million flows), so
 * the interfaces that went away in one burst of notifications (a
 * namespace deleted, PPP sessions dropped) share one: they wait in
 * forget_q for daemon_forget_pending(). */
static int forget_find(const struct daemon *d, int ifindex)
{
	int i;

	for (i = 0; i < d->forget_n; i++)
		if (d->forget_q[i].ifindex == ifindex)
			return i;
	return -1;
}

static void forget_drop(struct daemon *d, int k)
{
	d->forget_q[k] = d->forget_q[--d->forget_n];
}

static void forget_now(struct daemon *d, const struct daemon_forget *q, int n)
{
	int i;

	fetcher_read_now(d->fetcher);
	daemon_fetch(d);
	for (i = 0; i < n; i++) {
		flowcache_flush_ifindex(d->cache, (uint32_t)q[i].ifindex);
		attach_detach_iface(&d->at, q[i].ifindex);
	}
	for (i = 0; i < d->n_exp; i++)
		exporter_flush(d->exp[i]);
}

/* gone: the device went away (else: out of the patterns) */
static void forget(struct daemon *d, int ifindex, bool gone)
{
	struct daemon_forget one = { ifindex, gone };
	int k = forget_find(d, ifindex);

	if (k >= 0) {
		d->forget_q[k].gone |= gone;
		return;
	}
	if (d->forget_n == d->forget_cap) {
		int cap = d->forget_cap ? 2 * d->forget_cap : 16;
		struct daemon_forget *q =
			realloc(d->forget_q, (size_t)cap * sizeof(*q));

		if (!q) {
			forget_now(d, &one, 1);		/* alone, then */
			return;
		}
		d->forget_q = q;
		d->forget_cap = cap;
	}
	d->forget_q[d->forget_n++] = one;
}

void daemon_forget_pending(struct daemon *d)
{
	struct daemon_forget *q;
	int round, n;

	/* twice at most: attaching what waited may leave one to forget (it
	 * waits for the next notification then) */
	for (round = 0; round < 2 && d->forget_n; round++) {
		/* the queue is taken whole: a new one starts before anything
		 * the read runs could add to it */
		q = d->forget_q;
		n = d->forget_n;
		d->forget_q = NULL;
		d->forget_n = d->forget_cap = 0;
		if (n > 1)
			log_info("%d interfaces went: one read of the kernel's "
				 "flows for all", n);
		forget_now(d, q, n);
		free(q);
		/* their descriptors go to interfaces that waited */
		if (stats_unattached(d)) {
			daemon_attach_selected(d);
			daemon_announce_attached(d);
		}
	}
}

/* Tell the exporters what an interface is now called: the ones we watch
 * always, others once a record has named them. */
static void announce(struct daemon *d, const struct link_info *li, bool all)
{
	int i;

	for (i = 0; i < d->n_exp; i++)
		if (all || exporter_has_iface(d->exp[i], li->ifindex))
			exporter_note_iface(d->exp[i], li->ifindex, li->name,
					    li->alias);
}

/* What netlink says of an interface we watch, for the operator. */
static void log_link(const struct link_info *li)
{
	static const char *const oper[] = { "unknown", "not present", "down",
		"lower layer down", "testing", "dormant", "up" };
	char speed[24] = "unknown speed";

	if (li->speed_mbps)
		snprintf(speed, sizeof(speed), "%u Mb/s", li->speed_mbps);
	log_info("%s: ifindex %u, %s, mtu %u, %s, mac "
		 "%02x:%02x:%02x:%02x:%02x:%02x%s%s%s", li->name, li->ifindex,
		 li->oper_state < 7 ? oper[li->oper_state] : "unknown",
		 li->mtu, speed, li->mac[0], li->mac[1], li->mac[2], li->mac[3],
		 li->mac[4], li->mac[5], *li->alias ? ", alias \"" : "",
		 li->alias, *li->alias ? "\"" : "");
}

void daemon_announce_attached(struct daemon *d)
{
	int i;

	for (i = 0; i < attach_count(&d->at); i++) {
		const struct link_info *li = enrich_link(d->enrich,
				(uint32_t)attach_ifindex(&d->at, i));

		if (li) {
			announce(d, li, true);
			log_link(li);
		}
	}
}

/* Hotplug: a link appeared, changed (renamed) or went away. */
void daemon_on_link_event(void *ctx, const struct link_info *li, int gone)
{
	struct daemon *d = ctx;
	int ifindex = (int)li->ifindex;
	const char *name = li->name;
	const char *a = attach_ifname(&d->at, ifindex);
	const struct link_info *was = enrich_link(d->enrich, li->ifindex);
	bool details = !was || memcmp(was, li, sizeof(*li)) != 0;
	int changed = 0, k = forget_find(d, ifindex);

	if (!gone && k >= 0 && d->forget_q[k].gone) {
		/* the index is back in the same burst (a device made with
		 * it, or moved out of the namespace and back): the one that
		 * went is forgotten first, this is a new link */
		struct daemon_forget old = d->forget_q[k];

		forget_drop(d, k);
		forget_now(d, &old, 1);
		a = attach_ifname(&d->at, ifindex);
		k = -1;
	}

	if (d->enrich) {
		if (gone)
			enrich_link_gone(d->enrich, li->ifindex);
		else
			changed = enrich_link_update(d->enrich, li);
	}
	if (a && !gone && details)
		log_link(li);	/* state, MTU, speed, MAC or alias changed */
	if (gone) {
		if (a) {
			log_info("%s went away: its flows end now", a);
			forget(d, ifindex, true);
		}
		return;
	}
	if (a && strcmp(a, name)) {
		log_info("%s is now called %s", a, name);
		attach_rename(&d->at, ifindex, name);
	}
	if (a && !iface_selected(&d->cfg, name)) {
		forget(d, ifindex, false);	/* renamed out of the patterns */
	} else if (a && k >= 0) {
		forget_drop(d, k);	/* renamed back in before: it stays */
	} else if (!a && iface_selected(&d->cfg, name)) {
		attach_iface(&d->at, ifindex, name);
		changed = 1;
		a = attach_ifname(&d->at, ifindex);
		if (a)
			log_link(li);
	}
	if (changed)
		announce(d, li, a != NULL);
}
