/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * logcap.h - catch the daemon's log (stderr) in a file for a while, and
 * count what it says.
 */
#ifndef TCFLOWD_TEST_LOGCAP_H
#define TCFLOWD_TEST_LOGCAP_H

/* From now on stderr goes to a temporary file.  Bails out on failure. */
void logcap_start(void);
/* stderr back where it was; the file is kept for logcap_count(). */
void logcap_stop(void);
/* How many times needle is in what was caught. */
int logcap_count(const char *needle);
/* Remove the file. */
void logcap_done(void);

#endif /* TCFLOWD_TEST_LOGCAP_H */
