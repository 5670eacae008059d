// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * config_system.c - what start-up would refuse although the file parses:
 * directories that are missing or not writable, a user that does not
 * exist (tcflowd -t).  The system, not the file; config.c reads the file.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <pwd.h>
#include <sys/stat.h>

#include "config.h"

/* The directory of path exists and this process may create files in it. */
static int check_dir_of(const char *path, char *why, size_t len)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	struct stat st;

	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	if (stat(dir, &st))
		return snprintf(why, len, "directory %s: %s", dir,
				strerror(errno)), -1;
	if (!S_ISDIR(st.st_mode))
		return snprintf(why, len, "%s is not a directory", dir), -1;
	if (access(dir, W_OK | X_OK))
		return snprintf(why, len, "directory %s is not writable: %s",
				dir, strerror(errno)), -1;
	if (access(path, F_OK) == 0 && access(path, W_OK))
		return snprintf(why, len, "%s is not writable: %s", path,
				strerror(errno)), -1;
	return 0;
}

int config_check_system(const struct config *cfg, char *err, size_t errlen)
{
	char why[PATH_MAX + 64];
	int i;

	for (i = 0; i < cfg->n_collectors; i++) {
		const struct collector_config *cc = &cfg->collectors[i];

		if (cc->transport != TRANSPORT_FILE || !strcmp(cc->path, "-"))
			continue;
		if (check_dir_of(cc->path, why, sizeof(why)) == 0)
			continue;
		snprintf(err, errlen, "%s:%d: [collector %s]: path: %s",
			 cfg->file, cc->line, cc->name, why);
		return -1;
	}
	if (*cfg->pid_file && check_dir_of(cfg->pid_file, why, sizeof(why))) {
		snprintf(err, errlen, "%s: pid_file: %s", cfg->file, why);
		return -1;
	}
	if (*cfg->metrics_textfile &&
	    check_dir_of(cfg->metrics_textfile, why, sizeof(why))) {
		snprintf(err, errlen, "%s: [metrics] textfile: %s", cfg->file, why);
		return -1;
	}
	errno = 0;
	if (*cfg->user && !getpwnam(cfg->user)) {
		snprintf(err, errlen, "%s: user: %s: %s", cfg->file, cfg->user,
			 errno ? strerror(errno) : "no such user");
		return -1;
	}
	return 0;
}
