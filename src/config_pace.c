// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config_pace.c - max_rate, max_bitrate and queue_records of a
 * [collector] section.  They pace UDP collectors (ipfix, netflow9,
 * netflow5); TCP, file and Kafka collectors take them and ignore them
 * (their own flow control paces them).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config_pace.h"

#define BITRATE_MIN	8000ull			/* 1 kB/s */
#define BITRATE_MAX	100000000000ull		/* 100 Gbit/s */
#define QUEUE_MIN	16u
#define QUEUE_MAX	(1u << 26)

void config_pace_defaults(struct collector_config *cc)
{
	cc->max_rate = COLLECTOR_RATE_AUTO;
	cc->max_bitrate = 0;
	cc->queue_records = COLLECTOR_QUEUE_RECORDS;
}

/* A decimal number with an optional k, M or G (1000s); 0 or -EINVAL. */
static int parse_scaled(const char *v, uint64_t *out, char *why, size_t len)
{
	unsigned long long n;
	uint64_t mul = 1;
	char *end;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (*end == 'k' || *end == 'K')
		mul = 1000, end++;
	else if (*end == 'M')
		mul = 1000000, end++;
	else if (*end == 'G')
		mul = 1000000000, end++;
	if (!*v || v[0] == '-' || *end || errno || n > UINT64_MAX / mul) {
		snprintf(why, len, "'%s' is not a number (with k, M or G)", v);
		return -EINVAL;
	}
	*out = (uint64_t)n * mul;
	return 0;
}

static int range(uint64_t n, uint64_t min, uint64_t max, char *why, size_t len)
{
	if (n >= min && n <= max)
		return 0;
	snprintf(why, len, "%llu is out of range (%llu..%llu)",
		 (unsigned long long)n, (unsigned long long)min,
		 (unsigned long long)max);
	return -EINVAL;
}

int config_pace_key(struct collector_config *cc, const char *k,
		    const char *v, char *why, size_t len)
{
	uint64_t n;

	if (!strcmp(k, "max_rate")) {
		if (!strcmp(v, "auto"))
			return cc->max_rate = COLLECTOR_RATE_AUTO, 0;
		if (!strcmp(v, "off"))
			return cc->max_rate = 0, 0;
		if (parse_scaled(v, &n, why, len))
			return -EINVAL;
		if (n && range(n, 1, COLLECTOR_RATE_MAX, why, len))
			return -EINVAL;
		cc->max_rate = (uint32_t)n;
		return 0;
	}
	if (!strcmp(k, "max_bitrate")) {
		if (parse_scaled(v, &n, why, len) ||
		    (n && range(n, BITRATE_MIN, BITRATE_MAX, why, len)))
			return -EINVAL;
		cc->max_bitrate = n;
		return 0;
	}
	if (!strcmp(k, "queue_records")) {
		if (parse_scaled(v, &n, why, len) ||
		    range(n, QUEUE_MIN, QUEUE_MAX, why, len))
			return -EINVAL;
		cc->queue_records = (uint32_t)n;
		return 0;
	}
	return 1;
}

void config_pace_print(FILE *f, const struct collector_config *cc)
{
	if (cc->protocol == PROTO_JSON || cc->protocol == PROTO_KAFKA ||
	    cc->transport != TRANSPORT_UDP)
		return;
	if (cc->max_rate == COLLECTOR_RATE_AUTO)
		fprintf(f, "max_rate = auto\n");
	else if (!cc->max_rate)
		fprintf(f, "max_rate = off\n");
	else
		fprintf(f, "max_rate = %u\n", cc->max_rate);
	fprintf(f, "max_bitrate = %llu\n", (unsigned long long)cc->max_bitrate);
	fprintf(f, "queue_records = %u\n", cc->queue_records);
}
