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
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>
#include <netlink/netlink.h>
#include <netlink/msg.h>
#include <netlink/route/link.h>
#include <netlink/route/route.h>

#include "enrich.h"
#include "exporter.h"
#include "log.h"

#define PROBES	4

/* A question (or, by prefix, the region it stands for: dst masked to len,
 * 255: no route covers it). */
struct route_key {
	uint8_t		dst[16];
	uint8_t		src[16];	/* zero for output lookups */
	uint32_t	iif;
	uint8_t		len;
	uint8_t		pad[3];
};

struct route_slot {
	struct route_key	k;
	uint32_t		gen;	/* 0: empty */
	uint8_t			ok;
	struct route_info	ri;
};

/*
 * Every route prefix the kernel has, in any table (a multiset: the same
 * prefix in two tables counts twice), to find which "region" an address
 * is in: its longest matching prefix among all of them.  Every address of
 * a region gets the same answer from every table (no table has a route
 * that tells them apart), so with the standard rules one kernel answer
 * serves the whole region: the cache is per prefix, and still the kernel
 * decides every answer.  IPv4 prefixes are kept as IPv4-mapped, /n as
 * /96+n.
 */
struct prefix {
	uint8_t		addr[16];	/* masked */
	uint8_t		len;		/* 0..128 */
	uint8_t		v4;
	uint8_t		used;
	uint8_t		pad;
	uint32_t	count;		/* routes with this prefix */
};

struct prefix_set {
	struct prefix	*v;
	uint32_t	mask;		/* slots - 1 */
	uint32_t	n;
	uint32_t	per_len[2][129];	/* [v4][len]: distinct prefixes */
	uint8_t		lens[2][129];	/* the lengths present, longest first */
	int		nlens[2];
};

struct enrich {
	struct link_info	*links;		/* sorted by ifindex */
	size_t			nlinks, cap;
	struct nl_sock		*sk;		/* route queries */
	struct route_slot	*slots;
	uint32_t		mask;		/* slots - 1 */
	uint32_t		gen;
	struct prefix_set	ps;
	int			by_prefix;	/* only the standard rules */
	int			ps_ok;		/* the prefix set is complete */
	/* the answer being parsed */
	struct route_info	*ans;
	int			got, nexthops;
	struct enrich_stats	st;
};

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

/* ---- the prefixes of every route ---------------------------------------- */

static void mask_addr(uint8_t a[16], unsigned int len)
{
	unsigned int i;

	for (i = 0; i < 16; i++) {
		if (len >= 8) {
			len -= 8;
			continue;
		}
		a[i] &= (uint8_t)(0xff00 >> len);
		len = 0;
	}
}

/* FNV-1a over n bytes, continuing from h (2166136261 to begin). */
static uint32_t fnv1a(const void *data, size_t n, uint32_t h)
{
	const uint8_t *p = data;

	while (n--)
		h = (h ^ *p++) * 16777619u;
	return h;
}

static uint32_t hash_prefix(const uint8_t a[16], uint8_t len, uint8_t v4)
{
	uint8_t tail[2] = { len, v4 };
	uint32_t h = fnv1a(tail, sizeof(tail), fnv1a(a, 16, 2166136261u));

	return h ^ (h >> 15);
}

static struct prefix *ps_find(const struct prefix_set *ps, const uint8_t a[16],
			      uint8_t len, uint8_t v4, int *slot)
{
	uint32_t i = hash_prefix(a, len, v4) & ps->mask;

	for (;; i = (i + 1) & ps->mask) {
		struct prefix *p = &ps->v[i];

		if (!p->used) {
			if (slot)
				*slot = (int)i;
			return NULL;
		}
		if (p->len == len && p->v4 == v4 && !memcmp(p->addr, a, 16))
			return p;
	}
}

static void ps_lens(struct prefix_set *ps, int v4)
{
	int l;

	ps->nlens[v4] = 0;
	for (l = 128; l >= 0; l--)
		if (ps->per_len[v4][l])
			ps->lens[v4][ps->nlens[v4]++] = (uint8_t)l;
}

static int ps_grow(struct prefix_set *ps)
{
	struct prefix_set old = *ps;
	uint32_t cap = old.v ? (old.mask + 1) * 2 : 1024, i;

	ps->v = calloc(cap, sizeof(*ps->v));
	if (!ps->v) {
		ps->v = old.v;
		return -1;
	}
	ps->mask = cap - 1;
	for (i = 0; old.v && i <= old.mask; i++) {
		int slot;

		if (!old.v[i].used)
			continue;
		ps_find(ps, old.v[i].addr, old.v[i].len, old.v[i].v4, &slot);
		ps->v[slot] = old.v[i];
	}
	free(old.v);
	return 0;
}

/* A route with this prefix was added (d = 1) or removed (d = -1). */
static void ps_change(struct enrich *en, uint8_t a[16], uint8_t len, uint8_t v4,
		      int d)
{
	struct prefix_set *ps = &en->ps;
	struct prefix *p;
	int slot;

	mask_addr(a, len);
	if ((!ps->v || ps->n * 2 >= ps->mask + 1) && ps_grow(ps)) {
		/* cannot keep up: exact questions from now on */
		en->ps_ok = 0;
		en->by_prefix = 0;
		return;
	}
	p = ps_find(ps, a, len, v4, &slot);
	if (d > 0 && p) {
		p->count++;
	} else if (d > 0) {
		p = &ps->v[slot];
		memcpy(p->addr, a, 16);
		p->len = len;
		p->v4 = v4;
		p->used = 1;
		p->count = 1;
		ps->n++;
		if (ps->per_len[v4][len]++ == 0)
			ps_lens(ps, v4);
	} else if (p && --p->count == 0) {
		/* open addressing: reinsert what follows the hole */
		uint32_t i = (uint32_t)(p - ps->v), j;

		p->used = 0;
		ps->n--;
		if (--ps->per_len[v4][len] == 0)
			ps_lens(ps, v4);
		for (j = (i + 1) & ps->mask; ps->v[j].used; j = (j + 1) & ps->mask) {
			struct prefix q = ps->v[j];

			ps->v[j].used = 0;
			ps_find(ps, q.addr, q.len, q.v4, &slot);
			ps->v[slot] = q;
		}
	}
	/* (a removal we never saw added, and a count that stays up after a
	 * route went without a message, only split regions finer: more
	 * kernel questions, never a wrong answer) */
}

/* The region of a: its longest matching route prefix (*len 255: none). */
static void region(const struct enrich *en, const uint8_t a[16],
		   uint8_t out[16], uint8_t *len)
{
	int v4 = export_addr_is_v4(a), i;

	for (i = 0; i < en->ps.nlens[v4]; i++) {
		uint8_t l = en->ps.lens[v4][i];

		memcpy(out, a, 16);
		mask_addr(out, l);
		if (ps_find(&en->ps, out, l, (uint8_t)v4, NULL)) {
			*len = l;
			return;
		}
	}
	memset(out, 0, 16);
	*len = 255;
}

/* A route message (a dump's or a notification's): its prefix. */
static int route_prefix(const struct nlmsghdr *nlh, uint8_t a[16],
			uint8_t *len, uint8_t *v4)
{
	const struct rtmsg *rtm = nlmsg_data(nlh);
	struct nlattr *tb[RTA_MAX + 1];
	int alen;

	if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*rtm)) ||
	    (rtm->rtm_flags & RTM_F_CLONED) ||	/* IPv6 exceptions */
	    nlmsg_parse((struct nlmsghdr *)nlh, sizeof(*rtm), tb, RTA_MAX, NULL) < 0)
		return -1;
	if (rtm->rtm_family == AF_INET && rtm->rtm_dst_len <= 32) {
		*v4 = 1;
		alen = 4;
	} else if (rtm->rtm_family == AF_INET6 && rtm->rtm_dst_len <= 128) {
		*v4 = 0;
		alen = 16;
	} else {
		return -1;
	}
	memset(a, 0, 16);
	if (tb[RTA_DST] && nla_len(tb[RTA_DST]) == alen)
		memcpy(a + 16 - alen, nla_data(tb[RTA_DST]), (size_t)alen);
	if (*v4)
		export_addr_map4(a, a + 12);
	*len = (uint8_t)(rtm->rtm_dst_len + (*v4 ? 96 : 0));
	return 0;
}

static int on_dump_route(struct nl_msg *msg, void *arg)
{
	struct enrich *en = arg;
	uint8_t a[16], len, v4;

	if (nlmsg_hdr(msg)->nlmsg_type == RTM_NEWROUTE &&
	    route_prefix(nlmsg_hdr(msg), a, &len, &v4) == 0)
		ps_change(en, a, len, v4, 1);
	return NL_OK;
}

/* Is this rule one of the standard ones: no selector, to a standard table? */
static int plain_rule(const struct nlmsghdr *nlh)
{
	const struct fib_rule_hdr *h = nlmsg_data(nlh);
	struct nlattr *tb[FRA_MAX + 1];
	uint32_t table;
	int i;

	if (nlmsg_parse((struct nlmsghdr *)nlh, sizeof(*h), tb, FRA_MAX, NULL) < 0 ||
	    h->dst_len || h->src_len || h->tos || h->action != FR_ACT_TO_TBL)
		return 0;
	table = tb[FRA_TABLE] ? nla_get_u32(tb[FRA_TABLE]) : h->table;
	if (table != RT_TABLE_LOCAL && table != RT_TABLE_MAIN &&
	    table != RT_TABLE_DEFAULT)
		return 0;
	for (i = 1; i <= FRA_MAX; i++) {
		if (!tb[i])
			continue;
		switch (i) {
		case FRA_PRIORITY: case FRA_TABLE: case FRA_PROTOCOL:
		case FRA_PAD:
			break;
		case FRA_SUPPRESS_PREFIXLEN: case FRA_SUPPRESS_IFGROUP:
			if (nla_get_u32(tb[i]) != UINT32_MAX)
				return 0;
			break;
		case FRA_FWMARK:
			if (nla_get_u32(tb[i]))
				return 0;
			break;
		case FRA_FWMASK:
			break;
		case FRA_UID_RANGE: {
			const struct fib_rule_uid_range *u = nla_data(tb[i]);

			if (nla_len(tb[i]) < (int)sizeof(*u) || u->start ||
			    u->end != UINT32_MAX)
				return 0;
			break;
		}
		default:
			return 0;
		}
	}
	return 1;
}

static int on_dump_rule(struct nl_msg *msg, void *arg)
{
	int *plain = arg;

	if (nlmsg_hdr(msg)->nlmsg_type == RTM_NEWRULE && !plain_rule(nlmsg_hdr(msg)))
		*plain = 0;
	return NL_OK;
}

/* Dump type (RTM_GETROUTE or RTM_GETRULE) of every family through fn. */
static int dump(struct enrich *en, int type, nl_recvmsg_msg_cb_t fn, void *arg)
{
	struct rtmsg rtm = { .rtm_family = AF_UNSPEC };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int err;

	if (!cb)
		return -ENOMEM;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, fn, arg);
	err = nl_send_simple(en->sk, type, NLM_F_DUMP, &rtm, sizeof(rtm));
	if (err >= 0)
		err = nl_recvmsgs(en->sk, cb);
	nl_cb_put(cb);
	return err < 0 ? -EIO : 0;
}

/* Which cache keys are exact: with only the standard rules, one answer per
 * region; with others (source, mark or interface rules, VRFs), every
 * question is asked as it is. */
static void load_rules(struct enrich *en)
{
	int plain = 1;

	if (dump(en, RTM_GETRULE, on_dump_rule, &plain))
		plain = 0;
	en->by_prefix = plain && en->ps_ok;
}

void enrich_route_message(struct enrich *en, const struct nlmsghdr *nlh)
{
	uint8_t a[16], len, v4;

	if (!en || !en->slots)
		return;
	enrich_routes_changed(en);
	switch (nlh->nlmsg_type) {
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
		if (route_prefix(nlh, a, &len, &v4) == 0)
			ps_change(en, a, len, v4,
				  nlh->nlmsg_type == RTM_NEWROUTE ? 1 : -1);
		break;
	case RTM_NEWRULE:
	case RTM_DELRULE:
		load_rules(en);
		break;
	}
}

/* ---- route queries ------------------------------------------------------ */

static void addr16(const struct nl_addr *a, uint8_t out[16])
{
	memset(out, 0, 16);
	if (nl_addr_get_family(a) == AF_INET &&
	    nl_addr_get_len(a) == 4) {
		export_addr_map4(out, nl_addr_get_binary_addr(a));
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
	int v4 = export_addr_is_v4(k->dst), err;
	int alen = v4 ? 4 : 16, off = v4 ? 12 : 0;
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
	uint32_t h = fnv1a(k, sizeof(*k), 2166136261u);

	return h ^ (h >> 15);
}

int enrich_route(struct enrich *en, const uint8_t dst[16],
		 const uint8_t src[16], uint32_t iif, struct route_info *ri)
{
	struct route_key k, q = { .len = 128 };	/* the key, the question */
	struct route_slot *s, *victim = NULL;
	uint32_t h, i;

	if (!en || !en->slots ||
	    (iif && export_addr_is_v4(dst) != export_addr_is_v4(src)))
		return 0;
	memset(&k, 0, sizeof(k));
	en->st.lookups++;
	if (en->by_prefix) {
		/* the standard rules: the answer depends on the destination
		 * alone, the same for its whole region */
		region(en, dst, k.dst, &k.len);
		memcpy(q.dst, dst, 16);
	} else {
		memcpy(k.dst, dst, 16);
		k.len = 128;
		if (iif) {
			memcpy(k.src, src, 16);
			k.iif = iif;
		}
		q = k;
	}
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
	victim->ok = ask(en, &q, &victim->ri) == 0;
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

int enrich_per_prefix(const struct enrich *en)
{
	return en && en->by_prefix;
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
		en->ps_ok = 1;		/* until a dump or growth fails */
		if (dump(en, RTM_GETROUTE, on_dump_route, en) || !en->ps.v)
			en->ps_ok = 0;
		if (en->ps_ok)
			load_rules(en);
		else
			log_warn("route dump failed: route answers are cached "
				 "per address, not per prefix");
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
	free(en->ps.v);
	free(en);
}
