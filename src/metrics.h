/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.h - merging struct flow_metrics values: the per-CPU values of
 * one map entry, a ring-buffer record into a flow, a fetch into the cache.
 */
#ifndef TCFLOWD_METRICS_H
#define TCFLOWD_METRICS_H

#include "flow.h"

/*
 * Merge v into acc: sums, OR of flags, earliest first_seen, latest
 * last_seen, min/max TTL, and the MACs, ToS and peer interface of the
 * earliest packet.  An empty v (packets == 0) changes nothing.
 */
void flow_metrics_merge(struct flow_metrics *acc, const struct flow_metrics *v);

#endif /* TCFLOWD_METRICS_H */
