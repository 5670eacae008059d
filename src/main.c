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
#include "statedir.h"

static void usage(FILE *f)
{
	fprintf(f,
		"usage: tcflowd [-c FILE] [-f] [-d] [-t] [-V]\n"
		"  -c FILE  configuration (default %s)\n"
		"  -f       stay in the foreground\n"
		"  -d       debug: log everything, stay in the foreground\n"
		"  -t       check the configuration and exit\n"
		"  -V       print the version and exit\n",
		TCFLOWD_DEFAULT_CONFIG);
}

int main(int argc, char **argv)
{
	const char *path = TCFLOWD_DEFAULT_CONFIG;
	bool foreground = false, debug = false, check = false;
	char err[CONFIG_ERR_LEN];
	struct config cfg;
	struct daemon d;
	int c, rc, pid_fd = -1;

	while ((c = getopt(argc, argv, "c:fdtVh")) != -1) {
		switch (c) {
		case 'c': path = optarg; break;
		case 'f': foreground = true; break;
		case 'd': debug = foreground = true; break;
		case 't': check = true; break;
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
	if (check) {
		printf("%s: configuration OK\n", path);
		return 0;
	}
	if (debug)
		cfg.log_level = LOG_LVL_DEBUG;
	log_init(cfg.log_level, cfg.syslog && !foreground);
	log_libbpf();
	if (!foreground && daemon(0, 0)) {
		log_err("run in the background: %s", strerror(errno));
		return 1;
	}
	if (*cfg.pid_file && (pid_fd = pidfile_open(cfg.pid_file)) < 0)
		return 1;

	rc = daemon_init(&d, &cfg);
	if (!rc)
		rc = daemon_run(&d);
	daemon_fini(&d);
	pidfile_close(cfg.pid_file, pid_fd);
	return rc ? 1 : 0;
}
