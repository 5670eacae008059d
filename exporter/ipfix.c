// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ipfix.c - IPFIX (RFC 7011) with libfixbuf.
 *
 * libfixbuf encodes: templates, sets, message headers, sequence numbers
 * per observation domain.  It writes each message into our buffer
 * (fbExporterAllocBuffer), and our transport sends it, so a collector that
 * is gone or slow is counted and never blocks, as for NetFlow.  The buffer
 * size is the message size (default 1400: nothing fragments).
 *
 * Over UDP templates and options are sent in the first message, every
 * template_refresh_s seconds and every template_refresh_messages messages
 * with flows; options data also whenever the sampling or an interface name
 * changes.  A refresh starts only when a message with flows went since the
 * last one, so one that needs many messages (thousands of interfaces,
 * small messages, a collector that refuses) never crowds out the flows;
 * message_size is checked against ipfix_min_message_size().
 * Options: sampling, interface names, and the exporting process's
 * reliability statistics (RFC 7011 section 4.3).
 * GError never leaves the IPFIX encoder (ipfix.c, ipfix_tmpl.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <stddef.h>
#include <fixbuf/public.h>
/* fbSessionGetSequence(): exported, declared only here */
#include <fixbuf/private.h>

#include "exporter.h"
#include "ipfix.h"
#include "log.h"
#include "transport.h"
#include "wire.h"

/* Options: the sampling in force (scope: the observation domain). */
struct ipfix_sampling {
	uint32_t	observationDomainId;
	uint32_t	samplingInterval;
	uint8_t		samplingAlgorithm;	/* 2: random n-out-of-N */
	uint8_t		pad[3];
};
static fbInfoElementSpec_t sampling_spec[] = {
	{ "observationDomainId",	4, 0 },
	{ "samplingInterval",		4, 0 },
	{ "samplingAlgorithm",		1, 0 },
	FB_IESPEC_NULL
};

/*
 * Options: interface names, and in a template of their own descriptions
 * (ifAlias) (scope: the interface), both read from struct export_ifname.
 * nfcapd 1.7.1 sizes an interface-name options record as scope plus name
 * and misreads one that also holds the description.
 */
static fbInfoElementSpec_t ifname_spec[] = {
	{ "ingressInterface",		4, 0 },
	{ "interfaceName",		IFNAME_LEN, 0 },
	FB_IESPEC_NULL
};
static fbInfoElementSpec_t ifdescr_spec[] = {
	{ "ingressInterface",		4, 0 },
	{ "paddingOctets",		IFNAME_LEN, F_INTERNAL },	/* name */
	{ "interfaceDescription",	IFDESCR_LEN, 0 },
	FB_IESPEC_NULL
};

/*
 * Options: the exporting process reliability statistics (RFC 7011 4.3),
 * scope exportingProcessId.  Sent with the templates: at start and at
 * every refresh.
 */
struct ipfix_reliability {
	uint32_t	exportingProcessId;
	uint32_t	pad;
	uint64_t	exportedMessageTotalCount;
	uint64_t	exportedFlowRecordTotalCount;
	uint64_t	exportedOctetTotalCount;
	uint64_t	ignoredPacketTotalCount;
	uint64_t	notSentFlowTotalCount;
	uint64_t	observationTimeMilliseconds;
};
static fbInfoElementSpec_t reliability_spec[] = {
	{ "exportingProcessId",			4, 0 },
	{ "paddingOctets",			4, F_INTERNAL },
	{ "exportedMessageTotalCount",		8, 0 },
	{ "exportedFlowRecordTotalCount",	8, 0 },
	{ "exportedOctetTotalCount",		8, 0 },
	{ "ignoredPacketTotalCount",		8, 0 },
	{ "notSentFlowTotalCount",		8, 0 },
	{ "observationTimeMilliseconds",	8, 0 },
	FB_IESPEC_NULL
};


/* Log a libfixbuf error, free it, return -EIO. */
int ipfix_gerr(GError **err, const char *what)
{
	log_err("ipfix: %s: %s", what, *err ? (*err)->message : "unknown error");
	g_clear_error(err);
	return -EIO;
}

static int add_template(struct ipfix *x, fbInfoElementSpec_t *spec,
			uint32_t flags, gboolean internal, uint16_t tid,
			int scope)
{
	fbTemplate_t *tmpl = fbTemplateAlloc(x->model);
	GError *err = NULL;

	if (!fbTemplateAppendSpecArray(tmpl, spec, flags, &err)) {
		fbTemplateFreeUnused(tmpl);
		return ipfix_gerr(&err, "build a template");
	}
	if (scope)
		fbTemplateSetOptionsScope(tmpl, (uint16_t)scope);
	if (!fbSessionAddTemplate(x->session, internal, tid, tmpl, &err))
		return ipfix_gerr(&err, "add a template");
	return 0;
}

static int msg_start(struct exporter *e);
static int put_options(struct exporter *e);

/*
 * Write the message to the file, whole or not at all (a partial write is
 * cut off again), so a reader always finds whole messages.  After a
 * failure (a full disk) only a message of templates is written, then the
 * rest again: no data set without its template.  The sequence numbers of
 * the messages lost leave a gap, which tells a reader records are missing
 * (notSentFlowTotalCount says how many flows).  0 or -errno.
 */
static int file_write(struct ipfix *x, size_t len)
{
	int fd = fileno(x->file), tmpl = x->tmpl_msg;
	off_t end = lseek(fd, 0, SEEK_END);
	ssize_t n;
	int err;

	x->tmpl_msg = 0;
	if (x->file_broken && !tmpl)
		return -EAGAIN;		/* waits for its templates */
	n = write(fd, x->buf, len);
	if (n == (ssize_t)len) {
		x->file_broken = 0;
		return 0;
	}
	err = n < 0 ? -errno : -ENOSPC;
	if (n > 0 && end >= 0 && ftruncate(fd, end))
		err = -errno;
	x->file_broken = 1;
	x->templates_at = 0;		/* templates first, at the next one */
	transport_complain(&x->t, TRANSPORT_LOG_SEND, "write to",
			   strerror(-err));
	return err;
}

/* Send (or write) the message of len bytes in buf. */
int ipfix_ship_len(struct exporter *e, size_t len)
{
	struct ipfix *x = e->priv;
	int err = 0;

	if (x->file) {
		err = file_write(x, len);
		if (!err) {
			e->counters.messages++;
			e->counters.bytes += len;
			e->counters.records += x->flows;
		} else {
			e->counters.errors++;
			e->counters.not_sent += x->flows;
		}
	} else {
		err = transport_send(&x->t, x->buf, len, x->flows);
		if (x->t.peer_lost) {
			/* a collector (re)starting knows no templates */
			x->t.peer_lost = 0;
			x->refresh_wanted = 1;
		}
	}
	if (x->flows)
		x->since_templates++;
	x->flows = 0;
	x->pending = 0;
	x->open = 0;
	return err;
}

/* Send (or write) the message libfixbuf just emitted into buf. */
static int ship(struct exporter *e)
{
	struct ipfix *x = e->priv;

	return ipfix_ship_len(e, fbExporterGetMsgLen(x->exporter));
}

/* Emit the message being built, if it holds anything, and send it. */
int ipfix_emit(struct exporter *e)
{
	struct ipfix *x = e->priv;
	GError *err = NULL;

	if (!x->pending)
		return 0;
	if (!fBufEmit(x->fbuf, &err))
		return ipfix_gerr(&err, "emit a message");
	return ship(e);
}

/*
 * Append one record.  libfixbuf answers FB_ERROR_EOM when the message is
 * full, and once (by design, in manual mode) when a message would mix
 * template and data sets: either way the message so far goes, and the
 * record starts the next.  Returns 0, or -errno with the error logged.
 */
static int append(struct exporter *e, uint16_t itid, uint16_t etid,
		  void *rec, size_t len)
{
	struct ipfix *x = e->priv;
	GError *err = NULL;
	int tries;

	/* at most: the one-shot signal, a full message, a full message of
	 * templates and options (a refresh), then an empty one */
	for (tries = 0; tries < 4; tries++) {
		if (fBufSetInternalTemplate(x->fbuf, itid, &err) &&
		    fBufSetExportTemplate(x->fbuf, etid, &err) &&
		    fBufAppend(x->fbuf, (uint8_t *)rec, len, &err)) {
			x->pending++;
			x->open = 1;
			return 0;
		}
		if (!g_error_matches(err, FB_ERROR_DOMAIN, FB_ERROR_EOM))
			break;
		g_clear_error(&err);
		ipfix_emit(e);
		/* a flow record starts a new message: templates and options
		 * first when due (they never come back here) */
		if (itid == TID_FLOW_INT && msg_start(e))
			return -EIO;
	}
	if (!err)
		g_set_error(&err, FB_ERROR_DOMAIN, FB_ERROR_EOM,
			    "%zu bytes do not fit a message of %zu", len, x->bufsize);
	return ipfix_gerr(&err, "append a record");
}

static int ipfix_flush(struct exporter *e)
{
	struct ipfix *x = e->priv;
	int rc;

	/* interfaces that changed are announced now, flows or not */
	if (e->ifs_changed && !x->open)
		x->options_due = 1;
	if (x->options_due && !x->open && msg_start(e) == 0 && x->options_due)
		put_options(e);
	rc = ipfix_emit(e);
	if (!x->file)
		transport_poll(&x->t);	/* TCP: connect, write the queue */
	return rc;
}

static int put_options(struct exporter *e)
{
	struct ipfix *x = e->priv;
	struct ipfix_sampling sp = { .observationDomainId = x->domain,
				     .samplingInterval = x->sampling,
				     .samplingAlgorithm = x->sampling > 1 ? 2 : 0 };
	int i, rc;

	x->options_due = 0;
	rc = append(e, TID_SAMPLING, TID_SAMPLING, &sp, sizeof(sp));
	e->ifs_changed = 0;
	/* name and description alternate, so each record has a set of its
	 * own: nfcapd 1.7.1 sizes a description record 4 bytes too long and,
	 * in a set of several, misreads every one after the first */
	for (i = 0; i < e->nifs && !rc; i++) {
		rc = append(e, TID_IFNAME, TID_IFNAME, &e->ifs[i],
			    offsetof(struct export_ifname, descr));
		if (!rc)
			rc = append(e, TID_IFDESCR, TID_IFDESCR, &e->ifs[i],
				    sizeof(e->ifs[i]));
	}
	if (!rc && x->reliability_due) {
		struct ipfix_reliability rel = {
			.exportingProcessId = (uint32_t)getpid(),
			.exportedMessageTotalCount = e->counters.messages,
			.exportedFlowRecordTotalCount = e->counters.records,
			.exportedOctetTotalCount = e->counters.bytes,
			.notSentFlowTotalCount = e->counters.not_sent,
		};
		uint64_t real_ms, up_ms;

		/* IP packets seen but in no flow: malformed, or lost in the
		 * kernel (the daemon counts them) */
		if (x->ignored)
			rel.ignoredPacketTotalCount = *x->ignored;
		export_clock_ms(&real_ms, &up_ms);
		rel.observationTimeMilliseconds = real_ms;
		x->reliability_due = 0;
		rc = append(e, TID_RELIABILITY, TID_RELIABILITY, &rel, sizeof(rel));
	}
	return rc;
}

/*
 * Templates are due: at the first message and on a new TCP connection;
 * otherwise only when a message with flows went since the last ones (then
 * after template_refresh_messages of them, template_refresh_s seconds, or
 * a refusal).
 */
static int templates_due(const struct ipfix *x)
{
	return export_templates_due(x->templates_at, x->since_templates,
				    x->refresh_wanted, x->refresh_msgs,
				    x->refresh_s);
}

/* Begin a message: templates (in a message of their own) and options
 * first, when they are due. */
static int msg_start(struct exporter *e)
{
	struct ipfix *x = e->priv;
	int rc;

	/* a new TCP connection must learn the templates before anything
	 * else; a UDP collector that was away, soon */
	if (!x->file && (transport_poll(&x->t), x->t.peer_lost)) {
		x->t.peer_lost = 0;
		if (x->t.tcp)
			x->templates_at = 0;
		else
			x->refresh_wanted = 1;
	}
	if (templates_due(x)) {
		rc = ipfix_send_templates(e);
		if (rc)
			return rc;
	}
	return x->options_due ? put_options(e) : 0;
}

static int ipfix_add(struct exporter *e, const struct export_record *r)
{
	struct ipfix *x = e->priv;
	int v4 = export_is_ipv4(&r->key), rt = r->route & EXPORT_ROUTE_DST;
	uint16_t tid = v4 ? (rt ? TID_FLOW_V4_RT : TID_FLOW_V4) :
			    (rt ? TID_FLOW_V6_RT : TID_FLOW_V6);

	struct ipfix_flow f;
	int rc = 0;

	if (r->key.proto == 6)
		tid += TID_TCP;
	if (r->nat && x->nat)
		tid += TID_NAT;

	if (e->ifs_changed)
		x->options_due = 1;
	if (r->sampling_interval != x->sampling) {
		x->sampling = r->sampling_interval;
		x->options_due = 1;
	}
	/* options that changed go first in the next message */
	if (x->options_due && x->flows)
		rc = ipfix_flush(e);
	if (!x->open && msg_start(e)) {
		e->counters.not_sent++;
		return -EIO;
	}
	if (x->options_due)
		put_options(e);
	ipfix_fill_flow(&f, r);
	if (append(e, TID_FLOW_INT, tid, &f, sizeof(f))) {
		e->counters.not_sent++;
		return -EIO;
	}
	x->flows++;
	return rc;
}

/* The four flow templates (IPv4, IPv6, each with and without the route),
 * with what flags adds: F_TCP (TCP records), F_NAT (translated ones). */
static int add_flow_templates(struct ipfix *x, uint32_t flags)
{
	static const uint32_t f[4] = { F_V4, F_V6, F_V4 | F_ROUTE,
				       F_V6 | F_ROUTE };
	static const uint16_t tid[4] = { TID_FLOW_V4, TID_FLOW_V6,
					 TID_FLOW_V4_RT, TID_FLOW_V6_RT };
	uint16_t plus = (uint16_t)((flags & F_TCP ? TID_TCP : 0) +
				   (flags & F_NAT ? TID_NAT : 0));
	int i, rc = 0;

	for (i = 0; i < 4 && !rc; i++)
		rc = add_template(x, ipfix_flow_spec, f[i] | flags, FALSE,
				  (uint16_t)(tid[i] + plus), 0);
	return rc;
}

static int setup(struct exporter *e, struct ipfix *x)
{
	GError *err = NULL;
	int rc;

	x->model = fbInfoModelAlloc();
	fbInfoModelAddElementArray(x->model, ipfix_ntop_elements);
	x->session = fbSessionAlloc(x->model);
	fbSessionSetDomain(x->session, x->domain);
	rc = add_template(x, ipfix_flow_spec, F_V4 | F_V6 | F_ROUTE | F_TCP | F_NAT |
			  F_INTERNAL, TRUE, TID_FLOW_INT, 0);
	if (!rc)
		rc = add_flow_templates(x, 0);
	if (!rc)
		rc = add_flow_templates(x, F_TCP);
	if (!rc)
		rc = add_flow_templates(x, F_NAT);
	if (!rc)
		rc = add_flow_templates(x, F_NAT | F_TCP);
	if (!rc)
		rc = add_template(x, sampling_spec, 0, TRUE, TID_SAMPLING, 1);
	if (!rc)
		rc = add_template(x, sampling_spec, 0, FALSE, TID_SAMPLING, 1);
	if (!rc)
		rc = add_template(x, ifname_spec, 0, TRUE, TID_IFNAME, 1);
	if (!rc)
		rc = add_template(x, ifname_spec, 0, FALSE, TID_IFNAME, 1);
	if (!rc)
		rc = add_template(x, ifdescr_spec, F_INTERNAL, TRUE,
				  TID_IFDESCR, 1);
	if (!rc)
		rc = add_template(x, ifdescr_spec, 0, FALSE, TID_IFDESCR, 1);
	if (!rc)
		rc = add_template(x, reliability_spec, F_INTERNAL, TRUE,
				  TID_RELIABILITY, 1);
	if (!rc)
		rc = add_template(x, reliability_spec, 0, FALSE, TID_RELIABILITY, 1);
	if (rc)
		return rc;
	x->exporter = fbExporterAllocBuffer(x->buf, (uint16_t)x->bufsize);
	x->fbuf = fBufAllocForExport(x->session, x->exporter);
	/* no automatic emission: every message must go through ship() */
	fBufSetAutomaticMode(x->fbuf, FALSE);
	(void)e;
	(void)err;
	return 0;
}

static void ipfix_close(struct exporter *e)
{
	struct ipfix *x = e->priv;

	if (x->fbuf)
		fBufFree(x->fbuf);	/* frees the exporter and session too */
	else if (x->session)
		fbSessionFree(x->session);
	if (x->model)
		fbInfoModelFree(x->model);
	if (x->file)
		fclose(x->file);
	else
		transport_close(&x->t);
	free(x->buf);
	free(x);
}

static int ipfix_open(struct exporter *e, const struct exporter_env *env)
{
	const struct collector_config *cc = &e->cfg;
	struct ipfix *x = calloc(1, sizeof(*x));
	int rc;

	if (!x)
		return -ENOMEM;
	x->t.fd = -1;
	x->domain = env->observation_domain;
	x->ignored = env->ignored_packets;
	x->nat = env->nat;
	x->bufsize = cc->message_size;
	x->refresh_s = cc->template_refresh_s;
	x->refresh_msgs = cc->template_refresh_messages;
	x->sampling = 1;
	x->buf = malloc(x->bufsize);
	e->priv = x;
	if (!x->buf) {
		ipfix_close(e);
		return -ENOMEM;
	}
	if (cc->transport == TRANSPORT_FILE) {
		x->file = fopen(cc->path, "ab");
		rc = x->file ? 0 : -errno;
		/* for messages: the file stands for the collector */
		snprintf(x->t.peer, sizeof(x->t.peer), "%.*s",
			 (int)sizeof(x->t.peer) - 1, cc->path);
		if (rc)
			log_err("open collector %s: %s: %s", cc->name, cc->path,
				strerror(-rc));
	} else {
		rc = transport_open(&x->t, e);
	}
	if (!rc)
		rc = setup(e, x);
	if (rc)
		ipfix_close(e);
	return rc;
}

/* Octets of a record of spec, as a template of flags exports it. */
static size_t spec_len(const fbInfoElementSpec_t *spec, uint32_t flags)
{
	size_t len = 0;

	for (; spec->name; spec++)
		if ((spec->flags & flags) == spec->flags)
			len += spec->len_override;
	return len;
}

/*
 * The least message_size that works: one message must hold the longest
 * template (templates go in messages of their own, as many as it takes),
 * and one the largest record with its set header.  Measured by letting
 * libfixbuf build the templates.
 */
static size_t ipfix_min_message_size(void)
{
	struct ipfix x = { .bufsize = 65000 };
	size_t tmpl = 65535, rec = spec_len(ipfix_flow_spec, F_V6 | F_ROUTE | F_TCP | F_NAT);

	if (spec_len(ipfix_flow_spec, F_V4 | F_ROUTE | F_TCP | F_NAT) > rec)
		rec = spec_len(ipfix_flow_spec, F_V4 | F_ROUTE | F_TCP | F_NAT);
	if (spec_len(ifname_spec, 0) > rec)
		rec = spec_len(ifname_spec, 0);
	if (spec_len(ifdescr_spec, 0) > rec)
		rec = spec_len(ifdescr_spec, 0);
	if (spec_len(reliability_spec, 0) > rec)
		rec = spec_len(reliability_spec, 0);
	rec += 16 + 4;			/* message and set headers */
	x.buf = malloc(x.bufsize);
	if (x.buf && setup(NULL, &x) == 0)
		tmpl = ipfix_templates_len(&x);
	if (x.fbuf)
		fBufFree(x.fbuf);
	else if (x.session)
		fbSessionFree(x.session);
	if (x.model)
		fbInfoModelFree(x.model);
	free(x.buf);
	return tmpl > rec ? tmpl : rec;
}

static int ipfix_fd(const struct exporter *e, uint32_t *events)
{
	const struct ipfix *x = e->priv;

	return x->file ? -1 : transport_fd(&x->t, events);
}

/* Connect, reconnect, write the queue; a new session gets its templates
 * with the next message (msg_start()). */
static void ipfix_poll(struct exporter *e)
{
	struct ipfix *x = e->priv;

	if (!x->file)
		transport_poll(&x->t);
}

static int ipfix_pace(struct exporter *e, uint32_t hurry_ms)
{
	struct ipfix *x = e->priv;

	return x->file ? -1 : transport_pace(&x->t, hurry_ms);
}

static void ipfix_set_pace(struct exporter *e)
{
	struct ipfix *x = e->priv;

	if (!x->file)
		transport_set_pace(&x->t, &e->cfg, e->env.fetch_interval_ms);
}

static bool ipfix_pending(const struct exporter *e)
{
	const struct ipfix *x = e->priv;

	return !x->file && transport_pending(&x->t);
}

const struct exporter_ops ipfix_exporter_ops = {
	.name	= "ipfix",
	.interface_options = true,
	.open	= ipfix_open,
	.add	= ipfix_add,
	.flush	= ipfix_flush,
	.fd	= ipfix_fd,
	.poll	= ipfix_poll,
	.pending = ipfix_pending,
	.close	= ipfix_close,
	.pace	= ipfix_pace,
	.set_pace = ipfix_set_pace,
	.min_message_size = ipfix_min_message_size,
};
