/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * metrics_http.h - the Prometheus endpoint ([metrics] listen): GET
 * /metrics, served by libmicrohttpd from the daemon's own epoll loop (no
 * thread; nothing blocks).  Bounded: METRICS_HTTP_CONNECTIONS at once,
 * each closed after METRICS_HTTP_TIMEOUT_S idle, with at most
 * METRICS_HTTP_MEMORY bytes of buffers; more connections are accepted and
 * closed at once.
 */
#ifndef TCFLOWD_METRICS_HTTP_H
#define TCFLOWD_METRICS_HTTP_H

#include <stdint.h>

#define METRICS_HTTP_CONNECTIONS	32
#define METRICS_HTTP_TIMEOUT_S		5
#define METRICS_HTTP_MEMORY		(16u << 10)
/* epoll_event.data.u64 of the endpoint's fd */
#define METRICS_EPOLL_TAG		(2ull << 32)

struct daemon;
struct metrics_http;

/* Listen on listen ("A.B.C.D:PORT" or "[V6]:PORT"), serving d's counters.
 * NULL and errno (logged). */
struct metrics_http *metrics_http_open(const char *listen,
				       const struct daemon *d);
/* The fd to watch for EPOLLIN (libmicrohttpd's own epoll set). */
int metrics_http_fd(const struct metrics_http *h);
/* It was readable, or its timeout passed: accept, read, answer, close. */
void metrics_http_run(struct metrics_http *h);
/* When to run it at the latest, in ms; -1: only when its fd is readable. */
int metrics_http_timeout_ms(const struct metrics_http *h);
/* The scrapes answered so far. */
uint64_t metrics_http_scrapes(const struct metrics_http *h);
void metrics_http_close(struct metrics_http *h);

#endif /* TCFLOWD_METRICS_HTTP_H */
