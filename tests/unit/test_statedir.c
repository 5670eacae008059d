// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * test_statedir.c - the state directory and the pid file: the lock, the
 * checks on owner and mode, and that no file is opened through a link.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "statedir.h"
#include "tap.h"

static char top[64];

static void slurp(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, len - 1, f) : 0;

	buf[n] = '\0';
	if (f)
		fclose(f);
}

static void spit(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f))
		tap_bail("write %s", path);
}

/* A path of 300 characters, its parents made. */
static void long_path(char *buf, size_t len)
{
	char seg[101];

	memset(seg, 'd', 100);
	seg[100] = '\0';
	snprintf(buf, len, "%s/%s", top, seg);
	mkdir(buf, 0700);
	snprintf(buf + strlen(buf), len - strlen(buf), "/%s", seg);
	mkdir(buf, 0700);
	memset(seg, 'e', 300 - strlen(buf) - 1);
	seg[300 - strlen(buf) - 1] = '\0';
	snprintf(buf + strlen(buf), len - strlen(buf), "/%s", seg);
}

static void test_lock(void)
{
	struct statedir a, b;
	char path[512], lock[600], buf[64], pid[32];

	long_path(path, sizeof(path));
	tap_is(strlen(path), 300, "a 300-character state_dir");
	tap_is(statedir_open(&a, path, (uid_t)-1), 0, "is created and locked");
	snprintf(lock, sizeof(lock), "%s/lock", path);
	slurp(lock, buf, sizeof(buf));
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	tap_ok(!strcmp(buf, pid), "its lock, in that very directory, holds our pid");
	tap_is(statedir_open(&b, path, (uid_t)-1), (uint64_t)-EBUSY,
	       "a second open is refused: -EBUSY");
	statedir_close(&a);
	tap_is(statedir_open(&b, path, (uid_t)-1), 0, "once closed, it opens again");
	statedir_close(&b);
}

static void test_files(void)
{
	struct statedir sd;
	char path[256], victim[256], link[512], buf[512];
	int fd;

	snprintf(path, sizeof(path), "%s/files", top);
	snprintf(victim, sizeof(victim), "%s/victim", top);
	spit(victim, "precious\n");
	if (statedir_open(&sd, path, (uid_t)-1))
		tap_bail("open %s", path);
	fd = statedir_create(&sd, "rec");
	tap_ok(fd >= 0 && write(fd, "one\n", 4) == 4, "create a file in it");
	close(fd);
	fd = statedir_create(&sd, "rec");
	tap_ok(fd >= 0 && write(fd, "two\n", 4) == 4, "and replace it");
	close(fd);
	tap_ok(statedir_read(&sd, "rec", buf, sizeof(buf)) == 0 &&
	       !strcmp(buf, "two\n"), "read back what was written last");

	snprintf(link, sizeof(link), "%s/planted", path);
	if (symlink(victim, link))
		tap_bail("symlink");
	tap_is(statedir_read(&sd, "planted", buf, sizeof(buf)), (uint64_t)-ELOOP,
	       "a planted link is not read through: -ELOOP");
	fd = statedir_create(&sd, "planted");
	tap_ok(fd >= 0, "creating its name replaces the link");
	if (fd >= 0)
		close(fd);
	slurp(victim, buf, sizeof(buf));
	tap_ok(!strcmp(buf, "precious\n"), "and the file it pointed to is intact");
	statedir_remove(&sd, "rec");
	tap_is(statedir_read(&sd, "rec", buf, sizeof(buf)), (uint64_t)-ENOENT,
	       "remove a file");
	statedir_close(&sd);
}

static void test_refused(void)
{
	struct statedir sd;
	char path[256], dir[256], buf[512];

	snprintf(dir, sizeof(dir), "%s/real", top);
	snprintf(path, sizeof(path), "%s/alias", top);
	mkdir(dir, 0700);
	if (symlink(dir, path))
		tap_bail("symlink");
	tap_is(statedir_open(&sd, path, (uid_t)-1), (uint64_t)-ELOOP,
	       "a state_dir that is a link: -ELOOP");
	tap_ok(sd.dirfd < 0 && sd.lockfd < 0, "and nothing is held");
	snprintf(buf, sizeof(buf), "%s/lock", dir);
	tap_ok(access(buf, F_OK) != 0, "nothing was created where it points");

	snprintf(path, sizeof(path), "%s/open", top);
	mkdir(path, 0700);
	chmod(path, 0777);
	tap_is(statedir_open(&sd, path, (uid_t)-1), (uint64_t)-EPERM,
	       "a state_dir writable by others: -EPERM");
	chmod(path, 0770);
	tap_is(statedir_open(&sd, path, (uid_t)-1), (uint64_t)-EPERM,
	       "writable by its group: -EPERM");

	snprintf(path, sizeof(path), "%s/lockdir", top);
	mkdir(path, 0700);
	snprintf(buf, sizeof(buf), "%s/lockdir/lock", top);
	spit(buf, "");
	snprintf(dir, sizeof(dir), "%s/lockdir/second", top);
	if (link(buf, dir))
		tap_bail("link");
	tap_is(statedir_open(&sd, path, (uid_t)-1), (uint64_t)-EPERM,
	       "a lock file with two names (a planted hard link): -EPERM");
}

static void test_pidfile(void)
{
	char path[256], victim[256], other[256], buf[64], pid[32];
	int fd, fd2;
	struct stat st;

	snprintf(path, sizeof(path), "%s/tcflowd.pid", top);
	fd = pidfile_open(path);
	tap_ok(fd >= 0, "open the pid file");
	slurp(path, buf, sizeof(buf));
	snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	tap_ok(!strcmp(buf, pid), "it holds our pid");
	fd2 = pidfile_open(path);
	tap_is(fd2, (uint64_t)-EBUSY, "a second holder is refused: -EBUSY");
	pidfile_close(path, fd);
	tap_ok(stat(path, &st) != 0, "closing removes it");

	/* someone replaced it meanwhile: theirs stays */
	fd = pidfile_open(path);
	snprintf(other, sizeof(other), "%s/other", top);
	spit(other, "4242\n");
	if (rename(other, path))
		tap_bail("rename");
	pidfile_close(path, fd);
	slurp(path, buf, sizeof(buf));
	tap_ok(!strcmp(buf, "4242\n"), "a pid file that is no longer ours is left alone");
	unlink(path);

	snprintf(victim, sizeof(victim), "%s/victim2", top);
	spit(victim, "precious\n");
	if (symlink(victim, path))
		tap_bail("symlink");
	tap_is(pidfile_open(path), (uint64_t)-ELOOP, "a pid file that is a link: -ELOOP");
	slurp(victim, buf, sizeof(buf));
	tap_ok(!strcmp(buf, "precious\n"), "and the file it points to is intact");
	pidfile_close(path, -1);
	tap_ok(lstat(path, &st) == 0 && S_ISLNK(st.st_mode), "and the link stays");
}

int main(void)
{
	char cmd[128];

	log_init(LOG_LVL_ERR, false);	/* the refusals' messages: stderr */
	snprintf(top, sizeof(top), "/tmp/test_statedir.XXXXXX");
	if (!mkdtemp(top))
		tap_bail("mkdtemp");
	test_lock();
	test_files();
	test_refused();
	test_pidfile();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", top);
	if (system(cmd))
		tap_diag("remove %s", top);
	return tap_done();
}
