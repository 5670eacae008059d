/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * notify.h - telling whoever started tcflowd how start-up went: the
 * shell that waits for a daemon going to the background (a readiness
 * pipe, as chrony's go_daemon), and systemd (sd_notify: READY, RELOADING,
 * STOPPING, STATUS, WATCHDOG).  Without NOTIFY_SOCKET the sd_notify calls
 * do nothing.
 */
#ifndef TCFLOWD_NOTIFY_H
#define TCFLOWD_NOTIFY_H

#include <stdint.h>

/*
 * Go to the background before initialisation, with a pipe back to the
 * caller: the caller's process waits until notify_ready() (exit 0) or
 * until the daemon exits or fails (exit 1), and prints on its stderr what
 * the daemon logged at warn level or above meanwhile.  Returns 0 in the
 * daemon, or -errno (still in the caller's process, nothing forked).
 */
int notify_daemonize(void);

/* Initialisation succeeded: READY=1 and STATUS=status to systemd; the
 * caller waiting on the readiness pipe exits 0.  Arms the watchdog. */
void notify_ready(const char *status);

/* SIGHUP: RELOADING=1 (with MONOTONIC_USEC) before, notify_ready() after. */
void notify_reloading(void);

/* SIGTERM/SIGINT: the final fetch and export start now. */
void notify_stopping(void);

/* STATUS=, one line. */
void notify_status(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* From the fetch loop: WATCHDOG=1 when systemd's WatchdogSec is set, at
 * most every quarter of it.  Returns the watchdog interval in us (0: off). */
uint64_t notify_watchdog(void);

#endif /* TCFLOWD_NOTIFY_H */
