/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * wire.h - what the encoders share inside the exporter library (not its
 * API): big-endian byte writers, and when templates are due again.
 */
#ifndef TCFLOWD_WIRE_H
#define TCFLOWD_WIRE_H

#include <stdint.h>

#include "exporter.h"

/* v in len bytes, network order, at p. */
static inline void put_be(uint8_t *p, uint64_t v, unsigned int len)
{
	while (len--) {
		p[len] = (uint8_t)v;
		v >>= 8;
	}
}

static inline void put16(uint8_t *p, uint16_t v)
{
	put_be(p, v, 2);
}

static inline void put32(uint8_t *p, uint32_t v)
{
	put_be(p, v, 4);
}

/*
 * Templates are due: at the first message (templates_at 0); otherwise
 * only when a message with flows went since the last ones (since > 0),
 * and then after refresh_msgs of them, refresh_s seconds, or a refusal
 * (wanted).  Both template encoders refresh by this rule.
 */
static inline int export_templates_due(uint64_t templates_at, uint32_t since,
				       int wanted, uint32_t refresh_msgs,
				       uint32_t refresh_s)
{
	if (!templates_at)
		return 1;
	if (!since)
		return 0;
	return wanted || since >= refresh_msgs ||
	       export_mono_ms() / 1000 >= templates_at + refresh_s;
}

#endif /* TCFLOWD_WIRE_H */
