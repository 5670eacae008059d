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

#define NF9_HDR_LEN	20
#define TID_IPV4	256
#define TID_IPV6	257
#define TID_SAMPLING	258
#define TID_IFNAME	259
#define TID_IPV4_RT	260	/* the same, with the route */
#define TID_IPV6_RT	261
#define TID_IFDESCR	262
#define IFNAME_LEN	EXPORT_IFNAME_LEN
#define IFDESCR_LEN	EXPORT_IFDESCR_LEN

struct field {
	uint16_t	type, len;
};

/* v9 field types (RFC 3954 section 8; 136 and 139 from the IANA IPFIX
 * registry, which v9 collectors share) */
#define F(t, l) { t, l }
static const struct field tmpl_v4[] = {
	F(8, 4), F(12, 4), F(7, 2), F(11, 2), F(4, 1), F(5, 1), F(6, 1),
	F(2, 8), F(1, 8), F(22, 4), F(21, 4), F(10, 4), F(14, 4), F(61, 1),
	F(58, 2), F(56, 6), F(80, 6), F(52, 1), F(53, 1), F(32, 2), F(136, 1),
};
static const struct field tmpl_v6[] = {
	F(27, 16), F(28, 16), F(7, 2), F(11, 2), F(4, 1), F(5, 1), F(6, 1),
	F(2, 8), F(1, 8), F(22, 4), F(21, 4), F(10, 4), F(14, 4), F(61, 1),
	F(58, 2), F(56, 6), F(80, 6), F(52, 1), F(53, 1), F(139, 2), F(136, 1),
};
/* with the route: next hop, source and destination prefix lengths */
static const struct field tmpl_v4_rt[] = {
	F(8, 4), F(12, 4), F(7, 2), F(11, 2), F(4, 1), F(5, 1), F(6, 1),
	F(2, 8), F(1, 8), F(22, 4), F(21, 4), F(10, 4), F(14, 4), F(61, 1),
	F(58, 2), F(56, 6), F(80, 6), F(52, 1), F(53, 1), F(32, 2), F(136, 1),
	F(15, 4), F(9, 1), F(13, 1),
};
static const struct field tmpl_v6_rt[] = {
	F(27, 16), F(28, 16), F(7, 2), F(11, 2), F(4, 1), F(5, 1), F(6, 1),
	F(2, 8), F(1, 8), F(22, 4), F(21, 4), F(10, 4), F(14, 4), F(61, 1),
	F(58, 2), F(56, 6), F(80, 6), F(52, 1), F(53, 1), F(139, 2), F(136, 1),
	F(62, 16), F(29, 1), F(30, 1),
};
/* options: scope System (1) / Interface (2), 4 bytes each */
static const struct field opt_sampling_scope[] = { F(1, 4) };
static const struct field opt_sampling[] = { F(34, 4), F(35, 1) };
static const struct field opt_ifname_scope[] = { F(2, 4) };
static const struct field opt_ifname[] = { F(82, IFNAME_LEN) };
/* the description in a template of its own: nfcapd 1.7.1 reads an
 * interface-name record as scope plus name only */
static const struct field opt_ifdescr[] = { F(83, IFDESCR_LEN) };
#undef F
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
};

static void put_be(uint8_t *p, uint64_t v, unsigned int len)
{
	while (len--) {
		p[len] = (uint8_t)v;
		v >>= 8;
	}
}

static size_t rec_len(const struct field *f, size_t n)
{
	size_t i, len = 0;

	for (i = 0; i < n; i++)
		len += f[i].len;
	return len;
}

/* Write one field of a flow record, by its type. */
static void put_field(uint8_t *p, const struct field *f,
		      const struct export_record *r, uint64_t boot_ms)
{
	const struct export_key *k = &r->key;
	int icmp = k->proto == 1 || k->proto == 58;

	switch (f->type) {
	case 8:   memcpy(p, k->src + 12, 4); return;
	case 12:  memcpy(p, k->dst + 12, 4); return;
	case 27:  memcpy(p, k->src, 16); return;
	case 28:  memcpy(p, k->dst, 16); return;
	case 7:   memcpy(p, &k->sport, 2); return;	/* network order */
	case 11:  memcpy(p, &k->dport, 2); return;
	case 56:  memcpy(p, r->src_mac, 6); return;
	case 80:  memcpy(p, r->dst_mac, 6); return;
	case 4:   put_be(p, k->proto, f->len); return;
	case 5:   put_be(p, r->tos, f->len); return;
	case 6:   put_be(p, r->tcp_flags & 0xff, f->len); return;
	case 2:   put_be(p, r->packets, f->len); return;
	case 1:   put_be(p, r->bytes, f->len); return;
	case 22:  put_be(p, (uint32_t)(r->start_ms - boot_ms), f->len); return;
	case 21:  put_be(p, (uint32_t)(r->end_ms - boot_ms), f->len); return;
	case 10:  put_be(p, r->ingress_ifindex, f->len); return;
	case 14:  put_be(p, r->egress_ifindex, f->len); return;
	case 61:  put_be(p, k->direction, f->len); return;
	case 58:  put_be(p, k->vlan_id, f->len); return;
	case 52:  put_be(p, r->min_ttl, f->len); return;
	case 53:  put_be(p, r->max_ttl, f->len); return;
	case 32:
	case 139: put_be(p, icmp ? ntohs(k->dport) : 0, f->len); return;
	case 136: put_be(p, r->end_reason, f->len); return;
	case 15:
		if (r->has_next_hop)
			memcpy(p, r->next_hop + 12, 4);
		else
			memset(p, 0, 4);
		return;
	case 62:
		if (r->has_next_hop)
			memcpy(p, r->next_hop, 16);
		else
			memset(p, 0, 16);
		return;
	case 9:
	case 29:  put_be(p, r->src_prefix_len, f->len); return;
	case 13:
	case 30:  put_be(p, r->dst_prefix_len, f->len); return;
	default:  memset(p, 0, f->len); return;
	}
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

static void put_template(struct nf9 *x, uint16_t id, const struct field *f,
			 size_t n)
{
	put_be(x->msg + x->len, id, 2);
	put_be(x->msg + x->len + 2, n, 2);
	x->len += 4;
	put_pairs(x, f, n);
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
	put_template(x, TID_IPV4, tmpl_v4, N(tmpl_v4));
	put_template(x, TID_IPV6, tmpl_v6, N(tmpl_v6));
	put_template(x, TID_IPV4_RT, tmpl_v4_rt, N(tmpl_v4_rt));
	put_template(x, TID_IPV6_RT, tmpl_v6_rt, N(tmpl_v6_rt));
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
	if (!x->templates_at)
		return 1;
	if ((x->options_due && x->ifs_next) || !x->since_templates)
		return 0;
	return x->refresh_wanted || x->since_templates >= x->refresh_msgs ||
	       export_mono_ms() / 1000 >= x->templates_at + x->refresh_s;
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
	const struct field *f = v4 ? (rt ? tmpl_v4_rt : tmpl_v4) :
				     (rt ? tmpl_v6_rt : tmpl_v6);
	size_t n = v4 ? (rt ? N(tmpl_v4_rt) : N(tmpl_v4)) :
			(rt ? N(tmpl_v6_rt) : N(tmpl_v6)), need, i;
	uint16_t tid = v4 ? (rt ? TID_IPV4_RT : TID_IPV4) :
			    (rt ? TID_IPV6_RT : TID_IPV6);
	uint8_t *p;

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
	need = rec_len(f, n) + 4 + 3;	/* the record, a set header, padding */
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
	for (i = 0; i < n; i++) {
		put_field(p, &f[i], r, x->boot_ms);
		p += f[i].len;
	}
	x->len = (size_t)(p - x->msg);
	x->count++;
	x->flows++;
	return err;
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
	size_t tmpl, rec = rec_len(tmpl_v6_rt, N(tmpl_v6_rt));

	if (!x)
		return 65535;
	x->max = sizeof(x->msg);
	x->len = NF9_HDR_LEN;
	put_templates(x);
	tmpl = x->len;
	free(x);
	if (rec_len(tmpl_v4_rt, N(tmpl_v4_rt)) > rec)
		rec = rec_len(tmpl_v4_rt, N(tmpl_v4_rt));
	if (opt_rec > rec)
		rec = opt_rec;
	rec += NF9_HDR_LEN + 4 + 3;
	return tmpl > rec ? tmpl : rec;
}

static void nf9_close(struct exporter *e)
{
	struct nf9 *x = e->priv;

	transport_close(&x->t);
	free(x);
}

const struct exporter_ops netflow9_exporter_ops = {
	.name	= "netflow9",
	.interface_options = true,
	.open	= nf9_open,
	.add	= nf9_add,
	.flush	= nf9_flush,
	.close	= nf9_close,
	.min_message_size = nf9_min_message_size,
};
