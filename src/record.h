/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * record.h - a flow the cache emits, made the record every exporter gets:
 * plain values (struct export_record), times in wall-clock ms, the
 * interfaces by name and alias (link table, else what we attached to,
 * else the kernel), and the route the flow takes (enrich_route, cached).
 * The enrich stage of the data flow: once per record, not per packet.
 */
#ifndef TCFLOWD_RECORD_H
#define TCFLOWD_RECORD_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "attach.h"
#include "delta.h"
#include "enrich.h"
#include "exporter.h"
#include "nat.h"

/* What a record is built from besides the flow itself. */
struct record_ctx {
	struct enrich		*enrich;	/* NULL: no link table */
	const struct attach	*at;
	bool			routes;		/* look the route up */
	struct nat_table	*nat;		/* NULL: no NAT lookups */
	uint32_t		sampling;	/* 1-in-N in force */
	uint64_t		wall_offset_ns;	/* realtime - monotonic */
	char			ifname_buf[IF_NAMESIZE];
};

/*
 * Fill *r for flow k (counters m since its last record, reason its
 * flowEndReason).  r's strings point into the link table or into c: they
 * hold until the next call or link change.
 */
void record_build(struct record_ctx *c, const struct flow_key *k,
		  const struct flow_delta *m, int reason,
		  struct export_record *r);

#endif /* TCFLOWD_RECORD_H */
