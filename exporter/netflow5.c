// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * netflow5.c - NetFlow v5 over UDP, hand-written (no library exports it).
 *
 * A 24-byte header and up to 30 records of 48 bytes.  IPv4 only: IPv6
 * flows are counted as unexportable for this collector.  Counters are 32
 * bits: a flow past 2^32 - 1 packets or bytes goes out as several records
 * whose sums are exact, never a wrapped number.  Interface indexes are 16
 * bits: larger ones are sent as 0 and counted.  Times are "system uptime"
 * ms (CLOCK_MONOTONIC), modulo 2^32 as the format has it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exporter.h"
#include "log.h"
#include "transport.h"
#include "wire.h"

#define NF5_MAX_RECORDS	30
#define NF5_HDR_LEN	24
#define NF5_REC_LEN	48

struct nf5 {
	struct transport	t;
	uint8_t			msg[NF5_HDR_LEN + NF5_MAX_RECORDS * NF5_REC_LEN];
	uint32_t		n;		/* records in msg */
	uint32_t		flow_sequence;	/* records sent before this msg */
	uint16_t		sampling;	/* header field of this msg */
	uint8_t			engine_id;
	uint64_t		boot_ms;	/* wall clock of uptime 0 */
	uint64_t		ifindex_too_large;
};

static int nf5_open(struct exporter *e, const struct exporter_env *env)
{
	struct nf5 *x = calloc(1, sizeof(*x));
	int err;

	if (!x)
		return -ENOMEM;
	err = transport_open(&x->t, e);
	if (err) {
		free(x);
		return err;
	}
	x->engine_id = (uint8_t)env->observation_domain;
	e->priv = x;
	return 0;
}

static int nf5_flush(struct exporter *e)
{
	struct nf5 *x = e->priv;
	uint64_t real_ms, up_ms;
	int err;

	if (x->n == 0)
		return 0;
	export_clock_ms(&real_ms, &up_ms);
	put16(x->msg, 5);
	put16(x->msg + 2, (uint16_t)x->n);
	put32(x->msg + 4, (uint32_t)up_ms);
	put32(x->msg + 8, (uint32_t)(real_ms / 1000));
	put32(x->msg + 12, (uint32_t)(real_ms % 1000) * 1000000u);
	put32(x->msg + 16, x->flow_sequence);
	x->msg[20] = 0;			/* engine type */
	x->msg[21] = x->engine_id;
	put16(x->msg + 22, x->sampling);
	err = transport_send(&x->t, x->msg, NF5_HDR_LEN + x->n * NF5_REC_LEN, x->n);
	/* the sequence counts flows exported, sent or not: a collector
	 * sees the gap of a lost message */
	x->flow_sequence += x->n;
	x->n = 0;
	return err;
}

/* 2 bits of mode (01: packet interval, random), 14 of interval */
static uint16_t sampling_field(uint32_t interval)
{
	if (interval <= 1)
		return 0;
	return (uint16_t)(0x4000 | (interval > 0x3fff ? 0x3fff : interval));
}

static uint16_t if16(struct nf5 *x, uint32_t ifindex)
{
	if (ifindex > 0xffff) {
		x->ifindex_too_large++;
		return 0;
	}
	return (uint16_t)ifindex;
}

static void put_record(struct nf5 *x, const struct export_record *r,
		       uint32_t packets, uint32_t bytes)
{
	uint8_t *p = x->msg + NF5_HDR_LEN + x->n * NF5_REC_LEN;

	memset(p, 0, NF5_REC_LEN);
	memcpy(p, r->key.src + 12, 4);
	memcpy(p + 4, r->key.dst + 12, 4);
	if (r->has_next_hop)
		memcpy(p + 8, r->next_hop + 12, 4);
	put16(p + 12, if16(x, r->ingress_ifindex));
	put16(p + 14, if16(x, r->egress_ifindex));
	put32(p + 16, packets);
	put32(p + 20, bytes);
	put32(p + 24, (uint32_t)(r->start_ms - x->boot_ms));
	put32(p + 28, (uint32_t)(r->end_ms - x->boot_ms));
	memcpy(p + 32, &r->key.sport, 2);	/* network order already */
	memcpy(p + 34, &r->key.dport, 2);
	p[37] = (uint8_t)r->tcp_flags;
	p[38] = r->key.proto;
	p[39] = r->tos;
	p[44] = r->src_prefix_len;	/* src_mask */
	p[45] = r->dst_prefix_len;	/* dst_mask */
	x->n++;
}

static int nf5_add(struct exporter *e, const struct export_record *r)
{
	const uint64_t max = UINT32_MAX;
	struct nf5 *x = e->priv;
	uint64_t parts, pk, by, i;
	uint16_t sampling = sampling_field(r->sampling_interval);
	int err = 0;

	if (!export_is_ipv4(&r->key)) {
		e->counters.unexportable++;
		return -EAFNOSUPPORT;
	}
	/* a message carries one sampling interval */
	if (x->n && sampling != x->sampling)
		err = nf5_flush(e);
	x->sampling = sampling;
	if (x->n == 0) {
		uint64_t real_ms, up_ms;

		export_clock_ms(&real_ms, &up_ms);
		x->boot_ms = real_ms - up_ms;
	}
	/* split so that no record's 32-bit counters overflow */
	parts = (r->packets + max - 1) / max;
	if ((r->bytes + max - 1) / max > parts)
		parts = (r->bytes + max - 1) / max;
	if (parts == 0)
		parts = 1;
	for (i = 0; i < parts; i++) {
		pk = r->packets / parts + (i < r->packets % parts);
		by = r->bytes / parts + (i < r->bytes % parts);
		put_record(x, r, (uint32_t)pk, (uint32_t)by);
		if (x->n == NF5_MAX_RECORDS) {
			int e2 = nf5_flush(e);

			err = err ? err : e2;
		}
	}
	return err;
}

/* The socket: EPOLLERR when a collector refused a message. */
static int nf5_fd(const struct exporter *e, uint32_t *events)
{
	const struct nf5 *x = e->priv;

	return transport_fd(&x->t, events);
}

/* Count what the collector refused; notice when it takes them again. */
static void nf5_poll(struct exporter *e)
{
	struct nf5 *x = e->priv;

	transport_poll(&x->t);
}

static void nf5_close(struct exporter *e)
{
	struct nf5 *x = e->priv;

	if (x->ifindex_too_large)
		log_warn("collector %s: %llu interface indexes above 65535 sent "
			 "as 0 (NetFlow v5 has 16 bits)", e->cfg.name,
			 (unsigned long long)x->ifindex_too_large);
	transport_close(&x->t);
	free(x);
}

static int nf5_pace(struct exporter *e, uint32_t hurry_ms)
{
	struct nf5 *x = e->priv;

	return transport_pace(&x->t, hurry_ms);
}

static void nf5_set_pace(struct exporter *e)
{
	struct nf5 *x = e->priv;

	transport_set_pace(&x->t, &e->cfg, e->env.fetch_interval_ms);
}

static bool nf5_pending(const struct exporter *e)
{
	const struct nf5 *x = e->priv;

	return transport_pending(&x->t);
}

const struct exporter_ops netflow5_exporter_ops = {
	.name	= "netflow5",
	.open	= nf5_open,
	.add	= nf5_add,
	.flush	= nf5_flush,
	.fd	= nf5_fd,
	.poll	= nf5_poll,
	.close	= nf5_close,
	.pace	= nf5_pace,
	.set_pace = nf5_set_pace,
	.pending = nf5_pending,
};
