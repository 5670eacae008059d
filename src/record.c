// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * record.c - the record every exporter gets, from a flow and what netlink
 * knows of its interfaces and route.
 */
#include <string.h>
#include <netinet/in.h>

#include "record.h"

#define NS_PER_MS	1000000ull

/* The observation interface's name: link table, attachment, kernel. */
static const char *ifname_of(struct record_ctx *c, uint32_t ifindex)
{
	const struct link_info *li = enrich_link(c->enrich, ifindex);
	const char *name;

	if (li)
		return li->name;
	name = attach_ifname(c->at, (int)ifindex);
	if (name)
		return name;
	if (!if_indextoname(ifindex, c->ifname_buf))
		return "";
	return c->ifname_buf;
}

/*
 * The route the flow's packets take, from the kernel (cached): asked as
 * the packet was routed, with its input interface (ingress hook, or the
 * interface a forwarded packet came from on the egress hook) and source,
 * so policy rules apply; and the route back to the source.
 */
static void add_route(struct record_ctx *c, struct export_record *r,
		      const struct flow_delta *m)
{
	static const uint8_t none[16];
	const struct export_key *k = &r->key;
	uint32_t iif = k->direction == EXPORT_DIR_INGRESS ? k->ifindex :
		       m->peer_ifindex;
	struct route_info ri;

	if (!c->routes || !c->enrich)
		return;
	if (enrich_route(c->enrich, k->dst, k->src, iif, &ri)) {
		r->route |= EXPORT_ROUTE_DST;
		r->dst_prefix_len = ri.prefix_len;
		r->has_next_hop = ri.has_gateway;
		memcpy(r->next_hop, ri.gateway, 16);
		if (!r->egress_ifindex)
			r->egress_ifindex = ri.oif;
	}
	if (enrich_route(c->enrich, k->src, none, 0, &ri)) {
		r->route |= EXPORT_ROUTE_SRC;
		r->src_prefix_len = ri.prefix_len;
	}
}

/* The kernel's key as the exporters' plain one, field by field. */
static void export_key_of(struct export_key *x, const struct flow_key *k)
{
	x->ifindex = k->ifindex;
	x->direction = k->direction == FLOW_DIR_INGRESS ? EXPORT_DIR_INGRESS :
			EXPORT_DIR_EGRESS;
	x->proto = k->proto;
	x->eth_type = k->eth_type;
	x->vlan_id = k->vlan_id;
	x->inner_vlan_id = k->inner_vlan_id;
	memcpy(x->src, k->src, sizeof(x->src));
	memcpy(x->dst, k->dst, sizeof(x->dst));
	x->sport = k->sport;
	x->dport = k->dport;
}

/* The input and output interfaces' names and aliases, where known. */
static void add_links(struct record_ctx *c, struct export_record *r)
{
	const struct link_info *in = enrich_link(c->enrich, r->ingress_ifindex);
	const struct link_info *out = enrich_link(c->enrich, r->egress_ifindex);

	if (in) {
		r->in_name = in->name;
		r->in_alias = in->alias;
	}
	if (out) {
		r->out_name = out->name;
		r->out_alias = out->alias;
	}
}

/* The TCP health of the flow (bpf/tcp.h) in export terms. */
static void add_tcp(struct export_record *r, const struct flow_delta *m)
{
	static const uint8_t hs[] = {
		[TCP_HS_SYN] = EXPORT_HS_UNANSWERED,
		[TCP_HS_COMPLETED] = EXPORT_HS_COMPLETED,
		[TCP_HS_REFUSED] = EXPORT_HS_REFUSED,
	};

	r->syn_count = m->syn_count;
	r->fin_count = m->fin_count;
	r->rst_count = m->rst_count;
	r->retrans = m->retrans;
	if (m->tcp_hs < sizeof(hs))
		r->tcp_handshake = hs[m->tcp_hs];
	if (m->tcp_bits & TCP_B_SDELAY) {
		r->server_delay_us = m->server_delay_us;
		r->flags |= EXPORT_F_SDELAY;
	}
	if (m->tcp_bits & TCP_B_CDELAY) {
		r->client_delay_us = m->client_delay_us;
		r->flags |= EXPORT_F_CDELAY;
	}
}

/* The translation conntrack had for the flow's connection, if any. */
static void add_nat(struct record_ctx *c, struct export_record *r,
		    const struct flow_key *k)
{
	struct nat_tuple t;

	if (!c->nat || !nat_find(c->nat, k, &t))
		return;
	r->nat = 1;
	memcpy(r->nat_src, t.src, 16);
	memcpy(r->nat_dst, t.dst, 16);
	r->nat_sport = t.sport;
	r->nat_dport = t.dport;
}

void record_build(struct record_ctx *c, const struct flow_key *k,
		  const struct flow_delta *m, int reason,
		  struct export_record *r)
{
	*r = (struct export_record){
		.packets = m->packets,
		.bytes = m->bytes,
		.start_ms = (m->first_seen + c->wall_offset_ns) / NS_PER_MS,
		.end_ms = (m->last_seen + c->wall_offset_ns) / NS_PER_MS,
		.tcp_flags = m->tcp_flags,
		.tos = m->tos,
		.min_ttl = m->min_ttl,
		.max_ttl = m->max_ttl,
		.end_reason = (uint8_t)reason,
		.flags = m->flags & FLOW_F_FRAGMENT ? EXPORT_F_FRAGMENT : 0,
		.sampling_interval = c->sampling,
		.ifname = ifname_of(c, k->ifindex),
	};
	export_key_of(&r->key, k);
	if (k->proto == IPPROTO_TCP)
		add_tcp(r, m);
	memcpy(r->src_mac, m->src_mac, sizeof(r->src_mac));
	memcpy(r->dst_mac, m->dst_mac, sizeof(r->dst_mac));
	if (k->direction == FLOW_DIR_INGRESS) {
		r->ingress_ifindex = k->ifindex;
	} else {
		r->egress_ifindex = k->ifindex;
		r->ingress_ifindex = m->peer_ifindex;	/* forwarded from */
	}
	add_route(c, r, m);
	add_links(c, r);
	add_nat(c, r, k);
}
