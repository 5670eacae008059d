// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * privs.c - become an unprivileged user with libcap-ng.
 */
#include <errno.h>
#include <pwd.h>
#include <string.h>
#include <sys/prctl.h>
#include <cap-ng.h>
#include <linux/capability.h>

#include "log.h"
#include "privs.h"

int privs_drop(const char *user, bool sockets)
{
	struct passwd *pw;
	int rc;

	errno = 0;
	pw = getpwnam(user);
	if (!pw)
		return errno ? -errno : -ENOENT;
	capng_clear(CAPNG_SELECT_BOTH);
	rc = capng_updatev(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
			   CAP_BPF, CAP_NET_ADMIN, CAP_PERFMON, -1);
	if (!rc && sockets)
		rc = capng_update(CAPNG_ADD, CAPNG_EFFECTIVE | CAPNG_PERMITTED,
				  CAP_NET_RAW);
	if (rc)
		return -EINVAL;
	/* the bounding set goes entirely: nothing is ever exec'ed */
	rc = capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
			     CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING);
	if (rc)
		return -EPERM;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -errno;
	log_info("running as %s (uid %u, gid %u) with CAP_BPF, CAP_NET_ADMIN, "
		 "CAP_PERFMON%s", user, (unsigned)pw->pw_uid,
		 (unsigned)pw->pw_gid, sockets ? ", CAP_NET_RAW" : "");
	return 0;
}
