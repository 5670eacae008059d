// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * main.c - tcflowd: options, config, pid file, and the daemon's life.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "autoconfig.h"
#include "config.h"
#include "daemon.h"
#include "log.h"
#include "notify.h"
#include "privs.h"
#include "statedir.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcflowd [-c FILE] [-f] [-d] [-t | -T] [-V] [-h]\n"
		"  -c, --config FILE    configuration (default %s)\n"
		"  -f, --foreground     stay in the foreground, log to stderr\n"
		"  -d, --debug          log everything, stay in the foreground\n"
		"  -t, --check          check the configuration and exit\n"
		"  -T, --print-config   check it, print it with every default, and exit\n"
		"  -V, --version        print the version and exit\n"
		"  -h, --help           print this and exit\n"
		"exit status: 0 done, 1 a configuration or start failure, 2 a usage error\n",
		TCFLOWD_DEFAULT_CONFIG);
}

static const struct option long_options[] = {
	{ "config",		required_argument,	NULL, 'c' },
	{ "foreground",		no_argument,		NULL, 'f' },
	{ "debug",		no_argument,		NULL, 'd' },
	{ "check",		no_argument,		NULL, 't' },
	{ "print-config",	no_argument,		NULL, 'T' },
	{ "version",		no_argument,		NULL, 'V' },
	{ "help",		no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

/* Start-up done: drop privileges, then tell the caller and systemd. */
static int go_ready(struct daemon *d, const struct config *cfg)
{
	uint64_t wd_us;
	int rc;

	if (*cfg->user) {
		rc = privs_drop(cfg->user, cfg->hook == HOOK_SOCKET);
		if (rc) {
			log_err("drop privileges to user %s: %s", cfg->user,
				rc == -ENOENT ? "no such user" : strerror(-rc));
			return rc;
		}
	}
	notify_ready(daemon_status(d));
	wd_us = notify_watchdog();
	if (wd_us && cfg->fetch_interval_ms * 2000ull > wd_us)
		log_warn("watchdog: WatchdogSec (%llu ms) is less than twice "
			 "fetch_interval_ms (%u): systemd may kill a healthy "
			 "daemon", (unsigned long long)(wd_us / 1000),
			 cfg->fetch_interval_ms);
	return 0;
}

/* -t: the file, and what start-up would refuse short of the kernel. */
static int check_config(const struct config *cfg)
{
	char err[CONFIG_ERR_LEN];

	if (config_check_system(cfg, err, sizeof(err))) {
		fprintf(stderr, "tcflowd: %s\n", err);
		return 1;
	}
	printf("%s: configuration OK\n", cfg->file);
	return 0;
}

/* The daemon's life: detach (unless foreground), init, ready, loop, fini. */
static int run(struct config *cfg, bool foreground)
{
	struct daemon d;
	int rc, pid_fd = -1;

	/* once detached, stderr is /dev/null: the log goes to syslog */
	log_init(cfg->log_level, cfg->syslog || !foreground);
	datapath_log_libbpf();
	if (!foreground && (rc = notify_daemonize())) {
		log_err("start in the background: %s", strerror(-rc));
		return 1;
	}
	if (*cfg->pid_file && (pid_fd = pidfile_open(cfg->pid_file)) < 0)
		return 1;

	rc = daemon_init(&d, cfg);
	if (!rc)
		rc = go_ready(&d, cfg);
	if (!rc) {
		rc = daemon_run(&d);
		notify_stopping();
	}
	daemon_fini(&d);
	pidfile_close(cfg->pid_file, pid_fd);
	return rc ? 1 : 0;
}

int main(int argc, char **argv)
{
	const char *path = TCFLOWD_DEFAULT_CONFIG;
	bool foreground = false, debug = false, check = false, print = false;
	char err[CONFIG_ERR_LEN];
	struct config cfg;
	int c, rc;

	rc = daemon_block_signals();
	if (rc) {
		fprintf(stderr, "tcflowd: block signals: %s\n", strerror(-rc));
		return 1;
	}
	while ((c = getopt_long(argc, argv, "c:fdtTVh", long_options, NULL)) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'f': foreground = true; break;
		case 'd': debug = foreground = true; break;
		case 't': check = true; break;
		case 'T': print = true; break;
		case 'V': printf("tcflowd %s\n", PACKAGE_VERSION); return 0;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return 2;
	}
	if (config_load(path, &cfg, err, sizeof(err))) {
		fprintf(stderr, "tcflowd: %s\n", err);
		return 1;
	}
	if (print) {
		config_print(stdout, &cfg);
		return fflush(stdout) ? 1 : 0;
	}
	if (check)
		return check_config(&cfg);
	if (debug)
		cfg.log_level = LOG_LVL_DEBUG;
	return run(&cfg, foreground);
}
