// SPDX-License-Identifier: GPL-2.0-or-later
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logcap.h"
#include "tap.h"

static char path[] = "/tmp/tcflowd-test-log.XXXXXX";
static int saved = -1;

void logcap_start(void)
{
	int fd = mkstemp(path);

	fflush(stderr);
	saved = dup(2);
	if (fd < 0 || saved < 0 || dup2(fd, 2) < 0)
		tap_bail("redirect the log: %s", strerror(errno));
	close(fd);
}

void logcap_stop(void)
{
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	saved = -1;
}

int logcap_count(const char *needle)
{
	static char text[1 << 16];
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(text, 1, sizeof(text) - 1, f) : 0;
	char *s = text;
	int c = 0;

	if (f)
		fclose(f);
	text[n] = '\0';
	while ((s = strstr(s, needle))) {
		c++;
		s++;
	}
	return c;
}

void logcap_done(void)
{
	unlink(path);
}
