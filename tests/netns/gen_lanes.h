/* SPDX-License-Identifier: GPL-2.0-or-later */
/* gen_lanes.h - gen's "lanes" mode: AF_PACKET traffic for bench/peers */
#ifndef TCFLOWD_GEN_LANES_H
#define TCFLOWD_GEN_LANES_H

/* "gen: WHAT: strerror(errno)" on stderr, and exit 1. */
void gen_die(const char *what);

/* gen lanes OPTIONS...: argv[0] is "lanes"; returns the exit status. */
int gen_lanes(int argc, char **argv);

#endif /* TCFLOWD_GEN_LANES_H */
