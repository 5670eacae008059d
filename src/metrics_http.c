// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metrics_http.c - GET /metrics with libmicrohttpd in its external epoll
 * mode: its epoll fd sits in the daemon's epoll set, MHD_run() does the
 * work when that is readable, MHD_get_timeout() bounds the loop's wait
 * (idle connections time out).  Anything but GET or HEAD of /metrics is
 * answered 405 or 404.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "config_metrics.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"

struct metrics_http {
	struct MHD_Daemon	*mhd;
	const struct daemon	*d;
	uint64_t		scrapes;
};

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[256];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("metrics endpoint: %s", msg);
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status,
			     char *body, size_t len, enum MHD_ResponseMemoryMode m)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, m);
	enum MHD_Result ret;

	if (!r) {
		if (m == MHD_RESPMEM_MUST_FREE)
			free(body);
		return MHD_NO;
	}
	if (status == MHD_HTTP_OK)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
					METRICS_CONTENT_TYPE);
	else if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **con_cls)
{
	static char not_found[] = "only /metrics is here\n";
	static char not_allowed[] = "only GET and HEAD\n";
	struct metrics_http *h = cls;
	size_t len;
	char *text;

	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply(c, MHD_HTTP_METHOD_NOT_ALLOWED, not_allowed,
			     sizeof(not_allowed) - 1, MHD_RESPMEM_PERSISTENT);
	if (strcmp(url, "/metrics"))
		return reply(c, MHD_HTTP_NOT_FOUND, not_found,
			     sizeof(not_found) - 1, MHD_RESPMEM_PERSISTENT);
	text = metrics_format(h->d, &len);
	if (!text)
		return MHD_NO;
	h->scrapes++;
	return reply(c, MHD_HTTP_OK, text, len, MHD_RESPMEM_MUST_FREE);
}

struct metrics_http *metrics_http_open(const char *listen,
				       const struct daemon *d)
{
	struct sockaddr_storage ss;
	struct metrics_http *h;
	unsigned int flags = MHD_USE_EPOLL | MHD_USE_ERROR_LOG;
	char why[192];
	socklen_t sl;

	if (config_metrics_addr(listen, &ss, &sl, why, sizeof(why))) {
		log_err("open metrics endpoint: %s", why);
		errno = EINVAL;
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->d = d;
	if (ss.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	h->mhd = MHD_start_daemon(flags, 0, NULL, NULL, on_request, h,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned int)METRICS_HTTP_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)METRICS_HTTP_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)METRICS_HTTP_MEMORY,
		MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)METRICS_HTTP_CONNECTIONS,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		MHD_OPTION_END);
	if (!h->mhd) {
		int err = errno ? errno : EADDRNOTAVAIL;

		log_err("open metrics endpoint %s: %s", listen, strerror(err));
		free(h);
		errno = err;
		return NULL;
	}
	log_info("metrics: serving http://%s/metrics", listen);
	return h;
}

int metrics_http_fd(const struct metrics_http *h)
{
	const union MHD_DaemonInfo *i =
		MHD_get_daemon_info(h->mhd, MHD_DAEMON_INFO_EPOLL_FD);

	return i ? i->epoll_fd : -1;
}

void metrics_http_run(struct metrics_http *h)
{
	MHD_run(h->mhd);
}

int metrics_http_timeout_ms(const struct metrics_http *h)
{
	MHD_UNSIGNED_LONG_LONG ms;

	if (MHD_get_timeout(h->mhd, &ms) != MHD_YES)
		return -1;
	return ms > 60000 ? 60000 : (int)ms;
}

uint64_t metrics_http_scrapes(const struct metrics_http *h)
{
	return h->scrapes;
}

void metrics_http_close(struct metrics_http *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->mhd);
	free(h);
}
