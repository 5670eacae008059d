/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * privs.h - least privilege: after the programs are loaded and attached,
 * become an unprivileged user that keeps only the capabilities the
 * running daemon needs.
 */
#ifndef TCFLOWD_PRIVS_H
#define TCFLOWD_PRIVS_H

#include <stdbool.h>

/*
 * Switch to user (its primary group, no supplementary groups) keeping
 * CAP_BPF (map reads, the A/B swap, loading nothing new), CAP_NET_ADMIN
 * (tc/tcx attach and detach on hotplug, reload and exit), CAP_PERFMON
 * (the programs' pointer use, as at load) and, when sockets is set,
 * CAP_NET_RAW (AF_PACKET sockets for interfaces that appear later).  The
 * bounding set is cleared and no_new_privs set.  Returns 0 or -errno
 * (-ENOENT: no such user); on error nothing is half changed that matters:
 * the caller must exit.
 */
int privs_drop(const char *user, bool sockets);

#endif /* TCFLOWD_PRIVS_H */
