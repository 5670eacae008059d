// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipfix_tmpl.c - IPFIX template messages, written by hand from
 * libfixbuf's templates, so that they can be split over messages of
 * message_size and sent again whenever they are due.
 */
#include <time.h>
#include <fixbuf/public.h>
/* fbSessionGetSequence(): exported, declared only here */
#include <fixbuf/private.h>

#include "ipfix.h"
#include "wire.h"

/*
 * Templates go out in messages of their own, written here rather than by
 * libfixbuf, which puts every options template in one set: the data
 * templates first, in one set, then each options template in a set of its
 * own.  nfacctd 1.7.7 (Debian 12) misparses a set of several options
 * templates and drops the rest of the message; so a collector that chokes
 * on an options template still has learnt every data template.
 */
static const uint16_t data_tids[] = {
	TID_FLOW_V4, TID_FLOW_V6, TID_FLOW_V4_RT, TID_FLOW_V6_RT,
	TID_FLOW_V4 + TID_TCP, TID_FLOW_V6 + TID_TCP,
	TID_FLOW_V4_RT + TID_TCP, TID_FLOW_V6_RT + TID_TCP,
	/* only with nat on (exporter_env.nat) */
	TID_FLOW_V4 + TID_NAT, TID_FLOW_V6 + TID_NAT,
	TID_FLOW_V4_RT + TID_NAT, TID_FLOW_V6_RT + TID_NAT,
	TID_FLOW_V4 + TID_NAT + TID_TCP, TID_FLOW_V6 + TID_NAT + TID_TCP,
	TID_FLOW_V4_RT + TID_NAT + TID_TCP, TID_FLOW_V6_RT + TID_NAT + TID_TCP,
};
#define N_PLAIN_TIDS	8
static const uint16_t options_tids[] = {
	TID_SAMPLING, TID_IFNAME, TID_IFDESCR, TID_RELIABILITY,
};

/* put16(), returning where the next field goes */
static uint8_t *put_u16(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	return p + 2;
}

static size_t tmpl_len(fbTemplate_t *t)
{
	uint32_t i, n = fbTemplateCountElements(t);
	size_t len = fbTemplateGetOptionsScope(t) ? 6 : 4;

	for (i = 0; i < n; i++)
		len += fbTemplateGetIndexedIE(t, i)->ent ? 8 : 4;
	return len;
}

/* The template record of tid (RFC 7011 3.4.1 and 3.4.2) at p. */
static uint8_t *put_tmpl(uint8_t *p, uint16_t tid, fbTemplate_t *t)
{
	uint32_t i, n = fbTemplateCountElements(t);
	uint32_t scope = fbTemplateGetOptionsScope(t);

	p = put_u16(p, tid);
	p = put_u16(p, n);
	if (scope)
		p = put_u16(p, scope);
	for (i = 0; i < n; i++) {
		const fbInfoElement_t *ie = fbTemplateGetIndexedIE(t, i);

		p = put_u16(p, ie->ent ? 0x8000u | ie->num : ie->num);
		p = put_u16(p, ie->len);
		if (ie->ent) {
			p = put_u16(p, ie->ent >> 16);
			p = put_u16(p, ie->ent & 0xffff);
		}
	}
	return p;
}

/* The message header and its sets' lengths; then send it.  A message of
 * templates carries the sequence number of the next data record. */
static int tmsg_send(struct exporter *e, uint8_t *end, uint8_t *set)
{
	struct ipfix *x = e->priv;
	uint8_t *p = x->buf;
	uint32_t seq = fbSessionGetSequence(x->session);
	uint32_t now = (uint32_t)time(NULL);

	if (set)
		put_u16(set + 2, (uint32_t)(end - set));
	p = put_u16(p, 10);
	p = put_u16(p, (uint32_t)(end - x->buf));
	p = put_u16(put_u16(p, now >> 16), now & 0xffff);
	p = put_u16(put_u16(p, seq >> 16), seq & 0xffff);
	put_u16(put_u16(p, x->domain >> 16), x->domain & 0xffff);
	x->tmpl_msg = 1;	/* a file that failed takes this one again */
	return ipfix_ship_len(e, (size_t)(end - x->buf));
}

int ipfix_send_templates(struct exporter *e)
{
	struct ipfix *x = e->priv;
	uint8_t *p = x->buf + 16, *set = NULL;
	size_t i, n = x->nat ? sizeof(data_tids) / sizeof(data_tids[0]) :
			       N_PLAIN_TIDS;
	size_t all = n + sizeof(options_tids) / sizeof(options_tids[0]);
	GError *err = NULL;

	ipfix_emit(e);
	for (i = 0; i < all; i++) {
		int opt = i >= n;
		uint16_t tid = opt ? options_tids[i - n] : data_tids[i];
		fbTemplate_t *t = fbSessionGetTemplate(x->session, FALSE, tid, &err);
		size_t need;

		if (!t)
			return ipfix_gerr(&err, "find a template");
		if (opt && set) {		/* an options set holds one */
			put_u16(set + 2, (uint32_t)(p - set));
			set = NULL;
		}
		need = tmpl_len(t) + (set ? 0 : 4);
		if ((size_t)(p - x->buf) + need > x->bufsize) {
			tmsg_send(e, p, set);
			p = x->buf + 16;
			set = NULL;
			need = tmpl_len(t) + 4;
		}
		if (!set) {
			set = p;
			p = put_u16(put_u16(p, opt ? 3 : 2), 0);
		}
		p = put_tmpl(p, tid, t);
	}
	tmsg_send(e, p, set);
	/* a file that could not take them takes them at the next message */
	x->templates_at = x->file_broken ? 0 : export_mono_ms() / 1000;
	x->since_templates = 0;
	x->refresh_wanted = 0;
	x->options_due = 1;		/* options data goes with templates */
	x->reliability_due = 1;
	return 0;
}

/* The longest message one template needs, as ipfix_send_templates()
 * writes them (it spreads the templates over as many messages as
 * message_size asks): message header, set header, the template. */
size_t ipfix_templates_len(struct ipfix *x)
{
	size_t i, n = x->nat ? sizeof(data_tids) / sizeof(data_tids[0]) :
			       N_PLAIN_TIDS;
	size_t all = n + sizeof(options_tids) / sizeof(options_tids[0]);
	size_t len = 0;
	GError *err = NULL;

	for (i = 0; i < all; i++) {
		uint16_t tid = i >= n ? options_tids[i - n] : data_tids[i];
		fbTemplate_t *t = fbSessionGetTemplate(x->session, FALSE, tid, &err);

		if (!t) {
			g_clear_error(&err);
			return 65535;
		}
		if (16 + 4 + tmpl_len(t) > len)
			len = 16 + 4 + tmpl_len(t);
	}
	return len;
}
