// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * netflow9.c - NetFlow v9 (RFC 3954) over UDP, hand-written.
 *
 * Four data templates (IPv4 and IPv6 flows, each without and with the
 * route: next hop and prefix lengths, used when the route is known) and
 * three options templates, one a flowset, after them (sampling; interface
 * names; interface descriptions; the last two with an Interface scope).
 * Templates and
 * options go out in the first message, again every template_refresh_s
 * seconds and every template_refresh_messages messages with flows (UDP has
 * no session: a restarted collector learns them from the next refresh), and
 * options data whenever the sampling interval or an interface name changes.
 *
 * Progress: the templates always fit one message (message_size is checked
 * against nf9_min_message_size()); options data that do not fit go on
 * in the next messages, from where they stopped, and a refresh starts only
 * when no options are half sent and a message with flows went since the
 * last one.  So however many interfaces, however small the messages, and
 * however often a collector refuses, every add ends.
 *
 * Each template is a table of (type, length); one function writes a field's
 * value by its type, so a record always has the layout its template says.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "exporter.h"
#include "log.h"
#include "transport.h"
#include "wire.h"

#define NF9_HDR_LEN	20
#define TID_IPV4	256
#define TID_IPV6	257
#define TID_SAMPLING	258
#define TID_IFNAME	259
#define TID_IPV4_RT	260	/* the same, with the route */
#define TID_IPV6_RT	261
#define TID_IFDESCR	262
#define TID_IPV4_NAT	263	/* with the translation; then V6, V4_RT, V6_RT */
#define IFNAME_LEN	EXPORT_IFNAME_LEN
#define IFDESCR_LEN	EXPORT_IFDESCR_LEN

/* v9 field types (RFC 3954 section 8; 136 and 139 from the IANA IPFIX
 * registry, which v9 collectors share) */
enum nf9_type {
	NF9_IN_BYTES = 1,
	NF9_IN_PKTS = 2,
	NF9_PROTOCOL = 4,
	NF9_SRC_TOS = 5,
	NF9_TCP_FLAGS = 6,
	NF9_L4_SRC_PORT = 7,
	NF9_IPV4_SRC_ADDR = 8,
	NF9_SRC_MASK = 9,
	NF9_INPUT_SNMP = 10,
	NF9_L4_DST_PORT = 11,
	NF9_IPV4_DST_ADDR = 12,
	NF9_DST_MASK = 13,
	NF9_OUTPUT_SNMP = 14,
	NF9_IPV4_NEXT_HOP = 15,
	NF9_LAST_SWITCHED = 21,
	NF9_FIRST_SWITCHED = 22,
	NF9_IPV6_SRC_ADDR = 27,
	NF9_IPV6_DST_ADDR = 28,
	NF9_IPV6_SRC_MASK = 29,
	NF9_IPV6_DST_MASK = 30,
	NF9_ICMP_TYPE = 32,
	NF9_SAMPLING_INTERVAL = 34,
	NF9_SAMPLING_ALGORITHM = 35,
	NF9_MIN_TTL = 52,
	NF9_MAX_TTL = 53,
	NF9_SRC_MAC = 56,
	NF9_SRC_VLAN = 58,
	NF9_DIRECTION = 61,
	NF9_IPV6_NEXT_HOP = 62,
	NF9_DST_MAC = 80,
	NF9_IF_NAME = 82,
	NF9_IF_DESC = 83,
	NF9_FLOW_END_REASON = 136,
	NF9_POST_NAT_SRC_IPV4 = 225,	/* the NAT translation */
	NF9_POST_NAT_DST_IPV4 = 226,
	NF9_POST_NAPT_SRC_PORT = 227,
	NF9_POST_NAPT_DST_PORT = 228,
	NF9_POST_NAT_SRC_IPV6 = 281,
	NF9_POST_NAT_DST_IPV6 = 282,
	NF9_ICMP_TYPE_IPV6 = 139,
	NF9_TCP_SYN_COUNT = 218,
	NF9_TCP_FIN_COUNT = 219,
	NF9_TCP_RST_COUNT = 220,
};
/* options template scope types */
#define NF9_SCOPE_SYSTEM	1
#define NF9_SCOPE_INTERFACE	2

/* which flow templates carry a field */
#define F_V4	0x1
#define F_V6	0x2
#define F_ALL	(F_V4 | F_V6)
#define F_RT	0x4	/* only the templates with the route */
#define F_NAT	0x8	/* only the templates with the translation */

struct field {
	uint16_t	type, len;
	uint8_t		flags;		/* F_* */
};

/* One spec for the four flow templates (IPv4/IPv6, with or without the
 * route), in the order of the record: a template takes the fields of its
 * family, and the F_RT ones if it carries the route. */
static const struct field flow_spec[] = {
	{ NF9_IPV4_SRC_ADDR,	4,  F_V4 },
	{ NF9_IPV6_SRC_ADDR,	16, F_V6 },
	{ NF9_IPV4_DST_ADDR,	4,  F_V4 },
	{ NF9_IPV6_DST_ADDR,	16, F_V6 },
	{ NF9_L4_SRC_PORT,	2,  F_ALL },
	{ NF9_L4_DST_PORT,	2,  F_ALL },
	{ NF9_PROTOCOL,		1,  F_ALL },
	{ NF9_SRC_TOS,		1,  F_ALL },
	{ NF9_TCP_FLAGS,	1,  F_ALL },
	{ NF9_IN_PKTS,		8,  F_ALL },
	{ NF9_IN_BYTES,		8,  F_ALL },
	{ NF9_FIRST_SWITCHED,	4,  F_ALL },
	{ NF9_LAST_SWITCHED,	4,  F_ALL },
	{ NF9_INPUT_SNMP,	4,  F_ALL },
	{ NF9_OUTPUT_SNMP,	4,  F_ALL },
	{ NF9_DIRECTION,	1,  F_ALL },
	{ NF9_SRC_VLAN,		2,  F_ALL },
	{ NF9_SRC_MAC,		6,  F_ALL },
	{ NF9_DST_MAC,		6,  F_ALL },
	{ NF9_MIN_TTL,		1,  F_ALL },
	{ NF9_MAX_TTL,		1,  F_ALL },
	{ NF9_ICMP_TYPE,	2,  F_V4 },
	{ NF9_ICMP_TYPE_IPV6,	2,  F_V6 },
	{ NF9_FLOW_END_REASON,	1,  F_ALL },
	/* TCP SYN/FIN/RST counts, 0 in other records: the templates must fit
	 * one message of 512 bytes, the least message_size, which leaves no
	 * room for ntop's retransmission and latency types (IPFIX has them) */
	{ NF9_TCP_SYN_COUNT,	4,  F_ALL },
	{ NF9_TCP_FIN_COUNT,	4,  F_ALL },
	{ NF9_TCP_RST_COUNT,	4,  F_ALL },
	/* the route: next hop, source and destination prefix lengths */
	{ NF9_IPV4_NEXT_HOP,	4,  F_V4 | F_RT },
	{ NF9_IPV6_NEXT_HOP,	16, F_V6 | F_RT },
	{ NF9_SRC_MASK,		1,  F_V4 | F_RT },
	{ NF9_IPV6_SRC_MASK,	1,  F_V6 | F_RT },
	{ NF9_DST_MASK,		1,  F_V4 | F_RT },
	{ NF9_IPV6_DST_MASK,	1,  F_V6 | F_RT },
	/* the translation (nat on, translated records only) */
	{ NF9_POST_NAT_SRC_IPV4, 4, F_V4 | F_NAT },
	{ NF9_POST_NAT_DST_IPV4, 4, F_V4 | F_NAT },
	{ NF9_POST_NAT_SRC_IPV6, 16, F_V6 | F_NAT },
	{ NF9_POST_NAT_DST_IPV6, 16, F_V6 | F_NAT },
	{ NF9_POST_NAPT_SRC_PORT, 2, F_ALL | F_NAT },
	{ NF9_POST_NAPT_DST_PORT, 2, F_ALL | F_NAT },
};
/* options */
static const struct field opt_sampling_scope[] = { { NF9_SCOPE_SYSTEM, 4, 0 } };
static const struct field opt_sampling[] = {
	{ NF9_SAMPLING_INTERVAL, 4, 0 }, { NF9_SAMPLING_ALGORITHM, 1, 0 } };
static const struct field opt_ifname_scope[] = { { NF9_SCOPE_INTERFACE, 4, 0 } };
static const struct field opt_ifname[] = { { NF9_IF_NAME, IFNAME_LEN, 0 } };
/* the description in a template of its own: nfcapd 1.7.1 reads an
 * interface-name record as scope plus name only */
static const struct field opt_ifdescr[] = { { NF9_IF_DESC, IFDESCR_LEN, 0 } };
#define N(a) (sizeof(a) / sizeof((a)[0]))

struct nf9 {
	struct transport	t;
	uint8_t			msg[65536];
	size_t			len;		/* 0: no message started */
	size_t			max;		/* message_size */
	uint32_t		count;		/* records of all kinds in msg */
	uint32_t		flows;		/* flow records in msg */
	size_t			set_off;	/* the open flowset, 0: none */
	uint16_t		set_id;
	uint32_t		sequence;	/* export packets sent */
	uint32_t		source_id;
	uint64_t		boot_ms;	/* wall clock of uptime 0 */
	uint64_t		templates_at;	/* CLOCK_MONOTONIC s, last sent */
	uint32_t		since_templates; /* messages with flows since */
	uint32_t		refresh_s, refresh_msgs;
	int			refresh_wanted;	/* the collector refused: it may
						 * have lost the templates */
	int			options_due;
	int			ifs_next;	/* options: the interface to
						 * continue with in the next message */
	int			ifs_again;	/* a name changed while they were
						 * being sent: once more after */
	int			sampling_due;	/* changed while they were */
	uint32_t		sampling;	/* the interval announced */
	int			nat;		/* the templates with the translation */
};

/* The flow template's fields: F_V4 or F_V6, F_RT with the route, F_NAT
 * with the translation. */
static int in_template(const struct field *f, unsigned int want)
{
	return (f->flags & want & F_ALL) && (!(f->flags & F_RT) || (want & F_RT)) &&
	       (!(f->flags & F_NAT) || (want & F_NAT));
}

static size_t rec_len(unsigned int want)
{
	size_t i, len = 0;

	for (i = 0; i < N(flow_spec); i++)
		if (in_template(&flow_spec[i], want))
			len += flow_spec[i].len;
	return len;
}

/* The fields copied as bytes (addresses, ports, MACs); 0 if not one. */
static int put_bytes(uint8_t *p, const struct field *f,
		     const struct export_record *r)
{
	static const uint8_t none[16];	/* no next hop: directly connected */
	const struct export_key *k = &r->key;
	const void *src;

	switch (f->type) {
	case NF9_IPV4_SRC_ADDR:	src = k->src + 12; break;
	case NF9_IPV4_DST_ADDR:	src = k->dst + 12; break;
	case NF9_IPV6_SRC_ADDR:	src = k->src; break;
	case NF9_IPV6_DST_ADDR:	src = k->dst; break;
	case NF9_L4_SRC_PORT:	src = &k->sport; break;	/* network order */
	case NF9_L4_DST_PORT:	src = &k->dport; break;
	case NF9_SRC_MAC:	src = r->src_mac; break;
	case NF9_DST_MAC:	src = r->dst_mac; break;
	case NF9_IPV4_NEXT_HOP:
		src = r->has_next_hop ? r->next_hop + 12 : none; break;
	case NF9_IPV6_NEXT_HOP:
		src = r->has_next_hop ? r->next_hop : none; break;
	case NF9_POST_NAT_SRC_IPV4: src = r->nat_src + 12; break;
	case NF9_POST_NAT_DST_IPV4: src = r->nat_dst + 12; break;
	case NF9_POST_NAT_SRC_IPV6: src = r->nat_src; break;
	case NF9_POST_NAT_DST_IPV6: src = r->nat_dst; break;
	case NF9_POST_NAPT_SRC_PORT: src = &r->nat_sport; break;
	case NF9_POST_NAPT_DST_PORT: src = &r->nat_dport; break;
	default:
		return 0;
	}
	memcpy(p, src, f->len);
	return 1;
}

/* The value of a numeric field; 0 for one tcflowd does not know. */
static uint64_t field_value(const struct field *f,
			    const struct export_record *r, uint64_t boot_ms)
{
	const struct export_key *k = &r->key;

	switch (f->type) {
	case NF9_PROTOCOL:	return k->proto;
	case NF9_SRC_TOS:	return r->tos;
	case NF9_TCP_FLAGS:	return r->tcp_flags & 0xff;
	case NF9_IN_PKTS:	return r->packets;
	case NF9_IN_BYTES:	return r->bytes;
	case NF9_FIRST_SWITCHED: return (uint32_t)(r->start_ms - boot_ms);
	case NF9_LAST_SWITCHED:	return (uint32_t)(r->end_ms - boot_ms);
	case NF9_INPUT_SNMP:	return r->ingress_ifindex;
	case NF9_OUTPUT_SNMP:	return r->egress_ifindex;
	case NF9_DIRECTION:	return k->direction;
	case NF9_SRC_VLAN:	return k->vlan_id;
	case NF9_MIN_TTL:	return r->min_ttl;
	case NF9_MAX_TTL:	return r->max_ttl;
	case NF9_ICMP_TYPE:
	case NF9_ICMP_TYPE_IPV6:
		return export_is_icmp(k) ? ntohs(k->dport) : 0;
	case NF9_FLOW_END_REASON: return r->end_reason;
	case NF9_TCP_SYN_COUNT:	return r->syn_count;
	case NF9_TCP_FIN_COUNT:	return r->fin_count;
	case NF9_TCP_RST_COUNT:	return r->rst_count;
	case NF9_SRC_MASK:
	case NF9_IPV6_SRC_MASK:	return r->src_prefix_len;
	case NF9_DST_MASK:
	case NF9_IPV6_DST_MASK:	return r->dst_prefix_len;
	default:		return 0;
	}
}

/* Write one field of a flow record, by its type. */
static void put_field(uint8_t *p, const struct field *f,
		      const struct export_record *r, uint64_t boot_ms)
{
	if (!put_bytes(p, f, r))
		put_be(p, field_value(f, r, boot_ms), f->len);
}

/* ---- message assembly --------------------------------------------------- */

static void set_close(struct nf9 *x)
{
	if (!x->set_off)
		return;
	while ((x->len - x->set_off) % 4)	/* pad the set to 4 bytes */
		x->msg[x->len++] = 0;
	put_be(x->msg + x->set_off + 2, x->len - x->set_off, 2);
	x->set_off = 0;
}

static void set_open(struct nf9 *x, uint16_t id)
{
	if (x->set_off && x->set_id == id)
		return;
	set_close(x);
	x->set_off = x->len;
	x->set_id = id;
	put_be(x->msg + x->len, id, 2);
	x->len += 4;
}

static void put_pairs(struct nf9 *x, const struct field *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		put_be(x->msg + x->len, f[i].type, 2);
		put_be(x->msg + x->len + 2, f[i].len, 2);
		x->len += 4;
	}
}

static void put_template(struct nf9 *x, uint16_t id, unsigned int want)
{
	size_t i, n = 0, at = x->len;

	x->len += 4;
	for (i = 0; i < N(flow_spec); i++)
		if (in_template(&flow_spec[i], want)) {
			put_pairs(x, &flow_spec[i], 1);
			n++;
		}
	put_be(x->msg + at, id, 2);
	put_be(x->msg + at + 2, n, 2);
	x->count++;
}

static void put_options_template(struct nf9 *x, uint16_t id,
				 const struct field *scope, size_t ns,
				 const struct field *f, size_t n)
{
	put_be(x->msg + x->len, id, 2);
	put_be(x->msg + x->len + 2, ns * 4, 2);
	put_be(x->msg + x->len + 4, n * 4, 2);
	x->len += 6;
	put_pairs(x, scope, ns);
	put_pairs(x, f, n);
	x->count++;
}

static void put_templates(struct nf9 *x)
{
	set_open(x, 0);
	put_template(x, TID_IPV4, F_V4);
	put_template(x, TID_IPV6, F_V6);
	put_template(x, TID_IPV4_RT, F_V4 | F_RT);
	put_template(x, TID_IPV6_RT, F_V6 | F_RT);
	if (x->nat) {
		put_template(x, TID_IPV4_NAT, F_V4 | F_NAT);
		put_template(x, TID_IPV4_NAT + 1, F_V6 | F_NAT);
		put_template(x, TID_IPV4_NAT + 2, F_V4 | F_RT | F_NAT);
		put_template(x, TID_IPV4_NAT + 3, F_V6 | F_RT | F_NAT);
	}
	/* options templates after the data templates, one a flowset: a
	 * collector that misreads one still knows every data template */
	set_open(x, 1);
	put_options_template(x, TID_SAMPLING, opt_sampling_scope,
			     N(opt_sampling_scope), opt_sampling, N(opt_sampling));
	set_close(x);
	set_open(x, 1);
	put_options_template(x, TID_IFNAME, opt_ifname_scope,
			     N(opt_ifname_scope), opt_ifname, N(opt_ifname));
	set_close(x);
	set_open(x, 1);
	put_options_template(x, TID_IFDESCR, opt_ifname_scope,
			     N(opt_ifname_scope), opt_ifdescr, N(opt_ifdescr));
	set_close(x);
}

/* Options data are due again, from the first record. */
static void options_from_start(struct nf9 *x)
{
	x->options_due = 1;
	x->ifs_next = 0;
}

/*
 * Options data: the sampling in force, then every interface's name and
 * description, as many as the message holds.  What does not fit goes in
 * the next message (options_due stays set), so every interface is
 * announced however many there are.  Each record has a flowset of its own:
 * nfcapd 1.7.1 sizes a description record 4 bytes too long and, in a
 * flowset of several, misreads every one after the first.
 */
static void put_options(struct exporter *e, struct nf9 *x)
{
	const size_t rec = 4 + IFNAME_LEN + 4 + IFDESCR_LEN;

	if (x->ifs_next == 0 || x->sampling_due) {
		if (x->len + 9 + 8 > x->max) {
			x->sampling_due = 1;	/* in the next message */
			return;
		}
		x->sampling_due = 0;
		set_open(x, TID_SAMPLING);
		put_be(x->msg + x->len, 0, 4);		/* scope: this system */
		put_be(x->msg + x->len + 4, x->sampling, 4);
		x->msg[x->len + 8] = x->sampling > 1 ? 2 : 0; /* random 1-in-N */
		x->len += 9;
		x->count++;
	}
	e->ifs_changed = 0;
	for (; x->ifs_next < e->nifs; x->ifs_next++) {
		const struct export_ifname *f = &e->ifs[x->ifs_next];

		if (x->len + rec + 3 * 4 + 3 > x->max)
			break;		/* the rest in the next message */
		set_open(x, TID_IFNAME);
		put_be(x->msg + x->len, f->ifindex, 4);
		memcpy(x->msg + x->len + 4, f->name, IFNAME_LEN);
		x->len += 4 + IFNAME_LEN;
		set_open(x, TID_IFDESCR);
		put_be(x->msg + x->len, f->ifindex, 4);
		memcpy(x->msg + x->len + 4, f->descr, IFDESCR_LEN);
		x->len += 4 + IFDESCR_LEN;
		x->count += 2;
	}
	set_close(x);
	x->options_due = x->ifs_next < e->nifs;
	if (!x->options_due)
		x->ifs_next = 0;
}

/* Interfaces changed: announce them from the first, or, while they are
 * being announced, once more when that is through (restarting would never
 * end with a name that changes often). */
static void options_changed(struct nf9 *x)
{
	if (x->options_due && x->ifs_next)
		x->ifs_again = 1;
	else
		options_from_start(x);
}

/* Note what changed since the last add or flush. */
static void options_note_changes(struct exporter *e, struct nf9 *x)
{
	if (x->ifs_again && !x->options_due) {
		x->ifs_again = 0;
		options_from_start(x);
	}
	if (e->ifs_changed) {
		options_changed(x);
		e->ifs_changed = 0;
	}
}

/*
 * Templates are due: at the first message; otherwise only when no options
 * are half sent and a message with flows went since the last refresh
 * (then after template_refresh_messages such messages, template_refresh_s
 * seconds, or a refusal), so refreshes never crowd out the flows.
 */
static int templates_due(const struct nf9 *x)
{
	if (x->templates_at && x->options_due && x->ifs_next)
		return 0;
	return export_templates_due(x->templates_at, x->since_templates,
				    x->refresh_wanted, x->refresh_msgs,
				    x->refresh_s);
}

/* Begin a message: header space, then templates and options when due. */
static void msg_start(struct exporter *e, struct nf9 *x)
{
	uint64_t real_ms, up_ms;

	/* a collector that just became reachable learns templates first */
	transport_poll(&x->t);
	if (x->t.peer_lost) {
		x->t.peer_lost = 0;
		x->refresh_wanted = 1;
	}
	export_clock_ms(&real_ms, &up_ms);
	x->boot_ms = real_ms - up_ms;
	x->len = NF9_HDR_LEN;
	x->count = x->flows = 0;
	if (templates_due(x)) {
		put_templates(x);
		x->templates_at = export_mono_ms() / 1000;
		x->since_templates = 0;
		x->refresh_wanted = 0;
		options_from_start(x);	/* options data goes with templates */
		x->ifs_again = 0;
	}
	if (x->options_due)
		put_options(e, x);
}

/* Send the message; one of templates and options alone only if force. */
static int send_msg(struct exporter *e, int force)
{
	struct nf9 *x = e->priv;
	uint64_t real_ms, up_ms;
	int err;

	if (x->len <= NF9_HDR_LEN || (x->flows == 0 && !force))
		return 0;	/* nothing but templates: they wait for data */
	set_close(x);
	export_clock_ms(&real_ms, &up_ms);
	put_be(x->msg, 9, 2);
	put_be(x->msg + 2, x->count, 2);
	put_be(x->msg + 4, (uint32_t)up_ms, 4);
	put_be(x->msg + 8, real_ms / 1000, 4);
	put_be(x->msg + 12, x->sequence, 4);
	put_be(x->msg + 16, x->source_id, 4);
	err = transport_send(&x->t, x->msg, x->len, x->flows);
	if (x->t.peer_lost) {
		/* a collector (re)starting knows no templates: resend soon */
		x->t.peer_lost = 0;
		x->refresh_wanted = 1;
	}
	x->sequence++;		/* every export packet, sent or not */
	if (x->flows)
		x->since_templates++;
	x->len = 0;
	return err;
}

static int nf9_flush(struct exporter *e)
{
	struct nf9 *x = e->priv;
	int err = 0, e2, at;

	if (!e->ifs_changed && !x->ifs_again && !x->options_due)
		return send_msg(e, 0);
	/* interfaces that changed, or options a full message cut short:
	 * the flows waiting go first, and the options follow now, in as
	 * many messages as they need, not with the next record */
	if (x->flows)
		err = send_msg(e, 0);
	options_note_changes(e, x);
	do {
		at = x->ifs_next;
		if (x->len == 0)
			msg_start(e, x);
		else
			put_options(e, x);
		e2 = send_msg(e, 1);
		err = err ? err : e2;
	} while (x->options_due && x->ifs_next > at);
	return err;
}

static int nf9_add(struct exporter *e, const struct export_record *r)
{
	struct nf9 *x = e->priv;
	int v4 = export_is_ipv4(&r->key), err = 0;
	int rt = r->route & EXPORT_ROUTE_DST;
	unsigned int want = (v4 ? F_V4 : F_V6) | (rt ? F_RT : 0);
	size_t need, i;
	uint16_t tid = v4 ? (rt ? TID_IPV4_RT : TID_IPV4) :
			    (rt ? TID_IPV6_RT : TID_IPV6);
	uint8_t *p;

	if (r->nat && x->nat) {	/* TID_IPV4_NAT, V6, V4_RT, V6_RT */
		want |= F_NAT;
		tid = (uint16_t)(TID_IPV4_NAT + !v4 + (rt ? 2 : 0));
	}

	options_note_changes(e, x);
	if (r->sampling_interval != x->sampling) {
		x->sampling = r->sampling_interval;
		x->sampling_due = 1;	/* in the next message, whatever else */
		if (!x->options_due)
			options_from_start(x);
	}
	/* options due mid-message: a message with flows goes, and the next
	 * carries them; one with only templates so far takes them now */
	if (x->len && x->options_due) {
		if (x->flows)
			err = send_msg(e, 0);
		else
			put_options(e, x);
	}
	if (x->len == 0)
		msg_start(e, x);
	need = rec_len(want) + 4 + 3;	/* the record, a set header, padding */
	/* full: the message goes; templates and options that leave no
	 * room go alone, in as many messages as they need (each one carries
	 * options the last did not, and no refresh starts before this record
	 * is in: this ends) */
	while (x->len + need > x->max && x->len > NF9_HDR_LEN) {
		int e2 = send_msg(e, 1);

		err = err ? err : e2;
		msg_start(e, x);
	}
	set_open(x, tid);
	p = x->msg + x->len;
	for (i = 0; i < N(flow_spec); i++) {
		if (!in_template(&flow_spec[i], want))
			continue;
		put_field(p, &flow_spec[i], r, x->boot_ms);
		p += flow_spec[i].len;
	}
	x->len = (size_t)(p - x->msg);
	x->count++;
	x->flows++;
	return err;
}

/* v9 sends every template in one message: with the translation's, it
 * must hold them all.  0 or -EMSGSIZE. */
static int nat_fits(struct exporter *e, struct nf9 *x)
{
	size_t len;

	if (!x->nat)
		return 0;
	x->len = NF9_HDR_LEN;
	put_templates(x);
	len = x->len;
	x->len = 0;
	x->count = 0;
	if (len <= x->max)
		return 0;
	log_err("open collector %s: message_size %zu cannot hold the NetFlow "
		"v9 templates with nat on (%zu bytes at least)", e->cfg.name,
		x->max, len);
	return -EMSGSIZE;
}

static int nf9_open(struct exporter *e, const struct exporter_env *env)
{
	struct nf9 *x = calloc(1, sizeof(*x));
	int err;

	if (!x)
		return -ENOMEM;
	err = transport_open(&x->t, e);
	if (err) {
		free(x);
		return err;
	}
	x->source_id = env->observation_domain;
	x->max = e->cfg.message_size;
	x->nat = env->nat;
	err = nat_fits(e, x);
	if (err) {
		transport_close(&x->t);
		free(x);
		return err;
	}
	x->refresh_s = e->cfg.template_refresh_s;
	x->refresh_msgs = e->cfg.template_refresh_messages;
	x->sampling = 1;
	e->priv = x;
	return 0;
}

/*
 * The least message_size that works: one message must hold the templates,
 * and one the largest record (a flow, or an interface's options) with its
 * set header and padding.  Measured by writing the templates.
 */
static size_t nf9_min_message_size(void)
{
	/* one message holds the sampling record and one interface's name
	 * and description, each in a flowset of its own (put_options) */
	const size_t opt_rec = 9 + 8 + 4 + IFNAME_LEN + 4 + IFDESCR_LEN + 3 * 4;
	struct nf9 *x = calloc(1, sizeof(*x));
	size_t tmpl, rec = rec_len(F_V6 | F_RT | F_NAT);

	if (!x)
		return 65535;
	x->max = sizeof(x->msg);
	x->len = NF9_HDR_LEN;
	put_templates(x);
	tmpl = x->len;
	free(x);
	if (rec_len(F_V4 | F_RT | F_NAT) > rec)
		rec = rec_len(F_V4 | F_RT | F_NAT);
	if (opt_rec > rec)
		rec = opt_rec;
	rec += NF9_HDR_LEN + 4 + 3;
	return tmpl > rec ? tmpl : rec;
}

/* The socket: EPOLLERR when a collector refused a message. */
static int nf9_fd(const struct exporter *e, uint32_t *events)
{
	const struct nf9 *x = e->priv;

	return transport_fd(&x->t, events);
}

/* Count what the collector refused; notice when it takes them again. */
static void nf9_poll(struct exporter *e)
{
	struct nf9 *x = e->priv;

	transport_poll(&x->t);
}

static void nf9_close(struct exporter *e)
{
	struct nf9 *x = e->priv;

	transport_close(&x->t);
	free(x);
}

static int nf9_pace(struct exporter *e, uint32_t hurry_ms)
{
	struct nf9 *x = e->priv;

	return transport_pace(&x->t, hurry_ms);
}

static void nf9_set_pace(struct exporter *e)
{
	struct nf9 *x = e->priv;

	transport_set_pace(&x->t, &e->cfg, e->env.fetch_interval_ms);
}

static bool nf9_pending(const struct exporter *e)
{
	const struct nf9 *x = e->priv;

	return transport_pending(&x->t);
}

const struct exporter_ops netflow9_exporter_ops = {
	.name	= "netflow9",
	.interface_options = true,
	.open	= nf9_open,
	.add	= nf9_add,
	.flush	= nf9_flush,
	.fd	= nf9_fd,
	.poll	= nf9_poll,
	.close	= nf9_close,
	.pace	= nf9_pace,
	.set_pace = nf9_set_pace,
	.pending = nf9_pending,
	.min_message_size = nf9_min_message_size,
};
