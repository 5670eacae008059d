/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * log.h - the daemon's log: stderr by default (journald picks it up;
 * when stderr is the journal, lines start with their "<N>" priority),
 * syslog on request and once detached.  Messages read "verb object: reason".
 * A leaf: the daemon and the exporter library both log through it.
 */
#ifndef TCFLOWD_LOG_H
#define TCFLOWD_LOG_H

#include <stdbool.h>

#define LOG_LVL_ERR	0
#define LOG_LVL_WARN	1
#define LOG_LVL_INFO	2
#define LOG_LVL_DEBUG	3

void log_init(int level, bool use_syslog);
void log_set_level(int level);
/* While starting in the background: warnings and errors also go to fd
 * (the readiness pipe), whatever the level; -1 stops it. */
void log_to_parent(int fd);
/* "err", "warn", "info", "debug" -> level, or -1. */
int log_level_parse(const char *name);

void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Whether a message of this level would be written. */
bool log_enabled(int level);

#endif /* TCFLOWD_LOG_H */
