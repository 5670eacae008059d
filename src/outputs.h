/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * outputs.h - the collector sockets in the event loop, and the exporters
 * a reload or shutdown retired.
 *
 * Every exporter's socket (exporter_fd()) is watched by the daemon's
 * epoll set, so TCP connects, reconnects and queued writes advance
 * (exporter_poll()) without a record to send.  Nothing waits: a retired
 * exporter that still has messages on their way keeps going in the loop,
 * for OUTPUTS_DRAIN_MS at most, then closes; what it could not deliver is
 * counted as not sent.  At shutdown all of them get that time together.
 * Paced UDP collectors send from the loop too, when their pace lets
 * them (outputs_pace() gives epoll_wait its timeout).
 */
#ifndef TCFLOWD_OUTPUTS_H
#define TCFLOWD_OUTPUTS_H

#include <stdint.h>

#include "config.h"
#include "exporter.h"

#define OUTPUTS_DRAIN_MS	2000
#define OUTPUTS_MAX		(2 * CONFIG_MAX_COLLECTORS)
/* epoll_event.data.u64 of a collector socket */
#define OUTPUTS_EPOLL_TAG	(1ull << 32)

struct outputs {
	int			epfd;
	/* retired, still delivering, until drain_until (CLOCK_MONOTONIC ms) */
	struct exporter		*draining[OUTPUTS_MAX];
	uint64_t		drain_until[OUTPUTS_MAX];
	int			n_draining;
	/* what closed exporters had counted */
	struct exporter_counters retired;
	/* the sockets in the epoll set now */
	int			wfd[OUTPUTS_MAX];
	uint32_t		wev[OUTPUTS_MAX];
	int			n_watched;
};

void outputs_init(struct outputs *o, int epfd);
/* Close e, or let it deliver what it holds first; its counters stay in
 * the totals. */
void outputs_retire(struct outputs *o, struct exporter *e);
/* A collector socket was ready, or the timeout passed: make progress on
 * every exporter, close the retired ones that are done. */
void outputs_poll(struct outputs *o, struct exporter *const *exp, int n);
/* Bring the epoll set up to date with the exporters' sockets (they change
 * as connections break and come back).  Call after anything that may. */
void outputs_watch(struct outputs *o, struct exporter *const *exp, int n);
/* epoll_wait's timeout: -1, or a short one while retired ones deliver. */
int outputs_timeout_ms(const struct outputs *o);
/*
 * Paced collectors (and retired ones, faster if need be to be done by
 * their time) send what is due; returns epoll_wait's timeout: until the
 * next paced message, or outputs_timeout_ms() if that is sooner.
 */
int outputs_pace(struct outputs *o, struct exporter *const *exp, int n);
/* Stop: wait (at most ms, faster if need be) until no paced message of
 * exp waits, so nothing is left in the queues when the hooks go. */
void outputs_settle(struct exporter *const *exp, int n, uint32_t ms);
/* Every exporter's counters summed: open, retired, closed. */
struct exporter_counters outputs_totals(const struct outputs *o,
					struct exporter *const *exp, int n);
/* Shutdown: retire all of exp, give them OUTPUTS_DRAIN_MS together (in
 * a loop of their own), close them all. */
void outputs_fini(struct outputs *o, struct exporter *const *exp, int n);

#endif /* TCFLOWD_OUTPUTS_H */
