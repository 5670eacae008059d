/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * tap.h - minimal TAP output for the C tests (automake's tap-driver.sh
 * reads it; every check is one line in the summary).
 */
#ifndef TCFLOWD_TAP_H
#define TCFLOWD_TAP_H

#include <stdbool.h>
#include <stdint.h>

/* Print "ok N - name" or "not ok N - name"; returns cond. */
bool tap_ok(bool cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Compare two unsigned numbers; prints both on failure. */
bool tap_is(uint64_t got, uint64_t want, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* A diagnostic line ("# ..."). */
void tap_diag(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Print the plan; returns the exit status (0 when every check passed). */
int tap_done(void);
/* Abort the whole test file as failed. */
void tap_bail(const char *fmt, ...)
	__attribute__((format(printf, 1, 2), noreturn));

/*
 * The test needs root and BPF.  Without them: on a developer's machine the
 * whole file is skipped and says so; in CI (CI set in the environment) it
 * fails, because CI runs as root and a skip there would hide a failure.
 */
void tap_need_privilege(const char *why) __attribute__((noreturn));

#endif /* TCFLOWD_TAP_H */
