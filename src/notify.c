// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * notify.c - the readiness pipe of a daemon that goes to the background,
 * and systemd's notification socket.
 *
 *   caller ──fork──▶ child ──setsid, fork──▶ daemon
 *     │                 └─ exits at once        │ init: load, attach, open
 *     └◀──── readiness pipe: warnings, errors ──┘ then a NUL byte: ready
 *
 * The caller exits 0 when the NUL byte arrives, 1 when the pipe closes
 * without it (init failed, the daemon exited or crashed).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <systemd/sd-daemon.h>

#include "log.h"
#include "notify.h"

static int ready_fd = -1;		/* the daemon's end of the pipe */
static uint64_t watchdog_us;		/* WatchdogSec, 0: off */
static uint64_t watchdog_last_us;

static uint64_t monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* The caller's side: relay what the daemon says until it is ready or
 * gone; returns the exit status for the caller. */
static int wait_for_daemon(int fd, pid_t child)
{
	bool ready = false, said = false;
	char buf[4096], *nul;
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		/* the NUL byte comes last, after every line */
		nul = memchr(buf, '\0', (size_t)n);
		if (nul) {
			ready = true;
			n = nul - buf;
		}
		if (n > 0 && fwrite(buf, 1, (size_t)n, stderr))
			said = true;
	}
	waitpid(child, NULL, 0);
	if (!ready && !said)
		fprintf(stderr, "tcflowd: err: start in the background: the "
			"daemon exited during start-up\n");
	return ready ? 0 : 1;
}

/* In the daemon: no terminal, no inherited stdio, "/" as working dir. */
static int detach_stdio(void)
{
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (dup2(fd, STDIN_FILENO) < 0 || dup2(fd, STDOUT_FILENO) < 0 ||
	    dup2(fd, STDERR_FILENO) < 0) {
		close(fd);
		return -errno;
	}
	if (fd > STDERR_FILENO)
		close(fd);
	return chdir("/") ? -errno : 0;
}

int notify_daemonize(void)
{
	int p[2], err;
	pid_t pid;

	fflush(NULL);
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		err = -errno;
		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid > 0) {
		close(p[1]);
		exit(wait_for_daemon(p[0], pid));
	}
	close(p[0]);
	log_to_parent(p[1]);
	if (setsid() < 0) {
		log_err("start a session: %s", strerror(errno));
		_exit(1);
	}
	pid = fork();
	if (pid < 0) {
		log_err("start in the background: %s", strerror(errno));
		_exit(1);
	}
	if (pid > 0)
		_exit(0);	/* the daemon is not a session leader */
	ready_fd = p[1];
	err = detach_stdio();
	if (err)
		log_warn("detach from the terminal: %s", strerror(-err));
	return 0;
}

void notify_ready(const char *status)
{
	uint64_t us;

	sd_notifyf(0, "READY=1\nSTATUS=%s", status);
	if (ready_fd >= 0) {
		log_to_parent(-1);
		if (write(ready_fd, "", 1) != 1)
			log_warn("tell the caller we are ready: %s",
				 strerror(errno));
		close(ready_fd);
		ready_fd = -1;
	}
	if (!watchdog_us && sd_watchdog_enabled(0, &us) > 0) {
		watchdog_us = us;
		log_info("watchdog: every %llu ms",
			 (unsigned long long)(us / 1000));
	}
}

void notify_reloading(void)
{
	/* systemd >= 253 (Type=notify-reload) wants the time with it */
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu",
		   (unsigned long long)monotonic_us());
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping: final fetch and export");
}

void notify_status(const char *fmt, ...)
{
	char line[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	sd_notifyf(0, "STATUS=%s", line);
}

uint64_t notify_watchdog(void)
{
	uint64_t now;

	if (!watchdog_us)
		return 0;
	now = monotonic_us();
	if (now - watchdog_last_us >= watchdog_us / 4) {
		sd_notify(0, "WATCHDOG=1");
		watchdog_last_us = now;
	}
	return watchdog_us;
}
