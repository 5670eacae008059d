// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <bpf/libbpf.h>

#include "log.h"

static int log_level = LOG_LVL_INFO;
static bool log_syslog;
static bool libbpf_muted;

static const char *const level_names[] = { "err", "warn", "info", "debug" };
static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

void log_init(int level, bool use_syslog)
{
	log_level = level;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog("tcflowd", LOG_PID, LOG_DAEMON);
}

void log_set_level(int level)
{
	log_level = level;
}

int log_level_parse(const char *name)
{
	int i;

	for (i = 0; i <= LOG_LVL_DEBUG; i++)
		if (!strcmp(name, level_names[i]))
			return i;
	return -1;
}

static void log_v(int level, const char *fmt, va_list ap)
{
	if (level > log_level)
		return;
	if (log_syslog) {
		vsyslog(syslog_prio[level], fmt, ap);
		return;
	}
	fprintf(stderr, "tcflowd: %s: ", level_names[level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

#define LOG_FN(name, level)				\
	void name(const char *fmt, ...)			\
	{						\
		va_list ap;				\
		va_start(ap, fmt);			\
		log_v(level, fmt, ap);			\
		va_end(ap);				\
	}
LOG_FN(log_err, LOG_LVL_ERR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	/* libbpf warnings are our info, its info our debug; its debug
	 * (verifier chatter) is dropped */
	int ours = level == LIBBPF_WARN ? LOG_LVL_INFO :
		   level == LIBBPF_INFO ? LOG_LVL_DEBUG : LOG_LVL_DEBUG + 1;
	char buf[512];
	size_t n;

	if (ours > log_level || libbpf_muted)
		return 0;
	vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	/* libbpf starts its lines with "libbpf: " already */
	if (ours == LOG_LVL_INFO)
		log_info("%s", buf);
	else
		log_debug("%s", buf);
	return 0;
}

void log_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}

void log_libbpf_mute(bool mute)
{
	libbpf_muted = mute;
}
