/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics.h - the daemon's counters (stats.c's table) in the Prometheus
 * text exposition format (version 0.0.4), for the endpoint and for
 * node_exporter's textfile collector.
 */
#ifndef TCFLOWD_METRICS_H
#define TCFLOWD_METRICS_H

#include <stddef.h>

struct daemon;

/* The media type of what metrics_format() writes. */
#define METRICS_CONTENT_TYPE	"text/plain; version=0.0.4; charset=utf-8"

/*
 * Every row of stats_counters that has a metric, with # HELP and # TYPE
 * lines, per collector and interface where the row says so.  Returns the
 * text (malloc'd, NUL-terminated; *len its length), or NULL and errno.
 */
char *metrics_format(const struct daemon *d, size_t *len);

/* The same into path, atomically: a temporary file in its directory,
 * then renamed over it.  0 or -errno. */
int metrics_write_textfile(const struct daemon *d, const char *path);

/*
 * The endpoint of d->cfg.metrics_listen (none if empty) in d's epoll set
 * (METRICS_EPOLL_TAG).  0 or -errno (logged).  metrics_update() after a
 * reload: a changed listen address closes the old one and opens the new
 * one (a failure is logged; the endpoint is off then).
 */
int metrics_open(struct daemon *d);
void metrics_update(struct daemon *d, const char *old_listen);
void metrics_close(struct daemon *d);
/* The periodic part: the textfile, if configured (a failure is logged). */
void metrics_tick(const struct daemon *d);

#endif /* TCFLOWD_METRICS_H */
