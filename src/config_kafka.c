// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config_kafka.c - the [collector] keys of protocol = kafka: where the
 * brokers are, the topic, the message format and key.  config.c hands
 * every key it does not know here, and reports what comes back with the
 * file and line.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "config_kafka.h"

static const char *const kafka_formats[] = { "json", "protobuf", NULL };
static const char *const kafka_keys[] = { "exporter", "flow", "none", NULL };

int config_name_index(const char *v, const char *const *names, int *out,
		      char *why, size_t len)
{
	char list[128] = "";
	int i;

	for (i = 0; names[i]; i++) {
		if (!strcmp(v, names[i]))
			return *out = i, 0;
		snprintf(list + strlen(list), sizeof(list) - strlen(list),
			 "%s%s", i ? ", " : "", names[i]);
	}
	snprintf(why, len, "'%s' is not one of: %s", v, list);
	return -EINVAL;
}

int config_set_string(const char *v, char *out, size_t size, char *why,
		      size_t len)
{
	if (strlen(v) >= size) {
		snprintf(why, len, "longer than %zu characters", size - 1);
		return -EINVAL;
	}
	strcpy(out, v);
	return 0;
}

int config_kafka_key(struct collector_config *cc, const char *k,
		     const char *v, char *why, size_t len)
{
	if (!strcmp(k, "brokers"))
		return config_set_string(v, cc->brokers, sizeof(cc->brokers),
					 why, len);
	if (!strcmp(k, "topic"))
		return config_set_string(v, cc->topic, sizeof(cc->topic), why,
					 len);
	if (!strcmp(k, "format"))
		return config_name_index(v, kafka_formats, &cc->format, why,
					 len);
	if (!strcmp(k, "key"))
		return config_name_index(v, kafka_keys, &cc->key, why, len);
	if (!strcmp(k, "kafka_config"))
		return config_set_string(v, cc->kafka_config,
					 sizeof(cc->kafka_config), why, len);
	if (!strcmp(k, "exporter_id"))
		return config_set_string(v, cc->exporter_id,
					 sizeof(cc->exporter_id), why, len);
	snprintf(why, len, "unknown key in [collector %s]", cc->name);
	return -EINVAL;
}

int config_kafka_check(const struct collector_config *cc,
		       const char *transport, char *why, size_t len)
{
	if (transport)
		snprintf(why, len, "kafka has its own transport (brokers), "
			 "not %s", transport);
	else if (!*cc->brokers)
		snprintf(why, len, "brokers is required");
	else if (!*cc->topic)
		snprintf(why, len, "topic is required");
	else
		return 0;
	return -EINVAL;
}

void config_kafka_print(FILE *f, const struct collector_config *cc)
{
	if (cc->protocol != PROTO_KAFKA)
		return;
	fprintf(f, "brokers = %s\ntopic = %s\n", cc->brokers, cc->topic);
	fprintf(f, "format = %s\nkey = %s\n", kafka_formats[cc->format],
		kafka_keys[cc->key]);
	fprintf(f, "kafka_config =%s%s\n", *cc->kafka_config ? " " : "",
		cc->kafka_config);
	fprintf(f, "exporter_id =%s%s\n", *cc->exporter_id ? " " : "",
		cc->exporter_id);
}
