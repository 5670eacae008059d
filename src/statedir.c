// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * statedir.c - the state directory's lock, its files, and the pid file.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "log.h"
#include "statedir.h"

#define LOCK_NAME	"lock"

static uint32_t fnv1a(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static const char *open_reason(int err)
{
	return err == ELOOP ? "is a symbolic link; refusing to follow it" :
	       strerror(err);
}

/* The pid in a lock file someone else holds ("?" if unreadable). */
static void holder_pid(int fd, char *buf, size_t len)
{
	ssize_t n = pread(fd, buf, len - 1, 0);

	buf[n > 0 ? n : 0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
	if (!*buf)
		snprintf(buf, len, "?");
}

/*
 * Open name (relative to dirfd) as a lock file: a regular file, not a
 * link, with one name; lock it and write our pid.  Returns the fd or
 * -errno (logged; label names the file in messages).
 */
static int lock_file(int dirfd, const char *name, const char *label,
		     mode_t mode)
{
	char pid[32];
	struct stat st;
	int fd, n;

	fd = openat(dirfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
		    mode);
	if (fd < 0) {
		n = errno;
		log_err("open %s: %s", label, open_reason(n));
		return -n;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_nlink != 1) {
		log_err("open %s: not a regular file with one name; refusing",
			label);
		close(fd);
		return -EPERM;
	}
	if (flock(fd, LOCK_EX | LOCK_NB)) {
		n = errno;
		if (n == EWOULDBLOCK) {
			holder_pid(fd, pid, sizeof(pid));
			log_err("lock %s: held by pid %s; another tcflowd "
				"runs with it", label, pid);
			n = EBUSY;
		} else {
			log_err("lock %s: %s", label, strerror(n));
		}
		close(fd);
		return -n;
	}
	n = snprintf(pid, sizeof(pid), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) || pwrite(fd, pid, (size_t)n, 0) != n) {
		n = errno ? errno : EIO;
		log_err("write %s: %s", label, strerror(n));
		close(fd);
		return -n;
	}
	return fd;
}

/* Ours (or also's), and nobody else may write it. */
static int check_dir(int fd, const char *path, uid_t also)
{
	struct stat st;

	if (fstat(fd, &st)) {
		int err = errno;

		log_err("stat state directory %s: %s", path, strerror(err));
		return -err;
	}
	if (st.st_uid != geteuid() && st.st_uid != also) {
		log_err("open state directory %s: owned by uid %u, not by us "
			"(uid %u); refusing", path, (unsigned)st.st_uid,
			(unsigned)geteuid());
		return -EPERM;
	}
	if (st.st_mode & (S_IWGRP | S_IWOTH)) {
		log_err("open state directory %s: writable by others (mode "
			"%04o); refusing", path, (unsigned)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

int statedir_open(struct statedir *sd, const char *path, uid_t also)
{
	int err;

	sd->dirfd = sd->lockfd = -1;
	sd->owner = (uid_t)-1;
	sd->group = (gid_t)-1;
	sd->id = fnv1a(path);
	if (mkdir(path, 0700) && errno != EEXIST) {
		err = errno;
		log_err("create state directory %s: %s", path, strerror(err));
		return -err;
	}
	sd->dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (sd->dirfd < 0) {
		struct stat st;

		err = errno;
		/* O_DIRECTORY|O_NOFOLLOW on a link: ENOTDIR */
		if (err == ENOTDIR && lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			err = ELOOP;
		log_err("open state directory %s: %s", path, open_reason(err));
		return -err;
	}
	err = check_dir(sd->dirfd, path, also);
	if (!err) {
		char label[PATH_MAX + sizeof("/" LOCK_NAME)];

		snprintf(label, sizeof(label), "%s/" LOCK_NAME, path);
		sd->lockfd = lock_file(sd->dirfd, LOCK_NAME, label, 0600);
		err = sd->lockfd < 0 ? sd->lockfd : 0;
	}
	if (err) {
		if (err == -EBUSY)
			log_err("refusing to start: state directory %s belongs "
				"to a running instance", path);
		statedir_close(sd);
	}
	return err;
}

void statedir_close(struct statedir *sd)
{
	if (sd->lockfd >= 0)
		close(sd->lockfd);	/* the lock goes with it */
	if (sd->dirfd >= 0)
		close(sd->dirfd);
	sd->lockfd = sd->dirfd = -1;
}

int statedir_give(struct statedir *sd, uid_t uid, gid_t gid)
{
	if (fchown(sd->dirfd, uid, gid) || fchown(sd->lockfd, uid, gid))
		return -errno;
	sd->owner = uid;
	sd->group = gid;
	return 0;
}

int statedir_create(const struct statedir *sd, const char *name)
{
	int fd;

	if (unlinkat(sd->dirfd, name, 0) && errno != ENOENT)
		return -errno;
	fd = openat(sd->dirfd, name,
		    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	if (sd->owner != (uid_t)-1 && geteuid() != sd->owner &&
	    fchown(fd, sd->owner, sd->group)) {
		int err = -errno;

		close(fd);
		unlinkat(sd->dirfd, name, 0);
		return err;
	}
	return fd;
}

int statedir_read(const struct statedir *sd, const char *name, char *buf,
		  size_t len)
{
	int fd = openat(sd->dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	return 0;
}

void statedir_remove(const struct statedir *sd, const char *name)
{
	if (unlinkat(sd->dirfd, name, 0) && errno != ENOENT)
		log_warn("remove %s from the state directory: %s", name,
			 strerror(errno));
}

int pidfile_open(const char *path)
{
	char label[PATH_MAX + 16];

	snprintf(label, sizeof(label), "pid file %s", path);
	return lock_file(AT_FDCWD, path, label, 0644);
}

void pidfile_close(const char *path, int fd)
{
	struct stat mine, now;

	if (fd < 0)
		return;
	/* remove it only if the name still is the file we locked; else
	 * (after user = the directory may not be ours to write or search)
	 * leave no pid behind that another process may come to have: the
	 * descriptor was opened for writing before the drop */
	errno = 0;	/* a name now of another file fails no call */
	if (fstat(fd, &mine) == 0 && lstat(path, &now) == 0 &&
	    mine.st_dev == now.st_dev && mine.st_ino == now.st_ino &&
	    unlink(path) == 0) {
		close(fd);
		return;
	}
	if (errno == EACCES || errno == EPERM) {
		if (ftruncate(fd, 0) == 0)
			log_info("pid file %s: emptied, not removed (this user "
				 "may not write or search its directory)", path);
		else
			log_warn("pid file %s: neither removed nor emptied: %s",
				 path, strerror(errno));
	}
	close(fd);
}
