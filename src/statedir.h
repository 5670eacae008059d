/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * statedir.h - an instance's state directory and pid file.
 *
 * The state directory is the instance: whoever holds the exclusive lock on
 * its "lock" file owns it (and what it records of the kernel objects it
 * made) for the life of the process.  The directory is created 0700 if
 * missing and refused if it is a symbolic link, not ours, or writable by
 * others; files in it are opened relative to it, never through a link.
 */
#ifndef TCFLOWD_STATEDIR_H
#define TCFLOWD_STATEDIR_H

#include <stdint.h>
#include <sys/types.h>

struct statedir {
	int		dirfd;		/* O_DIRECTORY|O_NOFOLLOW, checked */
	int		lockfd;		/* flock(LOCK_EX) held until close */
	uint32_t	id;		/* this instance's tag, from the path */
	/* who its files go to (statedir_give): the user we run as after the
	 * privilege drop; (uid_t)-1: whoever creates them */
	uid_t		owner;
	gid_t		group;
};

/*
 * Open (create) and lock the state directory at path.  It must be owned
 * by us, or by also (the user we are to run as; (uid_t)-1: none), and
 * writable by its owner only.  Logs why not and returns -errno: -EBUSY
 * when a live process holds it (its pid in the message), -ELOOP for a
 * link, -EPERM when its owner or mode is unsafe.
 */
int statedir_open(struct statedir *sd, const char *path, uid_t also);
/* Give the directory, its lock and every file created in it from now on
 * to uid:gid, so that a run as that user can use them.  0 or -errno. */
int statedir_give(struct statedir *sd, uid_t uid, gid_t gid);
/* Release the lock.  Safe on a statedir that failed to open. */
void statedir_close(struct statedir *sd);

/* Create (or replace) name in the directory, 0600, never through a link;
 * returns an fd open for writing or -errno. */
int statedir_create(const struct statedir *sd, const char *name);
/* Read name (up to len - 1 bytes, NUL-terminated).  0 or -errno. */
int statedir_read(const struct statedir *sd, const char *name, char *buf,
		  size_t len);
void statedir_remove(const struct statedir *sd, const char *name);

/*
 * The pid file: locked like the state directory (a second instance with
 * the same pid_file is refused, naming the holder), never written through
 * a link, and removed at exit only while it is still ours.  pidfile_open
 * logs why not and returns -errno, or an fd to pass to pidfile_close.
 */
int pidfile_open(const char *path);
void pidfile_close(const char *path, int fd);

#endif /* TCFLOWD_STATEDIR_H */
