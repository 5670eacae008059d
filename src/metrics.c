// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * metrics.c - the Prometheus text of stats.c's table: one series per row,
 * or per collector (labels collector, protocol) or attached interface
 * (interface, ifindex, hook), plus the row's own labels.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "autoconfig.h"
#include "daemon.h"
#include "log.h"
#include "metrics.h"
#include "metrics_http.h"
#include "stats.h"

/* v as a label value: backslash, double quote and newline escaped. */
static void put_value(FILE *f, const char *v)
{
	for (; *v; v++) {
		if (*v == '\\' || *v == '"')
			fprintf(f, "\\%c", *v);
		else if (*v == '\n')
			fputs("\\n", f);
		else
			fputc(*v, f);
	}
}

static const char *hook_name(int hook)
{
	return hook == HOOK_TCX ? "tcx" : hook == HOOK_TC ? "tc" :
	       hook == HOOK_SOCKET ? "socket" : "unknown";
}

/* "{collector=...,protocol=...,own}" or "{own}" or nothing. */
static void put_labels(FILE *f, const struct daemon *d,
		       const struct stats_counter *c, int i, const char *extra)
{
	const char *own = c->labels;
	int any = 0;

	if (c->per == STATS_COLLECTOR) {
		const struct collector_config *cc = exporter_get_config(d->exp[i]);

		fputs("{collector=\"", f);
		put_value(f, cc->name);
		fprintf(f, "\",protocol=\"%s\"", config_protocol_name(cc->protocol));
		any = 1;
	} else if (c->per == STATS_INTERFACE) {
		const struct attachment *a = &d->at.v[i];

		fputs("{interface=\"", f);
		put_value(f, a->ifname);
		fprintf(f, "\",ifindex=\"%d\",hook=\"%s\"", a->ifindex,
			hook_name(a->hook));
		any = 1;
	}
	if (own)
		fprintf(f, "%s%s", any ? "," : "{", own);
	if (extra)
		fprintf(f, "%s%s", any || own ? "," : "{", extra);
	if (any || own || extra)
		fputc('}', f);
}

static void put_histogram(FILE *f, const struct daemon *d,
			  const struct stats_counter *c)
{
	const struct stats_hist *h = &d->fetch_hist;
	uint64_t cum = 0;
	char le[32];
	int b;

	for (b = 0; b < STATS_FETCH_BUCKETS; b++) {
		cum += h->count[b];
		snprintf(le, sizeof(le), "le=\"%g\"", stats_fetch_bounds[b]);
		fprintf(f, "%s_bucket", c->metric);
		put_labels(f, d, c, 0, le);
		fprintf(f, " %llu\n", (unsigned long long)cum);
	}
	fprintf(f, "%s_bucket", c->metric);
	put_labels(f, d, c, 0, "le=\"+Inf\"");
	fprintf(f, " %llu\n%s_sum", (unsigned long long)h->n, c->metric);
	put_labels(f, d, c, 0, NULL);
	fprintf(f, " %llu.%09llu\n%s_count", (unsigned long long)(h->sum_ns / 1000000000u),
		(unsigned long long)(h->sum_ns % 1000000000u), c->metric);
	put_labels(f, d, c, 0, NULL);
	fprintf(f, " %llu\n", (unsigned long long)h->n);
}

static void put_row(FILE *f, const struct daemon *d,
		    const struct stats_counter *c)
{
	static const char *const types[] = { "counter", "gauge", "histogram" };
	int i, n = c->per == STATS_COLLECTOR ? d->n_exp :
		   c->per == STATS_INTERFACE ? (d->at_open ? attach_count(&d->at) : 0) : 1;

	if (c->help)
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", c->metric, c->help,
			c->metric, types[c->type]);
	if (c->type == STATS_HISTOGRAM) {
		put_histogram(f, d, c);
		return;
	}
	for (i = 0; i < n; i++) {
		unsigned long long v = c->get(d, c->arg, i);

		fputs(c->metric, f);
		put_labels(f, d, c, i, NULL);
		if (c->micro)
			fprintf(f, " %llu.%06llu\n", v / 1000000, v % 1000000);
		else
			fprintf(f, " %llu\n", v);
	}
}

char *metrics_format(const struct daemon *d, size_t *len)
{
	char *buf = NULL;
	size_t i;
	FILE *f = open_memstream(&buf, len);

	if (!f)
		return NULL;
	fprintf(f, "# HELP tcflowd_build_info The running tcflowd\n"
		"# TYPE tcflowd_build_info gauge\n"
		"tcflowd_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
	for (i = 0; i < stats_n; i++)
		if (stats_counters[i].metric)
			put_row(f, d, &stats_counters[i]);
	if (fclose(f) || !buf) {
		free(buf);
		errno = ENOMEM;
		return NULL;
	}
	return buf;
}

int metrics_write_textfile(const struct daemon *d, const char *path)
{
	char tmp[PATH_MAX + 32];
	size_t len, off = 0;
	char *text;
	int fd, err = 0;

	if (snprintf(tmp, sizeof(tmp), "%s.%d.tmp", path, (int)getpid()) >=
	    (int)sizeof(tmp))
		return -ENAMETOOLONG;
	text = metrics_format(d, &len);
	if (!text)
		return -errno;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		free(text);
		return -errno;
	}
	while (off < len && !err) {
		ssize_t w = write(fd, text + off, len - off);

		if (w < 0 && errno != EINTR)
			err = -errno;
		else if (w > 0)
			off += (size_t)w;
	}
	free(text);
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(tmp, path))
		err = -errno;
	if (err)
		unlink(tmp);
	return err;
}

int metrics_open(struct daemon *d)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = METRICS_EPOLL_TAG };
	int err;

	if (!*d->cfg.metrics_listen)
		return 0;
	d->http = metrics_http_open(d->cfg.metrics_listen, d);
	if (!d->http)
		return -errno;
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, metrics_http_fd(d->http), &ev)) {
		err = -errno;
		log_err("watch metrics endpoint: %s", strerror(-err));
		metrics_close(d);
		return err;
	}
	return 0;
}

void metrics_update(struct daemon *d, const char *old_listen)
{
	if (!strcmp(old_listen, d->cfg.metrics_listen) && (d->http || !*old_listen))
		return;
	metrics_close(d);
	if (metrics_open(d))
		log_err("reload: the metrics endpoint is off");
}

void metrics_close(struct daemon *d)
{
	if (!d->http)
		return;
	if (d->epfd >= 0)
		epoll_ctl(d->epfd, EPOLL_CTL_DEL, metrics_http_fd(d->http), NULL);
	metrics_http_close(d->http);
	d->http = NULL;
}

void metrics_tick(const struct daemon *d)
{
	int err;

	if (!*d->cfg.metrics_textfile)
		return;
	err = metrics_write_textfile(d, d->cfg.metrics_textfile);
	if (err)
		log_warn("write metrics textfile %s: %s", d->cfg.metrics_textfile,
			 strerror(-err));
}
