/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_pace.h - the [collector] keys that pace a UDP collector
 * (max_rate, max_bitrate, queue_records), for config.c.
 */
#ifndef TCFLOWD_CONFIG_PACE_H
#define TCFLOWD_CONFIG_PACE_H

#include <stddef.h>
#include <stdio.h>

#include "exporter.h"

/* The defaults of a [collector] section: max_rate auto, no bit rate,
 * COLLECTOR_QUEUE_RECORDS records queued at most. */
void config_pace_defaults(struct collector_config *cc);
/*
 * Store a pacing key in cc: 0; -EINVAL with why saying what is wrong;
 * 1 when k is not a pacing key.
 */
int config_pace_key(struct collector_config *cc, const char *k,
		    const char *v, char *why, size_t len);
/* Write the pacing keys of a collector that has them (UDP). */
void config_pace_print(FILE *f, const struct collector_config *cc);

#endif /* TCFLOWD_CONFIG_PACE_H */
