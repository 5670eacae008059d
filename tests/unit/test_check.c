// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_check.c - what `tcflowd -t` refuses besides syntax and ranges:
 * addresses that look numeric but are not, transports that do not exist
 * yet, and (config_check_system) outputs whose directory is missing or
 * not writable, an unknown user.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "tap.h"

#define HEAD "[capture]\ninterfaces = *\n"

static const struct {
	const char *text, *want;
} bads[] = {
	{ HEAD "[collector a]\nprotocol = ipfix\naddress = 300.1.1.1\n",
	  "c.conf:5: address: '300.1.1.1' is not an IPv4 address" },
	{ HEAD "[collector a]\nprotocol = ipfix\naddress = 192.0.2\n",
	  "c.conf:5: address: '192.0.2' is not an IPv4 address" },
	{ HEAD "[collector a]\nprotocol = ipfix\naddress = 2001:db8::g\n",
	  "c.conf:5: address: '2001:db8::g' is not an IPv6 address" },
	{ HEAD "[collector a]\nprotocol = ipfix\naddress = 192.0.2.1\n"
	  "source_address = collector.example\n",
	  "c.conf:6: source_address: 'collector.example' is not an IP address" },
	{ HEAD "[collector a]\nprotocol = ipfix\ntransport = sctp\naddress = ::1\n",
	  "c.conf:5: transport: sctp is not implemented yet: use udp, tcp or file" },
	{ "[global]\nuser = " "0123456789012345678901234567890123456789"
	  "012345678901234567890123456789\n" HEAD,
	  "c.conf:2: user: longer than 63 characters" },
};

static void test_parse(void)
{
	static const char good[] = "[global]\nuser = tcflowd\n" HEAD
		"[collector a]\nprotocol = ipfix\naddress = 192.0.2.1\n"
		"source_address = 2001:db8::1\n"
		"[collector b]\nprotocol = ipfix\ntransport = tcp\n"
		"address = collector.example\n";
	char err[CONFIG_ERR_LEN];
	struct config c;
	size_t i;

	for (i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		err[0] = '\0';
		if (!tap_ok(config_parse_string(bads[i].text, "c.conf", &c, err,
						sizeof(err)) == -1 &&
			    !strcmp(err, bads[i].want), "refused: %s", bads[i].want))
			tap_diag("got: %s", err);
	}
	err[0] = '\0';
	if (!tap_ok(config_parse_string(good, "c.conf", &c, err, sizeof(err)) == 0,
		    "numeric IPv4 and IPv6 addresses and a host name pass"))
		tap_diag("%s", err);
	tap_ok(!strcmp(c.user, "tcflowd"), "user = tcflowd");
	config_parse_string(HEAD "[collector j]\nprotocol = json\npath = -\n",
			    "c.conf", &c, err, sizeof(err));
	tap_ok(!strcmp(c.user, ""), "user: empty by default (stay as started)");
}

/* A config whose json collector writes to path; checked as -t would. */
static int check_path(const char *path, const char *extra, char *err,
		      size_t len)
{
	char text[PATH_MAX + 256];
	struct config c;

	snprintf(text, sizeof(text), "[global]\n%s\n" HEAD
		 "[collector j]\nprotocol = json\npath = %s\n", extra, path);
	if (config_parse_string(text, "c.conf", &c, err, len))
		return -2;
	return config_check_system(&c, err, len);
}

static void test_system(void)
{
	char dir[] = "/tmp/tcflowd-check.XXXXXX", path[PATH_MAX], want[PATH_MAX + 128];
	char err[CONFIG_ERR_LEN];
	FILE *f;

	if (!mkdtemp(dir))
		tap_bail("mkdtemp: %m");
	snprintf(path, sizeof(path), "%s/flows.json", dir);
	err[0] = '\0';
	tap_ok(check_path(path, "", err, sizeof(err)) == 0,
	       "a writable directory passes %s", err);
	tap_ok(check_path("-", "", err, sizeof(err)) == 0, "stdout passes");

	snprintf(path, sizeof(path), "%s/missing/flows.json", dir);
	snprintf(want, sizeof(want), "c.conf:5: [collector j]: path: directory "
		 "%s/missing: No such file or directory", dir);
	if (!tap_ok(check_path(path, "", err, sizeof(err)) == -1 &&
		    !strcmp(err, want), "a missing directory: %s", want))
		tap_diag("got: %s", err);

	snprintf(path, sizeof(path), "%s/file", dir);
	f = fopen(path, "w");
	if (f)
		fclose(f);
	snprintf(path, sizeof(path), "%s/file/flows.json", dir);
	snprintf(want, sizeof(want), "c.conf:5: [collector j]: path: %s/file is "
		 "not a directory", dir);
	if (!tap_ok(check_path(path, "", err, sizeof(err)) == -1 &&
		    !strcmp(err, want), "a file as directory: %s", want))
		tap_diag("got: %s", err);

	snprintf(path, sizeof(path), "%s/flows.json", dir);
	snprintf(want, sizeof(want), "pid_file = %s/none/tcflowd.pid", dir);
	tap_ok(check_path(path, want, err, sizeof(err)) == -1 &&
	       strstr(err, "c.conf: pid_file: directory ") &&
	       strstr(err, "/none: No such file or directory"),
	       "the pid file's directory too: %s", err);
	if (!tap_ok(check_path(path, "user = no-such-user-tcflowd", err,
			       sizeof(err)) == -1 &&
		    !strcmp(err, "c.conf: user: no-such-user-tcflowd: no such user"),
		    "an unknown user"))
		tap_diag("got: %s", err);
	tap_ok(check_path(path, "user = root", err, sizeof(err)) == 0,
	       "a known user passes");

	/* not writable: checked without CAP_DAC_OVERRIDE, so as root in a
	 * child that became nobody (the directory root's, 0755) */
	snprintf(want, sizeof(want), "c.conf:5: [collector j]: path: "
		 "directory %s is not writable: Permission denied", dir);
	if (geteuid() != 0) {
		chmod(dir, 0500);
		tap_ok(check_path(path, "", err, sizeof(err)) == -1 &&
		       !strcmp(err, want), "a read-only directory: %s", want);
	} else {
		pid_t pid;
		int st = 0;

		chmod(dir, 0755);
		pid = fork();
		if (pid == 0)
			_exit(setgid(65534) || setuid(65534) ||
			      check_path(path, "", err, sizeof(err)) != -1 ||
			      strcmp(err, want));
		tap_ok(pid > 0 && waitpid(pid, &st, 0) == pid &&
		       WIFEXITED(st) && WEXITSTATUS(st) == 0,
		       "a directory this user may not write (as nobody): %s", want);
	}
	chmod(dir, 0700);
	snprintf(path, sizeof(path), "%s/file", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_parse();
	test_system();
	return tap_done();
}
