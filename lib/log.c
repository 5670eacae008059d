// SPDX-License-Identifier: GPL-2.0-or-later
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include <sys/stat.h>

#include "log.h"

static int log_level = LOG_LVL_INFO;
static bool log_syslog;
static bool log_journal;		/* stderr is the journal: "<N>" prefixes */
static int log_parent_fd = -1;		/* the readiness pipe, while starting */

static const char *const level_names[] = { "err", "warn", "info", "debug" };
static const int syslog_prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

/* systemd sets JOURNAL_STREAM=dev:ino of the stream it connected to
 * stdout/stderr; it is ours only if stderr is still that stream. */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	if (!js || sscanf(js, "%llu:%llu", &dev, &ino) != 2)
		return false;
	if (fstat(STDERR_FILENO, &st))
		return false;
	return (unsigned long long)st.st_dev == dev &&
	       (unsigned long long)st.st_ino == ino;
}

void log_init(int level, bool use_syslog)
{
	log_level = level;
	log_syslog = use_syslog;
	log_journal = !use_syslog && stderr_is_journal();
	if (use_syslog)
		openlog("tcflowd", LOG_PID, LOG_DAEMON);
}

void log_set_level(int level)
{
	log_level = level;
}

void log_to_parent(int fd)
{
	log_parent_fd = fd;
}

int log_level_parse(const char *name)
{
	int i;

	for (i = 0; i <= LOG_LVL_DEBUG; i++)
		if (!strcmp(name, level_names[i]))
			return i;
	return -1;
}

/* A line for the process waiting on the readiness pipe: one write, so
 * lines never interleave; a full or closed pipe loses only this line. */
static void to_parent(int level, const char *msg)
{
	char line[1100];
	int n;

	if (log_parent_fd < 0 || level > LOG_LVL_WARN)
		return;
	n = snprintf(line, sizeof(line), "tcflowd: %s: %s\n",
		     level_names[level], msg);
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	if (write(log_parent_fd, line, (size_t)n) < 0)
		log_parent_fd = -1;
}

static void log_v(int level, const char *fmt, va_list ap)
{
	char msg[1024];

	if (level > log_level && (level > LOG_LVL_WARN || log_parent_fd < 0))
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	to_parent(level, msg);
	if (level > log_level)
		return;
	if (log_syslog)
		syslog(syslog_prio[level], "%s", msg);
	else if (log_journal)
		fprintf(stderr, "<%d>tcflowd: %s: %s\n", syslog_prio[level],
			level_names[level], msg);
	else
		fprintf(stderr, "tcflowd: %s: %s\n", level_names[level], msg);
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

bool log_enabled(int level)
{
	return level <= log_level;
}
