// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * fuzz_config.c - libFuzzer target: any bytes as tcflowd.conf.
 *
 * The input goes through the daemon's own path (config_load() on a file,
 * here a memfd), so the reader is fuzzed along with the parser.  Every
 * input must end in 0 or -1 with a message "NAME:LINE: ..." or "NAME: ...",
 * never in a sanitizer report.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct config cfg;
	char path[64], err[CONFIG_ERR_LEN];
	int fd, rc;

	fd = memfd_create("fuzz.conf", MFD_CLOEXEC);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	err[0] = '\0';
	rc = config_load(path, &cfg, err, sizeof(err));
	close(fd);
	if (rc != 0 && rc != -1)
		abort();
	if (rc == -1 && strncmp(err, path, strlen(path)))
		abort();	/* every error names the file */
	return 0;
}
