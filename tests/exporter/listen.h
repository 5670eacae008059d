/* SPDX-License-Identifier: GPL-2.0-or-later */
/* listen.h - a TCP collector on 127.0.0.1 for the transport tests. */
#ifndef TCFLOWD_TEST_LISTEN_H
#define TCFLOWD_TEST_LISTEN_H

#include <stdint.h>

/* A listening socket on 127.0.0.1 with a small receive window (so the
 * exporter's socket soon holds data the collector has not acknowledged);
 * its port in *port.  Bails out on failure. */
int test_tcp_listener(uint16_t *port);

#endif
