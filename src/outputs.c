// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * outputs.c - collector sockets in the event loop; retired exporters
 * deliver what they hold, for a bounded time, without blocking it.
 */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>

#include "log.h"
#include "outputs.h"

#define POLL_SLICE_MS	100	/* acknowledgements raise no event */

void outputs_init(struct outputs *o, int epfd)
{
	memset(o, 0, sizeof(*o));
	o->epfd = epfd;
}

static void close_one(struct outputs *o, struct exporter *e)
{
	exporter_close_counted(e, &o->retired);
}

/* Every fd out of the epoll set: before any exporter closes, so a number
 * the kernel hands out again is never mistaken for ours. */
static void unwatch(struct outputs *o)
{
	int i;

	for (i = 0; i < o->n_watched; i++)
		epoll_ctl(o->epfd, EPOLL_CTL_DEL, o->wfd[i], NULL);
	o->n_watched = 0;
}

void outputs_retire(struct outputs *o, struct exporter *e)
{
	exporter_flush(e);
	if (exporter_pending(e) && o->n_draining < OUTPUTS_MAX) {
		o->draining[o->n_draining] = e;
		o->drain_until[o->n_draining++] = export_mono_ms() +
						   OUTPUTS_DRAIN_MS;
		return;
	}
	unwatch(o);
	close_one(o, e);
}

void outputs_poll(struct outputs *o, struct exporter *const *exp, int n)
{
	uint64_t now = export_mono_ms();
	int i, j;

	for (i = 0; i < n; i++)
		exporter_poll(exp[i]);
	for (i = j = 0; i < o->n_draining; i++) {
		struct exporter *e = o->draining[i];

		exporter_poll(e);
		if (exporter_pending(e) && now < o->drain_until[i]) {
			o->drain_until[j] = o->drain_until[i];
			o->draining[j++] = e;
			continue;
		}
		unwatch(o);
		close_one(o, e);
	}
	o->n_draining = j;
}

/* The sockets to watch now, in wfd/wev order; returns how many. */
static int wanted(const struct outputs *o, struct exporter *const *exp,
		  int n, int *fd, uint32_t *ev)
{
	int i, k = 0;

	for (i = 0; i < n + o->n_draining && k < OUTPUTS_MAX; i++) {
		struct exporter *e = i < n ? exp[i] : o->draining[i - n];

		fd[k] = exporter_fd(e, &ev[k]);
		if (fd[k] >= 0)
			k++;
	}
	return k;
}

void outputs_watch(struct outputs *o, struct exporter *const *exp, int n)
{
	int fd[OUTPUTS_MAX], k, i;
	uint32_t ev[OUTPUTS_MAX];

	k = wanted(o, exp, n, fd, ev);
	if (k == o->n_watched && !memcmp(fd, o->wfd, (size_t)k * sizeof(*fd)) &&
	    !memcmp(ev, o->wev, (size_t)k * sizeof(*ev)))
		return;
	unwatch(o);
	for (i = 0; i < k; i++) {
		struct epoll_event e = { .events = ev[i],
					 .data.u64 = OUTPUTS_EPOLL_TAG };

		if (epoll_ctl(o->epfd, EPOLL_CTL_ADD, fd[i], &e) && errno != EEXIST) {
			log_warn("watch collector socket: %s", strerror(errno));
			continue;
		}
		o->wfd[o->n_watched] = fd[i];
		o->wev[o->n_watched++] = ev[i];
	}
}

int outputs_timeout_ms(const struct outputs *o)
{
	return o->n_draining ? POLL_SLICE_MS : -1;
}

/* a ms timeout: the sooner of a and b, where -1 is never */
static int sooner(int a, int b)
{
	return a < 0 ? b : b < 0 ? a : a < b ? a : b;
}

int outputs_pace(struct outputs *o, struct exporter *const *exp, int n)
{
	uint64_t now = export_mono_ms();
	int i, t = outputs_timeout_ms(o);

	for (i = 0; i < n; i++)
		t = sooner(t, exporter_pace(exp[i], 0));
	for (i = 0; i < o->n_draining; i++) {
		uint64_t left = o->drain_until[i] > now ?
				o->drain_until[i] - now : 1;

		t = sooner(t, exporter_pace(o->draining[i], (uint32_t)left));
	}
	return t;
}

void outputs_settle(struct exporter *const *exp, int n, uint32_t ms)
{
	uint64_t until = export_mono_ms() + ms, now;
	int i, t;

	while ((now = export_mono_ms()) < until) {
		for (i = 0, t = -1; i < n; i++)
			t = sooner(t, exporter_pace(exp[i], (uint32_t)(until - now)));
		if (t < 0)
			return;
		poll(NULL, 0, t);
	}
}

struct exporter_counters outputs_totals(const struct outputs *o,
					struct exporter *const *exp, int n)
{
	struct exporter_counters t = o->retired;
	int i;

	for (i = 0; i < n; i++)
		exporter_counters_add(&t, exporter_get_counters(exp[i]));
	for (i = 0; i < o->n_draining; i++)
		exporter_counters_add(&t, exporter_get_counters(o->draining[i]));
	return t;
}

void outputs_fini(struct outputs *o, struct exporter *const *exp, int n)
{
	int fd[OUTPUTS_MAX], k, i;
	uint32_t ev[OUTPUTS_MAX];
	struct pollfd p[OUTPUTS_MAX];

	for (i = 0; i < n; i++)
		outputs_retire(o, exp[i]);
	unwatch(o);
	while (o->n_draining) {
		k = wanted(o, NULL, 0, fd, ev);
		for (i = 0; i < k; i++)
			p[i] = (struct pollfd){ .fd = fd[i],
				.events = (short)((ev[i] & EPOLLOUT ? POLLOUT : 0) |
						  (ev[i] & EPOLLIN ? POLLIN : 0)) };
		poll(p, (nfds_t)k, sooner(POLL_SLICE_MS, outputs_pace(o, NULL, 0)));
		outputs_poll(o, NULL, 0);
	}
}
