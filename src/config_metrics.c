// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config_metrics.c - the [metrics] section: where the Prometheus endpoint
 * listens (empty: nowhere, the default) and the textfile written for
 * node_exporter.  config.c hands the section's keys here and reports what
 * comes back with the file and line.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "config_kafka.h"
#include "config_metrics.h"

static int port_of(const char *p, uint16_t *port, char *why, size_t len)
{
	unsigned long n;
	char *end;

	errno = 0;
	n = strtoul(p, &end, 10);
	if (!*p || *end || errno || *p == '-' || n < 1 || n > 65535) {
		snprintf(why, len, "'%s' is not a port (1..65535)", p);
		return -EINVAL;
	}
	*port = (uint16_t)n;
	return 0;
}

int config_metrics_addr(const char *s, struct sockaddr_storage *ss,
			socklen_t *sslen, char *why, size_t len)
{
	struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in *a4 = (struct sockaddr_in *)ss;
	const char *colon = strrchr(s, ':');
	char host[INET6_ADDRSTRLEN + 2];
	size_t hl = colon ? (size_t)(colon - s) : 0;
	uint16_t port;

	memset(ss, 0, sizeof(*ss));
	if (!colon || hl == 0 || hl >= sizeof(host)) {
		snprintf(why, len, "'%s' is not ADDRESS:PORT or [IPV6]:PORT", s);
		return -EINVAL;
	}
	if (port_of(colon + 1, &port, why, len))
		return -EINVAL;
	memcpy(host, s, hl);
	host[hl] = '\0';
	if (host[0] == '[' && host[hl - 1] == ']') {
		host[hl - 1] = '\0';
		if (inet_pton(AF_INET6, host + 1, &a6->sin6_addr) == 1) {
			a6->sin6_family = AF_INET6;
			a6->sin6_port = htons(port);
			*sslen = sizeof(*a6);
			return 0;
		}
	} else if (inet_pton(AF_INET, host, &a4->sin_addr) == 1) {
		a4->sin_family = AF_INET;
		a4->sin_port = htons(port);
		*sslen = sizeof(*a4);
		return 0;
	}
	snprintf(why, len, "'%s' is not an IPv4 address or [IPv6] address", host);
	return -EINVAL;
}

int config_metrics_key(struct config *c, const char *k, const char *v,
		       char *why, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl;

	if (!strcmp(k, "listen")) {
		if (*v && config_metrics_addr(v, &ss, &sl, why, len))
			return -EINVAL;
		return config_set_string(v, c->metrics_listen,
					 sizeof(c->metrics_listen), why, len);
	}
	if (!strcmp(k, "textfile"))
		return config_set_string(v, c->metrics_textfile,
					 sizeof(c->metrics_textfile), why, len);
	snprintf(why, len, "unknown key in [metrics]");
	return -EINVAL;
}

void config_metrics_print(FILE *f, const struct config *c)
{
	fprintf(f, "\n[metrics]\nlisten =%s%s\n", *c->metrics_listen ? " " : "",
		c->metrics_listen);
	fprintf(f, "textfile =%s%s\n", *c->metrics_textfile ? " " : "",
		c->metrics_textfile);
}
