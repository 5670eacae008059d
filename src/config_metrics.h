/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * config_metrics.h - the [metrics] keys (listen, textfile), for config.c,
 * and the listen address as a socket address, for the endpoint.
 */
#ifndef TCFLOWD_CONFIG_METRICS_H
#define TCFLOWD_CONFIG_METRICS_H

#include <stddef.h>
#include <stdio.h>
#include <sys/socket.h>

#include "config.h"

/*
 * Store a [metrics] key (listen, textfile) in c.  0, or -EINVAL with why
 * saying what is wrong ("unknown key in [metrics]" for any other key).
 */
int config_metrics_key(struct config *c, const char *k, const char *v,
		       char *why, size_t len);
/*
 * "A.B.C.D:PORT" or "[V6]:PORT" (numeric, port 1..65535) as a socket
 * address.  0, or -EINVAL with why.
 */
int config_metrics_addr(const char *s, struct sockaddr_storage *ss,
			socklen_t *sslen, char *why, size_t len);
/* Write the [metrics] section. */
void config_metrics_print(FILE *f, const struct config *c);

#endif /* TCFLOWD_CONFIG_METRICS_H */
