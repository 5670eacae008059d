/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_kafka.h - the [collector] keys of protocol = kafka, for config.c.
 */
#ifndef TCFLOWD_CONFIG_KAFKA_H
#define TCFLOWD_CONFIG_KAFKA_H

#include <stddef.h>
#include <stdio.h>

#include "exporter.h"

/*
 * v as its index in names[] (NULL-terminated) in *out: 0, or -EINVAL with
 * why listing the names.  config.c's enum keys use it too.
 */
int config_name_index(const char *v, const char *const *names, int *out,
		      char *why, size_t len);
/* v into out (size bytes): 0, or -EINVAL with why if it is too long.
 * config_metrics.c uses it too. */
int config_set_string(const char *v, char *out, size_t size, char *why,
		      size_t len);
/*
 * Store a key of a Kafka collector (brokers, topic, format, key,
 * kafka_config, exporter_id) in cc.  0, or -EINVAL with why saying what is
 * wrong ("unknown key in [collector NAME]" for any other key).
 */
int config_kafka_key(struct collector_config *cc, const char *k,
		     const char *v, char *why, size_t len);
/*
 * A complete Kafka collector: no transport (transport names the one set,
 * NULL: none), brokers and topic given.  0, or -EINVAL with why.
 */
int config_kafka_check(const struct collector_config *cc,
		       const char *transport, char *why, size_t len);
/* Write a Kafka collector's own keys (nothing for other protocols). */
void config_kafka_print(FILE *f, const struct collector_config *cc);

#endif /* TCFLOWD_CONFIG_KAFKA_H */
