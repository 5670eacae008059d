/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * enrich.h - what netlink knows about a flow's interfaces and route.
 *
 * Links: a table ifindex -> name, alias, MAC, MTU, speed, oper state,
 * loaded from the kernel at start and kept current by the link
 * notifications the daemon already reads (iface.c).
 *
 * Routes: the kernel is asked, as `ip route get` does (RTM_GETROUTE with
 * RTM_F_FIB_MATCH, so the answer is the route entry that matched and its
 * prefix length).  Answers (failures too) are cached; any route, rule,
 * address or link change empties the cache at once (a generation number:
 * O(1)).  Lookups happen when a record goes out, never per packet.
 *
 * With only the standard rules (local, main, default; no selectors) the
 * answer depends on the destination alone, and is the same for every
 * address of its region: the longest prefix, among all routes of all
 * tables, that covers it (the set is kept from a dump and the route
 * notifications).  One answer is then cached per region.  With any other
 * rule (source, mark, interface, VRF), the kernel is asked with the
 * packet's input interface and source, so policy routing applies as it
 * does to the packets, and answers are cached per question.
 */
#ifndef TCFLOWD_ENRICH_H
#define TCFLOWD_ENRICH_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#define LINK_ALIAS_LEN	64	/* ifAlias is longer in the kernel: cut */

struct link_info {
	uint32_t	ifindex;
	char		name[IF_NAMESIZE];
	char		alias[LINK_ALIAS_LEN];
	uint8_t		mac[6];
	uint8_t		oper_state;	/* IF_OPER_* (RFC 2863 ifOperStatus-1) */
	uint32_t	mtu;
	uint32_t	speed_mbps;	/* 0: the kernel does not know */
};

/* The route a destination (or a source, looked up backwards) takes. */
struct route_info {
	uint8_t		prefix_len;
	uint8_t		has_gateway;	/* else directly connected (or local) */
	uint8_t		type;		/* RTN_* */
	uint8_t		pad;
	uint32_t	oif;		/* 0: not forwarded (local, blackhole) */
	uint8_t		gateway[16];	/* IPv4 as IPv4-mapped IPv6 */
};

struct enrich_stats {
	uint64_t	lookups;	/* answers asked for */
	uint64_t	kernel_queries;	/* of which sent to the kernel */
	uint64_t	failures;	/* kernel queries without a route */
	uint64_t	invalidations;	/* cache emptied by a change */
	uint64_t	link_changes;
};

struct enrich;

/*
 * route_cache: answers kept (rounded up to a power of 2; 0: no route
 * lookups at all).  Loads the link table.  NULL and errno on failure.
 */
struct enrich *enrich_new(uint32_t route_cache);
void enrich_free(struct enrich *en);

/* ---- links -------------------------------------------------------------- */

/* The interface, or NULL when the kernel never told of it. */
const struct link_info *enrich_link(const struct enrich *en, uint32_t ifindex);
/* A link notification: new or changed (0 or 1 if the name or alias
 * changed), or gone.  Any of these empties the route cache too. */
int enrich_link_update(struct enrich *en, const struct link_info *li);
void enrich_link_gone(struct enrich *en, uint32_t ifindex);
/* What a libnl link object (from a dump or a notification) says. */
struct rtnl_link;
void enrich_link_from_rtnl(struct rtnl_link *l, struct link_info *li);
/* Call fn for every known link. */
void enrich_link_foreach(const struct enrich *en,
			 void (*fn)(void *ctx, const struct link_info *li),
			 void *ctx);

/* ---- routes ------------------------------------------------------------- */

/*
 * The route for a packet to dst (16 bytes, IPv4 as IPv4-mapped) from src
 * that came in on iif (0: sent by this host).  1 and *ri filled, or 0
 * when there is none (or lookups are off); failures are counted.
 */
int enrich_route(struct enrich *en, const uint8_t dst[16],
		 const uint8_t src[16], uint32_t iif, struct route_info *ri);

/* Routes, rules, addresses changed: forget every answer. */
void enrich_routes_changed(struct enrich *en);
/* A route, rule or address notification: forget every answer, and keep
 * the set of route prefixes and the kind of rules current. */
struct nlmsghdr;
void enrich_route_message(struct enrich *en, const struct nlmsghdr *nlh);

const struct enrich_stats *enrich_stats(const struct enrich *en);
/* 1: answers are cached per prefix (only the standard rules), 0: per
 * question. */
int enrich_per_prefix(const struct enrich *en);

#endif /* TCFLOWD_ENRICH_H */
