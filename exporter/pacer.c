// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * pacer.c - a bounded queue of messages and a token bucket (pacer.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "exporter.h"
#include "pacer.h"

#define NS		1000000000ll
#define MAX_DT_NS	100000000ll	/* a refill covers 100 ms at most */

static uint64_t auto_rate(uint64_t units, uint32_t spread_ms)
{
	/* units over 0.8 of spread_ms: units * 1000 / (0.8 * spread_ms) */
	uint64_t r = units * 1250 / (spread_ms ? spread_ms : 1000);

	return r < PACER_AUTO_MIN ? PACER_AUTO_MIN :
	       r > PACER_AUTO_MAX ? PACER_AUTO_MAX : r;
}

/* A bucket's depth: PACER_BURST_MS of its rate, one unit at least. */
static int64_t depth(uint64_t rate)
{
	int64_t d = (int64_t)rate * PACER_BURST_MS * 1000000ll;

	return d < NS ? NS : d;
}

static void refill(struct pacer *p, uint64_t now_ns)
{
	int64_t dt = now_ns > p->last_ns ? (int64_t)(now_ns - p->last_ns) : 0;

	if (dt > MAX_DT_NS)
		dt = MAX_DT_NS;
	p->last_ns = now_ns > p->last_ns ? now_ns : p->last_ns;
	p->tokens += (int64_t)p->rate * dt;
	if (p->tokens > depth(p->rate))
		p->tokens = depth(p->rate);
	if (p->byte_rate) {
		p->btokens += (int64_t)p->byte_rate * dt;
		if (p->btokens > depth(p->byte_rate))
			p->btokens = depth(p->byte_rate);
	}
}

void pacer_set(struct pacer *p, uint32_t max_rate, uint64_t max_bitrate,
	       uint32_t cap, uint32_t spread_ms)
{
	p->max_rate = max_rate;
	p->byte_rate = max_bitrate / 8;
	p->cap = cap ? cap : COLLECTOR_QUEUE_RECORDS;
	p->spread_ms = spread_ms ? spread_ms : 1000;
	if (max_rate != COLLECTOR_RATE_AUTO)
		p->rate = max_rate;
	else if (p->rate < auto_rate(p->units, p->spread_ms) ||
		 p->rate > PACER_AUTO_MAX)
		p->rate = auto_rate(p->units, p->spread_ms);
}

void pacer_init(struct pacer *p, uint32_t max_rate, uint64_t max_bitrate,
		uint32_t cap, uint32_t spread_ms, uint64_t now_ns)
{
	memset(p, 0, sizeof(*p));
	pacer_set(p, max_rate, max_bitrate, cap, spread_ms);
	p->tokens = depth(p->rate);
	p->btokens = p->byte_rate ? depth(p->byte_rate) : 0;
	p->last_ns = now_ns;
}

static uint64_t cost(uint32_t records)
{
	return records ? records : 1;
}

/* Room for one more slot in the ring. */
static int grow(struct pacer *p)
{
	uint32_t cap = p->qcap ? p->qcap * 2 : 64, i;
	struct pacer_msg *q;

	if (p->n < p->qcap)
		return 0;
	q = malloc((size_t)cap * sizeof(*q));
	if (!q)
		return -ENOMEM;
	for (i = 0; i < p->n; i++)
		q[i] = p->q[(p->head + i) % p->qcap];
	free(p->q);
	p->q = q;
	p->qcap = cap;
	p->head = 0;
	return 0;
}

int pacer_push(struct pacer *p, const void *msg, size_t len,
	       uint32_t records, uint64_t now_ns)
{
	struct pacer_msg *m;
	uint8_t *buf;

	refill(p, now_ns);
	if (p->units + cost(records) > p->cap) {
		p->not_queued += records;
		return -ENOBUFS;
	}
	buf = malloc(len ? len : 1);
	if (!buf || grow(p)) {
		free(buf);
		return -ENOMEM;
	}
	memcpy(buf, msg, len);
	m = &p->q[(p->head + p->n++) % p->qcap];
	*m = (struct pacer_msg){ .buf = buf, .len = (uint32_t)len,
				 .records = records };
	p->units += cost(records);
	p->records += records;
	if (p->max_rate == COLLECTOR_RATE_AUTO &&
	    auto_rate(p->units, p->spread_ms) > p->rate)
		p->rate = auto_rate(p->units, p->spread_ms);
	return 0;
}

const struct pacer_msg *pacer_due(struct pacer *p, uint64_t now_ns)
{
	if (!p->n)
		return NULL;
	refill(p, now_ns);
	if (p->tokens <= 0 || (p->byte_rate && p->btokens <= 0))
		return NULL;
	return &p->q[p->head];
}

void pacer_pop(struct pacer *p)
{
	struct pacer_msg *m;

	if (!p->n)
		return;
	m = &p->q[p->head];
	p->tokens -= (int64_t)cost(m->records) * NS;
	if (p->byte_rate)
		p->btokens -= (int64_t)m->len * NS;
	p->units -= cost(m->records);
	p->records -= m->records;
	free(m->buf);
	p->head = (p->head + 1) % p->qcap;
	if (--p->n == 0 && p->max_rate == COLLECTOR_RATE_AUTO)
		p->rate = PACER_AUTO_MIN;	/* until the next fetch's */
}

/* ns until a bucket of rate holding tokens is above 0 again */
static int64_t until_positive(int64_t tokens, uint64_t rate)
{
	if (tokens > 0)
		return 0;
	return rate ? -tokens / (int64_t)rate + 1 : NS;
}

int64_t pacer_wait_ns(struct pacer *p, uint64_t now_ns)
{
	int64_t a, b;

	if (!p->n)
		return -1;
	refill(p, now_ns);
	a = until_positive(p->tokens, p->rate);
	b = p->byte_rate ? until_positive(p->btokens, p->byte_rate) : 0;
	return a > b ? a : b;
}

void pacer_hurry(struct pacer *p, uint32_t ms)
{
	uint64_t r = p->units * 1250 / (ms ? ms : 1);

	if (r > p->rate)
		p->rate = r;
	if (p->byte_rate && p->n) {
		uint64_t bytes = 0, i;

		for (i = 0; i < p->n; i++)
			bytes += p->q[(p->head + i) % p->qcap].len;
		if (bytes * 1250 / (ms ? ms : 1) > p->byte_rate)
			p->byte_rate = bytes * 1250 / (ms ? ms : 1);
	}
}

uint64_t pacer_fini(struct pacer *p)
{
	uint64_t records = p->records;

	while (p->n) {
		free(p->q[p->head].buf);
		p->head = (p->head + 1) % p->qcap;
		p->n--;
	}
	free(p->q);
	p->q = NULL;
	p->qcap = 0;
	p->units = p->records = 0;
	return records;
}
