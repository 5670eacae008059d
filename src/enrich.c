// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * enrich.c - the link table and the route lookups (see enrich.h).
 *
 * The link table is an array sorted by ifindex (routers have hundreds or
 * thousands of interfaces, changes are rare, lookups by binary search).
 * The route cache is a hash of answers, 4 slots probed; an answer is
 * valid while its generation is the current one.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "enrich.h"
#include "log.h"

#define PROBES	4

struct route_key {
	uint8_t		dst[16];
	uint8_t		src[16];	/* zero for output lookups */
	uint32_t	iif;
};

struct route_slot {
	struct route_key	k;
	uint32_t		gen;	/* 0: empty */
	uint8_t			ok;
	struct route_info	ri;
};

struct enrich {
	struct link_info	*links;		/* sorted by ifindex */
	size_t			nlinks, cap;
	struct nl_sock		*sk;		/* route queries */
	struct route_slot	*slots;
	uint32_t		mask;		/* slots - 1 */
	uint32_t		gen;
	/* the answer being parsed */
	struct route_info	*ans;
	int			got, nexthops;
	struct enrich_stats	st;
};

static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

static int is_v4(const uint8_t a[16])
{
	return !memcmp(a, mapped, sizeof(mapped));
}

/* ---- links -------------------------------------------------------------- */

/* Index of ifindex, or of where it would go. */
static size_t link_pos(const struct enrich *en, uint32_t ifindex)
{
	size_t lo = 0, hi = en->nlinks;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (en->links[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const struct link_info *enrich_link(const struct enrich *en, uint32_t ifindex)
{
	size_t i;

	if (!en)
		return NULL;
	i = link_pos(en, ifindex);
	return i < en->nlinks && en->links[i].ifindex == ifindex ?
	       &en->links[i] : NULL;
}

int enrich_link_update(struct enrich *en, const struct link_info *li)
{
	size_t i = link_pos(en, li->ifindex);
	int changed = 1;

	en->st.link_changes++;
	enrich_routes_changed(en);
	if (i < en->nlinks && en->links[i].ifindex == li->ifindex) {
		changed = strcmp(en->links[i].name, li->name) ||
			  strcmp(en->links[i].alias, li->alias);
		en->links[i] = *li;
		return changed;
	}
	if (en->nlinks == en->cap) {
		size_t cap = en->cap ? en->cap * 2 : 64;
		struct link_info *v = realloc(en->links, cap * sizeof(*v));

		if (!v) {
			log_warn("link table: out of memory; %s has no details",
				 li->name);
			return 0;
		}
		en->links = v;
		en->cap = cap;
	}
	memmove(&en->links[i + 1], &en->links[i],
		(en->nlinks - i) * sizeof(*en->links));
	en->links[i] = *li;
	en->nlinks++;
	return changed;
}

void enrich_link_gone(struct enrich *en, uint32_t ifindex)
{
	size_t i = link_pos(en, ifindex);

	en->st.link_changes++;
	enrich_routes_changed(en);
	if (i == en->nlinks || en->links[i].ifindex != ifindex)
		return;
	memmove(&en->links[i], &en->links[i + 1],
		(en->nlinks - i - 1) * sizeof(*en->links));
	en->nlinks--;
}

void enrich_link_foreach(const struct enrich *en,
			 void (*fn)(void *ctx, const struct link_info *li),
			 void *ctx)
{
	size_t i;

	for (i = 0; en && i < en->nlinks; i++)
		fn(ctx, &en->links[i]);
}

/* ---- route queries ------------------------------------------------------ */

static void addr16(const struct nl_addr *a, uint8_t out[16])
{
	memset(out, 0, 16);
	if (nl_addr_get_family(a) == AF_INET &&
	    nl_addr_get_len(a) == 4) {
		memcpy(out, mapped, sizeof(mapped));
		memcpy(out + 12, nl_addr_get_binary_addr(a), 4);
	} else if (nl_addr_get_len(a) == 16) {
		memcpy(out, nl_addr_get_binary_addr(a), 16);
	}
}

static int on_route(struct nl_msg *msg, void *arg)
{
	struct enrich *en = arg;
	struct rtnl_route *rt = NULL;
	struct route_info *ri = en->ans;
	struct nl_addr *dst;

	if (nlmsg_hdr(msg)->nlmsg_type != RTM_NEWROUTE ||
	    rtnl_route_parse(nlmsg_hdr(msg), &rt) < 0)
		return NL_SKIP;
	dst = rtnl_route_get_dst(rt);
	if (dst)
		ri->prefix_len = (uint8_t)nl_addr_get_prefixlen(dst);
	ri->type = rtnl_route_get_type(rt);
	en->nexthops = rtnl_route_get_nnexthops(rt);
	if (en->nexthops >= 1) {
		struct rtnl_nexthop *nh = rtnl_route_nexthop_n(rt, 0);
		struct nl_addr *gw = rtnl_route_nh_get_gateway(nh);

		ri->oif = (uint32_t)rtnl_route_nh_get_ifindex(nh);
		ri->has_gateway = gw != NULL;
		if (gw)
			addr16(gw, ri->gateway);
	}
	en->got = 1;
	rtnl_route_put(rt);
	return NL_OK;
}

/* One RTM_GETROUTE.  0, or -errno (the kernel's: no route, unreachable,
 * rejected by reverse-path filtering). */
static int query(struct enrich *en, const struct route_key *k, int fib_match,
		 struct route_info *ri)
{
	int v4 = is_v4(k->dst), alen = v4 ? 4 : 16, off = v4 ? 12 : 0, err;
	struct rtmsg rtm = {
		.rtm_family = (unsigned char)(v4 ? AF_INET : AF_INET6),
		.rtm_dst_len = (unsigned char)(alen * 8),
		.rtm_flags = fib_match ? RTM_F_FIB_MATCH : 0,
	};
	struct nl_msg *m;

	if (k->iif)
		rtm.rtm_src_len = (unsigned char)(alen * 8);
	m = nlmsg_alloc_simple(RTM_GETROUTE, 0);
	if (!m)
		return -ENOMEM;
	err = nlmsg_append(m, &rtm, sizeof(rtm), NLMSG_ALIGNTO) ||
	      nla_put(m, RTA_DST, alen, k->dst + off);
	if (!err && k->iif)
		err = nla_put(m, RTA_SRC, alen, k->src + off) ||
		      nla_put_u32(m, RTA_IIF, k->iif);
	if (!err)
		err = nl_send_auto(en->sk, m) < 0;
	nlmsg_free(m);
	if (err)
		return -EIO;
	memset(ri, 0, sizeof(*ri));
	en->ans = ri;
	en->got = 0;
	en->nexthops = 0;
	en->st.kernel_queries++;
	err = nl_recvmsgs_default(en->sk);
	if (err < 0) {
		log_debug("route lookup: %s", nl_geterror(err));
		return -EHOSTUNREACH;
	}
	return en->got ? 0 : -EHOSTUNREACH;
}

/* Ask the kernel: the matching route (for its prefix length), and when it
 * has several next hops, the one the kernel picks for this packet. */
static int ask(struct enrich *en, const struct route_key *k,
	       struct route_info *ri)
{
	struct route_info one;
	int err = query(en, k, 1, ri);

	if (err)
		return err;
	if (en->nexthops > 1 && query(en, k, 0, &one) == 0) {
		ri->oif = one.oif;
		ri->has_gateway = one.has_gateway;
		memcpy(ri->gateway, one.gateway, 16);
	}
	if (ri->type != RTN_UNICAST) {
		/* delivered here, dropped, or not routed: no way out */
		ri->oif = 0;
		ri->has_gateway = 0;
		memset(ri->gateway, 0, 16);
	}
	return 0;
}

static uint32_t hash_key(const struct route_key *k)
{
	const uint8_t *p = (const uint8_t *)k;
	uint32_t h = 2166136261u;	/* FNV-1a */
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 16777619u;
	return h ^ (h >> 15);
}

int enrich_route(struct enrich *en, const uint8_t dst[16],
		 const uint8_t src[16], uint32_t iif, struct route_info *ri)
{
	struct route_key k;
	struct route_slot *s, *victim = NULL;
	uint32_t h, i;

	if (!en || !en->slots || (iif && is_v4(dst) != is_v4(src)))
		return 0;
	memset(&k, 0, sizeof(k));
	memcpy(k.dst, dst, 16);
	if (iif) {
		memcpy(k.src, src, 16);
		k.iif = iif;
	}
	en->st.lookups++;
	h = hash_key(&k);
	for (i = 0; i < PROBES; i++) {
		s = &en->slots[(h + i) & en->mask];
		if (s->gen == en->gen && !memcmp(&s->k, &k, sizeof(k))) {
			*ri = s->ri;
			return s->ok;
		}
		if (!victim && s->gen != en->gen)
			victim = s;
	}
	if (!victim)	/* all 4 current: the first goes */
		victim = &en->slots[h & en->mask];
	victim->k = k;
	victim->gen = en->gen;
	victim->ok = ask(en, &k, &victim->ri) == 0;
	if (!victim->ok) {
		en->st.failures++;
		memset(&victim->ri, 0, sizeof(victim->ri));
	}
	*ri = victim->ri;
	return victim->ok;
}

void enrich_routes_changed(struct enrich *en)
{
	if (!en || !en->slots)
		return;
	en->st.invalidations++;
	if (++en->gen == 0) {	/* wrapped: old slots could look current */
		memset(en->slots, 0, (en->mask + 1) * sizeof(*en->slots));
		en->gen = 1;
	}
}

const struct enrich_stats *enrich_stats(const struct enrich *en)
{
	return &en->st;
}

/* ---- setup -------------------------------------------------------------- */

/* What a libnl link object says, as a struct link_info. */
void enrich_link_from_rtnl(struct rtnl_link *l, struct link_info *li)
{
	const char *name = rtnl_link_get_name(l), *alias = rtnl_link_get_ifalias(l);
	struct nl_addr *mac = rtnl_link_get_addr(l);
	char path[64 + IF_NAMESIZE];
	FILE *f;
	int speed;

	memset(li, 0, sizeof(*li));
	li->ifindex = (uint32_t)rtnl_link_get_ifindex(l);
	snprintf(li->name, sizeof(li->name), "%s", name ? name : "");
	snprintf(li->alias, sizeof(li->alias), "%s", alias ? alias : "");
	if (mac && nl_addr_get_len(mac) == 6)
		memcpy(li->mac, nl_addr_get_binary_addr(mac), 6);
	li->mtu = rtnl_link_get_mtu(l);
	li->oper_state = rtnl_link_get_operstate(l);
	/* the speed ethtool reports; the kernel answers -1 or an error
	 * when it does not know (a link that is down, a virtual one) */
	snprintf(path, sizeof(path), "/sys/class/net/%s/speed", li->name);
	f = name ? fopen(path, "r") : NULL;
	if (f) {
		if (fscanf(f, "%d", &speed) == 1 && speed > 0)
			li->speed_mbps = (uint32_t)speed;
		fclose(f);
	}
}

static void load_link(struct nl_object *obj, void *arg)
{
	struct link_info li;

	enrich_link_from_rtnl((struct rtnl_link *)obj, &li);
	enrich_link_update(arg, &li);
}

struct enrich *enrich_new(uint32_t route_cache)
{
	struct enrich *en = calloc(1, sizeof(*en));
	struct nl_cache *links = NULL;
	uint32_t n = 1;

	if (!en)
		return NULL;
	en->gen = 1;
	en->sk = nl_socket_alloc();
	if (!en->sk || nl_connect(en->sk, NETLINK_ROUTE))
		goto err;
	/* one request, one answer: no ack to wait for */
	nl_socket_disable_auto_ack(en->sk);
	nl_socket_modify_cb(en->sk, NL_CB_VALID, NL_CB_CUSTOM, on_route, en);
	if (rtnl_link_alloc_cache(en->sk, AF_UNSPEC, &links) < 0)
		goto err;
	nl_cache_foreach(links, load_link, en);
	nl_cache_free(links);
	if (route_cache) {
		while (n < route_cache && n < (1u << 24))
			n <<= 1;
		en->slots = calloc(n, sizeof(*en->slots));
		if (!en->slots)
			goto err;
		en->mask = n - 1;
	}
	memset(&en->st, 0, sizeof(en->st));	/* the load is no change */
	return en;
err:
	enrich_free(en);
	errno = errno ? errno : EIO;
	return NULL;
}

void enrich_free(struct enrich *en)
{
	if (!en)
		return;
	if (en->sk)
		nl_socket_free(en->sk);
	free(en->slots);
	free(en->links);
	free(en);
}
